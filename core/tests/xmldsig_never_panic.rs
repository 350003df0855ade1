//! Any bytes fed to the XML reader, the canonicaliser and the signature verifier — random,
//! truncated, changed, and XML-aware mutations of signed lists — give an error or a value,
//! never a panic (issue 12: the list's signature; issue 13: no input crashes the host).

mod bank_support;

use bank_support::*;
use bankkey::bank::tsl::TrustedList;
use bankkey::xml::c14n::{Method, canonicalize};
use bankkey::xmldsig::{self, SignOptions};
use proptest::prelude::*;
use std::sync::OnceLock;
use time::Duration;

struct Samples {
    docs: Vec<Vec<u8>>,
    anchors: Vec<bankkey::pki::Certificate>,
}

/// Signed lists (C14N 1.0, exclusive), the same list unsigned, and the real ETSI list.
fn samples() -> &'static Samples {
    static S: OnceLock<Samples> = OnceLock::new();
    S.get_or_init(|| {
        let m = ministry();
        let ca = accredited_ca("Тестовый аккредитованный УЦ");
        let xml = tsl(3, now(), &ca.1, &[("Действует", now() - Duration::days(9))]);
        let exclusive = xmldsig::sign_enveloped(
            xml.as_bytes(),
            &m.signer.0,
            &m.signer.1,
            &SignOptions {
                canonicalization: Method::exclusive(),
                ..SignOptions::default()
            },
        )
        .unwrap();
        let etsi = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/realworld/tsl/and-rom_tsl_manager_TSL.xml"
        ))
        .unwrap();
        Samples {
            docs: vec![m.sign(&xml), exclusive, xml.into_bytes(), etsi],
            anchors: m.anchors(),
        }
    })
}

fn feed(bytes: &[u8]) {
    let s = samples();
    let _ = TrustedList::from_signed_xml(bytes, &s.anchors, now());
    let _ = TrustedList::from_xml(bytes);
    let _ = xmldsig::verify_enveloped(bytes, &s.anchors);
    for m in [Method::c14n().with_comments(), Method::exclusive()] {
        let _ = canonicalize(bytes, &m);
    }
}

/// Pieces of XML markup a mutation inserts.
const TOKENS: &[&str] = &[
    "<",
    ">",
    "/>",
    "</",
    "&",
    "&amp;",
    "&#x0;",
    "&#xD800;",
    "&#1114112;",
    "&unknown;",
    "\"",
    "'",
    "=",
    "<!--",
    "-->",
    "<![CDATA[",
    "]]>",
    "<?",
    "?>",
    "<?xml version=\"1.0\"?>",
    "<!DOCTYPE a>",
    "xmlns=\"\"",
    " xmlns:a=\"\"",
    " xmlns:xml=\"x\"",
    " a:b=\"1\"",
    " Id=\"x\"",
    "<Signature xmlns=\"http://www.w3.org/2000/09/xmldsig#\">",
    "</Signature>",
    "<Reference URI=\"#x\">",
    "\u{feff}",
    "\r",
    "\0",
    "\u{ffff}",
    "Ё",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]

    #[test]
    fn random_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        feed(&bytes);
        let mut xml = b"<a xmlns=\"http://www.w3.org/2000/09/xmldsig#\">".to_vec();
        xml.extend_from_slice(&bytes);
        feed(&xml);
    }

    #[test]
    fn random_text(s in "\\PC{0,120}") {
        feed(s.as_bytes());
        feed(format!("<r>{s}</r>").as_bytes());
    }

    #[test]
    fn truncated_and_changed(sample in 0usize..4, cut in any::<prop::sample::Index>(),
                             at in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let docs = &samples().docs;
        let s = &docs[sample % docs.len()];
        feed(&s[..cut.index(s.len() + 1)]);
        let mut changed = s.clone();
        let i = at.index(changed.len());
        changed[i] = byte;
        feed(&changed);
    }

    #[test]
    fn markup_inserted_deleted_and_repeated(sample in 0usize..3, token in 0usize..TOKENS.len(),
                                            at in any::<prop::sample::Index>(),
                                            len in 0usize..300, rep in any::<prop::sample::Index>()) {
        let docs = &samples().docs;
        let s = &docs[sample % docs.len()];
        let i = at.index(s.len() + 1);
        let mut inserted = s[..i].to_vec();
        inserted.extend_from_slice(TOKENS[token].as_bytes());
        inserted.extend_from_slice(&s[i..]);
        feed(&inserted);
        let end = (i + len).min(s.len());
        let mut deleted = s[..i].to_vec();
        deleted.extend_from_slice(&s[end..]);
        feed(&deleted);
        // A stretch repeated elsewhere (a second Signature, a duplicated element, ...).
        let j = rep.index(s.len() + 1);
        let mut repeated = s[..j].to_vec();
        repeated.extend_from_slice(&s[i..end]);
        repeated.extend_from_slice(&s[j..]);
        feed(&repeated);
    }
}

#[test]
fn every_truncation_of_a_signed_list_is_an_error() {
    let s = samples();
    let signed = &s.docs[0];
    assert!(TrustedList::from_signed_xml(signed, &s.anchors, now()).is_ok());
    let end = signed
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .unwrap()
        + 1;
    for cut in 0..end {
        assert!(
            TrustedList::from_signed_xml(&signed[..cut], &s.anchors, now()).is_err(),
            "cut at {cut}"
        );
    }
}
