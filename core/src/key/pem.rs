//! PEM armour for keys (RFC 7468), tolerant of text around the block when reading.

use der::pem::LineEnding;
use zeroize::Zeroizing;

use crate::{Error, Result};

/// Decodes the first PEM block whose label is one of `labels`; text before and after it (a
/// comment, `openssl pkey -text` output, other blocks) is ignored.
pub(crate) fn decode(text: &str, labels: &[&str]) -> Result<Zeroizing<Vec<u8>>> {
    let (start, label) = labels
        .iter()
        .filter_map(|label| {
            text.find(&format!("-----BEGIN {label}-----"))
                .map(|at| (at, *label))
        })
        .min_by_key(|(at, _)| *at)
        .ok_or_else(|| {
            Error::malformed(format!("no PEM block labelled {}", labels.join(" or ")))
        })?;
    let end_marker = format!("-----END {label}-----");
    let end = text[start..]
        .find(&end_marker)
        .map(|at| start + at + end_marker.len())
        .ok_or_else(|| Error::malformed(format!("PEM block {label} has no END line")))?;
    // Decoded into a buffer of the exact size, wiped on every path (`decode_vec` drops a
    // partly decoded key unwiped when the Base64 breaks half-way).
    let malformed = |e: der::pem::Error| Error::malformed(format!("PEM {label}: {e}"));
    let mut decoder = der::pem::Decoder::new(&text.as_bytes()[start..end]).map_err(malformed)?;
    let mut der = Zeroizing::new(Vec::with_capacity(decoder.remaining_len()));
    decoder.decode_to_end(&mut der).map_err(malformed)?;
    Ok(der)
}

/// Encodes `der` as a PEM block with LF line endings.
pub(crate) fn encode(label: &str, der: &[u8]) -> String {
    // Encoding into a String cannot fail for a valid label and any bytes.
    der::pem::encode_string(label, LineEnding::LF, der).unwrap_or_default()
}

/// Like [`encode`], for secret contents.
pub(crate) fn encode_secret(label: &str, der: &[u8]) -> Zeroizing<String> {
    Zeroizing::new(encode(label, der))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_block_among_text() {
        let pem = encode("PUBLIC KEY", b"\x30\x00");
        let text = format!("comment\n{pem}trailer\n");
        assert_eq!(
            &*decode(&text, &["PRIVATE KEY", "PUBLIC KEY"]).unwrap(),
            b"\x30\x00"
        );
        assert!(decode(&text, &["PRIVATE KEY"]).is_err());
        assert!(decode("-----BEGIN PUBLIC KEY-----\nAAAA\n", &["PUBLIC KEY"]).is_err());
        assert!(
            decode(
                "-----BEGIN PUBLIC KEY-----\n!!\n-----END PUBLIC KEY-----\n",
                &["PUBLIC KEY"]
            )
            .is_err()
        );
    }
}
