//! Qualified signatures (seed 004): the accredited-CA list built from a CA we make, CRLs made
//! by `openssl ca -gencrl -engine gost` (the independent oracle), the check's every outcome,
//! and the bank's confirmation of a QES by a statement signed by the owner and the head.

mod bank_support;

use bank_support::*;
use bankkey::ErrorKind;
use bankkey::bank::crl::Crl;
use bankkey::bank::qes::{QesPolicy, UNAVAILABLE_RU, check_qualified, check_qualified_with};
use bankkey::bank::tsl::TrustedList;
use bankkey::cms::SignOptions;
use bankkey::key::Signer;
use bankkey::lifecycle::QesStatus;
use bankkey::pki::{Certificate, CertificateBuilder};
use time::{Duration, OffsetDateTime};

#[test]
fn the_list_reads_in_any_order() {
    let ca = accredited_ca("Тестовый аккредитованный УЦ");
    let date = now() - Duration::days(1);
    let xml = tsl(
        41,
        date,
        &ca.1,
        &[
            ("Прекращена", now() - Duration::days(10)),
            ("Действует", now() - Duration::days(900)),
        ],
    );
    let list = TrustedList::from_xml(xml.as_bytes()).unwrap();
    assert_eq!(list.version, 41);
    assert_eq!(list.date, Some(date));
    assert_eq!(list.cas.len(), 2);
    let c = &list.cas[1];
    assert_eq!(c.name, "ООО \"Тестовый аккредитованный УЦ\" & К°");
    assert_eq!(c.short_name.as_deref(), Some("Тестовый УЦ"));
    assert_eq!(c.inn.as_deref(), Some("7707083893"));
    assert_eq!(c.ogrn.as_deref(), Some("1027700132195"));
    assert_eq!(c.registry_number.as_deref(), Some("999"));
    assert_eq!(c.history.len(), 2);
    assert_eq!(c.status.as_ref().unwrap().status, "Действует");
    // The status in force at a date is the one with the latest ДействуетС before it.
    assert!(c.status_at(now() - Duration::days(30)).unwrap().is_active());
    assert_eq!(c.status_at(now()).unwrap().status, "Прекращена");
    assert!(c.status_at(now() - Duration::days(2000)).is_none());
    assert_eq!(c.keys.len(), 1);
    let k = &c.keys[0];
    assert_eq!(k.key_id, ca.1.subject_key_id().unwrap());
    assert_eq!(k.crl_urls, ["http://ca.example/crl.crl"]);
    assert_eq!(k.certificates.len(), 1);
    assert_eq!(k.certificates[0].certificate().unwrap(), ca.1);
    assert_eq!(k.certificates[0].not_before, Some(ca.1.not_before()));
    // Looked up by the bytes of the identifier, whatever the case of the hex.
    let upper = xml.replace(
        &hex::encode(ca.1.subject_key_id().unwrap()),
        &hex::encode_upper(ca.1.subject_key_id().unwrap()),
    );
    let list2 = TrustedList::from_xml(upper.as_bytes()).unwrap();
    assert!(list2.find_key(ca.1.subject_key_id().unwrap()).is_some());
    assert!(list2.check_not_older_than(41).is_ok());
    assert_eq!(
        list2.check_not_older_than(42).unwrap_err().kind(),
        ErrorKind::InvalidInput
    );
    // From a file, streaming.
    let dir = bank_support::common::TempDir::new("bank-tsl");
    let path = dir.write("TSLExt.xml", &xml);
    assert_eq!(TrustedList::load(&path).unwrap(), list);
}

#[test]
fn a_broken_list_is_an_error_naming_the_element() {
    let ca = accredited_ca("УЦ");
    let good = tsl(1, now(), &ca.1, &[("Действует", now() - Duration::days(9))]);
    for (xml, field) in [
        (good.replace("<Версия>1</Версия>", ""), "Версия"),
        (
            good.replace("<Версия>1</Версия>", "<Версия>один</Версия>"),
            "Версия",
        ),
        (
            good.replacen("АккредитованныеУдостоверяющиеЦентры>", "Список>", 1),
            "root",
        ),
        (good.replace("</Название>", "</Имя>"), "XML"),
        (
            good.replace("<ДействуетС>2015-01-01T00:00:00", "<ДействуетС>вчера"),
            "ДействуетС",
        ),
        (
            good.replace("00112233445566778899AABBCCDDEEFF00112233", "XYZ"),
            "ИдентификаторКлюча",
        ),
        (good[..good.len() / 2].to_string(), "XML"),
        ("<a/>".to_string(), "root"),
        (String::new(), "root"),
    ] {
        let e = TrustedList::from_xml(xml.as_bytes()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::MalformedEncoding, "{field}: {e}");
        assert_eq!(e.field(), Some(field), "{e}");
    }
}

