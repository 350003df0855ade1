//! The documents as data and text: built from real requests and certificates for a legal
//! entity, an entrepreneur and a natural person with GOST-256, GOST-512 and RSA keys; the
//! bank's act↔request check with really altered requests; the key read back from text; the
//! QES statement signed by two signers; hostile and odd input.

mod common;

use bankkey::ErrorKind;
use bankkey::cms::{self, SignOptions, SignedData};
use bankkey::documents::{
    Act, CertificateApplication, DocumentDetails, Person, QesStatement, key_from_text,
    parse_key_hex,
};
use bankkey::key::{KeyAlgorithm, SoftwareKey};
use bankkey::pki::CertificateRequest;
use bankkey::subject::{AttributeType as A, Subject};
use common::documents::{
    KINDS, algorithms, at, ca, details, issue, issue_with_serial, request, subject,
};

/// The subject with one attribute's value replaced.
fn with_changed(s: &Subject, kind: &A, value: &str) -> Subject {
    let mut out = Subject::new();
    for a in s.attributes() {
        out.push(
            a.kind.clone(),
            if &a.kind == kind { value } else { &a.value },
        );
    }
    out
}

fn key_bits(req: &CertificateRequest) -> Vec<u8> {
    req.key_info().key_bits.clone()
}

fn assert_width(text: &str, what: &str) {
    for l in text.lines() {
        assert!(
            l.chars().count() <= 80,
            "{what}: {} chars: {l}",
            l.chars().count()
        );
    }
}

#[test]
fn acts_and_applications_for_every_kind_and_algorithm() {
    for alg in algorithms() {
        let key = SoftwareKey::generate(alg).unwrap();
        for kind in KINDS {
            let tag = format!("{kind}/{}", alg.name());
            let req = request(subject(kind), &key);
            let act = Act::from_request(&req, &details()).unwrap();
            act.matches(&req).unwrap();
            let text = act.to_text();
            assert_width(&text, &tag);

            // The key bytes printed are the subjectPublicKey's, and read back from the text.
            assert_eq!(act.key.public_key, key_bits(&req), "{tag}");
            assert_eq!(key_from_text(&text).unwrap(), key_bits(&req), "{tag}");
            Act::check_key_text(&text, &req).unwrap();
            assert_eq!(act.key.key_id, key.public_key().key_id().to_vec());

            // What the act says, in Russian.
            assert!(
                text.contains("АКТ ПРИЗНАНИЯ ОТКРЫТОГО КЛЮЧА (СЕРТИФИКАТА)"),
                "{tag}"
            );
            assert!(text.contains("30 ноября 2026 г."), "{tag}");
            assert!(text.contains("АО «Тестовый Банк»"), "{tag}");
            assert!(text.contains("СКЗИ «КриптоПро CSP» (версия 5.0)"), "{tag}");
            assert!(text.contains(&alg.key_oid().to_string()), "{tag}");
            assert!(
                text.contains("500100732259") || kind == "legal-entity",
                "{tag}"
            );
            assert!(text.contains("112-233-445 95"), "{tag}: SNILS as written");
            match alg {
                KeyAlgorithm::Gost(ps) => {
                    assert!(text.contains(&ps.oid().to_string()), "{tag}");
                    assert!(text.contains("ГОСТ Р 34.10-2012"), "{tag}");
                }
                _ => assert!(text.contains("RSA, 2048 бит"), "{tag}"),
            }
            match kind {
                "legal-entity" => {
                    assert!(text.contains("юридическое лицо"), "{tag}");
                    assert!(text.contains("ООО «Ромашка»"));
                    assert!(text.contains("7707083893") && text.contains("1027700132195"));
                    assert!(text.contains("773601001"), "{tag}: KPP from the details");
                    assert!(text.contains("Главный бухгалтер"));
                    assert!(text.contains("Сергеев Сергей Сергеевич"), "the head");
                    assert_eq!(text.matches("М.П.").count(), 2, "head and bank: {tag}");
                }
                "entrepreneur" => {
                    assert!(text.contains("индивидуальный предприниматель"), "{tag}");
                    assert!(text.contains("ОГРНИП") && text.contains("304500116000157"));
                    assert!(!text.contains("КПП"), "{tag}");
                    assert!(text.contains("Должность:                    Индивидуальный"));
                }
                _ => {
                    assert!(text.contains("физическое лицо"), "{tag}");
                    assert!(text.contains("Сидорова Анна Сергеевна"));
                    assert!(!text.contains("ОГРН") && !text.contains("КПП"), "{tag}");
                    assert_eq!(text.matches("М.П.").count(), 1, "the bank's only: {tag}");
                }
            }

            // The same data in HTML: two copies, each its own page.
            let html = act.to_html();
            assert_eq!(html.matches("<section class=\"copy\">").count(), 2, "{tag}");
            assert!(html.contains("Экземпляр 2 из 2"));
            for line in act.key.public_key_lines() {
                assert!(
                    html.contains(&line) && text.contains(&line),
                    "{tag}: {line}"
                );
            }

            // The application: one copy, the same key and identity.
            let app = CertificateApplication::from_request(&req, &details()).unwrap();
            app.matches(&req).unwrap();
            let at = app.to_text();
            assert_width(&at, &tag);
            assert!(at.contains("на изготовление сертификата ключа подписи"));
            assert!(at.contains("по запросу № 42"), "{tag}");
            assert_eq!(key_from_text(&at).unwrap(), key_bits(&req));
            assert_eq!(app.to_html().matches("<section class=\"copy\">").count(), 1);
        }
    }
}

