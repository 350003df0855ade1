//! Shared set-up for the bank tests: a bank CA, subscribers, requests, a bank in memory.

#![allow(dead_code)]

#[path = "../common/mod.rs"]
pub mod common;

use bankkey::bank::tsl::TrustedList;
use bankkey::bank::{Bank, Profile, Registry};
use bankkey::gost::ParamSet;
use bankkey::key::{KeyAlgorithm, Signer, SoftwareKey};
use bankkey::oid;
use bankkey::pki::IdentificationKind;
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

/// A self-signed CA valid from `from` for 10 years.
pub fn ca_from(name: &str, from: OffsetDateTime) -> (SoftwareKey, Certificate) {
    let k = key();
    let cert = CertificateBuilder::new(&ca_subject(name), &k.public_key())
        .unwrap()
        .ca(None)
        .validity(from, from + Duration::days(3650))
        .sign(None, &k)
        .unwrap();
    (k, cert)
}

/// A self-signed CA valid from `t0() - 1000 days` for 10 years.
pub fn make_ca(name: &str) -> (SoftwareKey, Certificate) {
    ca_from(name, t0() - Duration::days(1000))
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

/// The real clock: openssl stamps its CRLs with it. Whole seconds.
pub fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc().replace_nanosecond(0).unwrap()
}

/// An accredited CA: valid from 1000 days before now for 10 years, with SKI (our builder
/// writes it).
pub fn accredited_ca(name: &str) -> (SoftwareKey, Certificate) {
    ca_from(name, now() - Duration::days(1000))
}

/// A qualified certificate for `subject` (policies, subjectSignTool, issuerSignTool,
/// identificationKind), issued by `ca` `days_ago` days ago for a year.
pub fn qualified(ca: &(SoftwareKey, Certificate), subject: &Subject, days_ago: i64) -> Certificate {
    let k = key();
    let req = RequestBuilder::new(subject.clone())
        .key_usage(&[KeyUsageBit::DigitalSignature, KeyUsageBit::NonRepudiation])
        .sign_tool_class(SignToolClass::Kc1)
        .subject_sign_tool("СКЗИ «КриптоПро CSP» (версия 5.0)")
        .identification_kind(IdentificationKind::InPerson)
        .build(&k)
        .unwrap();
    let from = now() - Duration::days(days_ago);
    CertificateBuilder::from_request(&req)
        .unwrap()
        .validity(from, from + Duration::days(365))
        .issuer_sign_tool(issuer_tool())
        .sign(Some(&ca.1), &ca.0)
        .unwrap()
}

pub fn xs(t: OffsetDateTime) -> String {
    let m = t.to_offset(bankkey::calendar::MOSCOW);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        m.year(),
        u8::from(m.month()),
        m.day(),
        m.hour(),
        m.minute(),
        m.second()
    )
}