#[test]
fn qualified_certificate_checked_against_the_list_and_an_openssl_crl() {
    let ca = accredited_ca("Тестовый аккредитованный УЦ");
    let Some(oca) = OpensslCa::new(&ca) else {
        return;
    };
    let good = qualified(&ca, &ivanov(), 30);
    let bad = qualified(&ca, &petrov(), 30);
    oca.revoke(&bad);
    let pem = oca.gencrl(7);
    let crl = Crl::from_pem(&pem).unwrap();
    let der = oca.to_der();
    assert_eq!(Crl::from_der(&der).unwrap(), crl);
    assert_eq!(crl.revoked().len(), 1);
    crl.verify_issued_by(&ca.1).unwrap();
    let list = active_list(&ca.1);
    let at = crl.this_update() + Duration::hours(1);

    let ok = check_qualified(&good, Some(&list), std::slice::from_ref(&crl), at).unwrap();
    assert_eq!(ok.ca_name, "ООО \"Тестовый аккредитованный УЦ\" & К°");
    assert_eq!(ok.ca_key_id, ca.1.subject_key_id().unwrap());
    assert_eq!(ok.ca_certificate, ca.1);
    assert_eq!(ok.list_version, 41);
    assert_eq!(ok.crl_this_update, crl.this_update());
    assert!(ok.accreditation.is_active());

    let e = check_qualified(&bad, Some(&list), std::slice::from_ref(&crl), at).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Revoked, "{e}");

    // No list, an old list, no CRL, a stale CRL, a CRL of another CA, a CRL whose signature
    // was altered: the check cannot be made, and says so.
    let unavailable = |r: bankkey::Result<_>| {
        let e = r.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::VerificationUnavailable, "{e}");
        assert!(e.message().contains(UNAVAILABLE_RU));
    };
    unavailable(check_qualified(&good, None, std::slice::from_ref(&crl), at));
    unavailable(check_qualified_with(
        &good,
        Some(&list),
        std::slice::from_ref(&crl),
        at,
        &QesPolicy {
            max_list_age: Duration::hours(1),
            ..QesPolicy::default()
        },
    ));
    unavailable(check_qualified(&good, Some(&list), &[], at));
    unavailable(check_qualified(
        &good,
        Some(&list),
        std::slice::from_ref(&crl),
        crl.next_update().unwrap() + Duration::hours(1),
    ));
    let other = accredited_ca("Другой");
    let other_crl = OpensslCa::new(&other).unwrap().gencrl(7);
    unavailable(check_qualified(
        &good,
        Some(&list),
        &[Crl::from_pem(&other_crl).unwrap()],
        at,
    ));
    let mut forged = der.clone();
    let n = forged.len();
    forged[n - 1] ^= 1;
    let forged = Crl::from_der(&forged).unwrap();
    assert_eq!(
        forged.verify_issued_by(&ca.1).unwrap_err().kind(),
        ErrorKind::BadSignature
    );
    unavailable(check_qualified(&good, Some(&list), &[forged], at));
}

#[test]
fn accreditation_on_the_issue_date() {
    let ca = accredited_ca("Тестовый аккредитованный УЦ");
    let Some(oca) = OpensslCa::new(&ca) else {
        return;
    };
    let crl = Crl::from_pem(&oca.gencrl(7)).unwrap();
    let at = crl.this_update() + Duration::minutes(5);
    let cert = qualified(&ca, &ivanov(), 30);
    let crls = std::slice::from_ref(&crl);
    let ministry = ministry();
    let list_with =
        |statuses: &[(&str, OffsetDateTime)]| ministry.read(&tsl(7, now(), &ca.1, statuses));
    // Terminated after the certificate was issued: it stays qualified.
    let later = list_with(&[
        ("Действует", now() - Duration::days(900)),
        ("Прекращена", now() - Duration::days(10)),
    ]);
    check_qualified(&cert, Some(&later), crls, at).unwrap();
    // Terminated before it was issued.
    let before = list_with(&[
        ("Действует", now() - Duration::days(900)),
        ("Прекращена", now() - Duration::days(40)),
    ]);
    let e = check_qualified(&cert, Some(&before), crls, at).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::UntrustedIssuer, "{e}");
    assert!(e.message().contains("Прекращена"), "{e}");
    // Accredited only after it was issued.
    let after = list_with(&[("Действует", now() - Duration::days(20))]);
    assert_eq!(
        check_qualified(&cert, Some(&after), crls, at)
            .unwrap_err()
            .kind(),
        ErrorKind::UntrustedIssuer
    );
}

