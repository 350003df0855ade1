//! Who takes part in the demo: the bank and its CA, the client organisation and its head, an
//! accredited CA (with its entry in the ministry's list and its CRL) and the head's КЭП.

use std::path::Path;

use bankkey::bank::{AlgorithmPolicy, Bank, Registry, VerifyPolicy};
use bankkey::documents::Person;
use bankkey::gost::ParamSet;
use bankkey::key::{KeyAlgorithm, Signer, SoftwareKey};
use bankkey::lifecycle::{Client, SqliteJournal};
use bankkey::pki::{
    Certificate, CertificateBuilder, CrlBuilder, IdentificationKind, IssuerSignTool, KeyUsageBit,
    RequestBuilder, SignToolClass,
};
use bankkey::store::FileContainer;
use bankkey::subject::{AttributeType as A, Subject};
use secrecy::SecretString;
use time::{Date, Duration, OffsetDateTime, Time, UtcOffset};

/// Moscow time (UTC+3, no daylight saving since 2014): the bank's and the list's clock.
pub const MSK: UtcOffset = match UtcOffset::from_hms(3, 0, 0) {
    Ok(o) => o,
    Err(_) => UtcOffset::UTC,
};

/// The container password of the demo (a real client types it; never logged).
const CONTAINER_PASSWORD: &str = "demo-container-password";

/// PBKDF2 iterations of the demo containers: fewer than the default so the demo runs in
/// seconds; real containers keep the default.
const DEMO_KDF_ITERATIONS: u32 = 10_000;

/// The client organisation's KPP (not carried in certificates; printed in its documents).
pub const KPP: &str = "770701001";

/// The client organisation: ООО «Ромашка», its head signing with the bank's keys.
pub fn legal_entity() -> Subject {
    Subject::new()
        .with(A::CommonName, "ООО «Ромашка»")
        .with(A::Surname, "Иванов")
        .with(A::GivenName, "Иван Иванович")
        .with(A::Title, "Генеральный директор")
        .with(A::Organization, "ООО «Ромашка»")
        .with(A::Locality, "г. Москва")
        .with(A::State, "77 г. Москва")
        .with(A::Country, "RU")
        .with(A::Street, "ул. Тверская, д. 1")
        .with(A::InnLe, "7707083893")
        .with(A::Ogrn, "1027700132195")
        .with(A::Snils, "11223344595")
        .with(A::Inn, "500100732259")
}

/// The client on the token run: an individual entrepreneur.
pub fn entrepreneur() -> Subject {
    Subject::new()
        .with(A::CommonName, "ИП Сидоров Пётр Петрович")
        .with(A::Surname, "Сидоров")
        .with(A::GivenName, "Пётр Петрович")
        .with(A::Locality, "г. Казань")
        .with(A::State, "16 Республика Татарстан")
        .with(A::Country, "RU")
        .with(A::Inn, "165000126902")
        .with(A::Ogrnip, "304165019700014")
        .with(A::Snils, "11223344696")
}

/// The owner of the КЭП: the organisation's chief accountant.
fn accountant() -> Subject {
    Subject::new()
        .with(A::CommonName, "ООО «Ромашка»")
        .with(A::Surname, "Петрова")
        .with(A::GivenName, "Мария Сергеевна")
        .with(A::Title, "Главный бухгалтер")
        .with(A::Organization, "ООО «Ромашка»")
        .with(A::Locality, "г. Москва")
        .with(A::State, "77 г. Москва")
        .with(A::Country, "RU")
        .with(A::InnLe, "7707083893")
        .with(A::Ogrn, "1027700132195")
        .with(A::Snils, "08765430300")
        .with(A::Inn, "773303270333")
}

/// The owner of a КЭП with the medium holding its key and the client journal of that medium.
pub struct QesOwner {
    /// The client over the КЭП's medium.
    pub client: Client,
    /// The qualified certificate.
    pub cert: Certificate,
}

/// The bank's CA and an accredited CA, made for the demo.
pub struct World {
    /// The bank's name as the documents print it.
    pub bank_name: String,
    /// The CIPF the client's keys are made with, as the documents print it.
    pub cipf: String,
    bank_ca_key: SoftwareKey,
    bank_ca: Certificate,
    accredited_key: SoftwareKey,
    accredited_ca: Certificate,
    ministry_root: Certificate,
    ministry_root_key: SoftwareKey,
    ministry_key: SoftwareKey,
    ministry_signer: Certificate,
}