/// The list with one unrelated CA and `ca` under `statuses` (history; the last is also the
/// current status). Elements in an unusual order, unknown ones, entities, folded base64.
pub fn tsl(
    version: u64,
    date: OffsetDateTime,
    ca: &Certificate,
    statuses: &[(&str, OffsetDateTime)],
) -> String {
    let b64 = {
        use base64ct::Encoding;
        let s = base64ct::Base64::encode_string(ca.der());
        s.as_bytes()
            .chunks(64)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect::<Vec<_>>()
            .join("\n            ")
    };
    let key_id = hex::encode(ca.subject_key_id().unwrap()); // lowercase: compared as bytes
    let history: String = statuses
        .iter()
        .map(|(s, t)| {
            format!(
                "<СтатусАккредитации><ДействуетС>{}</ДействуетС><Статус>{s}</Статус></СтатусАккредитации>",
                xs(*t)
            )
        })
        .collect();
    let (cur, since) = statuses.last().unwrap();
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<АккредитованныеУдостоверяющиеЦентры>
  <УдостоверяющийЦентр>
    <Название>Другой УЦ</Название>
    <ПрограммноАппаратныеКомплексы><ПрограммноАппаратныйКомплекс><КлючиУполномоченныхЛиц>
      <Ключ><ИдентификаторКлюча>00112233445566778899AABBCCDDEEFF00112233</ИдентификаторКлюча></Ключ>
    </КлючиУполномоченныхЛиц></ПрограммноАппаратныйКомплекс></ПрограммноАппаратныеКомплексы>
    <СтатусАккредитации><Статус>Действует</Статус><ДействуетС>2015-01-01T00:00:00</ДействуетС></СтатусАккредитации>
  </УдостоверяющийЦентр>
  <Дата>{date}</Дата>
  <УдостоверяющийЦентр>
    <ПрограммноАппаратныеКомплексы>
      <ПрограммноАппаратныйКомплекс>
        <Псевдоним>ПАК-1</Псевдоним>
        <КлючиУполномоченныхЛиц>
          <Ключ>
            <Сертификаты>
              <ДанныеСертификата>
                <Отпечаток>{thumb}</Отпечаток>
                <КемВыдан>CN=Тестовый аккредитованный УЦ</КемВыдан>
                <ПериодДействияС>{nb}</ПериодДействияС>
                <ПериодДействияДо>{na}</ПериодДействияДо>
                <Данные>
            {b64}
                </Данные>
                <НеизвестноеПоле a="1"/>
              </ДанныеСертификата>
            </Сертификаты>
            <АдресаСписковОтзыва><Адрес>http://ca.example/crl.crl</Адрес></АдресаСписковОтзыва>
            <ИдентификаторКлюча>{key_id}</ИдентификаторКлюча>
          </Ключ>
        </КлючиУполномоченныхЛиц>
      </ПрограммноАппаратныйКомплекс>
    </ПрограммноАппаратныеКомплексы>
    <Адрес><Страна>RU</Страна><Регион><Код>77</Код><Название>г. Москва</Название></Регион><Индекс>101000</Индекс></Адрес>
    <Название>ООО &quot;Тестовый аккредитованный УЦ&quot; &amp; К&#176;</Название>
    <КраткоеНазвание>Тестовый УЦ</КраткоеНазвание>
    <ИНН>7707083893</ИНН>
    <ОГРН>1027700132195</ОГРН>
    <РеестровыйНомер>999</РеестровыйНомер>
    <ИсторияСтатусовАккредитации>{history}</ИсторияСтатусовАккредитации>
    <СтатусАккредитации><Статус>{cur}</Статус><ДействуетС>{since}</ДействуетС></СтатусАккредитации>
  </УдостоверяющийЦентр>
  <Версия>{version}</Версия>
</АккредитованныеУдостоверяющиеЦентры>
"#,
        date = xs(date),
        thumb = "AB".repeat(20),
        nb = xs(ca.not_before()),
        na = xs(ca.not_after()),
        since = xs(*since),
    )
}

/// A CRL of `ca` from pki's builder, fresh from yesterday for three days, revoking nothing.
pub fn fresh_crl(ca: &(SoftwareKey, Certificate)) -> bankkey::bank::crl::Crl {
    let this = now() - Duration::days(1);
    let der = bankkey::pki::CrlBuilder::new(this, this + Duration::days(3), 7)
        .sign(&ca.1, &ca.0)
        .unwrap();
    bankkey::bank::crl::Crl::from_der(&der).unwrap()
}

/// The Ministry: its root CA and the certificate it signs the list with.
pub struct Ministry {
    pub root: (SoftwareKey, Certificate),
    pub signer: (SoftwareKey, Certificate),
}

/// A Ministry whose root is valid from 1000 days ago and whose list-signing certificate is
/// valid from 100 days ago for a year (keyUsage digitalSignature, nonRepudiation).
pub fn ministry() -> Ministry {
    let root = ca_from("Минцифры России (тест)", now() - Duration::days(1000));
    let k = key();
    let cert = CertificateBuilder::new(
        &ca_subject("Минцифры России, подпись списка УЦ"),
        &k.public_key(),
    )
    .unwrap()
    .key_usage(&[KeyUsageBit::DigitalSignature, KeyUsageBit::NonRepudiation])
    .validity(now() - Duration::days(100), now() + Duration::days(265))
    .sign(Some(&root.1), &root.0)
    .unwrap();
    Ministry {
        root,
        signer: (k, cert),
    }
}

