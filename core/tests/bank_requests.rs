//! The bank receives, verifies and issues: both flows end to end, and every rejection reason
//! produced by a real forged or altered input.

mod bank_support;

use bank_support::*;
use bankkey::bank::{AlgorithmPolicy, Bank, RejectReason, VerifyPolicy};
use bankkey::cms::SignOptions;
use bankkey::key::{KeyAlgorithm, Signer, SoftwareKey};
use bankkey::lifecycle::{Flow, RequestStatus};
use bankkey::oid;
use bankkey::pki::{Certificate, KeyUsageBit, SignToolClass};
use bankkey::subject::AttributeType as A;
use bankkey::{Error, ErrorKind};
use der::{Decode, Encode};
use time::Duration;
use x509_cert::builder::Builder;

/// A bank with Ivanov registered (current certificate from 300 days ago, valid 365 days).
fn with_ivanov() -> (Bank, SoftwareKey, Certificate, (SoftwareKey, Certificate)) {
    let ca = make_ca("Банк УЦ");
    let mut bank = bank(&ca);
    let old_key = key();
    let cert = user_cert(&ca, &ivanov(), &old_key, t0() - Duration::days(300), 365);
    bank.register_subscriber(&cert, t0() - Duration::days(300))
        .unwrap();
    (bank, old_key, cert, ca)
}

fn signed(
    req_subject: &bankkey::subject::Subject,
    new: &SoftwareKey,
    old: &SoftwareKey,
    cert: &Certificate,
) -> Vec<u8> {
    signed_at(req_subject, new, old, cert, t0() - Duration::minutes(1))
}

fn signed_at(
    req_subject: &bankkey::subject::Subject,
    new: &SoftwareKey,
    old: &SoftwareKey,
    cert: &Certificate,
    at: time::OffsetDateTime,
) -> Vec<u8> {
    let req = request(req_subject, new);
    bankkey::cms::sign(
        req.der(),
        &[(old as &dyn Signer, cert)],
        &SignOptions {
            signing_time: Some(at),
            ..SignOptions::default()
        },
    )
    .unwrap()
}

fn rejected(bank: &mut Bank, flow: Flow, bytes: &[u8]) -> bankkey::bank::Rejection {
    let r = bank.receive(flow, bytes, t0()).unwrap();
    assert_eq!(r.status, RequestStatus::Rejected, "{r:?}");
    let rec = bank.request(&r.request_id).unwrap();
    assert_eq!(rec.status, RequestStatus::Rejected);
    assert_eq!(rec.rejection, r.rejection);
    r.rejection.expect("a rejection has its reason")
}

