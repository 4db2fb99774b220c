#!/usr/bin/env python3
"""Drive `bpfpress serve` in headless Chromium, as a person would.

Run by tests/serve.rs, which starts the server and checks what this script
writes: `serve_browser.py SCENARIO BASE_URL OUT_DIR [ARGS...]`. Each
scenario clicks through a page, takes a screenshot of every page it sees
(OUT_DIR/*.png) and prints one JSON object with what it read off the pages
on its last line; it exits non-zero (with the reason) when a page does not
behave. Needs Debian's chromium and chromium-driver and PyPI's selenium.
"""

import json
import os
import shutil
import sys
import tempfile
import threading
import urllib.error
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1280,1800",
]


class Browser:
    """One Chromium with a fresh profile: one user, one session."""

    def __init__(self, base, out):
        self.base = base.rstrip("/")
        self.out = out
        self.profile = tempfile.mkdtemp(prefix="bpfpress-chromium-")
        o = webdriver.ChromeOptions()
        for f in FLAGS:
            o.add_argument(f)
        o.add_argument("--user-data-dir=" + self.profile)
        o.binary_location = shutil.which("chromium") or "chromium"
        driver = shutil.which("chromedriver") or "chromedriver"
        self.d = webdriver.Chrome(service=Service(driver), options=o)
        self.d.set_page_load_timeout(300)

    def close(self):
        try:
            self.d.quit()
        finally:
            shutil.rmtree(self.profile, ignore_errors=True)

    def open(self, path):
        self.d.get(self.base + path)

    def shot(self, name):
        # The whole page: grow the window to the document's height first.
        h = self.d.execute_script("return document.documentElement.scrollHeight")
        self.d.set_window_size(1280, max(900, min(int(h) + 40, 8000)))
        self.d.save_screenshot(os.path.join(self.out, name + ".png"))
        self.d.set_window_size(1280, 1800)

    def upload(self, field, *paths):
        self.d.find_element(By.NAME, field).send_keys("\n".join(os.path.abspath(p) for p in paths))

    def submit(self, form_action):
        self.d.find_element(By.CSS_SELECTOR, f"form[action='{form_action}'] button[type=submit]").click()

    def wait_for(self, css, timeout=300):
        WebDriverWait(self.d, timeout).until(
            lambda d: d.find_elements(By.CSS_SELECTOR, css)
            or d.find_elements(By.CSS_SELECTOR, ".problem[role=alert]")
        )
        return self.d.find_elements(By.CSS_SELECTOR, css)

    def texts(self, css):
        return [e.text for e in self.d.find_elements(By.CSS_SELECTOR, css)]

    def fetch(self, url, with_session=True):
        """GET a link of the page as this browser (its cookies), or as a
        stranger without them. Gives (status, bytes)."""
        if url.startswith("/"):
            url = self.base + url
        req = urllib.request.Request(url)
        if with_session:
            cookies = "; ".join(f"{c['name']}={c['value']}" for c in self.d.get_cookies())
            req.add_header("Cookie", cookies)
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    def href(self, css):
        return self.d.find_element(By.CSS_SELECTOR, css).get_attribute("href")


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def verdict_rows(b):
    rows = []
    for tr in b.d.find_elements(By.CSS_SELECTOR, "table.verdicts tbody tr"):
        cells = tr.find_elements(By.CSS_SELECTOR, "td, th")
        rows.append({"id": cells[0].text, "element": cells[1].text, "verdict": cells[2].text, "why": cells[3].text})
    return rows


def check(b, draft):
    b.open("/")
    b.shot("check-empty")
    b.upload("drafts", draft)
    b.submit("/check")
    b.wait_for("table.verdicts")


def scenario_check(base, out, draft):
    b = Browser(base, out)
    try:
        check(b, draft)
        b.shot("check-result")
        rows = verdict_rows(b)
        md = b.fetch(b.href("a[href^='/file/']"))
        links = [a.text for a in b.d.find_elements(By.CSS_SELECTOR, ".downloads a")]
        reviewed = [a.get_attribute("href") for a in b.d.find_elements(By.CSS_SELECTOR, ".downloads a") if "reviewed" in a.text]
        docx = b.fetch(reviewed[0]) if reviewed else (0, b"")
        out_docx = os.path.join(out, "reviewed.docx")
        with open(out_docx, "wb") as f:
            f.write(docx[1])
        return {
            "title": b.texts("section.report h2")[0],
            "result": b.texts("section.report .result")[0],
            "rows": rows,
            "findings": b.texts("ul.findings > li .sev"),
            "links": links,
            "markdown_status": md[0],
            "markdown": md[1].decode("utf-8", "replace"),
            "reviewed_status": docx[0],
            "reviewed": out_docx,
            "lang": b.d.find_element(By.TAG_NAME, "html").get_attribute("lang"),
            "labels_ok": all(
                b.d.find_elements(By.CSS_SELECTOR, f"label[for='{i.get_attribute('id')}']")
                for i in b.d.find_elements(By.CSS_SELECTOR, "form input:not([type=hidden])")
            ),
        }
    finally:
        b.close()


