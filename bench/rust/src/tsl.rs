//! `bankkey_tsl`: the bankkey side of `scripts/bench-tsl.sh` — reading the accredited-CA list
//! with its XMLDSig verified, against xmlsec1 verifying the same file.
//!
//! - `bankkey_tsl make DIR CAS`: writes `DIR/TSLExt.xml`, a list of `CAS` accredited CAs in the
//!   Ministry's format (each with two keys, a certificate of each key in base64 folded as the
//!   real list has it, a status history), signed as the Ministry signs it (enveloped XMLDSig,
//!   C14N 1.0, GOST R 34.10-2012 256), and `DIR/root.pem`, the Ministry's root.
//! - `bankkey_tsl time DIR`: one `BENCH` line per item, CPU time of the process, the best of
//!   three runs of each: `tsl-verify` (`TrustedList::load_signed`: two streaming passes, the
//!   signature, the canonical document's Streebog and the model), `tsl-read`
//!   (`TrustedList::load`, no verification), `c14n` (`xml::c14n::canonicalize` of the file in
//!   memory, inclusive, with comments: what `xmllint --c14n` does).

use std::path::Path;

use bankkey::bank::tsl::TrustedList;
use bankkey::gost::ParamSet;
use bankkey::key::{KeyAlgorithm, SoftwareKey};
use bankkey::pki::{Certificate, CertificateBuilder, KeyUsageBit};
use bankkey::subject::{AttributeType as A, Subject};
use bankkey::xml::c14n::{Method, canonicalize};
use bankkey::xmldsig::{SignOptions, sign_enveloped};
use bankkey_benchmark::cpu_now;
use base64ct::Encoding;
use time::{Duration, OffsetDateTime};

fn subject(cn: &str) -> Subject {
    Subject::new()
        .with(A::CommonName, cn)
        .with(A::Organization, cn)
        .with(A::Country, "RU")
}

fn gost() -> SoftwareKey {
    SoftwareKey::generate(KeyAlgorithm::Gost(ParamSet::Tc26_256A)).expect("keygen")
}

fn xs(t: OffsetDateTime) -> String {
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

fn pem(der: &[u8]) -> String {
    let b64 = base64ct::Base64::encode_string(der);
    let lines: Vec<&str> = b64
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).expect("ascii"))
        .collect();
    format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
        lines.join("\n")
    )
}

fn make(dir: &Path, cas: usize) {
    let now = OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .expect("time");
    let root_key = gost();
    let root = CertificateBuilder::new(
        &subject("Минцифры России (бенчмарк)"),
        &root_key.public_key(),
    )
    .expect("builder")
    .ca(None)
    .validity(now - Duration::days(10), now + Duration::days(3650))
    .sign(None, &root_key)
    .expect("root");
    let key = gost();
    let signer = CertificateBuilder::new(&subject("Подпись списка УЦ"), &key.public_key())
        .expect("builder")
        .key_usage(&[KeyUsageBit::DigitalSignature])
        .validity(now - Duration::days(1), now + Duration::days(365))
        .sign(Some(&root), &root_key)
        .expect("signer");
    // One CA certificate, listed under every key (the size is what matters here).
    let ca: Certificate = root.clone();
    let data: String = base64ct::Base64::encode_string(ca.der())
        .as_bytes()
        .chunks(76)
        .map(|c| std::str::from_utf8(c).expect("ascii"))
        .collect::<Vec<_>>()
        .join("\n");
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<АккредитованныеУдостоверяющиеЦентры>\n",
    );
    xml.push_str(&format!(
        "  <Версия>1042</Версия>\n  <Дата>{}</Дата>\n",
        xs(now)
    ));
    for i in 0..cas {
        xml.push_str(&format!(
            "  <УдостоверяющийЦентр>\n    <Название>АО «Удостоверяющий центр № {i}» &amp; К°</Название>\n    \
             <КраткоеНазвание>УЦ-{i}</КраткоеНазвание>\n    <ЭлектроннаяПочта>ca{i}@example.ru</ЭлектроннаяПочта>\n    \
             <Адрес><Страна>RU</Страна><Регион><Код>77</Код><Название>г. Москва</Название></Регион>\
             <Индекс>101000</Индекс><УлицаДом>ул. Тверская, д. {i}</УлицаДом><Город>Москва</Город></Адрес>\n    \
             <ПрограммноАппаратныеКомплексы>\n"
        ));
        for k in 0..2 {
            xml.push_str(&format!(
                "      <ПрограммноАппаратныйКомплекс><Псевдоним>ПАК-{i}-{k}</Псевдоним><КлассСредствЭП>КС1</КлассСредствЭП>\
                 <КлючиУполномоченныхЛиц><Ключ><ИдентификаторКлюча>{:040X}</ИдентификаторКлюча>\
                 <АдресаСписковОтзыва><Адрес>http://ca{i}.example.ru/cdp/{k}.crl</Адрес></АдресаСписковОтзыва>\
                 <Сертификаты><ДанныеСертификата><Отпечаток>{:040X}</Отпечаток><КемВыдан>CN=УЦ {i}</КемВыдан>\
                 <КомуВыдан>CN=УЦ {i}</КомуВыдан><СерийныйНомер>{}</СерийныйНомер><ПериодДействияС>{}</ПериодДействияС>\
                 <ПериодДействияДо>{}</ПериодДействияДо><Данные>\n{data}\n</Данные></ДанныеСертификата></Сертификаты>\
                 </Ключ></КлючиУполномоченныхЛиц></ПрограммноАппаратныйКомплекс>\n",
                i * 2 + k + 1,
                i * 7 + k,
                ca.serial_hex(),
                xs(ca.not_before()),
                xs(ca.not_after()),
            ));
        }
        xml.push_str(&format!(
            "    </ПрограммноАппаратныеКомплексы>\n    <ИНН>7707083893</ИНН>\n    <ОГРН>1027700132195</ОГРН>\n    \
             <РеестровыйНомер>{i}</РеестровыйНомер>\n    <СтатусАккредитации><Статус>Действует</Статус>\
             <ДействуетС>2021-07-01T00:00:00</ДействуетС></СтатусАккредитации>\n    <ИсторияСтатусовАккредитации>\
             <СтатусАккредитации><Статус>Действует</Статус><ДействуетС>2021-07-01T00:00:00</ДействуетС>\
             </СтатусАккредитации></ИсторияСтатусовАккредитации>\n  </УдостоверяющийЦентр>\n"
        ));
    }
    xml.push_str("</АккредитованныеУдостоверяющиеЦентры>\n");
    let signed =
        sign_enveloped(xml.as_bytes(), &key, &signer, &SignOptions::default()).expect("signing");
    std::fs::create_dir_all(dir).expect("mkdir");
    std::fs::write(dir.join("TSLExt.xml"), &signed).expect("write");
    std::fs::write(dir.join("root.pem"), pem(root.der())).expect("write");
    println!(
        "wrote {} ({} bytes, {cas} CAs)",
        dir.join("TSLExt.xml").display(),
        signed.len()
    );
}