#[test]
fn remote_flow_end_to_end() {
    let (mut bank, old_key, old_cert, ca) = with_ivanov();
    let new_key = key();
    let bytes = signed(&ivanov(), &new_key, &old_key, &old_cert);
    let r = bank.receive(Flow::Remote, &bytes, t0()).unwrap();
    assert_eq!(r.status, RequestStatus::AcceptedByBank, "{:?}", r.rejection);
    assert_eq!(r.paper_check_by, None);
    // The same bytes again: the same request, nothing recorded twice.
    let again = bank.receive(Flow::Remote, &bytes, t0()).unwrap();
    assert_eq!(again, r);

    let cert = bank.issue(&r.request_id, t0()).unwrap();
    assert!(cert.holds_key(&new_key.public_key()));
    cert.verify_issued_by(&ca.1).unwrap();
    assert_eq!(cert.subject(), old_cert.subject());
    assert_eq!(cert.not_after() - cert.not_before(), Duration::days(365));
    assert_eq!(cert.not_before(), t0());
    assert_eq!(cert.serial().len(), 16);
    assert!(cert.serial()[0] & 0x80 == 0 && cert.serial()[0] != 0);
    assert_eq!(
        cert.key_usage().unwrap(),
        &[KeyUsageBit::DigitalSignature, KeyUsageBit::NonRepudiation]
    );
    assert_eq!(
        cert.extended_key_usage().unwrap(),
        &[oid::KP_CLIENT_AUTH, oid::KP_EMAIL_PROTECTION]
    );
    assert_eq!(cert.sign_tool_classes(), vec![SignToolClass::Kc1]);
    assert_eq!(
        cert.subject_sign_tool(),
        Some("СКЗИ «КриптоПро CSP» (версия 5.0)")
    );
    assert_eq!(cert.issuer_sign_tool(), Some(&issuer_tool()));
    assert_eq!(
        cert.subject_key_id(),
        Some(&new_key.public_key().key_id()[..])
    );
    assert_eq!(cert.authority_key_id(), ca.1.subject_key_id());
    assert_eq!(
        bank.request(&r.request_id).unwrap().status,
        RequestStatus::CertificateIssued
    );
    // Issuing twice is a wrong state.
    assert_eq!(
        bank.issue(&r.request_id, t0()).unwrap_err().kind(),
        ErrorKind::WrongState
    );

    // The new certificate is current, the old one superseded.
    let sub = bank
        .registry()
        .certificate_record(&cert)
        .unwrap()
        .unwrap()
        .subscriber_id;
    assert_eq!(
        bank.registry().current_certificate(sub).unwrap(),
        Some(cert.clone())
    );
    let all = bank.registry().certificates(sub).unwrap();
    assert_eq!(all.len(), 2);
    assert!(!all[0].current && all[1].current);

    // The history tells the whole story.
    let statuses: Vec<_> = bank
        .request_history(&r.request_id)
        .unwrap()
        .into_iter()
        .map(|e| (e.from, e.to))
        .collect();
    assert_eq!(
        statuses,
        vec![
            (None, Some("sent".into())),
            (Some("sent".into()), Some("accepted_by_bank".into())),
            (
                Some("accepted_by_bank".into()),
                Some("certificate_issued".into())
            ),
        ]
    );
    let whats: Vec<String> = bank
        .history("11223344595")
        .unwrap()
        .into_iter()
        .map(|e| e.what)
        .collect();
    assert_eq!(
        whats,
        [
            "subscriber_registered",
            "certificate_registered",
            "request_status",
            "request_status",
            "certificate_superseded",
            "certificate_registered",
            "request_status"
        ]
    );
    // By key id, too.
    let by_key = bank
        .history(&hex::encode(new_key.public_key().key_id()))
        .unwrap();
    assert_eq!(by_key.len(), whats.len());

    // Now the old certificate signs no more.
    let again = signed(&ivanov(), &key(), &old_key, &old_cert);
    let rej = rejected(&mut bank, Flow::Remote, &again);
    assert_eq!(rej.reason, RejectReason::SignerNotCurrent);
    assert!(rej.detail.contains("superseded"), "{}", rej.detail);
}

#[test]
fn paper_flow_for_a_new_client() {
    let ca = make_ca("Банк УЦ");
    let mut bank = bank(&ca);
    let sub = bank.preregister(&petrov(), t0()).unwrap();
    assert!(bank.registry().subscriber(sub).unwrap().preregistered);
    let k = key();
    let req = request(&petrov(), &k);
    // Friday evening in Moscow: checked by Monday.
    let friday = time::macros::datetime!(2026-11-27 17:00 UTC);
    let r = bank
        .receive(Flow::PaperActs, req.to_pem().as_bytes(), friday)
        .unwrap();
    assert_eq!(
        r.status,
        RequestStatus::AwaitingPaperDocuments,
        "{:?}",
        r.rejection
    );
    assert_eq!(r.paper_check_by, Some(time::macros::date!(2026 - 11 - 30)));
    let waiting = bank.awaiting_paper().unwrap();
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0].request_id, r.request_id);
    assert_eq!(waiting[0].name.as_deref(), Some("Петров Пётр"));
    assert_eq!(waiting[0].paper_check_by, r.paper_check_by);

    // No certificate before the act.
    let e = bank.issue(&r.request_id, t0()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::PreconditionFailed);
    let ok = bank
        .paper_act_received(&r.request_id, Ok(()), t0())
        .unwrap();
    assert_eq!(ok.status, RequestStatus::AwaitingPaperDocuments);
    assert!(bank.awaiting_paper().unwrap().is_empty());
    assert_eq!(
        bank.paper_act_received(&r.request_id, Ok(()), t0())
            .unwrap_err()
            .kind(),
        ErrorKind::WrongState
    );
    let cert = bank.issue(&r.request_id, t0()).unwrap();
    assert!(cert.holds_key(&k.public_key()));
    assert!(!bank.registry().subscriber(sub).unwrap().preregistered);
    assert_eq!(
        bank.registry().current_certificate(sub).unwrap(),
        Some(cert)
    );
    let tos: Vec<_> = bank
        .request_history(&r.request_id)
        .unwrap()
        .into_iter()
        .map(|e| (e.what, e.to.unwrap_or_default()))
        .collect();
    assert_eq!(
        tos,
        [
            ("request_status".to_string(), "sent".to_string()),
            ("request_status".into(), "accepted_by_bank".into()),
            ("request_status".into(), "awaiting_paper_documents".into()),
            ("paper_act".into(), "awaiting_paper_documents".into()),
            ("request_status".into(), "certificate_issued".into()),
        ]
    );
}

