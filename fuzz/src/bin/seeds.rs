//! Writes the seed corpora of the fuzz targets, from the fixtures (`core/tests/fixtures`,
//! `tests/realworld`) and from objects made with the fixture keys, into `corpus/<target>/`
//! (each file named by the SHA-1 of its bytes, as libFuzzer names what it adds). Run by
//! `scripts/fuzz.sh --seed`; the corpora are then minimised by libFuzzer's merge.
//!
//! Also makes the bank's set-up for the `bank_receive` target (`data/bank/`) when it is not
//! there: a CA and a subscriber with GOST keys (kept, so that the seeds stay valid).
//!
//! Usage: `seeds [OUT_DIR]` (default: the crate's `corpus/`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use bankkey::cms::{SignOptions, sign};
use bankkey::gost::{ParamSet, SigningKey};
use bankkey::key::{KeyAlgorithm, SoftwareKey};
use bankkey::lifecycle::{Client, Flow, SqliteJournal};
use bankkey::pki::{
    Certificate, CertificateBuilder, CrlBuilder, KeyUsageBit, RequestBuilder, SignToolClass, pem,
};
use bankkey::store::{FileContainer, KeyStore};
use bankkey::subject::{AttributeType as A, Subject};
use bankkey_fuzz::{
    CONTAINER_EXTS, CONTAINER_IDS, JOURNAL_COLUMNS, PASSWORD, fuzz_dir, put_chunk, repo_file, t0,
};
use sha1::{Digest, Sha1};
use time::Duration;

const FIXTURES: &str = "core/tests/fixtures/openssl";
const KEY_TYPES: [&str; 14] = [
    "gost2012_256-A",
    "gost2012_256-B",
    "gost2012_256-C",
    "gost2012_256-XA",
    "gost2012_256-XB",
    "gost2012_256-TCA",
    "gost2012_256-TCB",
    "gost2012_256-TCC",
    "gost2012_256-TCD",
    "gost2012_512-A",
    "gost2012_512-B",
    "gost2012_512-C",
    "rsa2048",
    "ec-p256",
];