#[test]
fn not_listed_forged_or_not_qualified() {
    let ca = accredited_ca("Тестовый аккредитованный УЦ");
    let list = active_list(&ca.1);
    let at = now();
    // Issued by a CA that is not in the list.
    let stranger = accredited_ca("Не аккредитованный УЦ");
    let e = check_qualified(&qualified(&stranger, &ivanov(), 5), Some(&list), &[], at).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::UntrustedIssuer, "{e}");
    // A CA with the same name and the same key identifier but another key: the signature
    // does not verify with the listed certificate.
    let forger_key = key();
    let forger_ca = CertificateBuilder::new(
        &ca_subject("Тестовый аккредитованный УЦ"),
        &forger_key.public_key(),
    )
    .unwrap()
    .ca(None)
    .extension(
        bankkey::pki::Extension::new(
            bankkey::pki::ExtensionValue::SubjectKeyIdentifier(
                ca.1.subject_key_id().unwrap().to_vec(),
            ),
            false,
        )
        .unwrap(),
    )
    .extension(
        bankkey::pki::Extension::new(
            bankkey::pki::ExtensionValue::AuthorityKeyIdentifier {
                key_id: Some(ca.1.subject_key_id().unwrap().to_vec()),
                serial: None,
            },
            false,
        )
        .unwrap(),
    )
    .validity(now() - Duration::days(100), now() + Duration::days(100))
    .sign(None, &forger_key)
    .unwrap();
    let forged = qualified(&(forger_key, forger_ca), &ivanov(), 5);
    assert_eq!(forged.authority_key_id(), ca.1.subject_key_id());
    let e = check_qualified(&forged, Some(&list), &[], at).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::BadSignature, "{e}");
    // The bank's own certificate (no issuerSignTool, no identificationKind) is not qualified.
    let plain = user_cert(&ca, &ivanov(), &key(), now() - Duration::days(1), 365);
    let e = check_qualified(&plain, Some(&list), &[], at).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::PreconditionFailed, "{e}");
}

#[test]
fn the_bank_confirms_a_qes_signed_by_owner_and_head() {
    let accredited = accredited_ca("Тестовый аккредитованный УЦ");
    let Some(oca) = OpensslCa::new(&accredited) else {
        return;
    };
    let crl = Crl::from_pem(&oca.gencrl(7)).unwrap();
    let crls = std::slice::from_ref(&crl);
    let at = crl.this_update() + Duration::minutes(1);
    let list = active_list(&accredited.1);
    let qes = qualified(&accredited, &ivanov(), 30);

    // The bank knows Ivanov (the owner) and Petrov (the head) by their bank certificates.
    let bank_ca = accredited_ca("Банк УЦ");
    let mut bank = bank(&bank_ca);
    let (ik, pk) = (key(), key());
    let ic = user_cert(&bank_ca, &ivanov(), &ik, now() - Duration::days(100), 365);
    let pc = user_cert(&bank_ca, &petrov(), &pk, now() - Duration::days(100), 365);
    let ivanov_id = bank
        .register_subscriber(&ic, now() - Duration::days(100))
        .unwrap();
    bank.register_subscriber(&pc, now() - Duration::days(100))
        .unwrap();

    let registered = bank.register_qes(&qes, Some(&list), crls, at).unwrap();
    assert_eq!(registered.status, QesStatus::NotConfirmed);
    assert_eq!(registered.subscriber_id, Some(ivanov_id));

    let statement = "Заявление о подтверждении использования ЭП".as_bytes();
    let sign = |signers: &[(&dyn Signer, &Certificate)], content: &[u8]| {
        bankkey::cms::sign(
            content,
            signers,
            &SignOptions {
                detached: true,
                signing_time: Some(at),
                ..SignOptions::default()
            },
        )
        .unwrap()
    };
    // The owner alone is not enough.
    let alone = sign(&[(&ik, &ic)], statement);
    let e = bank
        .confirm_qes(&qes, statement, &alone, Some(&list), crls, at)
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::PreconditionFailed, "{e}");
    // A head the bank does not know, from a CA it does not trust.
    let stranger_ca = accredited_ca("Чужой УЦ");
    let sk = key();
    let sc = user_cert(
        &stranger_ca,
        &petrov(),
        &sk,
        now() - Duration::days(10),
        365,
    );
    let untrusted = sign(&[(&ik, &ic), (&sk, &sc)], statement);
    let e = bank
        .confirm_qes(&qes, statement, &untrusted, Some(&list), crls, at)
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::UntrustedIssuer, "{e}");
    // Both sign, but another text is presented.
    let both = sign(&[(&ik, &ic), (&pk, &pc)], statement);
    let e = bank
        .confirm_qes(&qes, b"another text", &both, Some(&list), crls, at)
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ContentAltered, "{e}");
    // Without the list the bank cannot confirm.
    let e = bank
        .confirm_qes(&qes, statement, &both, None, crls, at)
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::VerificationUnavailable);
    assert_eq!(
        bank.registry().qes(&qes).unwrap().unwrap().status,
        QesStatus::NotConfirmed
    );
    // Owner and head.
    let done = bank
        .confirm_qes(&qes, statement, &both, Some(&list), crls, at)
        .unwrap();
    assert_eq!(done.status, QesStatus::Confirmed);
    let loaded = done.loaded_not_before.unwrap();
    assert_eq!(loaded, bank.calendar().qes_loaded_not_before(at).unwrap());
    let msk = loaded.to_offset(bankkey::calendar::MOSCOW);
    assert_eq!((msk.hour(), msk.minute()), (12, 0));
    assert!(bank.calendar().is_business_day(msk.date()));
    assert!(loaded > at);
    let whats: Vec<(Option<String>, Option<String>)> = bank
        .history("11223344595")
        .unwrap()
        .into_iter()
        .filter(|e| e.what == "qes_status")
        .map(|e| (e.from, e.to))
        .collect();
    assert_eq!(
        whats,
        [
            (None, Some("not_confirmed".into())),
            (Some("not_confirmed".into()), Some("confirmed".into()))
        ]
    );
}

