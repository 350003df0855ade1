//! Subjects, requests, certificates and details for the documents tests, and the PDF oracles
//! (poppler's `pdftotext`/`pdftoppm`, `qpdf`).

use std::process::{Command, Stdio};

use bankkey::documents::{DocumentDetails, Person};
use bankkey::key::{KeyAlgorithm, Signer, SoftwareKey};
use bankkey::pki::{
    Certificate, CertificateBuilder, CertificateRequest, IdentificationKind, IssuerSignTool,
    KeyUsageBit, RequestBuilder, SignToolClass,
};
use bankkey::subject::{AttributeType as A, Subject};
use time::{Duration, OffsetDateTime, macros::date, macros::datetime};

use super::{Oracle, missing};

/// The three kinds of client.
pub const KINDS: [&str; 3] = ["legal-entity", "entrepreneur", "person"];

/// A subject of each kind.
pub fn subject(kind: &str) -> Subject {
    match kind {
        "legal-entity" => Subject::new()
            .with(A::CommonName, "ООО «Ромашка»")
            .with(A::Surname, "Иванов")
            .with(A::GivenName, "Иван Иванович")
            .with(A::Title, "Главный бухгалтер")
            .with(A::Organization, "ООО «Ромашка»")
            .with(A::Locality, "г. Москва")
            .with(A::State, "77 г. Москва")
            .with(A::Street, "ул. Тверская, д. 1")
            .with(A::Country, "RU")
            .with(A::InnLe, "7707083893")
            .with(A::Ogrn, "1027700132195")
            .with(A::Snils, "11223344595")
            .with(A::Inn, "500100732259"),
        "entrepreneur" => Subject::new()
            .with(A::CommonName, "ИП Петров Пётр Петрович")
            .with(A::Surname, "Петров")
            .with(A::GivenName, "Пётр Петрович")
            .with(A::Country, "RU")
            .with(A::Inn, "500100732259")
            .with(A::Ogrnip, "304500116000157")
            .with(A::Snils, "11223344595"),
        "person" => Subject::new()
            .with(A::CommonName, "Сидорова Анна Сергеевна")
            .with(A::Surname, "Сидорова")
            .with(A::GivenName, "Анна Сергеевна")
            .with(A::Country, "RU")
            .with(A::Inn, "500100732259")
            .with(A::Snils, "11223344595"),
        other => panic!("unknown kind {other}"),
    }
}

/// GOST 256 (TC26 A), GOST 512 (TC26 A) and RSA 2048.
pub fn algorithms() -> [KeyAlgorithm; 3] {
    [
        KeyAlgorithm::Gost(bankkey::gost::ParamSet::Tc26_256A),
        KeyAlgorithm::Gost(bankkey::gost::ParamSet::Tc26_512A),
        KeyAlgorithm::Rsa { bits: 2048 },
    ]
}

/// A request as a bank client makes one (with subjectSignTool and the КС1 class).
pub fn request(subject: Subject, key: &dyn Signer) -> CertificateRequest {
    RequestBuilder::new(subject)
        .key_usage(&[KeyUsageBit::DigitalSignature, KeyUsageBit::NonRepudiation])
        .sign_tool_class(SignToolClass::Kc1)
        .subject_sign_tool("СКЗИ «КриптоПро CSP» (версия 5.0)")
        .identification_kind(IdentificationKind::InPerson)
        .build(key)
        .expect("building a request")
}

/// A fixed time, so the documents do not depend on the clock.
pub fn at() -> OffsetDateTime {
    datetime!(2026-11-30 09:00 UTC)
}

/// A CA key and its certificate.
pub fn ca() -> (SoftwareKey, Certificate) {
    let ca_key = SoftwareKey::generate(KeyAlgorithm::Gost(bankkey::gost::ParamSet::Tc26_256A))
        .expect("CA key");
    let ca_subject = Subject::new()
        .with(A::CommonName, "Тестовый аккредитованный УЦ")
        .with(A::Organization, "bankkey tests")
        .with(A::Country, "RU");
    let ca = CertificateBuilder::new(&ca_subject, &ca_key.public_key())
        .unwrap()
        .serial(&[1])
        .validity(at() - Duration::days(1), at() + Duration::days(3650))
        .ca(Some(0))
        .sign(None, &ca_key)
        .unwrap();
    (ca_key, ca)
}

/// A CA (a new key each time), and a (qualified) certificate it issues for `req`.
pub fn issue(req: &CertificateRequest) -> Certificate {
    issue_with_serial(req, &[0x01, 0x23, 0x45, 0x67, 0x89, 0xAB])
}

/// [`issue`] with another serial number.
pub fn issue_with_serial(req: &CertificateRequest, serial: &[u8]) -> Certificate {
    let (ca_key, ca) = ca();
    CertificateBuilder::from_request(req)
        .unwrap()
        .serial(serial)
        .validity(at(), at() + Duration::days(365))
        .issuer_sign_tool(IssuerSignTool {
            sign_tool: "ПАК «Тестовый УЦ»".into(),
            ca_tool: "ПАК «Тестовый УЦ» версии 1.0".into(),
            sign_tool_cert: "Сертификат соответствия № 1".into(),
            ca_tool_cert: "Сертификат соответствия № 2".into(),
        })
        .sign(Some(&ca), &ca_key)
        .unwrap()
}

/// Details as a host fills them in.
pub fn details() -> DocumentDetails {
    let mut d = DocumentDetails::new("АО «Тестовый Банк»", date!(2026 - 11 - 30));
    d.place = Some("г. Москва".into());
    d.request_number = Some("42".into());
    d.kpp = Some("773601001".into());
    d.head = Some(Person::new(
        "Сергеев Сергей Сергеевич",
        Some("Генеральный директор"),
    ));
    d
}

fn tool(program: &'static str, probe: &str) -> Option<Oracle> {
    let ok = Command::new(program)
        .arg(probe)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok();
    if ok {
        Some(Oracle { program })
    } else {
        missing(&format!("{program} (poppler-utils / qpdf)"))
    }
}

/// poppler's `pdftotext`, or `None` (skip) when missing.
pub fn pdftotext() -> Option<Oracle> {
    tool("pdftotext", "-v")
}

/// poppler's `pdftoppm`, or `None` (skip) when missing.
pub fn pdftoppm() -> Option<Oracle> {
    tool("pdftoppm", "-v")
}

/// poppler's `pdffonts`, or `None` (skip) when missing.
pub fn pdffonts() -> Option<Oracle> {
    tool("pdffonts", "-v")
}

/// poppler's `pdfinfo`, or `None` (skip) when missing.
pub fn pdfinfo() -> Option<Oracle> {
    tool("pdfinfo", "-v")
}

/// `qpdf`, or `None` (skip) when missing.
pub fn qpdf() -> Option<Oracle> {
    tool("qpdf", "--version")
}