/// The seeds, by target.
#[derive(Default)]
struct Seeds(BTreeMap<&'static str, Vec<Vec<u8>>>);

impl Seeds {
    fn add(&mut self, target: &'static str, bytes: impl Into<Vec<u8>>) {
        self.0.entry(target).or_default().push(bytes.into());
    }

    fn write(&self, out: &Path) {
        for (target, seeds) in &self.0 {
            let dir = out.join(target);
            std::fs::create_dir_all(&dir).unwrap();
            for s in seeds {
                let name = hex::encode(Sha1::digest(s));
                std::fs::write(dir.join(name), s).unwrap();
            }
            println!("{target}: {} seeds", seeds.len());
        }
    }
}

fn fixture(rel: &str) -> Vec<u8> {
    repo_file(&format!("{FIXTURES}/{rel}"))
}

/// The DER of each PEM block of a file.
fn ders(pem_bytes: &[u8]) -> Vec<Vec<u8>> {
    pem::blocks(pem_bytes)
        .unwrap()
        .iter()
        .map(|b| b.der.clone())
        .collect()
}

fn files_in(rel: &str) -> Vec<(String, Vec<u8>)> {
    let dir = fuzz_dir().join("..").join(rel);
    let mut v: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

fn key(rel: &str) -> SoftwareKey {
    SoftwareKey::from_pkcs8_pem(&String::from_utf8(fixture(rel)).unwrap()).unwrap()
}

fn main() {
    let out = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| fuzz_dir().join("corpus"));
    bankkey::key::set_kdf_iteration_limit(bankkey_fuzz::KDF_LIMIT).unwrap();
    let mut s = Seeds::default();

    // Certificates, requests, public and private keys of every key type, DER; PEM for one.
    for kt in KEY_TYPES {
        for f in ["cert.pem", "ca.pem"] {
            for d in ders(&fixture(&format!("{kt}/{f}"))) {
                s.add("certificate", d);
            }
        }
        for d in ders(&fixture(&format!("{kt}/req.pem"))) {
            s.add("request", d);
        }
        for d in ders(&fixture(&format!("{kt}/pub.pem"))) {
            s.add("public_key", d);
        }
        for d in ders(&fixture(&format!("{kt}/key.pem"))) {
            s.add("pkcs8", d);
        }
    }
    s.add("certificate", fixture("gost2012_256-A/cert.pem"));
    s.add("request", fixture("gost2012_512-C/req.pem"));
    s.add("public_key", fixture("gost2012_256-TCA/pub.pem"));
    s.add("pkcs8", fixture("gost2012_256-A/key.pem"));
    for (name, bytes) in files_in(&format!("{FIXTURES}/gnutls")) {
        let target = if name.ends_with(".cert.pem") {
            "certificate"
        } else if name.ends_with(".key.pem") {
            "pkcs8"
        } else if name.ends_with(".pub.pem") {
            "public_key"
        } else {
            continue;
        };
        for d in ders(&bytes) {
            s.add(target, d);
        }
    }
    for (name, bytes) in files_in(&format!("{FIXTURES}/encrypted")) {
        if name.ends_with(".pem") {
            for d in ders(&bytes) {
                s.add("pkcs8", d);
            }
        }
    }
    s.add(
        "pkcs8",
        fixture("encrypted/gost2012_256-A.gost89.hmac-streebog512.pem"),
    );
    for (_, bytes) in files_in("tests/realworld/certs") {
        for d in ders(&bytes) {
            s.add("certificate", d);
        }
    }
    for (_, bytes) in files_in("tests/realworld/csr") {
        for d in ders(&bytes) {
            s.add("request", d);
        }
    }
    for (_, bytes) in files_in("tests/realworld/keys") {
        s.add("pkcs8", bytes);
    }

    // PFX: the real-world ones (the Р 50.1.112 example and its 2001 sibling; CryptoPro CSP's
    // own exports, key encryption 1.2.840.113549.1.12.1.80, certificates under triple DES),
    // and ours (GOST, RSA, P-256 under the fixtures' password).
    for (_, bytes) in files_in("tests/realworld/pfx") {
        s.add("pfx", bytes);
    }
    for dir in ["gost2012_256-A", "gost2012_512-C", "rsa2048", "ec-p256"] {
        let key = SoftwareKey::from_pkcs8_pem(
            std::str::from_utf8(&fixture(&format!("{dir}/key.pem"))).unwrap(),
        )
        .unwrap();
        let cert = Certificate::from_pem(&fixture(&format!("{dir}/cert.pem"))).unwrap();
        let options = bankkey::pfx::PfxOptions {
            iterations: 100,
            friendly_name: Some("bankkey fuzz".into()),
        };
        let password = std::str::from_utf8(PASSWORD).unwrap();
        s.add(
            "pfx",
            bankkey::pfx::Pfx::write(&key, Some(&cert), &[], password, &options).unwrap(),
        );
    }

    // CMS: the real-world messages (DER, PEM), ours attached and detached, DER and BER.
    for (name, bytes) in files_in("tests/realworld/cms") {
        if name.ends_with(".sig") {
            s.add("cms", bytes);
        } else if name.ends_with(".pem") {
            for d in ders(&bytes) {
                s.add("cms", d);
            }
        }
    }
    let user = key("gost2012_256-A/key.pem");
    let user_cert = Certificate::from_pem(&fixture("gost2012_256-A/cert.pem")).unwrap();
    let user512 = key("gost2012_512-C/key.pem");
    let user512_cert = Certificate::from_pem(&fixture("gost2012_512-C/cert.pem")).unwrap();
    let options = SignOptions {
        signing_time: Some(t0() - Duration::minutes(5)),
        ..SignOptions::default()
    };
    let attached = sign(b"content", &[(&user, &user_cert)], &options).unwrap();
    s.add("cms", to_ber(&attached));
    s.add("cms", attached.clone());
    s.add(
        "cms",
        sign(
            b"content",
            &[(&user, &user_cert), (&user512, &user512_cert)],
            &SignOptions {
                detached: true,
                ..options.clone()
            },
        )
        .unwrap(),
    );

    // CRLs: the fixture CA's, empty and revoking its certificate.
    let ca_key = key("gost2012_256-A/ca-key.pem");
    let ca = Certificate::from_pem(&fixture("gost2012_256-A/ca.pem")).unwrap();
    let crl = CrlBuilder::new(t0() - Duration::days(1), t0() + Duration::days(6), 7);
    s.add("crl", crl.sign(&ca, &ca_key).unwrap());
    let revoked = crl
        .revoke(user_cert.serial(), t0() - Duration::days(2), None)
        .sign(&ca, &ca_key)
        .unwrap();
    s.add("crl", pem::encode("X509 CRL", &revoked).into_bytes());
    s.add("crl", revoked);

    // The accredited-CA list: the fixture CA active since 2020.
    s.add("tsl", tsl_xml(&ca));
    // The same list signed (XMLDSig, enveloped), C14N 1.0 and exclusive, by the fixture key.
    for canonicalization in [
        bankkey::xml::c14n::Method::c14n(),
        bankkey::xml::c14n::Method::exclusive(),
    ] {
        let signed = bankkey::xmldsig::sign_enveloped(
            &tsl_xml(&ca),
            &user,
            &user_cert,
            &bankkey::xmldsig::SignOptions {
                canonicalization,
                ..Default::default()
            },
        )
        .unwrap();
        s.add("xmldsig", signed);
    }

    // The calendar: an instant (8 bytes), then the text.
    let mut cal = 1_790_000_000_i64.to_le_bytes().to_vec();
    cal.extend_from_slice(
        b"# the host's days\n2026-12-31 holiday\n2027-01-09 working\n\n2026-11-04 holiday\n",
    );
    s.add("calendar", cal);

    // GOST: per parameter set, a valid signature to verify, and a scalar to sign with.
    for (i, ps) in ParamSet::ALL.into_iter().enumerate() {
        let n = ps.field_len();
        let mut scalar = vec![0u8; n];
        scalar[0] = 7 + i as u8;
        scalar[n - 1] = 1;
        let sk = SigningKey::from_le_bytes(ps, &scalar).unwrap();
        let msg = b"bankkey fuzz message";
        let mut v = vec![i as u8];
        put_chunk(&mut v, &sk.verifying_key().to_le_xy());
        put_chunk(&mut v, &sk.sign(msg).to_bytes());
        v.extend_from_slice(msg);
        s.add("gost_verify", v);
        let mut v = vec![(ParamSet::ALL.len() + i) as u8];
        put_chunk(&mut v, &scalar);
        v.extend_from_slice(msg);
        s.add("gost_verify", v);
    }

    container_seeds(&mut s, &user, &user_cert, &user512);
    bank_seeds(&mut s);
    journal_seeds(&mut s);

    // inspect: one of each kind it tells apart.
    for t in [
        "certificate",
        "request",
        "cms",
        "pkcs8",
        "public_key",
        "crl",
    ] {
        let v = s.0[t].clone();
        for x in v.into_iter().take(3) {
            s.add("inspect", x);
        }
    }
    s.write(&out);
}

/// The same SignedData with the outer SEQUENCE in indefinite length (as `openssl cms -sign
/// -stream` writes).
fn to_ber(der: &[u8]) -> Vec<u8> {
    assert_eq!(&der[..2], &[0x30, 0x82]);
    let mut ber = vec![0x30, 0x80];
    ber.extend_from_slice(&der[4..]);
    ber.extend_from_slice(&[0, 0]);
    ber
}

fn xs(t: time::OffsetDateTime) -> String {
    t.format(time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second]"
    ))
    .unwrap()
}

