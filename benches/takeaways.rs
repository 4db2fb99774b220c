//! Takeaways-sheet benchmark (harness = false). Target: one sheet in
//! < 100 ms after the first compile in the process (fonts loaded).
//!
//! Measures, on the real report (pandoc-made model fixture):
//! 1. the first sheet in the process (fonts parsed, typst caches cold);
//! 2. a sheet after the report itself was rendered in the same process (the
//!    `bpfpress build` order), and the same sheet again (memoised);
//! 3. sheets whose text differs on every run (a batch of reports), so that
//!    typst's memoisation cannot reuse the layout;
//! 4. an oversized takeaways file (60 long bullets: fit levels plus dropping);
//! 5. `bpfpress takeaways` as a fresh process (fonts loaded every time).
//!
//! Run:
//!
//!     cargo bench --bench takeaways --profile dev   # quicker to build
//!     cargo bench --bench takeaways                 # release profile

use bpfpress::model::Document;
use bpfpress::render::{Engine, ReportOptions, render_report};
use bpfpress::takeaways::{self, SheetOptions, make_sheet, sections};
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

const MODEL: &str = "fixtures/render/bpf-on-bpfs-2020.model.json";
const URL: &str = "https://www.intgovforum.org/en/content/bpf-on-bpfs";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn opts() -> SheetOptions {
    SheetOptions {
        report_url: Some(URL.into()),
        ..SheetOptions::default()
    }
}

/// Select the text and make the sheet: the whole library path of one sheet.
fn sheet(engine: &Engine, doc: &Document) -> (usize, usize) {
    let t = takeaways::select(doc, None, &sections::checked(doc));
    let s = make_sheet(engine, doc, &t, &opts()).unwrap();
    assert!(s.pdf.starts_with(b"%PDF-") && s.pages <= 2);
    (s.pages, s.compiles)
}

fn main() {
    let runs = 20;
    let model = root().join(MODEL);
    let doc: Document = serde_json::from_slice(&std::fs::read(&model).unwrap()).unwrap();
    let engine = Engine::builtin();

    // 0. The check stage's element findings alone (the built-in checklist
    //    is compiled once per process, on the first call).
    let mut check = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        let els = sections::checked(&doc);
        check.push(t.elapsed());
        assert!(!els.is_empty());
    }
    println!(
        "element sections (check stage, built-in checklist), median of 5: {}",
        ms(median(check))
    );

    // 1. First sheet in the process.
    let t = Instant::now();
    let (pages, compiles) = sheet(&engine, &doc);
    println!(
        "real report: {pages} page(s), {compiles} compile(s); first sheet in process: {}",
        ms(t.elapsed())
    );

    // 2. After the report render, as `bpfpress build` does it.
    let r = render_report(&engine, &doc, &ReportOptions::default()).unwrap();
    let t = Instant::now();
    sheet(&engine, &doc);
    println!(
        "sheet right after rendering the {}-page report: {}",
        r.pages,
        ms(t.elapsed())
    );
    let mut same = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        sheet(&engine, &doc);
        same.push(t.elapsed());
    }
    println!("same sheet again, median of {runs}: {}", ms(median(same)));

    // 3. Different text every time (nothing to reuse but fonts and templates).
    let mut varied = Vec::new();
    for i in 0..runs {
        let mut d = doc.clone();
        d.meta.title = Some(format!(
            "{} (variant {i})",
            d.meta.title.unwrap_or_default()
        ));
        for b in &mut d.blocks {
            if let bpfpress::model::Block::Paragraph { inlines, .. } = b
                && let Some(bpfpress::model::Inline::Text { text, .. }) = inlines.first_mut()
            {
                text.insert_str(0, &format!("V{i} "));
            }
        }
        let t = Instant::now();
        sheet(&engine, &d);
        varied.push(t.elapsed());
        engine.after_document();
    }
    println!(
        "different sheet each run (text changed), median of {runs}: {}",
        ms(median(varied))
    );

    // 4. Oversized takeaways file: 60 bullets of ~250 words.
    let filler = "multistakeholder cooperation on this theme needs sustained attention from \
                  governments, the technical community, civil society and the private sector";
    let mut md = String::from("# Takeaways\n\n");
    for n in 0..40 {
        md.push_str(&format!("- Takeaway {n}: {}.\n", [filler; 8].join(", ")));
    }
    md.push_str("\n# Recommendations\n\n");
    for n in 0..20 {
        md.push_str(&format!(
            "- Recommendation {n}: {}.\n",
            [filler; 8].join(", ")
        ));
    }
    let file = takeaways::file::parse(md.as_bytes(), "big.md").unwrap();
    let mut small = Document::new("draft.md", bpfpress::model::Format::Markdown);
    small.meta = doc.meta.clone();
    let t_big = takeaways::select(&small, Some((&file, "big.md")), &[]);
    let mut big = Vec::new();
    let mut info = (0, 0, 0);
    for _ in 0..5 {
        let t = Instant::now();
        let s = make_sheet(&engine, &small, &t_big, &opts()).unwrap();
        big.push(t.elapsed());
        info = (s.pages, s.compiles, s.dropped.len());
    }
    println!(
        "oversized file (60 bullets): {} pages, {} compiles, {} left out; first: {}, median of 5: {}",
        info.0,
        info.1,
        info.2,
        ms(big[0]),
        ms(median(big.clone()))
    );

    // 5. Fresh process per sheet.
    let bin = env!("CARGO_BIN_EXE_bpfpress");
    let tmp = tempfile::tempdir().unwrap();
    let mut fresh = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        let st = Command::new(bin)
            .arg("takeaways")
            .arg(&model)
            .args(["--report-url", URL, "-o"])
            .arg(tmp.path().join("t.pdf"))
            .output()
            .unwrap();
        fresh.push(t.elapsed());
        assert!(
            st.status.success(),
            "{}",
            String::from_utf8_lossy(&st.stderr)
        );
    }
    println!(
        "bpfpress takeaways, fresh process, median of 5: {}",
        ms(median(fresh))
    );
}
