//! `bpfpress serve` driven in a real browser: each test starts the real
//! server on a free port (`--port 0`, the address read from its first
//! line) and runs a scenario of `tests/serve_browser.py` (headless
//! Chromium through selenium), then checks what the scenario read off the
//! pages. Screenshots of every page land in the test's scratch folder.
//! Without chromium, chromium-driver or selenium the browser tests SKIP
//! (fail in CI). The tests that need no browser speak HTTP directly.

mod support;

use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use support::*;

/// One browser scenario at a time: Chromium is heavy on a 2-core machine.
static BROWSER: Mutex<()> = Mutex::new(());

/// A running `bpfpress serve`; stopped with SIGTERM (so it cleans up) on drop.
struct Server {
    child: Child,
    url: String,
}

impl Server {
    fn start(args: &[&str]) -> Server {
        let mut child = bpfpress(["serve", "--port", "0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("bpfpress serve starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap_or_else(|| {
                let mut err = String::new();
                let _ = child.stderr.take().unwrap().read_to_string(&mut err);
                panic!("serve printed no address: {line:?} {err}")
            })
            .to_owned();
        Server { child, url }
    }

    fn port(&self) -> u16 {
        self.url
            .trim_start_matches("http://127.0.0.1:")
            .split(['/', '?'])
            .next()
            .unwrap()
            .parse()
            .unwrap()
    }

    /// Stop with SIGTERM and give the exit code.
    fn stop(mut self) -> i32 {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let code = self.child.wait().unwrap().code().unwrap_or(-1);
        std::mem::forget(self);
        code
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

fn browser_ready() -> bool {
    tools(&["chromium", "chromedriver", "python3"]) && python_with("selenium")
}

/// Run a scenario against `server`; its JSON result.
fn scenario(server: &Server, name: &str, out: &Path, args: &[&Path]) -> Value {
    let _one = BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    let o = Command::new("python3")
        .arg(root().join("tests/serve_browser.py"))
        .arg(name)
        .arg(&server.url)
        .arg(out)
        .args(args)
        .output()
        .expect("python3 runs");
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "scenario {name} failed:\n{}\n{stdout}",
        String::from_utf8_lossy(&o.stderr)
    );
    let last = stdout.lines().last().unwrap_or("");
    serde_json::from_str(last).unwrap_or_else(|e| panic!("{name}: {e}: {stdout}"))
}

fn strs(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap_or_else(|| panic!("not a list: {v}"))
        .iter()
        .map(|x| x.as_str().unwrap_or_default().to_owned())
        .collect()
}

/// A raw HTTP/1.1 request; gives (status, headers + body as text).
fn http(port: u16, request: &str) -> (u16, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.write_all(request.as_bytes()).unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).unwrap();
    let text = String::from_utf8_lossy(&out).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (status, text)
}

fn get(port: u16, path: &str, extra: &str) -> (u16, String) {
    http(
        port,
        &format!(
            "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{extra}Connection: close\r\n\r\n"
        ),
    )
}

#[test]
fn check_page_shows_the_verdict_table_of_a_real_report() {
    if !browser_ready() {
        return;
    }
    let server = Server::start(&[]);
    let out = scratch("serve-check");
    let draft = fixture("report/bpf-on-bpfs-2020.pandoc.docx");
    let r = scenario(&server, "check", &out, &[&draft]);
    // The same verdicts as the command line's JSON.
    let cli = run([
        "check".as_ref(),
        draft.as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
    ]);
    let json: Value = serde_json::from_str(&cli.stdout()).unwrap();
    let elements = json["reports"][0]["elements"].as_array().unwrap();
    let rows = r["rows"].as_array().unwrap();
    assert_eq!(rows.len(), elements.len(), "{r}");
    for (row, e) in rows.iter().zip(elements) {
        assert_eq!(row["id"].as_str().unwrap(), e["id"].to_string());
        let verdict = row["verdict"].as_str().unwrap();
        assert!(
            verdict.contains(e["verdict"].as_str().unwrap()),
            "element {}: page says {verdict}, CLI {}",
            e["id"],
            e["verdict"]
        );
        assert!(
            row["why"]
                .as_str()
                .unwrap()
                .contains(e["reason"].as_str().unwrap().trim()),
            "{row}"
        );
    }
    assert_eq!(
        r["title"].as_str().unwrap(),
        json["reports"][0]["title"].as_str().unwrap()
    );
    assert_eq!(r["lang"], "en");
    assert_eq!(r["labels_ok"], true, "every input has a label");
    // The Markdown download is the CLI's Markdown report, with the name given.
    assert_eq!(r["markdown_status"], 200);
    let md = r["markdown"].as_str().unwrap();
    let cli_md = run([
        "check".as_ref(),
        draft.as_os_str(),
        "--format".as_ref(),
        "markdown".as_ref(),
    ])
    .stdout();
    assert_eq!(
        md.replace("bpf-on-bpfs-2020.pandoc.docx", "X"),
        cli_md.replace(&draft.display().to_string(), "X"),
        "Markdown download differs from `bpfpress check --format markdown`"
    );
    // The reviewed copy opens as a Word package with the check's comments.
    assert_eq!(r["reviewed_status"], 200);
    let docx = std::fs::read(r["reviewed"].as_str().unwrap()).unwrap();
    let doc = bpfpress::ingest::read_bytes(docx, "reviewed.docx", &Default::default()).unwrap();
    assert!(
        doc.comments
            .iter()
            .any(|c| c.author == bpfpress::annotate::AUTHOR),
        "the reviewed copy carries the check's comments"
    );
    assert!(out.join("check-result.png").is_file());
    assert_eq!(server.stop(), 0, "SIGTERM stops the server cleanly");
}

#[test]
fn several_drafts_give_the_summary_matrix_and_a_broken_file_its_error() {
    if !browser_ready() {
        return;
    }
    let server = Server::start(&[]);
    let out = scratch("serve-batch");
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.docx");
    std::fs::write(&broken, b"PK\x03\x04 this is not a Word file").unwrap();
    let r = scenario(
        &server,
        "batch",
        &out,
        &[&draft("complete.md"), &draft("thin.md"), &broken],
    );
    let matrix = r["matrix"].as_array().unwrap();
    assert_eq!(matrix.len(), 3, "{r}");
    assert!(
        matrix[0][0] == "complete.md" && matrix[1][0] == "thin.md",
        "{r}"
    );
    assert_eq!(
        matrix[0].as_array().unwrap().len(),
        13,
        "report, 10 elements, errors, result"
    );
    assert_eq!(matrix[2][0], "broken.docx");
    assert_eq!(r["sections"], 2);
    assert_eq!(strs(&r["errors"]), ["broken.docx could not be read"]);
}

#[test]
fn a_broken_file_shows_the_clis_message_and_the_server_goes_on() {
    if !browser_ready() {
        return;
    }
    let server = Server::start(&[]);
    let out = scratch("serve-broken");
    let bad = fixture("bad/pdf-needs-password.pdf");
    let r = scenario(&server, "broken", &out, &[&bad, &draft("complete.md")]);
    let cli = run(["check".as_ref(), bad.as_os_str()]);
    assert_eq!(cli.code(), 2);
    // The CLI: "error: PATH: cause"; the page: the cause under the name.
    let cause = cli
        .stderr()
        .trim()
        .strip_prefix(&format!("error: {}: ", bad.display()))
        .unwrap()
        .to_owned();
    assert_eq!(strs(&r["error"]), [cause]);
    assert_eq!(
        strs(&r["heading"]),
        ["pdf-needs-password.pdf could not be read"]
    );
    assert_eq!(r["after"], 10, "the next draft is checked");
}

#[test]
fn a_form_without_its_csrf_token_is_refused() {
    if !browser_ready() {
        return;
    }
    let server = Server::start(&[]);
    let out = scratch("serve-csrf");
    let r = scenario(&server, "csrf", &out, &[&draft("complete.md")]);
    for case in ["missing", "forged"] {
        assert_eq!(r[case]["h1"], "Form refused", "{r}");
        assert_eq!(r[case]["verdicts"], 0, "nothing was checked: {r}");
    }
}

#[test]
fn an_oversized_upload_is_refused_and_the_server_goes_on() {
    if !browser_ready() {
        return;
    }
    let server = Server::start(&["--max-upload", "1"]);
    let out = scratch("serve-oversized");
    let big = out.join("big.md");
    let mut text = String::from("# A very long draft\n\n");
    while text.len() < 3 << 20 {
        text.push_str("The forum discussed cybersecurity norms at length. ");
    }
    std::fs::write(&big, text).unwrap();
    let r = scenario(&server, "oversized", &out, &[&big, &draft("complete.md")]);
    assert_eq!(r["refused"]["h1"], "The upload is too large", "{r}");
    assert!(
        strs(&r["refused"]["message"])[0].contains("1.0 MiB"),
        "the page names the limit: {r}"
    );
    assert!(r["precheck"].as_str().unwrap().contains("1 MB"), "{r}");
    assert_eq!(r["after"], 10);
}

#[test]
fn two_users_at_once_see_only_their_own_files() {
    if !browser_ready() {
        return;
    }
    let server = Server::start(&[]);
    let out = scratch("serve-parallel");
    let r = scenario(
        &server,
        "parallel",
        &out,
        &[&draft("complete.md"), &draft("thin.md")],
    );
    let results = r["results"].as_array().unwrap();
    assert!(
        results[0]["source"]
            .as_str()
            .unwrap()
            .starts_with("complete.md")
    );
    assert!(
        results[1]["source"]
            .as_str()
            .unwrap()
            .starts_with("thin.md")
    );
    assert_eq!(results[0]["sections"], 1);
    assert_eq!(results[1]["sections"], 1);
    assert_eq!(r["own"], 200);
    assert_eq!(
        r["other"], 404,
        "another session cannot fetch the file: {r}"
    );
    assert_eq!(r["stranger"], 404, "{r}");
}

#[test]
fn publish_page_renders_previews_and_a_pdf_that_pdfinfo_reads() {
    if !browser_ready() || !tools(&["pdfinfo"]) {
        return;
    }
    let server = Server::start(&[]);
    let out = scratch("serve-publish");
    let r = scenario(
        &server,
        "publish",
        &out,
        &[&fixture("report/bpf-on-bpfs-2020.md")],
    );
    assert!(strs(&r["problems"]).is_empty(), "{r}");
    let headings = strs(&r["headings"]);
    assert!(headings[0].starts_with("Report ("), "{r}");
    assert!(headings[1].starts_with("Key takeaways (2 pages)"), "{r}");
    // Two pages of each, drawn (A4 at 1.5 px/pt: 893 px wide).
    let images = r["images"].as_array().unwrap();
    assert_eq!(images.len(), 4, "{r}");
    for i in images {
        assert_eq!(i[0], 893, "{i}");
        assert!(i[1].as_u64().unwrap() > 1200, "{i}");
    }
    for (name, pages) in [("report.pdf", None), ("takeaways.pdf", Some(2))] {
        let pdf = &r["pdfs"][name];
        assert_eq!(pdf["status"], 200, "{r}");
        let path = PathBuf::from(pdf["path"].as_str().unwrap());
        let info = pdfinfo(&path);
        assert!(info.contains("Tagged:          yes"), "{info}");
        let n = pdf_pages(&path);
        match pages {
            Some(p) => assert_eq!(n, p),
            None => assert!(n > 20, "the real report has {n} pages"),
        }
    }
}

#[test]
fn mailing_page_lists_recipient_problems_and_shows_a_letter_per_language() {
    if !browser_ready() {
        return;
    }
    let server = Server::start(&[]);
    let out = scratch("serve-mailing");
    let r = scenario(
        &server,
        "mailing",
        &out,
        &[
            &fixture("report/bpf-on-bpfs-2020.md"),
            &fixture("recipients/bad/problems.csv"),
            &fixture("recipients/six-languages.csv"),
        ],
    );
    // The problems table has the rows the CLI names.
    let cli = run([
        "letters".as_ref(),
        fixture("report/bpf-on-bpfs-2020.md").as_os_str(),
        "--recipients".as_ref(),
        fixture("recipients/bad/problems.csv").as_os_str(),
        "--report-url".as_ref(),
        "https://example.org/r.pdf".as_ref(),
        "-o".as_ref(),
        tempfile::tempdir().unwrap().path().as_os_str(),
    ]);
    assert_eq!(cli.code(), 2);
    let problems = r["problems"].as_array().unwrap();
    assert!(!problems.is_empty(), "{r}");
    for p in problems {
        let (row, column, what) = (
            p[0].as_str().unwrap(),
            p[2].as_str().unwrap(),
            p[3].as_str().unwrap(),
        );
        assert!(
            cli.stderr().contains(what),
            "{what} not in {}",
            cli.stderr()
        );
        if !column.is_empty() {
            assert!(
                cli.stderr().contains(&format!("row {row}")),
                "row {row}: {}",
                cli.stderr()
            );
        }
    }
    // One letter per language of the six-language file, drawn.
    let captions = strs(&r["captions"]);
    assert_eq!(captions.len(), 6, "{r}");
    for l in [
        "Arabic", "Chinese", "English", "French", "Russian", "Spanish",
    ] {
        assert!(captions.iter().any(|c| c.starts_with(l)), "{l}: {r}");
    }
    for i in r["images"].as_array().unwrap() {
        assert!(i[0].as_u64().unwrap() > 800, "{i}");
    }
    // Without a project the page does not offer to send, and says why.
    assert_eq!(r["send_buttons"], 0);
    assert!(
        strs(&r["send"])
            .iter()
            .any(|s| s.contains("project folder")),
        "{r}"
    );
}

#[test]
fn project_page_builds_with_progress_and_lists_the_outputs() {
    if !browser_ready() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("proj");
    std::fs::create_dir(&project).unwrap();
    std::fs::copy(
        fixture("report/bpf-on-bpfs-2020.md"),
        project.join("report.md"),
    )
    .unwrap();
    std::fs::write(
        project.join("bpf.toml"),
        "[bpf]\nname = \"BPF on BPFs\"\nyear = 2020\n[report]\npath = \"report.md\"\n\
         url = \"https://www.intgovforum.org/en/filedepot_download/bpf-on-bpfs-2020.pdf\"\n\
         [signatory]\nname = \"Wim Degezelle\"\n[output]\ndir = \"dist\"\n",
    )
    .unwrap();
    let server = Server::start(&[project.to_str().unwrap()]);
    let out = scratch("serve-project");
    let r = scenario(&server, "project", &out, &[]);
    assert!(
        strs(&r["before"])
            .iter()
            .any(|s| s.contains("Not built yet")),
        "{r}"
    );
    let done = strs(&r["done"]);
    assert!(
        done.iter()
            .any(|s| s.starts_with("Built check, report, takeaways")),
        "{r}"
    );
    assert!(
        !strs(&r["log"]).is_empty(),
        "the build's steps are shown: {r}"
    );
    let files: Vec<String> = r["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f[1].as_str().unwrap().to_owned())
        .collect();
    for f in ["check.json", "check.md", "report.pdf", "takeaways.pdf"] {
        assert!(files.iter().any(|x| x == f), "{f}: {files:?}");
    }
    assert!(project.join("dist/manifest.json").is_file());
    assert_eq!(r["download"][0], 200);
}

#[test]
fn listening_beyond_this_computer_needs_a_token() {
    let r = run(["serve", "--bind", "0.0.0.0", "--port", "0"]);
    assert_eq!(r.code(), 2, "{}", r.stderr());
    assert!(r.stderr().contains("give --token"), "{}", r.stderr());
    let r = run([
        "serve", "--bind", "0.0.0.0", "--port", "0", "--token", "short",
    ]);
    assert_eq!(r.code(), 2);
    assert!(r.stderr().contains("at least 16"), "{}", r.stderr());
    let r = run(["serve", "--port", "0", "/no/such/project"]);
    assert_eq!(r.code(), 2);
    assert!(r.stderr().contains("/no/such/project"), "{}", r.stderr());
}

#[test]
fn with_a_token_every_request_needs_it() {
    let token = "0123456789abcdef0123";
    let server = Server::start(&["--token", token]);
    let port = server.port();
    assert!(
        server.url.ends_with(&format!("?token={token}")),
        "{}",
        server.url
    );
    let (status, _) = get(port, "/", "");
    assert_eq!(status, 401);
    let (status, _) = get(port, "/?token=wrong-token-wrong-token", "");
    assert_eq!(status, 401);
    // The token in the address becomes a cookie, and leaves the address.
    let (status, text) = get(port, &format!("/?token={token}"), "");
    assert_eq!(status, 303, "{text}");
    assert!(text.contains(&format!("bpfpress_token={token}")), "{text}");
    let (status, text) = get(port, "/", &format!("Cookie: bpfpress_token={token}\r\n"));
    assert_eq!(status, 200, "{text}");
    assert!(text.contains("Check a draft"));
}

#[test]
fn requests_for_another_host_and_posts_without_a_session_are_refused() {
    let server = Server::start(&[]);
    let port = server.port();
    // DNS rebinding: a page of another site that resolves to 127.0.0.1.
    let (status, _) = http(
        port,
        "GET / HTTP/1.1\r\nHost: attacker.example:80\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(status, 421);
    let (status, text) = get(port, "/", "");
    assert_eq!(status, 200);
    assert!(text.contains("bpfpress_session="), "a session starts");
    assert!(text.contains("Content-Security-Policy") || text.contains("content-security-policy"));
    let body = "csrf=x";
    let (status, text) = http(
        port,
        &format!(
            "POST /project/build HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: \
             application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ),
    );
    assert_eq!(status, 403, "{text}");
    // Someone else's or a made-up file id is not served.
    let (status, _) = get(port, "/file/00000000000000000000000000000000", "");
    assert_eq!(status, 404);
    let (status, _) = get(port, "/file/..%2F..%2Fetc%2Fpasswd", "");
    assert_eq!(status, 404);
}

#[test]
fn mailing_page_sends_once_after_confirmation_and_never_twice() {
    if !browser_ready() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let Some(sink) = SmtpSink::start(&dir.path().join("inbox"), &[]) else {
        return;
    };
    let project = dir.path().join("proj");
    std::fs::create_dir(&project).unwrap();
    std::fs::copy(
        fixture("report/bpf-on-bpfs-2020.md"),
        project.join("report.md"),
    )
    .unwrap();
    std::fs::copy(
        fixture("recipients/six-languages.csv"),
        project.join("recipients.csv"),
    )
    .unwrap();
    std::fs::write(
        project.join("bpf.toml"),
        format!(
            "[bpf]\nname = \"BPF on BPFs\"\nyear = 2020\n[report]\npath = \"report.md\"\n\
             url = \"https://www.intgovforum.org/en/filedepot_download/bpf-on-bpfs-2020.pdf\"\n\
             [signatory]\nname = \"Wim Degezelle\"\n[recipients]\nfile = \"recipients.csv\"\n\
             [output]\ndir = \"dist\"\n[smtp]\nhost = \"127.0.0.1\"\nport = {}\ntls = \"none\"\n\
             from = \"IGF Secretariat <igf@example.org>\"\n",
            sink.port
        ),
    )
    .unwrap();
    let server = Server::start(&[project.to_str().unwrap()]);
    let out = scratch("serve-send");
    let r = scenario(&server, "send", &out, &[]);
    for run in ["first", "second"] {
        assert_eq!(r[run]["unconfirmed_stayed"], true, "{r}");
        assert!(strs(&r[run]["error"]).is_empty(), "{r}");
    }
    assert!(
        strs(&r["first"]["done"])[0].starts_with("6 recipients: 6 sent"),
        "{r}"
    );
    assert!(
        strs(&r["first"]["log"])
            .iter()
            .any(|l| l == "sending: 6 of 6"),
        "progress is shown: {r}"
    );
    // Six messages arrived, each once, though the mailing was sent twice.
    let got = sink.received();
    assert_eq!(got.len(), 6, "{got:?}");
    assert!(got.values().all(|(n, _)| *n == 1), "{got:?}");
    assert!(project.join("dist/mailing.csv").is_file());
}

#[test]
fn the_keyboard_reaches_every_control_and_publish_shows_a_bad_drafts_message() {
    if !browser_ready() {
        return;
    }
    let server = Server::start(&[]);
    let out = scratch("serve-keyboard");
    let bad = fixture("bad/pdf-needs-password.pdf");
    let r = scenario(&server, "keyboard", &out, &[&bad]);
    let focus = strs(&r["focus"]);
    // The skip link first, then the pages, then the form's controls in order.
    assert!(focus[0].ends_with("#main"), "{focus:?}");
    let at = |id: &str| focus.iter().position(|f| f == id);
    let (drafts, date) = (at("drafts"), at("meeting_date"));
    assert!(
        drafts.is_some() && date.is_some() && drafts < date,
        "{focus:?}"
    );
    let err = strs(&r["publish_error"]);
    assert_eq!(err[0], "pdf-needs-password.pdf: nothing was made", "{r}");
    let cli = run(["render".as_ref(), bad.as_os_str()]);
    assert_eq!(cli.code(), 2);
    assert_eq!(
        format!("error: {}", err[1]),
        cli.stderr()
            .trim()
            .replace(&bad.display().to_string(), "pdf-needs-password.pdf"),
        "the page says what the CLI says"
    );
}
