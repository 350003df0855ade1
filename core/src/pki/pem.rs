//! PEM (RFC 7468) reading that tolerates text around the blocks (as `openssl x509 -text`
//! output, mail bodies and bank portals produce), and writing with 64-character lines.

use base64ct::{Base64, Encoding};
use zeroize::{Zeroize, Zeroizing};

use crate::{Error, Result};

/// One PEM block: its label ("CERTIFICATE") and the decoded bytes.
///
/// A block may hold a private key, so its bytes are wiped when it is dropped (as are the
/// Base64 copies made while reading it); take `der` out with `std::mem::take` to keep it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PemBlock {
    /// The label between "-----BEGIN " and "-----".
    pub label: String,
    /// The decoded contents.
    pub der: Vec<u8>,
}

impl Drop for PemBlock {
    fn drop(&mut self) {
        self.der.zeroize();
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Every PEM block in `input`, in order. Text before, between and after blocks is ignored;
/// inside a block, RFC 1421 header lines ("Name: value") are skipped and whitespace is
/// ignored. A block whose body is not Base64, or that has no END line, is an error.
pub fn blocks(input: &[u8]) -> Result<Vec<PemBlock>> {
    const BEGIN: &[u8] = b"-----BEGIN ";
    let mut out = Vec::new();
    let mut rest = input;
    while let Some(at) = find(rest, BEGIN) {
        rest = &rest[at + BEGIN.len()..];
        let label_end = find(rest, b"-----")
            .ok_or_else(|| Error::malformed("PEM: a BEGIN line is not closed"))?;
        let label = std::str::from_utf8(&rest[..label_end])
            .map_err(|_| Error::malformed("PEM: the label is not text"))?
            .to_owned();
        if label.contains('\n') || label.contains('\r') {
            return Err(Error::malformed("PEM: a BEGIN line is not closed"));
        }
        rest = &rest[label_end + 5..];
        let end_line = format!("-----END {label}-----");
        let body_end = find(rest, end_line.as_bytes())
            .ok_or_else(|| Error::malformed(format!("PEM: no END line for {label}")))?;
        let body = &rest[..body_end];
        rest = &rest[body_end + end_line.len()..];
        let mut b64 = Zeroizing::new(String::with_capacity(body.len()));
        for line in body.split(|&b| b == b'\n') {
            if line.contains(&b':') {
                continue; // an RFC 1421 header
            }
            for &b in line {
                if !b.is_ascii_whitespace() {
                    b64.push(char::from(b));
                }
            }
        }
        // Decoded into a buffer that is wiped on every path (decode_vec's is not on error).
        let mut der = Zeroizing::new(vec![0u8; b64.len() / 4 * 3 + 3]);
        let len = Base64::decode(b64.as_bytes(), &mut der)
            .map_err(|_| Error::malformed(format!("PEM: the {label} block is not Base64")))?
            .len();
        der.truncate(len);
        out.push(PemBlock {
            label,
            der: std::mem::take(&mut *der),
        });
    }
    Ok(out)
}

/// The DER of `input`: `input` itself when it starts like DER (a SEQUENCE), otherwise the
/// first PEM block with one of `labels`. `what` names the object in errors.
pub fn der_of(input: &[u8], labels: &[&str], what: &str) -> Result<Vec<u8>> {
    if input.first() == Some(&0x30) {
        return Ok(input.to_vec());
    }
    let all = blocks(input).map_err(|e| e.context(what))?;
    all.into_iter()
        .find(|b| labels.contains(&b.label.as_str()))
        .map(|mut b| std::mem::take(&mut b.der))
        .ok_or_else(|| {
            Error::malformed(format!(
                "{what}: neither DER nor PEM with label {}",
                labels.join(" or ")
            ))
        })
}

/// PEM text of `der` under `label`, lines of 64 characters, LF line ends, final newline.
pub fn encode(label: &str, der: &[u8]) -> String {
    let b64 = Base64::encode_string(der);
    let mut s = String::with_capacity(b64.len() + b64.len() / 64 + 2 * label.len() + 40);
    s.push_str("-----BEGIN ");
    s.push_str(label);
    s.push_str("-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        s.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        s.push('\n');
    }
    s.push_str("-----END ");
    s.push_str(label);
    s.push_str("-----\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_with_text_around() {
        let der: Vec<u8> = (0..200u8).collect();
        let pem = encode("CERTIFICATE", &der);
        let text = format!(
            "Subject: x\r\nsome words\n{}trailing\n",
            pem.replace('\n', "\r\n")
        );
        let b = blocks(text.as_bytes()).unwrap();
        assert_eq!(b.len(), 1);
        assert_eq!(b[0].label, "CERTIFICATE");
        assert_eq!(b[0].der, der);
        assert_eq!(der_of(text.as_bytes(), &["CERTIFICATE"], "c").unwrap(), der);
    }

    #[test]
    fn wrong_label_and_bad_base64_are_errors() {
        let pem = encode("CERTIFICATE", &[0x30, 0x00]);
        assert!(der_of(pem.as_bytes(), &["CERTIFICATE REQUEST"], "r").is_err());
        let bad = "-----BEGIN X-----\n!!!!\n-----END X-----\n";
        assert!(blocks(bad.as_bytes()).is_err());
        let open = "-----BEGIN X-----\nAAAA\n";
        assert!(blocks(open.as_bytes()).is_err());
    }
}
