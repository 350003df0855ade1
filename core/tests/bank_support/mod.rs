//! Shared set-up for the bank tests: a bank CA, subscribers, requests, a bank in memory.

#![allow(dead_code)]

use bankkey::bank::{Bank, Profile, Registry};
use bankkey::gost::ParamSet;
use bankkey::key::{KeyAlgorithm, Signer, SoftwareKey};
use bankkey::oid;
use bankkey::pki::{
    Certificate, CertificateBuilder, CertificateRequest, IssuerSignTool, KeyUsageBit,
    RequestBuilder, SignToolClass,
};
use bankkey::subject::{AttributeType as A, Subject};
use time::{Duration, OffsetDateTime};

/// Monday 2026-11-30 09:00 UTC (12:00 in Moscow).
pub fn t0() -> OffsetDateTime {
    time::macros::datetime!(2026-11-30 09:00 UTC)
}

pub const GOST: KeyAlgorithm = KeyAlgorithm::Gost(ParamSet::Tc26_256A);

pub fn key() -> SoftwareKey {
    SoftwareKey::generate(GOST).unwrap()
}

/// A copy of a software key (to hand one to the bank and keep one).
pub fn copy(key: &SoftwareKey) -> SoftwareKey {
    SoftwareKey::from_pkcs8_der(&key.to_pkcs8_der()).unwrap()
}

pub fn ca_subject(name: &str) -> Subject {
    Subject::new()
        .with(A::CommonName, name)
        .with(A::Organization, "bankkey tests")
        .with(A::Country, "RU")
}

/// A self-signed CA valid from `t0() - 1000 days` for 10 years.
pub fn make_ca(name: &str) -> (SoftwareKey, Certificate) {
    let k = key();
    let from = t0() - Duration::days(1000);
    let cert = CertificateBuilder::new(&ca_subject(name), &k.public_key())
        .unwrap()
        .ca(None)
        .validity(from, from + Duration::days(3650))
        .sign(None, &k)
        .unwrap();
    (k, cert)
}

/// An employee of a legal entity, as a subscriber's subject.
pub fn employee(name: &str, snils: &str, inn_le: &str, ogrn: &str) -> Subject {
    Subject::new()
        .with(A::CommonName, name)
        .with(A::Surname, name.split(' ').next().unwrap_or(name))
        .with(A::GivenName, "Иван Иванович")
        .with(A::Title, "Генеральный директор")
        .with(A::Organization, "ООО «Ромашка»")
        .with(A::Locality, "г. Москва")
        .with(A::State, "77 г. Москва")
        .with(A::Country, "RU")
        .with(A::InnLe, inn_le)
        .with(A::Ogrn, ogrn)
        .with(A::Snils, snils)
}

pub fn ivanov() -> Subject {
    employee("Иванов Иван", "11223344595", "7707083893", "1027700132195")
}

pub fn petrov() -> Subject {
    employee("Петров Пётр", "12345678964", "7707083893", "1027700132195")
}

pub fn request(subject: &Subject, key: &dyn Signer) -> CertificateRequest {
    RequestBuilder::new(subject.clone())
        .key_usage(&[KeyUsageBit::DigitalSignature, KeyUsageBit::NonRepudiation])
        .extended_key_usage(&[oid::KP_CLIENT_AUTH])
        .sign_tool_class(SignToolClass::Kc1)
        .subject_sign_tool("СКЗИ «КриптоПро CSP» (версия 5.0)")
        .build(key)
        .unwrap()
}

/// A subscriber certificate issued by `ca` for `subject` and `key`, valid from `from`.
pub fn user_cert(
    ca: &(SoftwareKey, Certificate),
    subject: &Subject,
    key: &SoftwareKey,
    from: OffsetDateTime,
    days: i64,
) -> Certificate {
    CertificateBuilder::from_request(&request(subject, key))
        .unwrap()
        .validity(from, from + Duration::days(days))
        .sign(Some(&ca.1), &ca.0)
        .unwrap()
}

pub fn issuer_tool() -> IssuerSignTool {
    IssuerSignTool {
        sign_tool: "СКЗИ «bankkey»".into(),
        ca_tool: "УЦ «bankkey» версии 1.0".into(),
        sign_tool_cert: "Сертификат соответствия № СФ/000-0000".into(),
        ca_tool_cert: "Сертификат соответствия № СФ/000-0001".into(),
    }
}

/// A bank in memory over `ca`, with issuerSignTool in its profile.
pub fn bank(ca: &(SoftwareKey, Certificate)) -> Bank {
    Bank::new(
        Registry::in_memory().unwrap(),
        ca.1.clone(),
        Box::new(copy(&ca.0)),
    )
    .unwrap()
    .with_profile(Profile {
        issuer_sign_tool: Some(issuer_tool()),
        ..Profile::default()
    })
}