fn tsl_xml(ca: &Certificate) -> Vec<u8> {
    use base64ct::Encoding;
    let b64 = base64ct::Base64::encode_string(ca.der());
    let key_id = hex::encode(ca.subject_key_id().unwrap_or(&[0x11; 20]));
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<АккредитованныеУдостоверяющиеЦентры>
<Версия>41</Версия>
<Дата>{date}</Дата>
<УдостоверяющийЦентр>
<Название>ООО &quot;Тестовый УЦ&quot;</Название>
<КраткоеНазвание>Тестовый УЦ</КраткоеНазвание>
<ИНН>7707083893</ИНН><ОГРН>1027700132195</ОГРН><РеестровыйНомер>999</РеестровыйНомер>
<ПрограммноАппаратныеКомплексы><ПрограммноАппаратныйКомплекс><КлючиУполномоченныхЛиц><Ключ>
<Сертификаты><ДанныеСертификата><Отпечаток>{thumb}</Отпечаток><КемВыдан>CN=УЦ</КемВыдан>
<ПериодДействияС>{nb}</ПериодДействияС><ПериодДействияДо>{na}</ПериодДействияДо>
<Данные>{b64}</Данные></ДанныеСертификата></Сертификаты>
<АдресаСписковОтзыва><Адрес>http://ca.example/crl.crl</Адрес></АдресаСписковОтзыва>
<ИдентификаторКлюча>{key_id}</ИдентификаторКлюча>
</Ключ></КлючиУполномоченныхЛиц></ПрограммноАппаратныйКомплекс></ПрограммноАппаратныеКомплексы>
<ИсторияСтатусовАккредитации><СтатусАккредитации><ДействуетС>2019-01-01T00:00:00</ДействуетС><Статус>Приостановлена</Статус></СтатусАккредитации></ИсторияСтатусовАккредитации>
<СтатусАккредитации><Статус>Действует</Статус><ДействуетС>2020-01-01T00:00:00</ДействуетС></СтатусАккредитации>
</УдостоверяющийЦентр>
</АккредитованныеУдостоверяющиеЦентры>
"#,
        date = xs(t0() - Duration::days(1)),
        thumb = "AB".repeat(20),
        nb = xs(ca.not_before()),
        na = xs(ca.not_after()),
    )
    .into_bytes()
}