#[test]
fn expiring_within_lists_current_certificates_only() {
    let (mut bank, old_key, old_cert, _ca) = with_ivanov();
    // Ivanov's certificate ends 65 days after t0.
    assert!(bank.expiring_within(30, t0()).unwrap().is_empty());
    let list = bank.expiring_within(65, t0()).unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].days_left, 65);
    assert_eq!(list[0].serial, old_cert.serial_hex());
    assert_eq!(list[0].name.as_deref(), Some("Иванов Иван"));
    // After replacement the old one is not listed, the new one (365 days) is not due.
    let r = bank
        .receive(
            Flow::Remote,
            &signed(&ivanov(), &key(), &old_key, &old_cert),
            t0(),
        )
        .unwrap();
    bank.issue(&r.request_id, t0()).unwrap();
    assert!(bank.expiring_within(65, t0()).unwrap().is_empty());
    assert_eq!(bank.expiring_within(365, t0()).unwrap().len(), 1);
}

#[test]
fn bounds_past_the_end_of_time_do_not_overflow() {
    // Issue 13 defect 1: every bound the host or a document sets is added checked.
    let (bank, old_key, old_cert, _ca) = with_ivanov();
    assert_eq!(bank.expiring_within(u32::MAX, t0()).unwrap().len(), 1);
    let mut bank = bank
        .with_policy(VerifyPolicy {
            max_signing_age: Duration::MAX,
            max_clock_skew: Duration::MAX,
            ..VerifyPolicy::default()
        })
        .with_profile(bankkey::bank::Profile {
            validity_days: u32::MAX,
            ..bankkey::bank::Profile::default()
        });
    let bytes = signed(&ivanov(), &key(), &old_key, &old_cert);
    let r = bank.receive(Flow::Remote, &bytes, t0()).unwrap();
    assert_eq!(r.status, RequestStatus::AcceptedByBank, "{:?}", r.rejection);
    let e = bank.issue(&r.request_id, t0()).unwrap_err();
    assert_eq!(
        (e.kind(), e.field()),
        (ErrorKind::InvalidInput, Some("validity_days"))
    );
    assert_eq!(
        bank.request(&r.request_id).unwrap().status,
        RequestStatus::AcceptedByBank
    );
}

#[test]
fn malformed_bytes() {
    let (mut bank, old_key, old_cert, _) = with_ivanov();
    assert_eq!(
        rejected(&mut bank, Flow::PaperActs, b"not a request").reason,
        RejectReason::Malformed
    );
    let mut cms = signed(&ivanov(), &key(), &old_key, &old_cert);
    cms.truncate(cms.len() - 10);
    assert_eq!(
        rejected(&mut bank, Flow::Remote, &cms).reason,
        RejectReason::Malformed
    );
    // A PKCS#10 sent as a remote request is malformed for that flow.
    let req = request(&ivanov(), &key());
    assert_eq!(
        rejected(&mut bank, Flow::Remote, req.der()).reason,
        RejectReason::Malformed
    );
}

#[test]
fn altered_request_signature() {
    let (mut bank, _, _, _) = with_ivanov();
    let mut der = request(&ivanov(), &key()).to_der();
    let n = der.len();
    der[n - 5] ^= 0x01;
    let rej = rejected(&mut bank, Flow::PaperActs, &der);
    assert_eq!(rej.reason, RejectReason::BadRequestSignature);
    let e: Error = rej.into();
    assert_eq!(e.kind(), ErrorKind::BadSignature);
}