#[test]
fn an_act_of_a_certificate_shows_its_validity_and_key_identifier() {
    let key = SoftwareKey::generate(algorithms()[0]).unwrap();
    let req = request(subject("legal-entity"), &key);
    let cert = issue(&req);
    let act = Act::from_certificate(&cert, &details()).unwrap();
    act.matches(&req).unwrap();
    let text = act.to_text();
    assert!(
        text.contains("с 30.11.2026 09:00 UTC по 30.11.2027 09:00 UTC"),
        "{text}"
    );
    assert!(text.contains("0123456789AB"), "serial");
    assert!(text.contains("Тестовый аккредитованный УЦ"));
    let ski = cert.subject_key_id().unwrap();
    assert_eq!(act.key.key_id, ski);
    let hex = act.key.key_id_hex();
    assert_eq!(hex.len(), 40 + 9, "20 bytes in 10 groups");
    assert!(text.contains(&hex));
}

#[test]
fn the_bank_finds_an_act_that_does_not_match_the_request() {
    let key = SoftwareKey::generate(algorithms()[0]).unwrap();
    let other = SoftwareKey::generate(algorithms()[0]).unwrap();
    let le = subject("legal-entity");
    let req = request(le.clone(), &key);
    let act = Act::from_request(&req, &details()).unwrap();

    // Another key, same identity.
    let e = act.matches(&request(le.clone(), &other)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::KeyMismatch);
    assert_eq!(e.field(), Some("public_key"));
    let e = Act::check_key_text(&act.to_text(), &request(le.clone(), &other)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::KeyMismatch);

    // Another algorithm (GOST-512 key).
    let k512 = SoftwareKey::generate(algorithms()[1]).unwrap();
    let e = act.matches(&request(le.clone(), &k512)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::KeyMismatch);

    // Same key, changed identity: each field named.
    assert!(bankkey::ident::Inn::legal_entity("7728168971").is_ok());
    for (attr, value, field) in [
        (A::InnLe, "7728168971", "INNLE"),
        (A::Ogrn, "1037739877295", "OGRN"),
        (A::Snils, "08765430300", "SNILS"),
        (A::Organization, "ООО «Лютик»", "O"),
        (A::Surname, "Петров", "CN"),
        (A::Title, "Кассир", "T"),
    ] {
        let changed = request(with_changed(&le, &attr, value), &key);
        let e = act.matches(&changed).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput, "{attr}: {e}");
        assert_eq!(e.field(), Some(field), "{attr}: {e}");
        assert!(!e.message().is_empty());
    }

    // Case, «ё» and spacing in names do not matter; a typed-in act may differ in those.
    let mut typed = act.clone();
    typed.organisation.as_mut().unwrap().name = "ооо  \"ромашка\"".into();
    typed.owner.full_name = "ИВАНОВ Иван Иванович".into();
    typed.matches(&req).unwrap();

    // An entrepreneur's OGRNIP, and a request of another kind of client.
    let ip = subject("entrepreneur");
    let ip_act = Act::from_request(&request(ip.clone(), &key), &details()).unwrap();
    let changed = request(with_changed(&ip, &A::Ogrnip, "304500116000168"), &key);
    let e = ip_act.matches(&changed).unwrap_err();
    assert_eq!(
        (e.kind(), e.field()),
        (ErrorKind::InvalidInput, Some("OGRNIP"))
    );
    let changed = request(with_changed(&ip, &A::Inn, "770708389324"), &key);
    let e = ip_act.matches(&changed).unwrap_err();
    assert_eq!(
        (e.kind(), e.field()),
        (ErrorKind::InvalidInput, Some("INN"))
    );
    let e = ip_act
        .matches(&request(subject("person"), &key))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert_eq!(e.field(), Some("OGRN"));
}

