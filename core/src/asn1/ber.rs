//! BER to DER: what streaming CMS signers write, and what old CAs put in certificates.
//!
//! `openssl cms -sign -stream`, Java and many PKCS#7 libraries write SignedData with
//! indefinite lengths and the content as a constructed OCTET STRING in chunks. RFC 5652 allows
//! BER for the outer structure (only signed attributes must be DER, since their encoding is
//! what is signed), so a verifier must read it. Older CAs wrote a BOOLEAN TRUE as 0x01, which
//! BER allows and DER does not (issue 12: ПФР's 2015 CA in its basicConstraints). [`normalize`]
//! rewrites such input into DER form before the strict DER reader sees it:
//!
//! - indefinite lengths become definite, and long-form lengths minimal;
//! - constructed universal string types (OCTET STRING, BIT STRING and the character strings)
//!   become primitive, their chunks concatenated in order;
//! - a universal BOOLEAN whose octet is neither 0x00 nor 0xFF becomes 0xFF (TRUE in BER, X.690
//!   8.2.2; the value is unchanged).
//!
//! Nothing else is changed: no SET is re-sorted and no value reinterpreted, so every element
//! that was DER already (certificates, signed attributes) keeps its exact bytes and its
//! signature. Tagged implicit strings and booleans are left as they are, as their type is not
//! visible without the schema. Nesting is bounded ([`MAX_DEPTH`]), and every length is checked
//! against the input, so no input can make it panic or recurse without bound.
//! [`normalize_noting`] also says which of these rewrites it made, so that a reader of an object
//! that must be DER (a certificate) can report them.

use crate::asn1::push_tlv;
use crate::{Error, Result};

/// How deep constructed values may nest (CMS needs about 12).
pub(crate) const MAX_DEPTH: usize = 64;

/// Which rewrites [`normalize_noting`] made.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Rewrites {
    /// Indefinite or non-minimal lengths made definite and minimal.
    pub lengths: bool,
    /// Constructed (chunked) strings joined.
    pub chunked_strings: bool,
    /// BOOLEANs whose TRUE was not 0xFF.
    pub booleans: usize,
}

impl Rewrites {
    /// Whether anything was rewritten.
    pub fn any(&self) -> bool {
        self.lengths || self.chunked_strings || self.booleans > 0
    }
}

/// One parsed element: its identifier octets, whether it is constructed, its DER content, and
/// where it ended in the input.
struct Element {
    tag: Vec<u8>,
    constructed: bool,
    content: Vec<u8>,
    end: usize,
}

/// Rewrites BER `input` (one element, nothing after it) into DER form as described above.
///
/// Errors: [`crate::ErrorKind::MalformedEncoding`] naming the offset, for truncated input,
/// lengths beyond the input, an end-of-contents marker in the wrong place, too deep nesting or
/// bytes after the element.
pub(crate) fn normalize(input: &[u8]) -> Result<Vec<u8>> {
    normalize_noting(input).map(|(der, _)| der)
}

/// [`normalize`], also saying which rewrites it made.
pub(crate) fn normalize_noting(input: &[u8]) -> Result<(Vec<u8>, Rewrites)> {
    let mut rewrites = Rewrites::default();
    let e = element(input, 0, 0, &mut rewrites)?;
    if e.end != input.len() {
        return Err(bad(e.end, "bytes after the end of the encoding"));
    }
    Ok((encode(&e), rewrites))
}

fn bad(at: usize, what: &str) -> Error {
    Error::malformed(format!("BER at byte {at}: {what}")).with_field("ContentInfo")
}