#[test]
fn ill_formed_subject() {
    // A request signed correctly over a subject that breaks the rules (no SNILS, no OGRN),
    // built with x509-cert's own builder since ours refuses to.
    let (mut bank, _, _, _) = with_ivanov();
    let k = key();
    let name = "CN=Иванов Иван,O=ООО Ромашка,C=RU"
        .parse::<x509_cert::name::Name>()
        .unwrap();
    let der = x509_cert::request::RequestBuilder::new(name)
        .unwrap()
        .build::<_, bankkey::key::SignatureBytes>(&bankkey::key::RustCryptoSigner::new(&k))
        .unwrap()
        .to_der()
        .unwrap();
    let rej = rejected(&mut bank, Flow::PaperActs, &der);
    assert_eq!(rej.reason, RejectReason::SubjectInvalid, "{rej}");
    assert!(rej.field.is_some());
}

#[test]
fn unknown_subscriber_on_paper() {
    let (mut bank, _, _, _) = with_ivanov();
    let rej = rejected(&mut bank, Flow::PaperActs, request(&petrov(), &key()).der());
    assert_eq!(rej.reason, RejectReason::UnknownSubscriber);
    assert!(rej.detail.contains("12345678964"), "{}", rej.detail);
}

#[test]
fn altered_cms_signature_and_content() {
    let (mut bank, old_key, old_cert, _) = with_ivanov();
    let mut cms = signed(&ivanov(), &key(), &old_key, &old_cert);
    let n = cms.len();
    cms[n - 1] ^= 0x01; // the last byte of the signature value
    let rej = rejected(&mut bank, Flow::Remote, &cms);
    assert_eq!(rej.reason, RejectReason::BadCmsSignature, "{rej}");
    // An altered byte inside the carried request: the digest no longer matches.
    let cms = signed(&ivanov(), &key(), &old_key, &old_cert);
    let sd = bankkey::cms::SignedData::from_der(&cms).unwrap();
    let content = sd.content().unwrap().to_vec();
    let pos = cms
        .windows(content.len())
        .position(|w| w == content.as_slice())
        .unwrap();
    let mut altered = cms.clone();
    altered[pos + content.len() / 2] ^= 0x40;
    let rej = rejected(&mut bank, Flow::Remote, &altered);
    assert_eq!(rej.reason, RejectReason::BadCmsSignature, "{rej}");
}

#[test]
fn signer_certificate_left_out() {
    let (mut bank, old_key, old_cert, _) = with_ivanov();
    let cms = signed(&ivanov(), &key(), &old_key, &old_cert);
    let mut ci = cms::content_info::ContentInfo::from_der(&cms).unwrap();
    let mut sd: cms::signed_data::SignedData = ci.content.decode_as().unwrap();
    sd.certificates = None;
    ci.content = der::Any::encode_from(&sd).unwrap();
    let stripped = ci.to_der().unwrap();
    let rej = rejected(&mut bank, Flow::Remote, &stripped);
    assert_eq!(rej.reason, RejectReason::SignerCertificateMissing, "{rej}");
}

#[test]
fn signer_from_another_ca() {
    let (mut bank, _, _, _) = with_ivanov();
    let other = make_ca("Чужой УЦ");
    let k = key();
    let cert = user_cert(&other, &petrov(), &k, t0() - Duration::days(10), 365);
    // Registered with the bank (say, by mistake), but it does not chain to the bank's root.
    bank.register_subscriber(&cert, t0() - Duration::days(10))
        .unwrap();
    let rej = rejected(
        &mut bank,
        Flow::Remote,
        &signed(&petrov(), &key(), &k, &cert),
    );
    assert_eq!(rej.reason, RejectReason::SignerUntrusted, "{rej}");
    assert_eq!(Error::from(rej).kind(), ErrorKind::UntrustedIssuer);
}