#[test]
fn the_key_is_read_back_from_typed_or_scanned_text() {
    let key = SoftwareKey::generate(algorithms()[1]).unwrap();
    let req = request(subject("person"), &key);
    let act = Act::from_request(&req, &details()).unwrap();
    let typed = act
        .key
        .public_key_lines()
        .join("\r\n")
        .to_lowercase()
        .replace(' ', "");
    assert_eq!(parse_key_hex(&typed).unwrap(), key_bits(&req));
    let mut bad = typed.clone();
    bad.replace_range(10..11, "o");
    let e = parse_key_hex(&bad).unwrap_err();
    assert_eq!(e.field(), Some("public_key"));
    // A digit typed wrongly is a different key.
    let text = act.to_text();
    let first = act.key.public_key_lines()[1].clone();
    let flipped = if first.starts_with('0') {
        first.replacen('0', "1", 1)
    } else {
        format!("0{}", &first[1..])
    };
    let altered = text.replacen(&first, &flipped, 1);
    let e = Act::check_key_text(&altered, &req).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::KeyMismatch);
}

#[test]
fn the_qes_statement_is_signed_by_owner_and_head() {
    let alg = algorithms()[0];
    let owner_key = SoftwareKey::generate(alg).unwrap();
    let req = request(subject("legal-entity"), &owner_key);
    let qes_cert = issue(&req);
    assert!(qes_cert.is_qualified(), "{:?}", qes_cert.qualification());
    let owner = Person::new("Иванов Иван Иванович", Some("Главный бухгалтер"));
    let head = Person::new("Сергеев Сергей Сергеевич", Some("Генеральный директор"));
    let d = details();
    let st = QesStatement::new(&qes_cert, &owner, Some(&head), &d).unwrap();
    let content = st.signed_content();
    assert_eq!(content, st.to_text().into_bytes());
    assert_eq!(content, st.signed_content(), "deterministic");
    let text = st.to_text();
    assert_width(&text, "qes");
    assert!(text.contains("о подтверждении использования электронной подписи"));
    assert!(text.contains("Сергеев Сергей Сергеевич") && text.contains("Иванов Иван Иванович"));
    assert!(text.contains("Тестовый аккредитованный УЦ"));
    assert_eq!(key_from_text(&text).unwrap(), key_bits(&req));

    // Both sign the content in one CMS (their current bank keys: here two certificates).
    let head_key = SoftwareKey::generate(alg).unwrap();
    let head_subject = with_changed(&subject("legal-entity"), &A::Surname, "Сергеев");
    let head_subject = with_changed(&head_subject, &A::GivenName, "Сергей Сергеевич");
    let head_cert = issue_with_serial(&request(head_subject, &head_key), &[0x77]);
    let signed = cms::sign(
        &content,
        &[(&owner_key, &qes_cert), (&head_key, &head_cert)],
        &SignOptions {
            signing_time: Some(at()),
            ..SignOptions::default()
        },
    )
    .unwrap();
    let sd = SignedData::from_der(&signed).unwrap();
    assert_eq!(sd.content(), Some(&content[..]));
    assert_eq!(sd.verify_signatures(None, &[]).unwrap().len(), 2);
    let mut altered = content.clone();
    altered.extend_from_slice(" ".as_bytes());
    assert_eq!(
        sd.verify_signatures(Some(&altered), &[])
            .unwrap_err()
            .kind(),
        ErrorKind::ContentAltered
    );

    // Refusals, each naming the field.
    let e = QesStatement::new(
        &qes_cert,
        &owner,
        None,
        &DocumentDetails {
            head: None,
            ..d.clone()
        },
    )
    .unwrap_err();
    assert_eq!(e.field(), Some("head"));
    let mut wrong = owner.clone();
    wrong.snils = Some("08765430300".into());
    assert_eq!(
        QesStatement::new(&qes_cert, &wrong, Some(&head), &d)
            .unwrap_err()
            .field(),
        Some("SNILS")
    );
    let stranger = Person::new("Петров Пётр Петрович", None);
    assert_eq!(
        QesStatement::new(&qes_cert, &stranger, Some(&head), &d)
            .unwrap_err()
            .field(),
        Some("CN")
    );
    // A certificate without the qualified extensions.
    let (ca_key, ca) = ca();
    let plain = bankkey::pki::CertificateBuilder::new(&subject("person"), &owner_key.public_key())
        .unwrap()
        .validity(at(), at() + time::Duration::days(1))
        .sign(Some(&ca), &ca_key)
        .unwrap();
    let e = QesStatement::new(&plain, &owner, Some(&head), &d).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert_eq!(e.field(), Some("certificate"));

    // An entrepreneur signs alone.
    let ip_req = request(subject("entrepreneur"), &owner_key);
    let ip_cert = issue(&ip_req);
    let ip = QesStatement::new(
        &ip_cert,
        &Person::new("Петров Пётр Петрович", None),
        None,
        &DocumentDetails { head: None, ..d },
    )
    .unwrap();
    assert!(ip.head.is_none());
    assert!(!ip.to_text().contains("Руководитель"));
}

