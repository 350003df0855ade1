//! GOST R 34.10-2001 with GOST R 34.11-94, verification only, against objects OpenSSL's gost
//! engine makes with 2001 keys on every CryptoPro parameter set (A, B, C, XchA, XchB): a CA
//! certificate and one it issues, a PKCS#10 request, a CRL, CMS SignedData attached and
//! detached. We verify each, and refuse each altered; and nothing of ours signs with a 2001 key
//! (key generation, PKCS#8 import, a host signer holding one).

mod common;

use bankkey::ErrorKind;
use bankkey::bank::Crl;
use bankkey::cms::{SignedData, VerifyOptions};
use bankkey::gost::ParamSet;
use bankkey::key::{KeyAlgorithm, PublicKey, Signer, SoftwareKey};
use bankkey::pki::{Certificate, CertificateRequest, RequestBuilder, build_chain};
use common::{Oracle, TempDir, openssl};
use spki::AlgorithmIdentifierOwned;

const SETS: [(&str, ParamSet); 5] = [
    ("A", ParamSet::CryptoProA),
    ("B", ParamSet::CryptoProB),
    ("C", ParamSet::CryptoProC),
    ("XA", ParamSet::CryptoProXchA),
    ("XB", ParamSet::CryptoProXchB),
];

const CONTENT: &[u8] = b"\xd0\x9f\xd0\xbb\xd0\xb0\xd1\x82\xd1\x91\xd0\xb6 2018-12-31\r\n\x00\xff";

/// What OpenSSL made for one parameter set, in `dir`.
struct Made {
    dir: TempDir,
    ossl: Oracle,
}

impl Made {
    fn path(&self, name: &str) -> String {
        self.dir.path(name).to_string_lossy().into_owned()
    }

    fn run(&self, args: &[&str]) {
        self.ossl.run(args);
    }

    fn cert(&self, name: &str) -> Certificate {
        Certificate::from_pem(&self.dir.read(name)).unwrap()
    }
}

fn make(ossl: &Oracle, set: &str) -> Made {
    let m = Made {
        dir: TempDir::new(&format!("gost2001-{set}")),
        ossl: ossl.clone(),
    };
    let p = |n: &str| m.path(n);
    for k in ["ca.key", "ee.key"] {
        m.run(&[
            "genpkey",
            "-engine",
            "gost",
            "-algorithm",
            "gost2001",
            "-pkeyopt",
            &format!("paramset:{set}"),
            "-out",
            &p(k),
        ]);
    }
    m.run(&[
        "req",
        "-engine",
        "gost",
        "-new",
        "-x509",
        "-md_gost94",
        "-key",
        &p("ca.key"),
        "-subj",
        "/CN=CA 2001",
        "-days",
        "3650",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
        "-out",
        &p("ca.pem"),
    ]);
    m.run(&[
        "req",
        "-engine",
        "gost",
        "-new",
        "-md_gost94",
        "-key",
        &p("ee.key"),
        "-subj",
        "/CN=Signer 2001",
        "-out",
        &p("ee.csr"),
    ]);
    m.run(&[
        "x509",
        "-engine",
        "gost",
        "-req",
        "-md_gost94",
        "-in",
        &p("ee.csr"),
        "-CA",
        &p("ca.pem"),
        "-CAkey",
        &p("ca.key"),
        "-CAcreateserial",
        "-days",
        "365",
        "-out",
        &p("ee.pem"),
    ]);
    let root = m.dir.path("").display().to_string();
    m.dir.write("index.txt", "");
    m.dir.write("crlnumber", "01\n");
    m.dir.write(
        "ca.cnf",
        format!(
            "[ ca ]\ndefault_ca = CA_default\n[ CA_default ]\ndir = {root}\n\
             database = $dir/index.txt\ncrlnumber = $dir/crlnumber\ndefault_md = md_gost94\n"
        ),
    );
    m.run(&[
        "ca",
        "-engine",
        "gost",
        "-config",
        &p("ca.cnf"),
        "-keyfile",
        &p("ca.key"),
        "-cert",
        &p("ca.pem"),
        "-gencrl",
        "-crldays",
        "7",
        "-out",
        &p("crl.pem"),
    ]);
    m.dir.write("content.bin", CONTENT);
    for (out, detach) in [("attached.der", "-nodetach"), ("detached.der", "-binary")] {
        m.run(&[
            "cms",
            "-sign",
            "-engine",
            "gost",
            "-md",
            "md_gost94",
            "-binary",
            detach,
            "-signer",
            &p("ee.pem"),
            "-inkey",
            &p("ee.key"),
            "-in",
            &p("content.bin"),
            "-outform",
            "DER",
            "-out",
            &p(out),
        ]);
    }
    m
}