impl Ministry {
    /// The list signed as the Ministry signs it (enveloped XMLDSig, C14N 1.0, GOST 2012 256).
    pub fn sign(&self, xml: &str) -> Vec<u8> {
        bankkey::xmldsig::sign_enveloped(
            xml.as_bytes(),
            &self.signer.0,
            &self.signer.1,
            &bankkey::xmldsig::SignOptions::default(),
        )
        .unwrap()
    }

    /// The trust anchor a host gives: the Ministry's root.
    pub fn anchors(&self) -> Vec<Certificate> {
        vec![self.root.1.clone()]
    }

    /// The list signed and read back with its signature verified.
    pub fn read(&self, xml: &str) -> TrustedList {
        TrustedList::from_signed_xml(&self.sign(xml), &self.anchors(), now()).unwrap()
    }
}

/// The list (version 41, dated yesterday) with `ca` accredited for 900 days, signed by a
/// Ministry and verified.
pub fn active_list(ca: &Certificate) -> TrustedList {
    ministry().read(&tsl(
        41,
        now() - Duration::days(1),
        ca,
        &[("Действует", now() - Duration::days(900))],
    ))
}

/// A CA directory for `openssl ca`: its key and certificate, an empty index.
pub struct OpensslCa {
    pub dir: common::TempDir,
    pub openssl: common::Oracle,
}

impl OpensslCa {
    pub fn new(ca: &(SoftwareKey, Certificate)) -> Option<OpensslCa> {
        let openssl = common::openssl()?;
        let dir = common::TempDir::new("bank-crl");
        dir.write("ca.key", ca.0.to_pkcs8_pem().as_bytes());
        dir.write("ca.pem", ca.1.to_pem());
        dir.write("index.txt", "");
        dir.write("crlnumber", "01\n");
        let root = dir.path("").display().to_string();
        dir.write(
            "ca.cnf",
            format!(
                "[ ca ]\ndefault_ca = CA_default\n[ CA_default ]\ndir = {root}\n\
                 database = $dir/index.txt\ncrlnumber = $dir/crlnumber\n\
                 default_md = md_gost12_256\n[ crl_ext ]\nauthorityKeyIdentifier = keyid:always\n"
            ),
        );
        Some(OpensslCa { dir, openssl })
    }

    pub fn ca_args(&self) -> Vec<String> {
        vec![
            "ca".into(),
            "-engine".into(),
            "gost".into(),
            "-config".into(),
            self.dir.path("ca.cnf").display().to_string(),
            "-keyfile".into(),
            self.dir.path("ca.key").display().to_string(),
            "-cert".into(),
            self.dir.path("ca.pem").display().to_string(),
        ]
    }

    pub fn revoke(&self, cert: &Certificate) {
        let f = self.dir.write("revoked.pem", cert.to_pem());
        let mut args = self.ca_args();
        args.extend(["-revoke".into(), f]);
        self.openssl.run(&args);
    }

    /// A CRL valid for `days` days from now, PEM.
    pub fn gencrl(&self, days: u32) -> Vec<u8> {
        let out = self.dir.path("crl.pem").display().to_string();
        let mut args = self.ca_args();
        args.extend([
            "-gencrl".into(),
            "-crldays".into(),
            days.to_string(),
            "-crlexts".into(),
            "crl_ext".into(),
            "-out".into(),
            out,
        ]);
        self.openssl.run(&args);
        self.dir.read("crl.pem")
    }

    /// The same CRL as DER, converted by openssl.
    pub fn to_der(&self) -> Vec<u8> {
        let out = self.dir.path("crl.der").display().to_string();
        self.openssl.run(&[
            "crl",
            "-in",
            &self.dir.path("crl.pem").display().to_string(),
            "-outform",
            "DER",
            "-out",
            &out,
        ]);
        self.dir.read("crl.der")
    }
}
