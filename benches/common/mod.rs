//! What the benchmarks share: the repository root and a recipients file
//! of any size made from the fixture rows.

use std::path::{Path, PathBuf};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `n` recipients made from the 21 fixture rows (all scripts), each
/// organisation and email made unique by its number.
pub fn write_recipients(dir: &Path, n: usize) -> PathBuf {
    let src = std::fs::read_to_string(root().join("fixtures/recipients/institutions.csv")).unwrap();
    let mut rdr = csv::Reader::from_reader(src.as_bytes());
    let headers = rdr.headers().unwrap().clone();
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
    let org = headers.iter().position(|h| h == "organisation").unwrap();
    let email = headers.iter().position(|h| h == "email").unwrap();
    let path = dir.join("recipients.csv");
    let mut w = csv::Writer::from_path(&path).unwrap();
    w.write_record(&headers).unwrap();
    for i in 0..n {
        let r = &rows[i % rows.len()];
        let fields: Vec<String> = r
            .iter()
            .enumerate()
            .map(|(k, f)| {
                if k == org {
                    format!("{f} {}", i + 1)
                } else if k == email {
                    format!("r{}.{f}", i + 1)
                } else {
                    f.to_owned()
                }
            })
            .collect();
        w.write_record(&fields).unwrap();
    }
    w.flush().unwrap();
    path
}