/// The byte `from_end` bytes before the end flipped (inside the trailing signature).
fn flipped(der: &[u8], from_end: usize) -> Vec<u8> {
    let mut v = der.to_vec();
    let i = v.len() - from_end;
    v[i] ^= 0x01;
    v
}

#[test]
fn we_verify_what_openssl_signs_with_2001_keys() {
    let Some(ossl) = openssl() else { return };
    for (name, ps) in SETS {
        let m = make(&ossl, name);
        let ca = m.cert("ca.pem");
        let ee = m.cert("ee.pem");
        assert_eq!(
            ca.public_key().unwrap().algorithm(),
            KeyAlgorithm::Gost2001(ps),
            "{name}"
        );
        // certificates: the self-signature and the issued one, through the chain
        ca.verify_issued_by(&ca).unwrap();
        let at = ee.not_before() + time::Duration::hours(1);
        let chain = build_chain(&ee, &[], std::slice::from_ref(&ca), at).unwrap();
        assert_eq!(chain.certificates().len(), 2, "{name}");
        let bad = Certificate::from_der(&flipped(ee.der(), 5)).unwrap();
        assert_eq!(
            bad.verify_issued_by(&ca).unwrap_err().kind(),
            ErrorKind::BadSignature,
            "{name}"
        );
        // the request's self-signature
        let csr = CertificateRequest::from_pem(&m.dir.read("ee.csr")).unwrap();
        csr.verify().unwrap();
        assert!(ee.holds_key(&csr.public_key().unwrap()), "{name}");
        let bad = CertificateRequest::from_der(&flipped(csr.der(), 7)).unwrap();
        assert_eq!(bad.verify().unwrap_err().kind(), ErrorKind::BadSignature);
        // the CRL
        let crl = Crl::from_pem(&m.dir.read("crl.pem")).unwrap();
        crl.verify_issued_by(&ca).unwrap();
        let bad = Crl::from_der(&flipped(crl.der(), 3)).unwrap();
        assert_eq!(
            bad.verify_issued_by(&ca).unwrap_err().kind(),
            ErrorKind::BadSignature
        );
        // CMS, attached and detached, with the key OID as OpenSSL writes it
        let opts = |content: Option<&[u8]>| VerifyOptions {
            content: content.map(<[u8]>::to_vec),
            anchors: vec![ca.clone()],
            certificates: vec![],
            at: Some(at),
        };
        let attached = SignedData::from_der(&m.dir.read("attached.der")).unwrap();
        let signers = attached.verify(&opts(None)).unwrap();
        assert_eq!(signers[0].certificate, ee);
        let detached = SignedData::from_der(&m.dir.read("detached.der")).unwrap();
        assert!(detached.is_detached());
        detached.verify(&opts(Some(CONTENT))).unwrap();
        let mut altered = CONTENT.to_vec();
        altered[0] ^= 1;
        assert_eq!(
            detached.verify(&opts(Some(&altered))).unwrap_err().kind(),
            ErrorKind::ContentAltered
        );
        let bad = SignedData::from_der(&flipped(&m.dir.read("detached.der"), 2)).unwrap();
        assert_eq!(
            bad.verify(&opts(Some(CONTENT))).unwrap_err().kind(),
            ErrorKind::BadSignature,
            "{name}"
        );
    }
}

/// A host signer that claims a GOST R 34.10-2001 key (as a CryptoPro callback could).
struct Host2001(PublicKey);

impl Signer for Host2001 {
    fn public_key(&self) -> PublicKey {
        self.0.clone()
    }
    fn signature_algorithm(&self) -> AlgorithmIdentifierOwned {
        self.0.algorithm().signature_algorithm()
    }
    fn sign(&self, _msg: &[u8]) -> bankkey::Result<Vec<u8>> {
        panic!("a 2001 key must never be asked to sign");
    }
}

#[test]
fn nothing_signs_with_a_2001_key() {
    let Some(ossl) = openssl() else { return };
    let m = make(&ossl, "A");
    let is_refusal = |e: bankkey::Error| {
        assert_eq!(e.kind(), ErrorKind::UnsupportedAlgorithm, "{e}");
        assert!(e.message().contains("2001"), "{e}");
    };
    is_refusal(SoftwareKey::generate(KeyAlgorithm::Gost2001(ParamSet::CryptoProA)).unwrap_err());
    let pkcs8 = String::from_utf8(m.dir.read("ee.key")).unwrap();
    is_refusal(SoftwareKey::from_pkcs8_pem(&pkcs8).unwrap_err());
    let host = Host2001(m.cert("ee.pem").public_key().unwrap());
    let subject = common::documents::subject("person");
    is_refusal(RequestBuilder::new(subject).build(&host).unwrap_err());
    let cert = m.cert("ee.pem");
    let err = bankkey::cms::sign(CONTENT, &[(&host, &cert)], &Default::default()).unwrap_err();
    is_refusal(err);
}