#[test]
fn a_crl_from_our_own_builder_with_fixed_times() {
    // No oracle needed: pki's CrlBuilder, times chosen by the test.
    let ca = accredited_ca("Тестовый аккредитованный УЦ");
    let good = qualified(&ca, &ivanov(), 30);
    let bad = qualified(&ca, &petrov(), 30);
    let this = now() - Duration::days(1);
    let der = bankkey::pki::CrlBuilder::new(this, this + Duration::days(3), 7)
        .revoke(bad.serial(), this - Duration::hours(2), None)
        .sign(&ca.1, &ca.0)
        .unwrap();
    let crl = Crl::from_der(&der).unwrap();
    assert_eq!(crl.this_update(), this);
    assert_eq!(crl.authority_key_id(), ca.1.subject_key_id());
    assert_eq!(
        crl.revocation_of(bad.serial()),
        Some(this - Duration::hours(2))
    );
    assert_eq!(crl.revocation_of(good.serial()), None);
    let list = active_list(&ca.1);
    let crls = std::slice::from_ref(&crl);
    check_qualified(&good, Some(&list), crls, now()).unwrap();
    assert_eq!(
        check_qualified(&bad, Some(&list), crls, now())
            .unwrap_err()
            .kind(),
        ErrorKind::Revoked
    );
    // Before thisUpdate and after nextUpdate the CRL says nothing.
    for at in [
        this - Duration::minutes(1),
        this + Duration::days(3) + Duration::seconds(1),
    ] {
        assert!(!crl.is_fresh_at(at));
        assert_eq!(
            check_qualified(&good, Some(&list), crls, at)
                .unwrap_err()
                .kind(),
            ErrorKind::VerificationUnavailable
        );
    }
    // Signed by another CA under the same name: not this CA's CRL.
    let impostor = accredited_ca("Тестовый аккредитованный УЦ");
    let der = bankkey::pki::CrlBuilder::new(this, this + Duration::days(3), 8)
        .sign(&impostor.1, &impostor.0)
        .unwrap();
    let other = Crl::from_der(&der).unwrap();
    assert_eq!(
        other.verify_issued_by(&ca.1).unwrap_err().kind(),
        ErrorKind::WrongIssuer
    );
}

#[test]
fn a_list_dated_near_the_year_9999_is_checked_without_overflow() {
    // Issue 13 defect 1: adding the maximum age to this date overflowed (a panic in the host).
    let ca = accredited_ca("Тестовый аккредитованный УЦ");
    let good = qualified(&ca, &ivanov(), 30);
    let crls = [fresh_crl(&ca)];
    let end = time::macros::datetime!(9999-12-30 00:00 UTC);
    let xml = tsl(
        41,
        end,
        &ca.1,
        &[("Действует", now() - Duration::days(900))],
    );
    let list = ministry().read(&xml);
    assert_eq!(list.date, Some(end));
    // A list dated after the check is not stale (a check at a past moment uses today's list).
    check_qualified(&good, Some(&list), &crls, now()).unwrap();
    // Nor does a maximum age past the end of time overflow.
    let endless = QesPolicy {
        max_list_age: Duration::MAX,
        ..QesPolicy::default()
    };
    check_qualified_with(&good, Some(&active_list(&ca.1)), &crls, now(), &endless).unwrap();
    // A date whose UTC instant lies past the year 9999 is refused as the list is read.
    let beyond = xml.replace(&xs(end), "9999-12-31T23:59:59-23:59");
    let e = TrustedList::from_xml(beyond.as_bytes()).unwrap_err();
    assert_eq!(
        (e.kind(), e.field()),
        (ErrorKind::MalformedEncoding, Some("Дата"))
    );
}