fn element(input: &[u8], start: usize, depth: usize, rw: &mut Rewrites) -> Result<Element> {
    if depth > MAX_DEPTH {
        return Err(bad(start, "nesting too deep"));
    }
    let mut pos = start;
    let first = *input
        .get(pos)
        .ok_or_else(|| bad(pos, "truncated identifier"))?;
    pos += 1;
    let mut tag = vec![first];
    if first & 0x1f == 0x1f {
        loop {
            let b = *input
                .get(pos)
                .ok_or_else(|| bad(pos, "truncated tag number"))?;
            pos += 1;
            tag.push(b);
            if tag.len() > 6 {
                return Err(bad(start, "tag number too large"));
            }
            if b & 0x80 == 0 {
                break;
            }
        }
    }
    let constructed = first & 0x20 != 0;
    let len_byte = *input.get(pos).ok_or_else(|| bad(pos, "truncated length"))?;
    pos += 1;
    let length = match len_byte {
        0x80 => {
            rw.lengths = true;
            None
        }
        l if l < 0x80 => Some(l as usize),
        0xff => return Err(bad(pos - 1, "reserved length octet")),
        l => {
            let n = (l & 0x7f) as usize;
            if n > 4 {
                return Err(bad(pos - 1, "length longer than 4 bytes"));
            }
            let bytes = input
                .get(pos..pos + n)
                .ok_or_else(|| bad(pos, "truncated length"))?;
            pos += n;
            let len = bytes.iter().fold(0usize, |acc, b| (acc << 8) | *b as usize);
            if len < 0x80 || bytes[0] == 0 {
                rw.lengths = true;
            }
            Some(len)
        }
    };
    match (constructed, length) {
        (false, None) => Err(bad(start, "indefinite length on a primitive value")),
        (false, Some(len)) => {
            let end = pos
                .checked_add(len)
                .filter(|e| *e <= input.len())
                .ok_or_else(|| bad(pos, "length beyond the input"))?;
            let mut content = input[pos..end].to_vec();
            if tag == [0x01] && content.len() == 1 && content[0] != 0 && content[0] != 0xff {
                rw.booleans += 1;
                content[0] = 0xff;
            }
            Ok(Element {
                tag,
                constructed,
                content,
                end,
            })
        }
        (true, length) => {
            let limit = match length {
                Some(len) => pos
                    .checked_add(len)
                    .filter(|e| *e <= input.len())
                    .ok_or_else(|| bad(pos, "length beyond the input"))?,
                None => input.len(),
            };
            let mut children = Vec::new();
            loop {
                if length.is_some() && pos == limit {
                    break;
                }
                if length.is_none() && input.get(pos..pos + 2) == Some(&[0, 0]) {
                    pos += 2;
                    break;
                }
                if pos >= limit {
                    return Err(bad(pos, "missing end-of-contents"));
                }
                let child = element(&input[..limit], pos, depth + 1, rw)?;
                pos = child.end;
                children.push(child);
            }
            let mut e = Element {
                tag,
                constructed,
                content: Vec::new(),
                end: pos,
            };
            if is_universal_string(first) {
                rw.chunked_strings = true;
                e.constructed = false;
                e.tag[0] &= !0x20;
                e.content = join_string_chunks(first & !0x20, &children, start)?;
            } else {
                for c in &children {
                    push_tlv(&c.tag, &c.content, &mut e.content);
                }
            }
            Ok(e)
        }
    }
}

/// Universal string types that BER allows in constructed form (X.690 8.6, 8.7, 8.23).
fn is_universal_string(first: u8) -> bool {
    first & 0xc0 == 0
        && first & 0x20 != 0
        && matches!(
            first & 0x1f,
            3 | 4 | 12 | 18 | 19 | 20 | 21 | 22 | 25 | 26 | 27 | 28 | 30
        )
}

fn join_string_chunks(primitive_tag: u8, chunks: &[Element], at: usize) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    if primitive_tag == 0x03 {
        // BIT STRING: each chunk starts with its unused-bit count; only the last may be non-zero.
        let mut unused = 0u8;
        for (i, c) in chunks.iter().enumerate() {
            if c.tag != [0x03] || c.constructed {
                return Err(bad(at, "a BIT STRING chunk of another type"));
            }
            let (&u, bits) = c
                .content
                .split_first()
                .ok_or_else(|| bad(at, "an empty BIT STRING chunk"))?;
            if u > 7 || (u != 0 && i + 1 != chunks.len()) {
                return Err(bad(at, "unused bits inside a BIT STRING"));
            }
            unused = u;
            out.extend_from_slice(bits);
        }
        out.insert(0, unused);
        return Ok(out);
    }
    for c in chunks {
        // Nested constructed chunks were already flattened to primitive ones of the same type.
        if c.tag != [primitive_tag] || c.constructed {
            return Err(bad(at, "a string chunk of another type"));
        }
        out.extend_from_slice(&c.content);
    }
    Ok(out)
}