#[test]
fn hostile_fields_are_escaped_in_html() {
    let key = SoftwareKey::generate(algorithms()[0]).unwrap();
    let hostile = "<script>alert(\"x\")</script> & 'q' </section><p>";
    let s = with_changed(&subject("legal-entity"), &A::Organization, hostile);
    let s = with_changed(&s, &A::Title, "<b onmouseover=\"x\">");
    let req = request(s, &key);
    let mut d = details();
    d.bank_name = "Банк <img src=x onerror=alert(1)>".into();
    d.place = Some("\"><iframe>".into());
    let act = Act::from_request(&req, &d).unwrap();
    act.matches(&req).unwrap();
    let html = act.to_html();
    for bad in ["<script", "<img", "<iframe", "<b "] {
        assert!(!html.contains(bad), "{bad} not escaped");
    }
    assert!(html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;"));
    assert!(html.contains("&quot;&gt;&lt;iframe&gt;"));
    // The structure is intact: every section and table closed.
    for tag in [
        "section", "table", "tr", "div", "p", "h1", "h2", "html", "body",
    ] {
        let open =
            html.matches(&format!("<{tag}>")).count() + html.matches(&format!("<{tag} ")).count();
        let close = html.matches(&format!("</{tag}>")).count();
        assert_eq!(open, close, "<{tag}>");
    }
    assert_eq!(html.matches("<section class=\"copy\">").count(), 2);
    // Text shows the value as it is (nothing to escape), within the width.
    assert!(act.to_text().contains("<script>alert"));
}

#[test]
fn odd_input_does_not_panic() {
    let key = SoftwareKey::generate(algorithms()[0]).unwrap();
    let req = request(subject("legal-entity"), &key);
    // Only the required details: no place, KPP, head, request number or CIPF.
    let d = DocumentDetails::new("Банк", time::macros::date!(2026 - 01 - 01));
    let mut act = Act::from_request(&req, &d).unwrap();
    assert!(
        act.to_text().contains("____"),
        "blanks for the empty fields"
    );
    // The data is the caller's to fill (a typed-in act): very long values, values without
    // a space, control and bidi characters, empty ones.
    let long =
        "Общество с ограниченной ответственностью «Очень-очень длинное название» ".repeat(40);
    let org = act.organisation.as_mut().unwrap();
    org.name = long.clone();
    org.inn = None;
    org.address = Some("Щ".repeat(3000));
    act.owner.full_name = "Иванов\n\tИванов\u{0}\u{202E}".into();
    act.owner.position = Some(String::new());
    act.cipf = Some(long.clone());
    act.details.place = Some("\r\n".into());
    let text = act.to_text();
    assert_width(&text, "long");
    assert!(!text.contains('\u{0}') && !text.contains('\u{202E}') && !text.contains('\t'));
    assert!(text.contains("Иванов Иванов"));
    let html = act.to_html();
    assert!(html.contains(&"Щ".repeat(100)));
    assert!(!html.contains('\u{202E}'));
    let app = CertificateApplication::from_request(&req, &d).unwrap();
    assert_width(&app.to_text(), "application");

    // A certificate that names nobody: no act.
    let nobody = Subject::new()
        .with(A::Country, "RU")
        .with(A::Organization, "x");
    let (ca_key, ca) = ca();
    let cert = bankkey::pki::CertificateBuilder::new(&nobody, &key.public_key())
        .unwrap()
        .validity(at(), at() + time::Duration::days(1))
        .sign(Some(&ca), &ca_key)
        .unwrap();
    let e = Act::from_certificate(&cert, &d).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert_eq!(e.field(), Some("CN"));
    // Bad details.
    let e = Act::from_request(&req, &DocumentDetails::new("", d.date)).unwrap_err();
    assert_eq!(e.field(), Some("bank_name"));
}