fn best_of_3(mut f: impl FnMut()) -> f64 {
    let mut best = f64::MAX;
    for _ in 0..3 {
        let t = cpu_now();
        f();
        best = best.min(cpu_now() - t);
    }
    best
}

/// Peak resident memory of the process so far, in KiB.
fn max_rss_kib() -> i64 {
    // SAFETY: `usage` is a valid, writable rusage; RUSAGE_SELF is a constant the C library knows.
    #[allow(unsafe_code)]
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_SELF, &mut usage);
        usage
    };
    usage.ru_maxrss
}

fn time(dir: &Path) {
    let path = dir.join("TSLExt.xml");
    let n = std::fs::metadata(&path).expect("the list").len() as usize;
    let pem = std::fs::read_to_string(dir.join("root.pem")).expect("root.pem");
    let root = Certificate::from_pem(pem.as_bytes()).expect("root");
    let now = OffsetDateTime::now_utc();
    let line = |op: &str, s: f64| {
        println!(
            "BENCH impl=bankkey op={op} set=tsl bytes={n} iters=1 cpu_s={s:.6} ops_s={:.3} mb_s={:.1}",
            1.0 / s,
            n as f64 / s / 1e6
        );
    };
    // Streaming from the file first, so that the peak memory is the verification's.
    let before = max_rss_kib();
    let mut cas = 0;
    line(
        "tsl-verify",
        best_of_3(|| {
            let l =
                TrustedList::load_signed(&path, std::slice::from_ref(&root), now).expect("verify");
            cas = l.cas.len();
        }),
    );
    println!(
        "MEM impl=bankkey op=tsl-verify max_rss_kib={} (before: {before})",
        max_rss_kib()
    );
    line(
        "tsl-read",
        best_of_3(|| {
            let l = TrustedList::load(&path).expect("read");
            assert_eq!(l.cas.len(), cas);
        }),
    );
    let bytes = std::fs::read(&path).expect("read");
    let method = Method::c14n().with_comments();
    line(
        "c14n",
        best_of_3(|| {
            canonicalize(&bytes, &method).expect("c14n");
        }),
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("make") if args.len() == 4 => make(
            Path::new(&args[2]),
            args[3].parse().expect("a number of CAs"),
        ),
        Some("time") if args.len() == 3 => time(Path::new(&args[2])),
        _ => {
            eprintln!("usage: bankkey_tsl make DIR CAS | bankkey_tsl time DIR");
            std::process::exit(2);
        }
    }
}
