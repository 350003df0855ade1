//! What a DER or BER blob most looks like, from the shape of its first elements alone (issue
//! 13, defects 6 and 7).
//!
//! `report::inspect` used to try the strict parsers one after another and keep the first
//! one's error: a BER CMS message (indefinite lengths, as `openssl cms -sign -stream` writes)
//! and GOST-encrypted PKCS#8 keys, which our own readers handle but the strict crates refuse,
//! were then "not a certificate ...", and every unrecognised file got the certificate
//! parser's complaint. Here the outer structure is read as BER, tolerating truncation (a
//! declared length longer than the input is read as far as the input goes), and the tags of
//! the first elements decide:
//!
//! | shape | object |
//! |---|---|
//! | `SEQUENCE { OID, [0] ... }` | CMS `ContentInfo` (the OID says which content) |
//! | `SEQUENCE { INTEGER, SEQUENCE { OID, ... }, OCTET STRING, ... }` | PKCS#8 `PrivateKeyInfo` |
//! | `SEQUENCE { INTEGER 3, SEQUENCE { OID pkcs7-*, ... }, ... }` | PKCS#12 (PFX) |
//! | `SEQUENCE { SEQUENCE { OID, ... }, OCTET STRING }` | PKCS#8 `EncryptedPrivateKeyInfo` |
//! | `SEQUENCE { SEQUENCE { OID, ... }, BIT STRING }` | `SubjectPublicKeyInfo` |
//! | `SEQUENCE { SEQUENCE tbs, SEQUENCE, BIT STRING }` | a signed object, by its `tbs`: |
//! | tbs `{ [0] ... }`, or `{ INTEGER, SEQUENCE, SEQUENCE, SEQUENCE validity, ... }` | certificate |
//! | tbs `{ INTEGER, SEQUENCE Name { SET ... }, ... }` | PKCS#10 request |
//! | tbs `{ [INTEGER,] SEQUENCE, SEQUENCE, UTCTime/GeneralizedTime, ... }` | CRL |
//!
//! The object's own parser then reads it (leniently where it is lenient), and its error,
//! naming the object and the place, is the one reported.

use const_oid::ObjectIdentifier;

/// What the bytes look like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// An X.509 certificate.
    Certificate,
    /// A PKCS#10 request.
    Request,
    /// A certificate revocation list.
    Crl,
    /// A SubjectPublicKeyInfo.
    PublicKey,
    /// A PKCS#8 PrivateKeyInfo.
    PrivateKey,
    /// A PKCS#8 EncryptedPrivateKeyInfo.
    EncryptedPrivateKey,
    /// A PKCS#12 PFX.
    Pfx,
    /// A CMS ContentInfo with this content type.
    Cms(ObjectIdentifier),
    /// None of these.
    Unknown,
}

impl Shape {
    /// What the shape is called in messages.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Shape::Certificate => "certificate",
            Shape::Request => "certificate request (PKCS#10)",
            Shape::Crl => "certificate revocation list (CRL)",
            Shape::PublicKey => "public key (SubjectPublicKeyInfo)",
            Shape::PrivateKey => "private key (PKCS#8)",
            Shape::EncryptedPrivateKey => "encrypted private key (PKCS#8)",
            Shape::Pfx => "PKCS#12 (PFX) file",
            Shape::Cms(_) => "CMS message",
            Shape::Unknown => "unrecognised object",
        }
    }
}

/// One element's header: its identifier octet (the first; high tag numbers are rare here and
/// read as their first octet) and its contents as far as the input holds them.
#[derive(Clone, Copy)]
struct Head<'a> {
    tag: u8,
    contents: &'a [u8],
}

/// Reads the element at the start of `input` (BER: indefinite lengths read to the end of the
/// input). Returns it and what follows; `None` when not even its header is there.
fn head(input: &[u8]) -> Option<(Head<'_>, &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let mut rest = rest;
    if tag & 0x1f == 0x1f {
        // skip the tag number's octets
        let n = rest.iter().position(|b| b & 0x80 == 0)? + 1;
        rest = &rest[n..];
    }
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = match first {
        0x80 => (None, rest),
        l if l < 0x80 => (Some(usize::from(l)), rest),
        l => {
            let n = usize::from(l & 0x7f);
            if n > 4 || rest.len() < n {
                return None;
            }
            let len = rest[..n]
                .iter()
                .fold(0usize, |a, &b| (a << 8) | usize::from(b));
            (Some(len), &rest[n..])
        }
    };
    let take = len.map_or(rest.len(), |l| l.min(rest.len()));
    Some((
        Head {
            tag,
            contents: &rest[..take],
        },
        &rest[take..],
    ))
}