#[test]
fn signer_expired_at_signing_time() {
    let ca = make_ca("Банк УЦ");
    let mut bank = bank(&ca);
    let k = key();
    // Expired an hour before t0; the request is signed 30 minutes before t0.
    let from = t0() - Duration::days(365) - Duration::hours(1);
    let cert = user_cert(&ca, &ivanov(), &k, from, 365);
    bank.register_subscriber(&cert, from).unwrap();
    let bytes = signed_at(&ivanov(), &key(), &k, &cert, t0() - Duration::minutes(30));
    let rej = rejected(&mut bank, Flow::Remote, &bytes);
    assert_eq!(rej.reason, RejectReason::SignerExpired, "{rej}");
    assert_eq!(Error::from(rej).kind(), ErrorKind::Expired);
}

#[test]
fn signing_time_missing_or_implausible() {
    let (mut bank, old_key, old_cert, _) = with_ivanov();
    // Signed "two days ago" (backdated beyond the policy's one day).
    let old = signed_at(
        &ivanov(),
        &key(),
        &old_key,
        &old_cert,
        t0() - Duration::days(2),
    );
    let rej = rejected(&mut bank, Flow::Remote, &old);
    assert_eq!(rej.reason, RejectReason::SigningTimeInvalid);
    assert_eq!(rej.field.as_deref(), Some("signingTime"));
    // Signed "tomorrow".
    let future = signed_at(
        &ivanov(),
        &key(),
        &old_key,
        &old_cert,
        t0() + Duration::days(1),
    );
    assert_eq!(
        rejected(&mut bank, Flow::Remote, &future).reason,
        RejectReason::SigningTimeInvalid
    );
}

#[test]
fn signer_not_registered() {
    let (mut bank, _, _, ca) = with_ivanov();
    // Issued by the bank's CA but never registered as anybody's current certificate.
    let k = key();
    let cert = user_cert(&ca, &petrov(), &k, t0() - Duration::days(10), 365);
    let rej = rejected(
        &mut bank,
        Flow::Remote,
        &signed(&petrov(), &key(), &k, &cert),
    );
    assert_eq!(rej.reason, RejectReason::SignerNotCurrent);
    assert!(rej.detail.contains("not registered"), "{}", rej.detail);
}

#[test]
fn identity_changed_names_the_field() {
    let (mut bank, old_key, old_cert, _) = with_ivanov();
    let cases = [
        (
            employee("Иванов Иван", "11223344595", "7736050003", "1027700132195"),
            "INNLE",
        ),
        (
            employee("Иванов Иван", "12345678964", "7707083893", "1027700132195"),
            "SNILS",
        ),
        (
            employee("Иванов Иван", "11223344595", "7707083893", "1027700070518"),
            "OGRN",
        ),
        (
            employee(
                "Иванова Ивана",
                "11223344595",
                "7707083893",
                "1027700132195",
            ),
            "CN",
        ),
        (ivanov().with(A::Inn, "500100732259"), "INN"),
    ];
    for (subject, field) in cases {
        let rej = rejected(
            &mut bank,
            Flow::Remote,
            &signed(&subject, &key(), &old_key, &old_cert),
        );
        assert_eq!(rej.reason, RejectReason::IdentityChanged, "{field}: {rej}");
        assert_eq!(rej.field.as_deref(), Some(field), "{rej}");
        let e = Error::from(rej);
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
        assert_eq!(e.field(), Some(field));
    }
}

#[test]
fn same_key_as_old() {
    let (mut bank, old_key, old_cert, _) = with_ivanov();
    let rej = rejected(
        &mut bank,
        Flow::Remote,
        &signed(&ivanov(), &old_key, &old_key, &old_cert),
    );
    assert_eq!(rej.reason, RejectReason::KeySameAsOld, "{rej}");
    // On paper too.
    let rej = rejected(
        &mut bank,
        Flow::PaperActs,
        request(&ivanov(), &old_key).der(),
    );
    assert_eq!(rej.reason, RejectReason::KeySameAsOld, "{rej}");
}

