//! Any bytes fed to the bank's parsers — the accredited-CA list (XML) and CRLs (DER, PEM) —
//! give an error or a value, never a panic: random bytes, truncations and changed bytes of a
//! valid list and of a CRL made by `openssl ca -gencrl`.

mod bank_support;

use bank_support::*;
use bankkey::bank::crl::Crl;
use bankkey::bank::tsl::{TrustedList, parse_xs_datetime};
use proptest::prelude::*;
use std::sync::OnceLock;
use time::Duration;

/// A list, and a CRL with one revoked entry (PEM and DER) when openssl is there.
fn samples() -> &'static Vec<Vec<u8>> {
    static S: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    S.get_or_init(|| {
        let ca = accredited_ca("Тестовый аккредитованный УЦ");
        let mut v =
            vec![tsl(3, now(), &ca.1, &[("Действует", now() - Duration::days(9))]).into_bytes()];
        if let Some(oca) = OpensslCa::new(&ca) {
            oca.revoke(&qualified(&ca, &ivanov(), 3));
            v.push(oca.gencrl(7));
            v.push(oca.to_der());
        }
        v
    })
}

fn feed(bytes: &[u8]) {
    let _ = TrustedList::from_xml(bytes);
    let _ = Crl::from_der(bytes);
    let _ = Crl::from_pem(bytes);
    if let Ok(s) = std::str::from_utf8(bytes) {
        let _ = parse_xs_datetime(s);
        let _ = bankkey::calendar::BusinessCalendar::from_text(s);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]

    #[test]
    fn random_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        feed(&bytes);
        let mut with_seq = vec![0x30, 0x82, 0x01, 0x00];
        with_seq.extend_from_slice(&bytes);
        feed(&with_seq);
        let mut xml = b"<\xd0\x90\xd0\xba\xd0\xba>".to_vec();
        xml.extend_from_slice(&bytes);
        feed(&xml);
    }

    #[test]
    fn random_text(s in "\\PC{0,80}") {
        feed(s.as_bytes());
    }

    #[test]
    fn truncated_and_changed(sample in 0usize..8, cut in any::<prop::sample::Index>(),
                             at in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let all = samples();
        let s = &all[sample % all.len()];
        feed(&s[..cut.index(s.len() + 1)]);
        let mut changed = s.clone();
        let i = at.index(changed.len());
        changed[i] = byte;
        feed(&changed);
    }
}

#[test]
fn every_truncation_of_the_crl_is_an_error() {
    for s in samples().iter().skip(2) {
        for cut in 0..s.len() {
            assert!(Crl::from_der(&s[..cut]).is_err(), "cut at {cut}");
        }
    }
}