fn ca(
    name: &str,
    alg: KeyAlgorithm,
    from: OffsetDateTime,
) -> bankkey::Result<(SoftwareKey, Certificate)> {
    let key = SoftwareKey::generate(alg)?;
    let subject = Subject::new()
        .with(A::CommonName, name)
        .with(A::Organization, name)
        .with(A::Country, "RU")
        .with(A::Locality, "г. Москва")
        .with(A::InnLe, "7702070139")
        .with(A::Ogrn, "1027739609391");
    let cert = CertificateBuilder::new(&subject, &key.public_key())?
        .validity(from - Duration::days(1), from + Duration::days(3650))
        .ca(Some(0))
        .key_usage(&[
            KeyUsageBit::DigitalSignature,
            KeyUsageBit::KeyCertSign,
            KeyUsageBit::CrlSign,
        ])
        .sign(None, &key)?;
    Ok((key, cert))
}

/// What the CAs write as their tools (issuerSignTool, 63-ФЗ art. 14): CIPF and CA tool with
/// their conformity certificates.
fn issuer_tool() -> IssuerSignTool {
    IssuerSignTool {
        sign_tool: "ПАКМ «КриптоПро HSM» версии 2.0".into(),
        ca_tool: "ПАК «Удостоверяющий центр «КриптоПро УЦ» версии 2.0»".into(),
        sign_tool_cert: "Сертификат соответствия № СФ/124-3966 от 15.01.2021".into(),
        ca_tool_cert: "Сертификат соответствия № СФ/128-3868 от 23.07.2020".into(),
    }
}

impl World {
    /// The bank's CA and the accredited CA, both valid from before `from`.
    pub fn new(from: OffsetDateTime) -> bankkey::Result<World> {
        let (bank_ca_key, bank_ca) = ca(
            "АО «Банк Пример» (УЦ)",
            KeyAlgorithm::Gost(ParamSet::Tc26_256A),
            from,
        )?;
        let (accredited_key, accredited_ca) = ca(
            "АО «Аккредитованный УЦ»",
            KeyAlgorithm::Gost(ParamSet::Tc26_256B),
            from,
        )?;
        // The Ministry: a root, and the key it signs the list of accredited CAs with.
        let (root_key, ministry_root) = ca(
            "Минцифры России (демо)",
            KeyAlgorithm::Gost(ParamSet::Tc26_256A),
            from,
        )?;
        let ministry_key = SoftwareKey::generate(KeyAlgorithm::Gost(ParamSet::Tc26_256A))?;
        let ministry_signer = CertificateBuilder::new(
            &Subject::new()
                .with(A::CommonName, "Минцифры России: список аккредитованных УЦ")
                .with(A::Organization, "Минцифры России")
                .with(A::Country, "RU"),
            &ministry_key.public_key(),
        )?
        .validity(from - Duration::days(1), from + Duration::days(3650))
        .key_usage(&[KeyUsageBit::DigitalSignature, KeyUsageBit::NonRepudiation])
        .sign(Some(&ministry_root), &root_key)?;
        Ok(World {
            bank_name: "АО «Банк Пример»".into(),
            cipf: format!(
                "bankkey {} (ГОСТ Р 34.10-2012, ГОСТ Р 34.11-2012)",
                env!("CARGO_PKG_VERSION")
            ),
            bank_ca_key,
            bank_ca,
            accredited_key,
            accredited_ca,
            ministry_root,
            ministry_root_key: root_key,
            ministry_key,
            ministry_signer,
        })
    }

    /// The bank: its registry in `dir`, issuing with the CA key; GOST, RSA ≥ 2048 and P-256
    /// allowed (the token run uses what SoftHSM offers), the CA's tools in the profile.
    pub fn bank(&self, dir: &Path) -> bankkey::Result<Bank> {
        std::fs::create_dir_all(dir)?;
        let registry = Registry::open(dir.join("registry.sqlite"))?;
        let signer: Box<dyn Signer> = Box::new(SoftwareKey::from_pkcs8_der(
            &self.bank_ca_key.to_pkcs8_der(),
        )?);
        let profile = bankkey::bank::Profile {
            issuer_sign_tool: Some(issuer_tool()),
            ..Default::default()
        };
        let policy = VerifyPolicy {
            algorithms: AlgorithmPolicy::any_strong(),
            ..VerifyPolicy::default()
        };
        // Roots: the bank's CA (subscribers' keys) and the accredited CA (the КЭП that signs
        // the confirmation statement).
        Ok(Bank::new(registry, self.bank_ca.clone(), signer)?
            .with_profile(profile)
            .with_policy(policy)
            .with_roots(vec![self.bank_ca.clone(), self.accredited_ca.clone()]))
    }