#[test]
fn key_registered_before() {
    let (mut bank, old_key, old_cert, ca) = with_ivanov();
    // Petrov's key, registered with the bank, requested by Ivanov.
    let petrov_key = key();
    let petrov_cert = user_cert(&ca, &petrov(), &petrov_key, t0() - Duration::days(5), 365);
    bank.register_subscriber(&petrov_cert, t0() - Duration::days(5))
        .unwrap();
    let rej = rejected(
        &mut bank,
        Flow::Remote,
        &signed(&ivanov(), &petrov_key, &old_key, &old_cert),
    );
    assert_eq!(rej.reason, RejectReason::KeyAlreadyRegistered, "{rej}");
    // A key accepted in one request cannot be requested again in another.
    let k = key();
    let first = bank
        .receive(
            Flow::Remote,
            &signed(&ivanov(), &k, &old_key, &old_cert),
            t0(),
        )
        .unwrap();
    assert_eq!(first.status, RequestStatus::AcceptedByBank);
    let second = signed_at(
        &ivanov(),
        &k,
        &old_key,
        &old_cert,
        t0() - Duration::minutes(2),
    );
    assert_eq!(
        rejected(&mut bank, Flow::Remote, &second).reason,
        RejectReason::KeyAlreadyRegistered
    );
}

#[test]
fn algorithm_policy() {
    let (bank0, old_key, old_cert, _) = with_ivanov();
    let mut bank = bank0;
    let rsa = SoftwareKey::generate(KeyAlgorithm::Rsa { bits: 2048 }).unwrap();
    let bytes = signed(&ivanov(), &rsa, &old_key, &old_cert);
    let rej = rejected(&mut bank, Flow::Remote, &bytes);
    assert_eq!(rej.reason, RejectReason::AlgorithmNotAllowed, "{rej}");
    assert_eq!(Error::from(rej).kind(), ErrorKind::UnsupportedAlgorithm);
    // RSA 2048 passes a policy that allows it, not one that wants 3072 bits.
    let strict = AlgorithmPolicy {
        rsa_min_bits: Some(3072),
        ..AlgorithmPolicy::any_strong()
    };
    assert!(strict.check(rsa.algorithm()).is_err());
    assert!(AlgorithmPolicy::any_strong().check(rsa.algorithm()).is_ok());
    let mut bank = bank.with_policy(VerifyPolicy {
        algorithms: AlgorithmPolicy::any_strong(),
        ..VerifyPolicy::default()
    });
    let bytes = signed_at(
        &ivanov(),
        &rsa,
        &old_key,
        &old_cert,
        t0() - Duration::minutes(3),
    );
    let r = bank.receive(Flow::Remote, &bytes, t0()).unwrap();
    assert_eq!(r.status, RequestStatus::AcceptedByBank, "{:?}", r.rejection);
    // 512-bit GOST can be refused too.
    let only256 = AlgorithmPolicy {
        gost_512: false,
        ..AlgorithmPolicy::gost_only()
    };
    assert!(
        only256
            .check(KeyAlgorithm::Gost(bankkey::gost::ParamSet::Tc26_512A))
            .is_err()
    );
    assert!(only256.check(GOST).is_ok());
}

#[test]
fn paper_act_mismatch_and_operator_refusal() {
    let ca = make_ca("Банк УЦ");
    let mut bank = bank(&ca);
    bank.preregister(&petrov(), t0()).unwrap();
    let r = bank
        .receive(Flow::PaperActs, request(&petrov(), &key()).der(), t0())
        .unwrap();
    let act = Err(
        Error::new(ErrorKind::KeyMismatch, "the act shows another key").with_field("public_key"),
    );
    let out = bank.paper_act_received(&r.request_id, act, t0()).unwrap();
    assert_eq!(out.status, RequestStatus::Rejected);
    let rej = out.rejection.unwrap();
    assert_eq!(rej.reason, RejectReason::PaperActMismatch);
    assert_eq!(rej.field.as_deref(), Some("public_key"));
    assert_eq!(
        bank.issue(&r.request_id, t0()).unwrap_err().kind(),
        ErrorKind::WrongState
    );

    let r2 = bank
        .receive(Flow::PaperActs, request(&petrov(), &key()).der(), t0())
        .unwrap();
    assert_eq!(r2.status, RequestStatus::AwaitingPaperDocuments);
    let out = bank
        .reject(&r2.request_id, "documents not provided", t0())
        .unwrap();
    assert_eq!(
        out.rejection.unwrap().reason,
        RejectReason::RefusedByOperator
    );
    assert_eq!(
        bank.reject(&r2.request_id, "again", t0())
            .unwrap_err()
            .kind(),
        ErrorKind::WrongState
    );
}

