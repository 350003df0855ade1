//! OpenSSL's gost engine as the oracle, through its recorded output
//! (`core/tests/fixtures/openssl/gost2012_*`, made by `scripts/make-fixtures.sh`): for every
//! parameter set we verify OpenSSL's signature `msg.sig` over `msg.bin` with the key of
//! `pub.pem`, and the scalar of `key.pem` gives that same public key. The live
//! `openssl pkeyutl -verify` round trips live with the key module's tests.

use std::path::{Path, PathBuf};

use bankkey::gost::{ParamSet, Signature, SigningKey, VerifyingKey};
use der::asn1::{ObjectIdentifier, OctetString};
use der::{Decode, DecodePem};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/openssl")
}

const FOLDERS: &[(&str, ParamSet)] = &[
    ("gost2012_256-A", ParamSet::CryptoProA),
    ("gost2012_256-B", ParamSet::CryptoProB),
    ("gost2012_256-C", ParamSet::CryptoProC),
    ("gost2012_256-XA", ParamSet::CryptoProXchA),
    ("gost2012_256-XB", ParamSet::CryptoProXchB),
    ("gost2012_256-TCA", ParamSet::Tc26_256A),
    ("gost2012_256-TCB", ParamSet::Tc26_256B),
    ("gost2012_256-TCC", ParamSet::Tc26_256C),
    ("gost2012_256-TCD", ParamSet::Tc26_256D),
    ("gost2012_512-A", ParamSet::Tc26_512A),
    ("gost2012_512-B", ParamSet::Tc26_512B),
    ("gost2012_512-C", ParamSet::Tc26_512C),
];

/// The parameter set named by GOST key-algorithm parameters (a SEQUENCE of OIDs: the
/// parameter set first, then an optional digest set).
fn param_set_of(params: Option<&der::Any>) -> ParamSet {
    let params = params.expect("GOST key parameters present");
    let oids: Vec<ObjectIdentifier> = params.decode_as().expect("SEQUENCE OF OID");
    ParamSet::from_oid(&oids[0]).unwrap()
}

fn load_public(dir: &Path) -> VerifyingKey {
    let pem = std::fs::read_to_string(dir.join("pub.pem")).unwrap();
    let spki = spki::SubjectPublicKeyInfoOwned::from_pem(&pem).unwrap();
    let ps = param_set_of(spki.algorithm.parameters.as_ref());
    let bits = spki.subject_public_key.as_bytes().expect("whole octets");
    let xy = OctetString::from_der(bits).unwrap();
    VerifyingKey::from_le_xy(ps, xy.as_bytes()).unwrap()
}

fn load_private(dir: &Path) -> SigningKey {
    let pem = std::fs::read_to_string(dir.join("key.pem")).unwrap();
    let info = pkcs8::PrivateKeyInfoOwned::from_pem(&pem).unwrap();
    let ps = param_set_of(info.algorithm.parameters.as_ref());
    // OpenSSL writes the LE scalar as the privateKey octets themselves
    SigningKey::from_le_bytes(ps, info.private_key.as_bytes()).unwrap()
}

#[test]
fn openssl_signatures_verify_and_keys_match_on_every_set() {
    let base = fixtures();
    let msg = std::fs::read(base.join("msg.bin")).unwrap();
    for (folder, ps) in FOLDERS {
        let dir = base.join(folder);
        let vk = load_public(&dir);
        assert_eq!(vk.param_set(), *ps, "{folder}");
        let sig = Signature::from_bytes(&std::fs::read(dir.join("msg.sig")).unwrap()).unwrap();
        vk.verify(&msg, &sig)
            .unwrap_or_else(|e| panic!("{folder}: OpenSSL's signature: {e}"));
        let mut other = msg.clone();
        other.push(b'!');
        assert!(vk.verify(&other, &sig).is_err(), "{folder}");

        let sk = load_private(&dir);
        assert_eq!(sk.param_set(), *ps);
        assert_eq!(sk.verifying_key(), vk, "{folder}: d·G equals pub.pem");
        vk.verify(&msg, &sk.sign(&msg)).unwrap();
    }
}

#[test]
fn openssl_digest_files_match_streebog() {
    let base = fixtures();
    let msg = std::fs::read(base.join("msg.bin")).unwrap();
    assert_eq!(
        std::fs::read(base.join("msg.streebog256")).unwrap(),
        bankkey::gost::streebog256(&msg)
    );
    assert_eq!(
        std::fs::read(base.join("msg.streebog512")).unwrap(),
        bankkey::gost::streebog512(&msg)
    );
}