    /// A new, empty file container (the flash drive) in `dir`.
    pub fn file_container(&self, dir: &Path) -> bankkey::Result<FileContainer> {
        let mut c = FileContainer::create(dir, SecretString::from(CONTAINER_PASSWORD))?;
        c.set_kdf_iterations(DEMO_KDF_ITERATIONS);
        Ok(c)
    }

    /// The file container (flash drive) in `dir`, opened again.
    pub fn open_file_container(&self, dir: &Path) -> bankkey::Result<FileContainer> {
        let mut c = FileContainer::open(dir, SecretString::from(CONTAINER_PASSWORD))?;
        c.set_kdf_iterations(DEMO_KDF_ITERATIONS);
        Ok(c)
    }

    /// The head of the organisation, as the documents print him.
    pub fn head(&self) -> Person {
        let mut p = Person::new("Иванов Иван Иванович", Some("Генеральный директор"));
        p.snils = Some("112-233-445 95".into());
        p
    }

    /// The accredited CA's certificate.
    pub fn accredited_ca(&self) -> Certificate {
        self.accredited_ca.clone()
    }

    /// The date at Moscow time.
    pub fn local_date(&self, t: OffsetDateTime) -> Date {
        t.to_offset(MSK).date()
    }

    /// `hour`:00 Moscow time on `date`.
    pub fn at_local(&self, date: Date, hour: u8) -> OffsetDateTime {
        let time = Time::from_hms(hour, 0, 0).unwrap_or(Time::MIDNIGHT);
        date.with_time(time)
            .assume_offset(MSK)
            .to_offset(UtcOffset::UTC)
    }

    /// The accountant's КЭП: a GOST key on her own medium (a file container under `out`), and
    /// the qualified certificate the accredited CA issued for it a month before `at`.
    pub fn qes_owner_key(&self, out: &Path, at: OffsetDateTime) -> bankkey::Result<QesOwner> {
        let dir = out.join("qes-medium");
        let store = self.file_container(&dir)?;
        let key = SoftwareKey::generate(KeyAlgorithm::Gost(ParamSet::Tc26_256A))?;
        store.import(&key, "КЭП Петровой М. С.")?;
        let request = RequestBuilder::new(accountant())
            .key_usage(&[KeyUsageBit::DigitalSignature, KeyUsageBit::NonRepudiation])
            .sign_tool_class(SignToolClass::Kc1)
            .subject_sign_tool("СКЗИ «КриптоПро CSP» (версия 5.0)")
            .identification_kind(IdentificationKind::InPerson)
            .build(&key)?;
        let issued = at - Duration::days(30);
        let cert = CertificateBuilder::from_request(&request)?
            .validity(issued, issued + Duration::days(365))
            .issuer_sign_tool(issuer_tool())
            .sign(Some(&self.accredited_ca), &self.accredited_key)?;
        let journal = SqliteJournal::open(out.join("qes-journal.sqlite"))?;
        let client = Client::open(Box::new(store), Box::new(journal))?;
        Ok(QesOwner { client, cert })
    }

