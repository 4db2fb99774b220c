//! `bpfpress build`, `init` and `completions`, run as the real binary on a
//! copy of the bundled example project (fixtures/example + the real report
//! and recipients it points to) in a temporary folder: the repository is
//! never written.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant, SystemTime};
use support::{SmtpSink, pdftotext, qpdf_check, root as repo, sha256, stderr, tools, tree};

const DATE: &str = "2020-11-20";

/// A temp folder laid out like `fixtures/`: `example/bpf.toml`,
/// `report/…pandoc.docx`, `recipients/institutions.csv` (its first
/// `recipients` rows; all with `None`). Returns (tempdir, project dir).
fn example(recipients: Option<usize>) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    for d in ["example", "report", "recipients"] {
        std::fs::create_dir(root.join(d)).unwrap();
    }
    std::fs::copy(
        repo().join("fixtures/example/bpf.toml"),
        root.join("example/bpf.toml"),
    )
    .unwrap();
    std::fs::copy(
        repo().join("fixtures/report/bpf-on-bpfs-2020.pandoc.docx"),
        root.join("report/bpf-on-bpfs-2020.pandoc.docx"),
    )
    .unwrap();
    let csv = std::fs::read_to_string(repo().join("fixtures/recipients/institutions.csv")).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    let n = recipients.map_or(lines.len(), |n| n + 1);
    std::fs::write(
        root.join("recipients/institutions.csv"),
        lines[..n].join("\n") + "\n",
    )
    .unwrap();
    let proj = root.join("example");
    (tmp, proj)
}

/// `bpfpress ARGS` in `dir`.
fn bpfpress(dir: &Path, args: &[&str]) -> Output {
    support::bpfpress(args).current_dir(dir).output().unwrap()
}

fn build(dir: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["build", "--date", DATE];
    args.extend_from_slice(extra);
    bpfpress(dir, &args)
}

fn manifest(dist: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(dist.join("manifest.json")).unwrap()).unwrap()
}

fn mtimes(dir: &Path) -> BTreeMap<String, SystemTime> {
    tree(dir)
        .into_keys()
        .map(|rel| {
            let m = std::fs::metadata(dir.join(&rel))
                .unwrap()
                .modified()
                .unwrap();
            (rel, m)
        })
        .collect()
}

/// The manifest lists exactly the files in dist (besides itself), each
/// with its real size and SHA-256.
fn assert_manifest_matches(dist: &Path) {
    let m = manifest(dist);
    let mut listed = BTreeMap::new();
    for o in m["outputs"].as_array().unwrap() {
        let rel = o["path"].as_str().unwrap();
        let bytes = std::fs::read(dist.join(rel)).unwrap();
        assert_eq!(o["sha256"].as_str().unwrap(), sha256(&bytes), "{rel}");
        assert_eq!(o["size"].as_u64().unwrap(), bytes.len() as u64, "{rel}");
        listed.insert(rel.to_string(), ());
    }
    let on_disk: Vec<String> = tree(dist)
        .into_keys()
        .filter(|k| k != "manifest.json" && k != bpfpress::mail::send::SEND_LOG)
        .collect();
    assert_eq!(
        on_disk,
        listed.into_keys().collect::<Vec<_>>(),
        "files in dist vs manifest"
    );
}