/// A container holding two fixture keys (one with its certificate, one retired), written
/// as the container target's framing: selector byte, chunk.
fn container_seeds(s: &mut Seeds, user: &SoftwareKey, cert: &Certificate, user512: &SoftwareKey) {
    let ids = [user.public_key().key_id(), user512.public_key().key_id()].map(hex::encode);
    assert_eq!(
        ids.clone(),
        CONTAINER_IDS.map(str::to_string),
        "CONTAINER_IDS must be the key ids of the fixtures gost2012_256-A and gost2012_512-C"
    );
    let dir = std::env::temp_dir().join(format!("bankkey-fuzz-seeds-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut c = FileContainer::create(
        &dir,
        secrecy::SecretString::from(std::str::from_utf8(PASSWORD).unwrap()),
    )
    .unwrap();
    c.set_kdf_iterations(bankkey_fuzz::KDF_LIMIT);
    c.import(user, "Ключ 2026").unwrap();
    c.install_certificate(cert.der(), None).unwrap();
    let other = c.import(user512, "old").unwrap();
    c.retire(&other.id).unwrap();
    let mut all = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        let mut one = Vec::new();
        for (e, ext) in CONTAINER_EXTS.iter().enumerate().take(4) {
            if let Ok(bytes) = std::fs::read(dir.join(format!("{id}.{ext}"))) {
                for v in [&mut one, &mut all] {
                    v.push((i * 5 + e) as u8);
                    put_chunk(v, &bytes);
                }
            }
        }
        s.add("container", one);
    }
    s.add("container", all);
    std::fs::remove_dir_all(&dir).unwrap();
}