    /// The ministry's list of accredited CAs as of `at`, naming the accredited CA's key (the
    /// structure of `TSLExt.xml`, shared/reference/tsl-structure.md).
    pub fn trusted_list_xml(&self, at: OffsetDateTime) -> String {
        let ca = &self.accredited_ca;
        let key_id = hex::encode_upper(ca.subject_key_id().unwrap_or_default());
        let thumb = hex::encode_upper(sha1_of(ca.der()));
        let data = base64ct_encode(ca.der());
        let day = |t: OffsetDateTime| {
            let t = t.to_offset(MSK);
            format!(
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
                t.year(),
                u8::from(t.month()),
                t.day(),
                t.hour(),
                t.minute(),
                t.second()
            )
        };
        format!(
            r#"<?xml version="1.0" encoding="utf-8"?>
<АккредитованныеУдостоверяющиеЦентры>
  <Версия>1042</Версия>
  <Дата>{date}</Дата>
  <УдостоверяющийЦентр>
    <Название>АО «Аккредитованный УЦ»</Название>
    <КраткоеНазвание>АУЦ</КраткоеНазвание>
    <ЭлектроннаяПочта>ca@example.ru</ЭлектроннаяПочта>
    <АдресСИнформациейПоУЦ>https://ca.example.ru</АдресСИнформациейПоУЦ>
    <Адрес><Страна>RU</Страна><Регион><Код>77</Код><Название>г. Москва</Название></Регион><Индекс>101000</Индекс><УлицаДом>ул. Мясницкая, д. 1</УлицаДом><Город>Москва</Город></Адрес>
    <ПрограммноАппаратныеКомплексы>
      <ПрограммноАппаратныйКомплекс>
        <Псевдоним>АУЦ-1</Псевдоним>
        <КлассСредствЭП>КС1</КлассСредствЭП>
        <КлючиУполномоченныхЛиц>
          <Ключ>
            <ИдентификаторКлюча>{key_id}</ИдентификаторКлюча>
            <АдресаСписковОтзыва><Адрес>http://ca.example.ru/cdp/auc.crl</Адрес></АдресаСписковОтзыва>
            <Сертификаты>
              <ДанныеСертификата>
                <Отпечаток>{thumb}</Отпечаток>
                <КемВыдан>АО «Аккредитованный УЦ»</КемВыдан>
                <КомуВыдан>АО «Аккредитованный УЦ»</КомуВыдан>
                <СерийныйНомер>{serial}</СерийныйНомер>
                <ПериодДействияС>{from}</ПериодДействияС>
                <ПериодДействияДо>{to}</ПериодДействияДо>
                <Данные>{data}</Данные>
              </ДанныеСертификата>
            </Сертификаты>
          </Ключ>
        </КлючиУполномоченныхЛиц>
      </ПрограммноАппаратныйКомплекс>
    </ПрограммноАппаратныеКомплексы>
    <ИНН>7702070139</ИНН>
    <ОГРН>1027739609391</ОГРН>
    <РеестровыйНомер>0042</РеестровыйНомер>
    <СтатусАккредитации><Статус>Действует</Статус><ДействуетС>{accredited}</ДействуетС></СтатусАккредитации>
    <ИсторияСтатусовАккредитации>
      <СтатусАккредитации><Статус>Действует</Статус><ДействуетС>{accredited}</ДействуетС></СтатусАккредитации>
    </ИсторияСтатусовАккредитации>
  </УдостоверяющийЦентр>
</АккредитованныеУдостоверяющиеЦентры>
"#,
            date = day(at - Duration::hours(6)),
            serial = ca.serial_hex(),
            from = day(ca.not_before()),
            to = day(ca.not_after()),
            accredited = day(ca.not_before()),
        )
    }

    /// The list as the Ministry publishes it: signed (enveloped XMLDSig, GOST R 34.10-2012).
    pub fn signed_trusted_list(&self, at: OffsetDateTime) -> bankkey::Result<Vec<u8>> {
        bankkey::xmldsig::sign_enveloped(
            self.trusted_list_xml(at).as_bytes(),
            &self.ministry_key,
            &self.ministry_signer,
            &bankkey::xmldsig::SignOptions::default(),
        )
    }

    /// The Ministry's root, which the bank pins to verify the list.
    pub fn ministry_root(&self) -> Certificate {
        self.ministry_root.clone()
    }

    /// The Ministry's current CRL (its list-signing certificate not revoked), as published at
    /// the CRL distribution point of that certificate.
    pub fn ministry_crl(&self, at: OffsetDateTime) -> bankkey::Result<Vec<u8>> {
        CrlBuilder::new(at - Duration::hours(3), at + Duration::days(7), 17)
            .sign(&self.ministry_root, &self.ministry_root_key)
    }

    /// The accredited CA's current CRL (nothing of ours revoked), as the CA publishes it.
    pub fn accredited_crl(&self, at: OffsetDateTime) -> bankkey::Result<Vec<u8>> {
        CrlBuilder::new(at - Duration::hours(3), at + Duration::days(7), 311)
            .revoke(&[0x0b, 0xad], at - Duration::days(10), None)
            .sign(&self.accredited_ca, &self.accredited_key)
    }
}

fn sha1_of(bytes: &[u8]) -> [u8; 20] {
    use sha1::Digest;
    sha1::Sha1::digest(bytes).into()
}

fn base64ct_encode(bytes: &[u8]) -> String {
    use base64ct::Encoding;
    base64ct::Base64::encode_string(bytes)
}
