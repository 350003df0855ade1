//! What the lifecycle tests share: a subscriber's subject, a test CA standing in for the bank
//! (the bank module is tested on its own), file containers with a fast KDF, fixed times.

#![allow(dead_code)]

use std::path::Path;

use bankkey::gost::ParamSet;
use bankkey::key::{KeyAlgorithm, Signer, SoftwareKey};
use bankkey::pki::{
    Certificate, CertificateBuilder, CertificateRequest, IdentificationKind, IssuerSignTool,
    RequestBuilder, SignToolClass,
};
use bankkey::store::{FileContainer, KeySet, KeyStore};
use bankkey::subject::{AttributeType as A, Subject};
use secrecy::SecretString;
use time::{Duration, OffsetDateTime};

/// The algorithm of the subscriber's keys in the tests.
pub const ALG: KeyAlgorithm = KeyAlgorithm::Gost(ParamSet::Tc26_256A);

/// The container password of the tests.
pub const PASSWORD: &str = "bankkey-test";

/// A legal entity as the bank knows it.
pub fn subscriber() -> Subject {
    Subject::new()
        .with(A::CommonName, "ООО «Ромашка»")
        .with(A::Surname, "Иванов")
        .with(A::GivenName, "Иван Иванович")
        .with(A::Title, "Генеральный директор")
        .with(A::Organization, "ООО «Ромашка»")
        .with(A::Locality, "г. Москва")
        .with(A::State, "77 г. Москва")
        .with(A::Country, "RU")
        .with(A::InnLe, "7707083893")
        .with(A::Ogrn, "1027700132195")
        .with(A::Snils, "11223344595")
}

/// 2027-01-15 09:00 UTC: "now" of the tests.
pub fn t0() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(1_800_003_600).unwrap()
}

/// A CA standing in for the bank: a key and its self-signed certificate.
pub struct TestCa {
    pub key: SoftwareKey,
    pub cert: Certificate,
}

impl TestCa {
    /// A new CA valid for ten years around [`t0`].
    pub fn new() -> TestCa {
        let key = SoftwareKey::generate(ALG).unwrap();
        let subject = Subject::new()
            .with(A::CommonName, "Тестовый УЦ банка")
            .with(A::Organization, "bankkey tests")
            .with(A::Country, "RU");
        let cert = CertificateBuilder::new(&subject, &key.public_key())
            .unwrap()
            .serial(&[1])
            .validity(t0() - Duration::days(3650), t0() + Duration::days(3650))
            .ca(Some(0))
            .sign(None, &key)
            .unwrap();
        TestCa { key, cert }
    }

    /// Writes the CA (plain PKCS#8 and certificate) into `dir`, for a child process.
    pub fn save(&self, dir: &Path) {
        std::fs::write(dir.join("ca.key"), self.key.to_pkcs8_pem().as_bytes()).unwrap();
        std::fs::write(dir.join("ca.crt"), self.cert.to_pem()).unwrap();
    }

    /// Reads a CA written by [`TestCa::save`].
    pub fn load(dir: &Path) -> TestCa {
        let pem = std::fs::read_to_string(dir.join("ca.key")).unwrap();
        TestCa {
            key: SoftwareKey::from_pkcs8_pem(&pem).unwrap(),
            cert: Certificate::from_pem(&std::fs::read(dir.join("ca.crt")).unwrap()).unwrap(),
        }
    }

    /// Issues a certificate for `request`, valid from `from` for `days` days.
    pub fn issue(
        &self,
        request: &CertificateRequest,
        from: OffsetDateTime,
        days: i64,
    ) -> Certificate {
        CertificateBuilder::from_request(request)
            .unwrap()
            .validity(from, from + Duration::days(days))
            .sign(Some(&self.cert), &self.key)
            .unwrap()
    }

    /// Issues a certificate for `subject` and the key of `signer` directly.
    pub fn issue_for(
        &self,
        subject: &Subject,
        signer: &dyn Signer,
        from: OffsetDateTime,
        days: i64,
    ) -> Certificate {
        let req = RequestBuilder::new(subject.clone()).build(signer).unwrap();
        self.issue(&req, from, days)
    }
}

/// A new file container in `dir` with a fast KDF.
pub fn container(dir: &Path) -> FileContainer {
    let mut c = FileContainer::create(dir, SecretString::from(PASSWORD.to_string())).unwrap();
    c.set_kdf_iterations(1000);
    c
}

/// Opens the container in `dir` with a fast KDF.
pub fn reopen_container(dir: &Path) -> FileContainer {
    let mut c = FileContainer::open(dir, SecretString::from(PASSWORD.to_string())).unwrap();
    c.set_kdf_iterations(1000);
    c
}

/// Puts a certified key set in `store` (the subscriber's current keys), certificate valid
/// from `from` for `days` days.
pub fn certified_key(store: &dyn KeyStore, ca: &TestCa, from: OffsetDateTime, days: i64) -> KeySet {
    let set = store.generate(ALG, "current").unwrap();
    let signer = store.signer(&set.id).unwrap();
    let cert = ca.issue_for(&subscriber(), signer.as_ref(), from, days);
    store
        .install_certificate(&cert.to_der(), Some(&set.id))
        .unwrap()
}

/// A qualified certificate from `ca` (an accredited CA) for a key generated in `store`.
pub fn qualified(store: &dyn KeyStore, ca: &TestCa) -> Certificate {
    let set = store.generate(ALG, "КЭП").unwrap();
    let signer = store.signer(&set.id).unwrap();
    let req = RequestBuilder::new(subscriber())
        .sign_tool_class(SignToolClass::Kc1)
        .subject_sign_tool("СКЗИ «КриптоПро CSP» (версия 5.0)")
        .identification_kind(IdentificationKind::InPerson)
        .build(signer.as_ref())
        .unwrap();
    let cert = CertificateBuilder::from_request(&req)
        .unwrap()
        .validity(t0() - Duration::days(10), t0() + Duration::days(355))
        .issuer_sign_tool(IssuerSignTool {
            sign_tool: "ПАК «Тестовый УЦ»".into(),
            ca_tool: "ПАК «Тестовый УЦ» версии 1.0".into(),
            sign_tool_cert: "Сертификат соответствия № 1".into(),
            ca_tool_cert: "Сертификат соответствия № 2".into(),
        })
        .sign(Some(&ca.cert), &ca.key)
        .unwrap();
    assert!(cert.is_qualified(), "{:?}", cert.qualification());
    cert
}
