//! The main job, for now: a subscriber's new GOST R 34.10-2012 key (CryptoPro-A parameter
//! set) and a PKCS#10 request for a legal entity with the extensions a Russian bank's CA
//! expects. Writes into OUTDIR (default `demo-out`):
//!
//! - `subscriber-key.p8.pem`: the key as password-encrypted PKCS#8 (PBES2); the password is
//!   `BANKKEY_PASSWORD`, or `demo-password` when unset;
//! - `subscriber-key.pub.pem`: the public key (SubjectPublicKeyInfo);
//! - `request.pem`: the request, signed with the key and verified before it is written.
//!
//! `scripts/demo.sh` runs it and then inspects `request.pem`.

use std::path::PathBuf;
use std::process::ExitCode;

use bankkey::gost::ParamSet;
use bankkey::key::{KeyAlgorithm, SoftwareKey};
use bankkey::oid;
use bankkey::pki::{IdentificationKind, KeyUsageBit, RequestBuilder, SignToolClass};
use bankkey::subject::{AttributeType as A, Subject};

fn run(out: PathBuf) -> bankkey::Result<()> {
    let password = std::env::var("BANKKEY_PASSWORD").unwrap_or_else(|_| "demo-password".into());
    let key = SoftwareKey::generate(KeyAlgorithm::Gost(ParamSet::CryptoProA))?;

    let subject = Subject::new()
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
        .with(A::Inn, "500100732259");
    let request = RequestBuilder::new(subject)
        .key_usage(&[KeyUsageBit::DigitalSignature, KeyUsageBit::NonRepudiation])
        .extended_key_usage(&[oid::KP_CLIENT_AUTH, oid::KP_EMAIL_PROTECTION])
        .sign_tool_class(SignToolClass::Kc1)
        .subject_sign_tool("СКЗИ «КриптоПро CSP» (версия 5.0)")
        .identification_kind(IdentificationKind::InPerson)
        .build(&key)?;

    std::fs::create_dir_all(&out)?;
    let key_pem = key.to_encrypted_pkcs8_pem(password.as_bytes())?;
    std::fs::write(out.join("subscriber-key.p8.pem"), key_pem.as_bytes())?;
    std::fs::write(
        out.join("subscriber-key.pub.pem"),
        key.public_key().to_pem(),
    )?;
    std::fs::write(out.join("request.pem"), request.to_pem())?;
    eprintln!(
        "demo: {} key {}, request for \"{}\" written to {}",
        key.algorithm().name(),
        hex::encode_upper(key.public_key().key_id()),
        request.subject().common_name().unwrap_or_default(),
        out.display()
    );
    Ok(())
}

fn main() -> ExitCode {
    let out = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "demo-out".into()));
    match run(out) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("demo: {e}");
            ExitCode::FAILURE
        }
    }
}
