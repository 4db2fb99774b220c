#!/usr/bin/env python3
"""Independent check of bpfpress .eml files with Python's stdlib `email`.

Usage: check_eml.py SPEC.json
SPEC is a JSON array; each item:
  {"eml": path, "from": [name, addr], "to": [name, addr], "subject": str,
   "message_id": str, "text_contains": [str], "html_contains": [str],
   "text_lacks": [str] (optional),
   "attachments": [[filename, mime, path_of_file_on_disk], ...]}
Prints one line per problem and exits 1 if there is any; prints "ok N" else.
"""
import email
import email.header
import email.policy
import email.utils
import json
import sys


def check(item):
    errs = []
    raw = open(item["eml"], "rb").read()
    where = item["eml"]
    head, sep, _ = raw.partition(b"\r\n\r\n")
    if not sep:
        errs.append("no CRLF blank line between header and body")
    if not all(b < 128 for b in head):
        errs.append("header contains raw non-ASCII bytes (must be RFC 2047 encoded)")
    for line in raw.split(b"\r\n"):
        if len(line) > 998:
            errs.append("a line is longer than 998 octets")
            break
    if b"\n" in raw.replace(b"\r\n", b""):
        errs.append("bare LF line ending")
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    compat = email.message_from_bytes(raw, policy=email.policy.compat32)
    for part in msg.walk():
        for d in part.defects:
            errs.append(f"parser defect: {d!r}")

    def mailbox(h):
        # RFC 2047 decoding via email.header: whitespace between adjacent
        # encoded-words is dropped (RFC 2047 6.2). The policy.default address
        # parser keeps it inside display names (a CPython quirk), so it is
        # not used for the names; it must still find exactly one address.
        v = msg[h]
        if v is None or len(v.addresses) != 1:
            return None
        raw_value = compat[h]
        decoded = str(email.header.make_header(email.header.decode_header(raw_value)))
        pairs = email.utils.getaddresses([decoded])
        if len(pairs) != 1 or pairs[0][1] != v.addresses[0].addr_spec:
            return None
        return [pairs[0][0], pairs[0][1]]

    for h, key in (("From", "from"), ("To", "to")):
        got = mailbox(h)
        if got != item[key]:
            errs.append(f"{h}: got {got!r}, want {item[key]!r}")
    if str(msg["Subject"]) != item["subject"]:
        errs.append(f"Subject: got {str(msg['Subject'])!r}, want {item['subject']!r}")
    if str(msg["Message-ID"]).strip() != item["message_id"]:
        errs.append(f"Message-ID: got {msg['Message-ID']!r}, want {item['message_id']!r}")
    if msg["Date"] is None or email.utils.parsedate_to_datetime(str(msg["Date"])) is None:
        errs.append("no valid Date")
    if msg.get_content_type() != "multipart/mixed":
        errs.append(f"top type {msg.get_content_type()}, want multipart/mixed")

    text = msg.get_body(preferencelist=("plain",))
    html = msg.get_body(preferencelist=("html",))
    if text is None:
        errs.append("no text/plain body")
    else:
        t = text.get_content()
        for s in item["text_contains"]:
            if s not in t:
                errs.append(f"text body lacks {s!r}")
        for s in item.get("text_lacks", []):
            if s in t:
                errs.append(f"text body mentions {s!r}")
    if html is None:
        errs.append("no text/html alternative")
    else:
        h = html.get_content()
        for s in item.get("html_contains", []):
            if s not in h:
                errs.append(f"html body lacks {s!r}")

    atts = list(msg.iter_attachments())
    want = item["attachments"]
    if len(atts) != len(want):
        errs.append(f"{len(atts)} attachments, want {len(want)}")
    for a, (fname, mime, path) in zip(atts, want):
        if a.get_filename() != fname:
            errs.append(f"attachment name {a.get_filename()!r}, want {fname!r}")
        if a.get_content_type() != mime:
            errs.append(f"attachment {fname}: type {a.get_content_type()}, want {mime}")
        data = a.get_content()
        disk = open(path, "rb").read()
        if data != disk:
            errs.append(
                f"attachment {fname}: {len(data)} bytes decoded, differs from {path} ({len(disk)} bytes)"
            )
    return [f"{where}: {e}" for e in errs]


def main():
    spec = json.load(open(sys.argv[1], encoding="utf-8"))
    problems = []
    for item in spec:
        problems.extend(check(item))
    for p in problems:
        print(p)
    if problems:
        sys.exit(1)
    print(f"ok {len(spec)}")


if __name__ == "__main__":
    main()