/// The tags of the first `n` children of a constructed element (fewer when the input ends).
fn children(contents: &[u8], n: usize) -> Vec<Head<'_>> {
    let mut out = Vec::with_capacity(n);
    let mut rest = contents;
    while out.len() < n {
        let Some((h, r)) = head(rest) else { break };
        out.push(h);
        rest = r;
    }
    out
}

fn first_tag(h: &Head<'_>) -> Option<u8> {
    head(h.contents).map(|(c, _)| c.tag)
}

/// An OID's value, when `h` is a complete OBJECT IDENTIFIER.
fn oid_of(h: &Head<'_>) -> Option<ObjectIdentifier> {
    (h.tag == 0x06)
        .then(|| ObjectIdentifier::from_bytes(h.contents).ok())
        .flatten()
}

/// Whether an OID names a CMS content type (PKCS#7 `1.2.840.113549.1.7.*` or S/MIME
/// `1.2.840.113549.1.9.16.1.*`).
fn is_cms_content_type(o: &ObjectIdentifier) -> bool {
    let s = o.to_string();
    s.starts_with("1.2.840.113549.1.7.") || s.starts_with("1.2.840.113549.1.9.16.1.")
}

/// What `der` most looks like.
pub(crate) fn shape_of(der: &[u8]) -> Shape {
    let Some((outer, _)) = head(der) else {
        return Shape::Unknown;
    };
    if outer.tag != 0x30 {
        return Shape::Unknown;
    }
    let c = children(outer.contents, 4);
    let tag = |i: usize| c.get(i).map(|h| h.tag);
    match (tag(0), tag(1), tag(2)) {
        (Some(0x06), ..) => match oid_of(&c[0]) {
            Some(o) if is_cms_content_type(&o) => Shape::Cms(o),
            _ => Shape::Unknown,
        },
        (Some(0x02), Some(0x30), third) => {
            let inner = children(c[1].contents, 1);
            match (inner.first().and_then(oid_of), third) {
                (Some(o), _) if is_cms_content_type(&o) => Shape::Pfx,
                (Some(_), Some(0x04) | None) => Shape::PrivateKey,
                _ => Shape::Unknown,
            }
        }
        (Some(0x30), Some(0x04), None) if first_tag(&c[0]) == Some(0x06) => {
            Shape::EncryptedPrivateKey
        }
        (Some(0x30), Some(0x03), None) if first_tag(&c[0]) == Some(0x06) => Shape::PublicKey,
        (Some(0x30), Some(0x30), Some(0x03) | None) => signed_object(&c[0]),
        // truncated after the first element: judge by it alone
        (Some(0x30), None, None) => signed_object(&c[0]),
        _ => Shape::Unknown,
    }
}