fn encode(e: &Element) -> Vec<u8> {
    let mut out = Vec::with_capacity(e.tag.len() + 6 + e.content.len());
    push_tlv(&e.tag, &e.content, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn der_input_comes_back_unchanged() {
        let der = [0x30, 0x06, 0x04, 0x01, 0xaa, 0x02, 0x01, 0x05];
        assert_eq!(normalize(&der).unwrap(), der);
    }

    #[test]
    fn indefinite_lengths_and_chunked_octet_strings_become_der() {
        // SEQUENCE (indefinite) { OCTET STRING constructed (indefinite) { "ab", "c" }, NULL }
        let ber = [
            0x30, 0x80, 0x24, 0x80, 0x04, 0x02, b'a', b'b', 0x04, 0x01, b'c', 0x00, 0x00, 0x05,
            0x00, 0x00, 0x00,
        ];
        let der = [0x30, 0x07, 0x04, 0x03, b'a', b'b', b'c', 0x05, 0x00];
        assert_eq!(normalize(&ber).unwrap(), der);
    }

    #[test]
    fn nested_chunks_long_lengths_and_bit_strings() {
        // OCTET STRING { OCTET STRING { "a" }, "b" } with a non-minimal long-form length.
        let ber = [
            0x24, 0x81, 0x08, 0x24, 0x03, 0x04, 0x01, b'a', 0x04, 0x01, b'b',
        ];
        assert_eq!(normalize(&ber).unwrap(), [0x04, 0x02, b'a', b'b']);
        // BIT STRING chunks: unused bits only in the last.
        let ber = [
            0x23, 0x80, 0x03, 0x02, 0x00, 0xff, 0x03, 0x02, 0x04, 0xf0, 0x00, 0x00,
        ];
        assert_eq!(normalize(&ber).unwrap(), [0x03, 0x03, 0x04, 0xff, 0xf0]);
        let bad_bits = [
            0x23, 0x80, 0x03, 0x02, 0x04, 0xf0, 0x03, 0x01, 0x00, 0x00, 0x00,
        ];
        assert!(normalize(&bad_bits).is_err());
        // A content longer than 127 bytes gets a minimal long length.
        let mut ber = vec![0x24, 0x80, 0x04, 0x81, 200];
        ber.extend([7u8; 200]);
        ber.extend([0, 0]);
        let der = normalize(&ber).unwrap();
        assert_eq!(&der[..3], &[0x04, 0x81, 200]);
        assert_eq!(der.len(), 203);
    }

    #[test]
    fn ber_booleans_become_der_and_are_noted() {
        // basicConstraints as ПФР's 2015 CA wrote it: cA TRUE as 0x01, pathLen 0.
        let ber = [0x30, 0x06, 0x01, 0x01, 0x01, 0x02, 0x01, 0x00];
        let (der, rw) = normalize_noting(&ber).unwrap();
        assert_eq!(der, [0x30, 0x06, 0x01, 0x01, 0xff, 0x02, 0x01, 0x00]);
        assert_eq!(rw.booleans, 1);
        assert!(!rw.lengths && !rw.chunked_strings && rw.any());
        // FALSE and DER TRUE stay; an implicitly tagged octet is not a BOOLEAN to us.
        let der = [
            0x30, 0x09, 0x01, 0x01, 0x00, 0x01, 0x01, 0xff, 0x80, 0x01, 0x01,
        ];
        let (out, rw) = normalize_noting(&der).unwrap();
        assert_eq!(out, der);
        assert!(!rw.any());
        // A long-form length that fits the short form is noted.
        let (_, rw) = normalize_noting(&[0x04, 0x81, 0x01, 0xaa]).unwrap();
        assert!(rw.lengths);
        let (_, rw) = normalize_noting(&[0x24, 0x80, 0x04, 0x01, 0xaa, 0x00, 0x00]).unwrap();
        assert!(rw.lengths && rw.chunked_strings);
    }

    #[test]
    fn broken_input_is_a_typed_error() {
        let cases: &[&[u8]] = &[
            &[],
            &[0x30],
            &[0x30, 0x80],
            &[0x30, 0x80, 0x05, 0x00],
            &[0x04, 0x80, 0x00, 0x00],
            &[0x30, 0x05, 0x05, 0x00],
            &[0x30, 0x85, 1, 0, 0, 0, 0],
            &[0x24, 0x80, 0x02, 0x01, 0x01, 0x00, 0x00],
            &[0x05, 0x00, 0x00],
            &[0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 0x00],
        ];
        for c in cases {
            let e = normalize(c).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::MalformedEncoding, "{c:02x?}");
        }
        let mut deep = Vec::new();
        for _ in 0..(MAX_DEPTH + 2) {
            deep.extend([0x30, 0x80]);
        }
        assert_eq!(
            normalize(&deep).unwrap_err().kind(),
            ErrorKind::MalformedEncoding
        );
    }
}