def scenario_keyboard(base, out, broken):
    """Tab through the Check page; then Publish a broken draft."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys
    b = Browser(base, out)
    try:
        b.open("/")
        seen = []
        for _ in range(12):
            ActionChains(b.d).send_keys(Keys.TAB).perform()
            el = b.d.switch_to.active_element
            seen.append(el.get_attribute("id") or el.get_attribute("href") or el.tag_name)
        b.open("/publish")
        b.upload("draft", broken)
        b.submit("/publish")
        b.wait_for(".problem")
        b.shot("publish-broken")
        return {"focus": seen, "publish_error": b.texts(".problem h2") + b.texts(".problem .error-text")}
    finally:
        b.close()


def scenario_batch(base, out, *drafts):
    b = Browser(base, out)
    try:
        b.open("/")
        b.upload("drafts", *drafts)
        b.submit("/check")
        b.wait_for("table.matrix")
        b.shot("check-batch")
        matrix = [[c.text for c in tr.find_elements(By.CSS_SELECTOR, "th, td")]
                  for tr in b.d.find_elements(By.CSS_SELECTOR, "table.matrix tbody tr")]
        return {"matrix": matrix, "errors": b.texts(".problem[data-file] h2"), "sections": len(b.texts("section.report h2"))}
    finally:
        b.close()


def scenario_broken(base, out, broken, good):
    b = Browser(base, out)
    try:
        check(b, broken)
        b.shot("check-broken")
        error = b.texts(".problem .error-text")
        heading = b.texts(".problem h2")
        # The server goes on serving the same session.
        check(b, good)
        return {"error": error, "heading": heading, "after": len(verdict_rows(b))}
    finally:
        b.close()


def scenario_csrf(base, out, draft):
    b = Browser(base, out)
    try:
        b.open("/")
        b.upload("drafts", draft)
        b.d.execute_script("document.querySelector('input[name=csrf]').remove()")
        b.submit("/check")
        b.wait_for("h1")
        b.shot("csrf-missing")
        missing = {"h1": b.texts("h1")[0], "verdicts": len(verdict_rows(b))}
        b.open("/")
        b.upload("drafts", draft)
        b.d.execute_script("document.querySelector('input[name=csrf]').value = 'forged'")
        b.submit("/check")
        b.wait_for("h1")
        forged = {"h1": b.texts("h1")[0], "verdicts": len(verdict_rows(b))}
        return {"missing": missing, "forged": forged}
    finally:
        b.close()


def scenario_oversized(base, out, big, small):
    b = Browser(base, out)
    try:
        # Without the page's own check: the server refuses.
        b.open("/")
        b.upload("drafts", big)
        b.d.execute_script("document.querySelector('input[data-max]').removeAttribute('data-max')")
        b.submit("/check")
        b.wait_for("h1")
        b.shot("oversized")
        refused = {"h1": b.texts("h1")[0], "message": b.texts(".problem")}
        # With it: the page says so before sending anything.
        b.open("/")
        b.upload("drafts", big)
        b.submit("/check")
        try:
            alert = WebDriverWait(b.d, 10).until(lambda d: d.switch_to.alert)
            precheck = alert.text
            alert.accept()
        except NoAlertPresentException:
            precheck = ""
        check(b, small)
        return {"refused": refused, "precheck": precheck, "after": len(verdict_rows(b))}
    finally:
        b.close()


def scenario_parallel(base, out, first, second):
    browsers = [Browser(base, out), Browser(base, out)]
    results = [None, None]
    errors = []

    def run(i, draft):
        try:
            b = browsers[i]
            check(b, draft)
            results[i] = {
                "title": b.texts("section.report h2")[0],
                "source": b.texts("section.report .meta")[0],
                "sections": len(b.texts("section.report")),
                "link": b.href("section.report .downloads a"),
            }
            b.shot(f"parallel-{i}")
        except Exception as e:  # reported below
            errors.append(f"browser {i}: {e!r}")

    try:
        threads = [threading.Thread(target=run, args=(i, d)) for i, d in enumerate([first, second])]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if errors:
            fail("; ".join(errors))
        # Each browser's files are its own.
        own = browsers[0].fetch(results[0]["link"])[0]
        other = browsers[1].fetch(results[0]["link"])[0]
        stranger = browsers[1].fetch(results[0]["link"], with_session=False)[0]
        return {"results": results, "own": own, "other": other, "stranger": stranger}
    finally:
        for b in browsers:
            b.close()


def scenario_publish(base, out, draft):
    b = Browser(base, out)
    try:
        b.open("/publish")
        b.shot("publish-empty")
        b.upload("draft", draft)
        b.d.find_element(By.NAME, "report_url").send_keys("https://www.intgovforum.org/en/filedepot_download/bpf-on-bpfs-2020.pdf")
        b.submit("/publish")
        b.wait_for("section.output", timeout=600)
        b.shot("publish-result")
        images = b.d.execute_script(
            "return Array.from(document.querySelectorAll('.previews img')).map(i => [i.naturalWidth, i.naturalHeight, i.alt])"
        )
        pdfs = {}
        for a in b.d.find_elements(By.CSS_SELECTOR, "section.output a.button"):
            status, body = b.fetch(a.get_attribute("href"))
            name = "report.pdf" if "report" in a.text.lower() else "takeaways.pdf"
            path = os.path.join(out, name)
            with open(path, "wb") as f:
                f.write(body)
            pdfs[name] = {"status": status, "path": path}
        return {
            "headings": b.texts("section.output h2"),
            "images": images,
            "pdfs": pdfs,
            "warnings": b.texts(".warnings li"),
            "problems": b.texts(".problem"),
        }
    finally:
        b.close()


def scenario_mailing(base, out, draft, bad_recipients, recipients):
    b = Browser(base, out)
    try:
        b.open("/mailing")
        b.shot("mailing-empty")
        b.upload("draft", draft)
        b.upload("recipients", bad_recipients)
        b.d.find_element(By.NAME, "report_url").send_keys("https://www.intgovforum.org/en/filedepot_download/bpf-on-bpfs-2020.pdf")
        b.submit("/mailing")
        b.wait_for("table.problems")
        b.shot("mailing-problems")
        problems = [[c.text for c in tr.find_elements(By.CSS_SELECTOR, "td")]
                    for tr in b.d.find_elements(By.CSS_SELECTOR, "table.problems tbody tr")]
        b.open("/mailing")
        b.upload("draft", draft)
        b.upload("recipients", recipients)
        b.d.find_element(By.NAME, "report_url").send_keys("https://www.intgovforum.org/en/filedepot_download/bpf-on-bpfs-2020.pdf")
        b.d.find_element(By.NAME, "signatory_name").send_keys("Wim Degezelle")
        b.submit("/mailing")
        b.wait_for("section .previews", timeout=600)
        b.shot("mailing-letters")
        images = b.d.execute_script(
            "return Array.from(document.querySelectorAll('.previews img')).map(i => [i.naturalWidth, i.alt])"
        )
        return {
            "problems": problems,
            "captions": b.texts("figcaption"),
            "images": images,
            "rows": len(b.d.find_elements(By.CSS_SELECTOR, "table.recipients tbody tr")),
            "summary": b.texts(".result"),
            "refusals": b.texts(".problem li"),
            "send": b.texts("#send-h + p, #send-h ~ p"),
            "send_buttons": len(b.d.find_elements(By.CSS_SELECTOR, "form[action='/mailing/send']")),
        }
    finally:
        b.close()


def send_once(b, name):
    """Prepare the project's mailing and send it, confirmed; the job's outcome."""
    b.open("/mailing")
    b.submit("/mailing")
    b.wait_for("form[action='/mailing/send']", timeout=600)
    b.shot(name + "-prepared")
    # Unconfirmed, the browser does not send the form (the box is required),
    # and the server would refuse it too.
    b.submit("/mailing/send")
    still_here = b.d.current_url.endswith("/mailing")
    b.d.find_element(By.ID, "confirm").click()
    b.submit("/mailing/send")
    WebDriverWait(b.d, 900).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".done, .problem[role=alert]"))
    b.shot(name + "-job")
    return {
        "unconfirmed_stayed": still_here,
        "done": b.texts(".done p"),
        "error": b.texts(".problem .error-text"),
        "log": b.texts(".log li"),
    }


def scenario_send(base, out):
    b = Browser(base, out)
    try:
        first = send_once(b, "send-1")
        second = send_once(b, "send-2")
        return {"first": first, "second": second}
    finally:
        b.close()


def scenario_project(base, out):
    b = Browser(base, out)
    try:
        b.open("/project")
        b.shot("project-before")
        before = b.texts(".problem")
        b.submit("/project/build")
        WebDriverWait(b.d, 900).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".done, .problem[role=alert]"))
        b.shot("project-job")
        done = b.texts(".done p") + b.texts(".problem")
        log = b.texts(".log li")
        b.open("/project")
        b.shot("project-after")
        files = [[c.text for c in tr.find_elements(By.CSS_SELECTOR, "td")]
                 for tr in b.d.find_elements(By.CSS_SELECTOR, "table.outputs tbody tr")]
        link = b.href("table.outputs a[href^='/file/']")
        status, body = b.fetch(link)
        return {"before": before, "done": done, "log": log, "files": files, "download": [status, len(body)]}
    finally:
        b.close()


def main():
    if len(sys.argv) < 4:
        fail("usage: serve_browser.py SCENARIO BASE_URL OUT_DIR [ARGS...]")
    name, base, out, args = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    os.makedirs(out, exist_ok=True)
    fn = globals().get("scenario_" + name)
    if fn is None:
        fail("no scenario " + name)
    result = fn(base, out, *args)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