fn subscriber_subject() -> Subject {
    Subject::new()
        .with(A::CommonName, "Иванов Иван")
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

/// The bank's set-up (made once, kept in `data/bank/`), and a request of each flow from the
/// subscriber: paper (PKCS#10 of a new key) and remote (the same, in CMS signed with the
/// current key).
fn bank_seeds(s: &mut Seeds) {
    let dir = fuzz_dir().join("data/bank");
    let gost = KeyAlgorithm::Gost(ParamSet::Tc26_256A);
    if !dir.join("subscriber.pem").exists() {
        std::fs::create_dir_all(&dir).unwrap();
        let ca_key = SoftwareKey::generate(gost).unwrap();
        let from = t0() - Duration::days(1000);
        let ca_subject = Subject::new()
            .with(A::CommonName, "Банк УЦ (fuzz)")
            .with(A::Organization, "bankkey fuzz")
            .with(A::Country, "RU");
        let ca = CertificateBuilder::new(&ca_subject, &ca_key.public_key())
            .unwrap()
            .ca(None)
            .validity(from, from + Duration::days(3650))
            .sign(None, &ca_key)
            .unwrap();
        let sub_key = SoftwareKey::generate(gost).unwrap();
        let from = t0() - Duration::days(300);
        let sub = CertificateBuilder::from_request(&request(&sub_key))
            .unwrap()
            .validity(from, from + Duration::days(365))
            .sign(Some(&ca), &ca_key)
            .unwrap();
        std::fs::write(dir.join("ca-key.pem"), ca_key.to_pkcs8_pem().as_bytes()).unwrap();
        std::fs::write(dir.join("ca.pem"), ca.to_pem()).unwrap();
        std::fs::write(
            dir.join("subscriber-key.pem"),
            sub_key.to_pkcs8_pem().as_bytes(),
        )
        .unwrap();
        std::fs::write(dir.join("subscriber.pem"), sub.to_pem()).unwrap();
    }
    let read = |n: &str| std::fs::read(dir.join(n)).unwrap();
    let sub_key =
        SoftwareKey::from_pkcs8_pem(&String::from_utf8(read("subscriber-key.pem")).unwrap())
            .unwrap();
    let sub = Certificate::from_pem(&read("subscriber.pem")).unwrap();
    let new_key = key("gost2012_256-TCA/key.pem");
    let req = request(&new_key);
    let mut paper = vec![0u8];
    paper.extend_from_slice(req.der());
    s.add("bank_receive", paper);
    let cms = sign(
        req.der(),
        &[(&sub_key, &sub)],
        &SignOptions {
            signing_time: Some(t0() - Duration::minutes(1)),
            ..SignOptions::default()
        },
    )
    .unwrap();
    let mut remote = vec![1u8];
    remote.extend_from_slice(&cms);
    s.add("bank_receive", remote);
}

fn request(key: &SoftwareKey) -> bankkey::pki::CertificateRequest {
    RequestBuilder::new(subscriber_subject())
        .key_usage(&[KeyUsageBit::DigitalSignature, KeyUsageBit::NonRepudiation])
        .extended_key_usage(&[bankkey::oid::KP_CLIENT_AUTH])
        .sign_tool_class(SignToolClass::Kc1)
        .subject_sign_tool("СКЗИ «КриптоПро CSP» (версия 5.0)")
        .build(key)
        .unwrap()
}

/// Journals written by the client itself (a regeneration started; started and cancelled),
/// their rows encoded as the journal target reads them (tags 0–3: the exact values).
fn journal_seeds(s: &mut Seeds) {
    for cancel in [false, true] {
        let dir = std::env::temp_dir().join(format!("bankkey-fuzz-journal-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("journal.sqlite");
        let mut store =
            FileContainer::create(dir.join("c"), secrecy::SecretString::from("p")).unwrap();
        store.set_kdf_iterations(1000);
        let store: Box<dyn KeyStore> = Box::new(store);
        let mut client =
            Client::open_at(store, Box::new(SqliteJournal::open(&path).unwrap()), t0()).unwrap();
        let r = client
            .start(
                Flow::PaperActs,
                KeyAlgorithm::Gost(ParamSet::Tc26_256A),
                &subscriber_subject(),
                t0(),
            )
            .unwrap();
        if cancel {
            client.cancel(r.id(), t0() + Duration::minutes(1)).unwrap();
        }
        drop(client);
        let conn = rusqlite::Connection::open(&path).unwrap();
        let mut stmt = conn
            .prepare(&format!(
                "SELECT {} FROM events ORDER BY seq",
                JOURNAL_COLUMNS.join(", ")
            ))
            .unwrap();
        let mut out = Vec::new();
        let mut rows = stmt.query([]).unwrap();
        while let Some(row) = rows.next().unwrap() {
            for i in 0..JOURNAL_COLUMNS.len() {
                use rusqlite::types::ValueRef;
                match row.get_ref(i).unwrap() {
                    ValueRef::Null => out.push(0),
                    ValueRef::Integer(n) => {
                        out.push(1);
                        out.extend_from_slice(&n.to_le_bytes());
                    }
                    ValueRef::Text(t) => {
                        out.push(2);
                        put_chunk(&mut out, t);
                    }
                    ValueRef::Blob(b) => {
                        out.push(3);
                        put_chunk(&mut out, b);
                    }
                    ValueRef::Real(_) => unreachable!("the journal has no REAL column"),
                }
            }
        }
        s.add("journal", out);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
