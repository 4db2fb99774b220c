//! Text decoding: bytes in, a `String` out.
//!
//! Accepts UTF-8 (with or without a byte-order mark) and UTF-16 LE/BE with a
//! byte-order mark. Anything else is an error that names the line and byte
//! offset of the first invalid sequence and tells the user to save as UTF-8.

use crate::ingest::IngestErrorKind;

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Decode a text file's bytes.
pub fn decode(bytes: &[u8]) -> Result<String, IngestErrorKind> {
    if let Some(rest) = bytes.strip_prefix(UTF8_BOM) {
        return utf8(rest, UTF8_BOM.len());
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        return utf16(rest, u16::from_le_bytes, "UTF-16 LE");
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        return utf16(rest, u16::from_be_bytes, "UTF-16 BE");
    }
    utf8(bytes, 0)
}

fn utf8(bytes: &[u8], base: usize) -> Result<String, IngestErrorKind> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(s.to_string()),
        Err(e) => {
            let at = e.valid_up_to();
            let line = 1 + bytes[..at].iter().filter(|&&b| b == b'\n').count();
            let bad: Vec<String> = bytes[at..]
                .iter()
                .take(e.error_len().unwrap_or(bytes.len() - at).clamp(1, 4))
                .map(|b| format!("0x{b:02X}"))
                .collect();
            Err(IngestErrorKind::corrupt(
                format!("line {line}, byte offset {}", base + at),
                format!(
                    "not valid UTF-8 text (invalid byte sequence {}); the file is probably in \
                     a legacy encoding such as Windows-1252 or Latin-1. Save it as UTF-8 and \
                     try again",
                    bad.join(" ")
                ),
            ))
        }
    }
}

fn utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16, name: &str) -> Result<String, IngestErrorKind> {
    if !bytes.len().is_multiple_of(2) {
        return Err(IngestErrorKind::corrupt(
            format!("byte offset {}", bytes.len() + 1),
            format!(
                "{name} text with an odd number of bytes (truncated); save it as UTF-8 and try again"
            ),
        ));
    }
    let units = bytes.chunks_exact(2).map(|c| unit([c[0], c[1]]));
    let mut out = String::with_capacity(bytes.len() / 2);
    let mut line = 1;
    for (i, r) in char::decode_utf16(units).enumerate() {
        match r {
            Ok(c) => {
                if c == '\n' {
                    line += 1;
                }
                out.push(c);
            }
            Err(e) => {
                return Err(IngestErrorKind::corrupt(
                    format!("line {line}, byte offset {}", 2 + 2 * i),
                    format!(
                        "invalid {name} text (unpaired surrogate 0x{:04X}); save the file as \
                         UTF-8 and try again",
                        e.unpaired_surrogate()
                    ),
                ));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_with_and_without_bom() {
        assert_eq!(decode(b"abc").unwrap(), "abc");
        assert_eq!(decode(b"\xEF\xBB\xBFabc").unwrap(), "abc");
    }

    #[test]
    fn utf16_with_bom() {
        let le: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("é\nx".encode_utf16().flat_map(|u| u.to_le_bytes()))
            .collect();
        assert_eq!(decode(&le).unwrap(), "é\nx");
        let be: Vec<u8> = [0xFE, 0xFF]
            .into_iter()
            .chain("ß".encode_utf16().flat_map(|u| u.to_be_bytes()))
            .collect();
        assert_eq!(decode(&be).unwrap(), "ß");
    }

    #[test]
    fn latin1_names_line_and_offset() {
        let e = decode(b"one\ntwo\ncaf\xE9 au lait\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("line 3, byte offset 11: not valid UTF-8"),
            "{e}"
        );
        assert!(e.contains("0xE9") && e.contains("Save it as UTF-8"), "{e}");
    }
}