/// A certificate, request or CRL, by its to-be-signed part.
fn signed_object(tbs: &Head<'_>) -> Shape {
    let t = children(tbs.contents, 4);
    let tag = |i: usize| t.get(i).map(|h| h.tag);
    match (tag(0), tag(1)) {
        (Some(0xa0), _) => Shape::Certificate,
        (Some(0x02), Some(0x30)) => match first_tag(&t[1]) {
            // version, then the subject Name (a SEQUENCE of SETs, or empty)
            Some(0x31) | None => Shape::Request,
            // serial or version, then the signature AlgorithmIdentifier: a v1
            // certificate has its validity SEQUENCE fourth, a CRL its thisUpdate time
            Some(0x06) => match tag(3) {
                Some(0x17 | 0x18) => Shape::Crl,
                _ => Shape::Certificate,
            },
            _ => Shape::Unknown,
        },
        // a version 1 CRL: no version, the signature AlgorithmIdentifier first
        (Some(0x30), Some(0x30)) if first_tag(&t[0]) == Some(0x06) => Shape::Crl,
        _ => Shape::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oid;

    /// A TLV with a short or long length.
    fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        crate::asn1::push_tlv(&[tag], content, &mut out);
        out
    }

    fn seq(parts: &[Vec<u8>]) -> Vec<u8> {
        tlv(0x30, &parts.concat())
    }

    fn alg() -> Vec<u8> {
        seq(&[tlv(0x06, &[0x2a, 0x85, 0x03, 0x07, 0x01, 0x01, 0x01, 0x01])])
    }

    fn name() -> Vec<u8> {
        seq(&[tlv(
            0x31,
            &seq(&[tlv(0x06, &[0x55, 0x04, 0x03]), tlv(0x0c, b"x")]),
        )])
    }

    #[test]
    fn shapes() {
        let spki = seq(&[alg(), tlv(0x03, &[0, 1, 2])]);
        assert_eq!(shape_of(&spki), Shape::PublicKey);
        let p8 = seq(&[tlv(0x02, &[0]), alg(), tlv(0x04, &[1; 32])]);
        assert_eq!(shape_of(&p8), Shape::PrivateKey);
        let ep8 = seq(&[alg(), tlv(0x04, &[1; 48])]);
        assert_eq!(shape_of(&ep8), Shape::EncryptedPrivateKey);
        let time = tlv(0x17, b"250101000000Z");
        let validity = seq(&[time.clone(), time.clone()]);
        let v3 = seq(&[
            seq(&[
                tlv(0xa0, &tlv(0x02, &[2])),
                tlv(0x02, &[9]),
                alg(),
                name(),
                validity.clone(),
            ]),
            alg(),
            tlv(0x03, &[0, 7]),
        ]);
        assert_eq!(shape_of(&v3), Shape::Certificate);
        let v1 = seq(&[
            seq(&[tlv(0x02, &[9]), alg(), name(), validity, name()]),
            alg(),
            tlv(0x03, &[0, 7]),
        ]);
        assert_eq!(shape_of(&v1), Shape::Certificate);
        let csr = seq(&[
            seq(&[tlv(0x02, &[0]), name(), seq(&[alg(), tlv(0x03, &[0])])]),
            alg(),
            tlv(0x03, &[0, 7]),
        ]);
        assert_eq!(shape_of(&csr), Shape::Request);
        let crl = seq(&[
            seq(&[tlv(0x02, &[1]), alg(), name(), time.clone()]),
            alg(),
            tlv(0x03, &[0, 7]),
        ]);
        assert_eq!(shape_of(&crl), Shape::Crl);
        let crl1 = seq(&[seq(&[alg(), name(), time]), alg(), tlv(0x03, &[0, 7])]);
        assert_eq!(shape_of(&crl1), Shape::Crl);
        let signed = seq(&[
            tlv(0x06, oid::CT_SIGNED_DATA.as_bytes()),
            tlv(
                0xa0,
                &seq(&[tlv(0x02, &[1]), tlv(0x31, &[]), tlv(0x04, &[7; 40])]),
            ),
        ]);
        assert_eq!(shape_of(&signed), Shape::Cms(oid::CT_SIGNED_DATA));
        let pfx = seq(&[tlv(0x02, &[3]), seq(&[tlv(0x06, oid::CT_DATA.as_bytes())])]);
        assert_eq!(shape_of(&pfx), Shape::Pfx);
        // Truncated in the middle, the shape still shows.
        for whole in [&v3, &csr, &signed, &p8] {
            assert_eq!(shape_of(&whole[..whole.len() * 2 / 3]), shape_of(whole));
        }
        for junk in [
            &b""[..],
            b"\x30",
            b"\x04\x01\x00",
            b"\x30\x03\x02\x01\x00",
            &[0xff; 20],
        ] {
            assert_eq!(shape_of(junk), Shape::Unknown, "{junk:02x?}");
        }
    }

    #[test]
    fn ber_outer_lengths_are_read() {
        // ContentInfo with indefinite lengths (openssl cms -sign -stream)
        let mut ber = vec![0x30, 0x80];
        ber.extend(tlv(0x06, oid::CT_SIGNED_DATA.as_bytes()));
        ber.extend([0xa0, 0x80, 0x30, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]);
        assert_eq!(shape_of(&ber), Shape::Cms(oid::CT_SIGNED_DATA));
    }
}