#[test]
fn reasons_have_distinct_names_and_words() {
    let mut names = std::collections::HashSet::new();
    let mut ru = std::collections::HashSet::new();
    for r in RejectReason::ALL {
        assert!(names.insert(r.as_str()), "{r}");
        assert!(ru.insert(r.ru()), "{r}");
        assert!(!r.en().is_empty());
        assert_eq!(RejectReason::parse(r.as_str()).unwrap(), r);
    }
    assert_eq!(
        RejectReason::parse("nope").unwrap_err().kind(),
        ErrorKind::InvalidInput
    );
}

#[test]
fn bank_refuses_a_signer_without_the_ca_key() {
    let ca = make_ca("Банк УЦ");
    let e = Bank::new(
        bankkey::bank::Registry::in_memory().unwrap(),
        ca.1.clone(),
        Box::new(key()),
    )
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::KeyMismatch);
}

#[test]
fn issued_certificate_passes_openssl_verify() {
    let Some(openssl) = bank_support::common::openssl() else {
        return;
    };
    let (mut bank, old_key, old_cert, ca) = with_ivanov();
    let r = bank
        .receive(
            Flow::Remote,
            &signed(&ivanov(), &key(), &old_key, &old_cert),
            t0(),
        )
        .unwrap();
    let cert = bank.issue(&r.request_id, t0()).unwrap();
    let dir = bank_support::common::TempDir::new("bank-issued");
    let ca_pem = dir.write("ca.pem", ca.1.to_pem());
    let cert_pem = dir.write("cert.pem", cert.to_pem());
    let at = (t0() + Duration::hours(1)).unix_timestamp().to_string();
    let out = openssl.try_run(&[
        "verify", "-engine", "gost", "-attime", &at, "-CAfile", &ca_pem, &cert_pem,
    ]);
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && text.contains(": OK"),
        "openssl verify: {text}"
    );
    // The same certificate with one byte of its signature changed is refused.
    let mut der = cert.to_der();
    let n = der.len();
    der[n - 1] ^= 1;
    let bad_pem = dir.write("bad.pem", bankkey::pki::pem::encode("CERTIFICATE", &der));
    let out = openssl.try_run(&[
        "verify", "-engine", "gost", "-attime", &at, "-CAfile", &ca_pem, &bad_pem,
    ]);
    assert!(
        !out.status.success(),
        "an altered certificate must not verify"
    );
}

#[test]
fn an_old_certificate_with_the_legacy_inn_renews_with_innle() {
    // Before приказ ФСБ № 31 the entity's INN went into the INN attribute as "00" + 10 digits;
    // the new request writes it as INNLE: the same identity.
    let ca = make_ca("Банк УЦ");
    let mut bank = bank(&ca);
    let old_key = key();
    let legacy = bankkey::subject::Subject::new()
        .with(A::CommonName, "Иванов Иван")
        .with(A::Surname, "Иванов")
        .with(A::GivenName, "Иван Иванович")
        .with(A::Title, "Генеральный директор")
        .with(A::Organization, "ООО «Ромашка»")
        .with(A::Locality, "г. Москва")
        .with(A::State, "77 г. Москва")
        .with(A::Country, "RU")
        .with(A::Inn, "007707083893")
        .with(A::Ogrn, "1027700132195")
        .with(A::Snils, "11223344595");
    let from = t0() - Duration::days(300);
    let old_cert = bankkey::pki::CertificateBuilder::new(&legacy, &old_key.public_key())
        .unwrap()
        .validity(from, from + Duration::days(365))
        .sign(Some(&ca.1), &ca.0)
        .unwrap();
    assert_eq!(old_cert.subject().get(&A::Inn), Some("007707083893"));
    bank.register_subscriber(&old_cert, from).unwrap();
    let r = bank
        .receive(
            Flow::Remote,
            &signed(&ivanov(), &key(), &old_key, &old_cert),
            t0(),
        )
        .unwrap();
    assert_eq!(r.status, RequestStatus::AcceptedByBank, "{:?}", r.rejection);
}