#[test]
fn full_build_then_noop_then_recipients_change() {
    if !tools(&["qpdf"]) {
        return;
    }
    let (tmp, proj) = example(Some(4));
    let o = build(&proj, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let dist = proj.join("dist");

    // Every output, valid.
    for f in ["report.pdf", "takeaways.pdf", "press-release.pdf"] {
        qpdf_check(&dist.join(f));
    }
    let letters: Vec<PathBuf> = std::fs::read_dir(dist.join("letters"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(letters.len(), 4, "{letters:?}");
    for l in &letters {
        qpdf_check(l);
    }
    let emls: Vec<PathBuf> = std::fs::read_dir(dist.join("mail"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(emls.len(), 4);
    for e in &emls {
        let text = String::from_utf8(std::fs::read(e).unwrap()).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").expect("header/body split");
        for h in ["From: ", "To: ", "Subject: ", "Date: ", "Message-ID: "] {
            assert!(head.contains(h), "{}: no {h}", e.display());
        }
        assert!(head.contains("MIME-Version: 1.0"), "{head}");
        assert!(head.contains("multipart/mixed"), "{head}");
        assert!(body.contains("application/pdf"), "{}", e.display());
        assert!(head.contains("Date: Fri, 20 Nov 2020"), "{head}");
    }
    let check: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dist.join("check.json")).unwrap()).unwrap();
    assert_eq!(
        check["reports"][0]["elements"].as_array().unwrap().len(),
        10
    );
    let md = std::fs::read_to_string(dist.join("check.md")).unwrap();
    assert!(md.starts_with('#'), "{md}");

    // The manifest: inputs with their hashes, every output, check summary, version.
    assert_manifest_matches(&dist);
    let m = manifest(&dist);
    assert_eq!(m["tool_version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(m["check"]["key_elements_present"], true);
    let roles: Vec<&str> = m["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["role"].as_str().unwrap())
        .collect();
    assert_eq!(roles, ["project", "report", "recipients", "templates"]);
    // Not a terminal: a plain log, one line per step.
    let err = stderr(&o);
    for step in [
        "build: ingest",
        "build: check",
        "build: report.pdf",
        "build: takeaways.pdf",
        "build: press-release.pdf",
        "build: manifest.json",
    ] {
        assert!(err.contains(step), "{step}: {err}");
    }
    let report_in = &m["inputs"][1];
    assert_eq!(
        report_in["sha256"].as_str().unwrap(),
        sha256(&std::fs::read(tmp.path().join("report/bpf-on-bpfs-2020.pandoc.docx")).unwrap())
    );
    for f in [
        "report.pdf",
        "takeaways.pdf",
        "press-release.pdf",
        "check.json",
        "check.md",
    ] {
        assert!(
            m["outputs"]
                .as_array()
                .unwrap()
                .iter()
                .any(|o| o["path"] == f),
            "{f} not in manifest"
        );
    }

    // A second build does nothing and says so.
    let before = mtimes(&dist);
    std::thread::sleep(Duration::from_millis(20));
    let o = build(&proj, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("up to date: nothing to do"),
        "{}",
        stderr(&o)
    );
    assert!(!stderr(&o).contains("build: ingest"), "{}", stderr(&o));
    assert_eq!(before, mtimes(&dist), "a no-op build rewrote files");

    // A changed recipients file: only letters, mail and press release.
    let hashes = tree(&dist);
    let csv = tmp.path().join("recipients/institutions.csv");
    let text = std::fs::read_to_string(&csv).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    let dropped = lines.remove(2).to_string(); // the second institution
    std::fs::write(&csv, lines.join("\n") + "\n").unwrap();
    let o = build(&proj, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("up to date: check, report, takeaways"),
        "{err}"
    );
    assert!(err.contains("built letters"), "{err}");
    let after = mtimes(&dist);
    for f in ["report.pdf", "takeaways.pdf", "check.json", "check.md"] {
        assert_eq!(before[f], after[f], "{f} was rewritten");
    }
    assert_ne!(before["press-release.pdf"], after["press-release.pdf"]);
    assert_ne!(
        hashes["press-release.pdf"],
        tree(&dist)["press-release.pdf"]
    );
    // The dropped institution's letter and message are gone.
    let org = dropped.split(',').next().unwrap();
    assert!(
        org.contains("ITU") || org.contains("International"),
        "{org}"
    );
    let letters: Vec<String> = tree(&dist.join("letters")).into_keys().collect();
    assert_eq!(letters.len(), 3, "{letters:?}");
    assert!(
        !letters
            .iter()
            .any(|l| l.contains("international-telecommunication"))
    );
    assert_manifest_matches(&dist);
}

#[test]
fn tampered_or_missing_output_is_redone() {
    let (_tmp, proj) = example(Some(2));
    assert!(build(&proj, &[]).status.success());
    let dist = proj.join("dist");
    let good = tree(&dist);
    std::fs::write(dist.join("takeaways.pdf"), b"%PDF-1.7 broken").unwrap();
    std::fs::remove_file(dist.join("check.md")).unwrap();
    // A temporary an interrupted write left behind.
    std::fs::write(
        dist.join("letters/.001-x.pdf.AbC123.part"),
        b"%PDF-1.7 half",
    )
    .unwrap();
    let o = build(&proj, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("built check, takeaways"), "{err}");
    assert!(err.contains("up to date: report, letters"), "{err}");
    assert_eq!(good, tree(&dist));
}

#[test]
fn killed_build_then_rerun_equals_uninterrupted_build() {
    if !tools(&["qpdf"]) {
        return;
    }
    // Reference: an uninterrupted build.
    let (_a, ref_proj) = example(None);
    let o = build(&ref_proj, &["--threads", "1"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let reference = tree(&ref_proj.join("dist"));

    // Killed (SIGKILL) once the first letter exists.
    let (_b, proj) = example(None);
    let dist = proj.join("dist");
    let mut child = support::bpfpress(["build", "--date", DATE, "--threads", "1"])
        .current_dir(&proj)
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let killed_midway = loop {
        let has_letter = std::fs::read_dir(dist.join("letters"))
            .map(|rd| {
                rd.flatten()
                    .any(|e| e.file_name().to_string_lossy().ends_with(".pdf"))
            })
            .unwrap_or(false);
        if has_letter {
            child.kill().unwrap(); // SIGKILL
            child.wait().unwrap();
            break !dist.join("manifest.json").exists();
        }
        if let Some(st) = child.try_wait().unwrap() {
            panic!("build finished ({st}) before a letter was seen");
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "no letter after 60 s"
        );
        std::thread::sleep(Duration::from_millis(5));
    };
    assert!(killed_midway, "the build finished before the kill");
    // What the killed build left is whole: every PDF it finished is valid.
    for (rel, _) in tree(&dist) {
        if rel.ends_with(".pdf") && !rel.contains(".part") {
            qpdf_check(&dist.join(&rel));
        }
    }
    let o = build(&proj, &["--threads", "1"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(reference, tree(&dist), "resumed build differs");
    assert_manifest_matches(&dist);
}

#[test]
fn missing_key_element_stops_before_rendering_unless_forced() {
    if !tools(&["qpdf", "pdftotext"]) {
        return;
    }
    let (tmp, proj) = example(Some(1));
    std::fs::copy(
        repo().join("fixtures/build/no-methodology.docx"),
        tmp.path().join("report/draft.docx"),
    )
    .unwrap();
    let toml = std::fs::read_to_string(proj.join("bpf.toml"))
        .unwrap()
        .replace(
            "../report/bpf-on-bpfs-2020.pandoc.docx",
            "../report/draft.docx",
        );
    std::fs::write(proj.join("bpf.toml"), toml).unwrap();
    let dist = proj.join("dist");

    let o = build(&proj, &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("key element(s) missing: 2."), "{err}");
    assert!(err.contains("--force"), "{err}");
    assert!(err.contains("check.md"), "{err}");
    assert!(dist.join("check.md").exists());
    assert!(!dist.join("report.pdf").exists());
    assert!(!dist.join("manifest.json").exists());

    let o = build(&proj, &["--force"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("built anyway: --force"),
        "{}",
        stderr(&o)
    );
    qpdf_check(&dist.join("report.pdf"));
    assert_eq!(manifest(&dist)["check"]["key_elements_present"], false);
    assert_manifest_matches(&dist);

    // The draft has no takeaways section: `report.takeaways` supplies them,
    // and changing that file redoes the sheet (and the letters quoting it).
    std::fs::write(
        tmp.path().join("report/takeaways.md"),
        "# Key takeaways\n\n- Zebra crossings of the digital divide need local champions.\n\
         - Community networks thrive where spectrum rules are simple.\n\
         - Funding models must outlast the pilot phase.\n",
    )
    .unwrap();
    let toml = std::fs::read_to_string(proj.join("bpf.toml"))
        .unwrap()
        .replace(
            "meeting_date =",
            "takeaways = \"../report/takeaways.md\"\nmeeting_date =",
        );
    std::fs::write(proj.join("bpf.toml"), toml).unwrap();
    let o = build(&proj, &["--force"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = pdftotext(&dist.join("takeaways.pdf")).replace('\n', " ");
    assert!(text.contains("Zebra crossings"), "{text}");
    let m = manifest(&dist);
    assert!(
        m["inputs"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["role"] == "takeaways" && i["path"] == "../report/takeaways.md")
    );
}

#[test]
fn bad_project_file_names_the_key() {
    let (_tmp, proj) = example(Some(1));
    let toml = std::fs::read_to_string(proj.join("bpf.toml"))
        .unwrap()
        .replace("paper = \"a4\"", "paper = \"a5\"");
    std::fs::write(proj.join("bpf.toml"), toml).unwrap();
    let o = build(&proj, &[]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("bpf.toml") && err.contains("`output.paper`"),
        "{err}"
    );
    assert!(!proj.join("dist").exists());

    let toml = std::fs::read_to_string(proj.join("bpf.toml"))
        .unwrap()
        .replace("paper = \"a5\"", "paper = \"a4\"")
        .replace("institutions.csv", "nowhere.csv");
    std::fs::write(proj.join("bpf.toml"), toml).unwrap();
    let o = build(&proj, &[]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("`recipients.file`") && err.contains("nowhere.csv"),
        "{err}"
    );
    assert!(
        !proj.join("dist").exists(),
        "nothing is made on a bad input"
    );

    let empty = tempfile::tempdir().unwrap();
    let o = build(empty.path(), &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("bpf.toml: cannot read"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn init_scaffolds_a_project_that_builds_and_refuses_to_overwrite() {
    if !tools(&["qpdf"]) {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let o = bpfpress(tmp.path(), &["init", "proj", "--report", "report.docx"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let proj = tmp.path().join("proj");
    for f in [
        "bpf.toml",
        "recipients.csv",
        "templates/report.typ",
        "templates/takeaways.typ",
        "templates/letter.typ",
        "templates/press-release.typ",
        "templates/letters/en.toml",
        "templates/lib/brand.typ",
        "templates/mail.en.txt",
        "templates/mail.fr.txt",
        "templates/mail.es.txt",
    ] {
        assert!(proj.join(f).is_file(), "{f} missing");
    }
    let toml = std::fs::read_to_string(proj.join("bpf.toml")).unwrap();
    assert!(toml.contains("# "), "bpf.toml is commented");
    assert!(toml.contains("password_env"), "{toml}");
    std::fs::copy(
        repo().join("fixtures/report/bpf-on-bpfs-2020.pandoc.docx"),
        proj.join("report.docx"),
    )
    .unwrap();
    let o = build(&proj, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let dist = proj.join("dist");
    for f in ["report.pdf", "takeaways.pdf", "press-release.pdf"] {
        qpdf_check(&dist.join(f));
    }
    assert_eq!(tree(&dist.join("letters")).len(), 2);
    let m = manifest(&dist);
    assert_eq!(m["templates"], "templates");
    assert!(
        m["inputs"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["path"] == "templates/report.typ")
    );
    assert_manifest_matches(&dist);

    // A customised template redoes what uses it.
    let brand = proj.join("templates/lib/brand.typ");
    let mut text = std::fs::read_to_string(&brand).unwrap();
    text.push_str("\n// customised\n");
    std::fs::write(&brand, text).unwrap();
    let o = build(&proj, &[]);
    assert!(
        stderr(&o).contains("built check, report, takeaways, letters"),
        "{}",
        stderr(&o)
    );

    // The mail texts are the project's own.
    let mail_en = proj.join("templates/mail.en.txt");
    let text = std::fs::read_to_string(&mail_en).unwrap();
    let (_, body) = text.split_once('\n').unwrap();
    std::fs::write(&mail_en, format!("Subject: Customised subject line{body}")).unwrap();
    let o = build(&proj, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let en = tree(&dist.join("mail"))
        .into_keys()
        .map(|f| std::fs::read_to_string(dist.join("mail").join(f)).unwrap())
        .filter(|t| t.contains("Subject: Customised subject line"))
        .count();
    assert_eq!(
        en, 1,
        "the English recipient's message uses the project's text"
    );

    // No overwriting without --force.
    std::fs::write(proj.join("recipients.csv"), "mine").unwrap();
    let o = bpfpress(tmp.path(), &["init", "proj"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--force"), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(proj.join("recipients.csv")).unwrap(),
        "mine"
    );
    let o = bpfpress(tmp.path(), &["init", "proj", "--force"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        std::fs::read_to_string(proj.join("recipients.csv"))
            .unwrap()
            .starts_with("organisation,")
    );
}

#[test]
fn every_command_help_has_an_example_and_completions_work() {
    let here = repo();
    let top = bpfpress(&here, &["--help"]);
    let top_text = String::from_utf8_lossy(&top.stdout).into_owned();
    assert!(top_text.contains("Example"), "{top_text}");
    let subcommands = [
        "build",
        "init",
        "ingest",
        "check",
        "render",
        "takeaways",
        "letters",
        "summaries",
        "completions",
    ];
    for sub in subcommands {
        assert!(top_text.contains(sub), "{sub} not listed");
        let o = bpfpress(&here, &[sub, "--help"]);
        assert!(o.status.success(), "{sub}");
        let text = String::from_utf8_lossy(&o.stdout);
        assert!(
            text.contains("Example"),
            "{sub} --help has no example:\n{text}"
        );
        assert!(text.contains(&format!("bpfpress {sub}")), "{sub}: {text}");
    }
    for shell in ["bash", "zsh", "fish"] {
        let o = bpfpress(&here, &["completions", shell]);
        assert!(o.status.success(), "{shell}");
        let text = String::from_utf8_lossy(&o.stdout);
        for sub in subcommands {
            assert!(text.contains(sub), "{shell} completion lacks {sub}");
        }
    }
    let o = bpfpress(&here, &["completions", "tcsh"]);
    assert_eq!(o.status.code(), Some(2));
}

/// A real SMTP server (tests/smtp_sink.py) saving into `sink_dir`, and
/// the project's [smtp] section pointed at it.
fn start_sink(proj: &Path, sink_dir: &Path, args: &[&str]) -> Option<SmtpSink> {
    let sink = SmtpSink::start(sink_dir, args)?;
    let toml = std::fs::read_to_string(proj.join("bpf.toml")).unwrap();
    let toml = toml
        .replace("host = \"smtp.example.org\"", "host = \"127.0.0.1\"")
        .replace("port = 587", &format!("port = {}", sink.port))
        .replace("tls = \"starttls\"", "tls = \"none\"")
        .replace("user = \"igf@example.org\"\n", "");
    std::fs::write(proj.join("bpf.toml"), toml).unwrap();
    Some(sink)
}

#[test]
fn send_delivers_once_and_press_release_lists_the_recipients() {
    if !tools(&["qpdf", "pdftotext"]) {
        return;
    }
    let (tmp, proj) = example(Some(3));
    let Some(sink) = start_sink(&proj, &tmp.path().join("sink"), &[]) else {
        return;
    };
    let received = || sink.count();

    // A plain build sends nothing.
    let o = build(&proj, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(received(), 0);
    // --send delivers each message once, also when run again.
    for _ in 0..2 {
        let o = build(&proj, &["--send"]);
        assert!(o.status.success(), "{}", stderr(&o));
        assert_eq!(received(), 3);
    }
    let dist = proj.join("dist");
    let mailing: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dist.join("mailing.json")).unwrap()).unwrap();
    let entries = mailing["entries"].as_array().unwrap();
    assert!(entries.iter().all(|e| e["status"] == "sent"), "{mailing}");
    qpdf_check(&dist.join("press-release.pdf"));
    let text = pdftotext(&dist.join("press-release.pdf")).replace('\n', " ");
    for org in ["UNESCO", "International Telecommunication Union", "UN DESA"] {
        assert!(text.contains(org), "press release lacks {org}: {text}");
    }
    assert_manifest_matches(&dist);
}

#[test]
fn refused_message_exits_1_and_the_next_run_tries_again() {
    let (tmp, proj) = example(Some(3));
    // The third recipient's address (UN DESA) is refused by the server.
    let Some(sink) = start_sink(
        &proj,
        &tmp.path().join("sink"),
        &["--reject", "n.okafor@desa.example.org"],
    ) else {
        return;
    };
    let o = build(&proj, &["--send"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("n.okafor@desa.example.org") || stderr(&o).contains("DESA"),
        "{}",
        stderr(&o)
    );
    assert_eq!(sink.count(), 2);
    let dist = proj.join("dist");
    assert_eq!(manifest(&dist)["fingerprints"]["letters"], "incomplete");
    // Not "up to date": the letters group is done again.
    let o = build(&proj, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("built letters"), "{}", stderr(&o));
}
