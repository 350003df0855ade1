//! Our XML signatures beside another producer's: xmlsec1 (the XML Security Library, Debian's
//! source built with GOST R 34.10-2012 by scripts/xmlsec-gost.sh, over OpenSSL and its gost
//! engine) verifies the lists we sign and signs lists we verify, with each canonicalisation,
//! both key sizes and both reference forms; and our canonical XML is libxml2's
//! (`xmllint --c14n` / `--exc-c14n`) byte for byte.

mod bank_support;

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use bank_support::common::{TempDir, oracles_required};
use bank_support::*;
use bankkey::ErrorKind;
use bankkey::bank::tsl::TrustedList;
use bankkey::gost::ParamSet;
use bankkey::key::{KeyAlgorithm, SoftwareKey};
use bankkey::pki::{Certificate, CertificateBuilder, KeyUsageBit};
use bankkey::xml::c14n::{Method, canonicalize};
use bankkey::xmldsig::{self, SignOptions};
use time::Duration;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn skip(what: &str) -> Option<Tool> {
    if oracles_required() {
        panic!("{what} is required (REQUIRE_ORACLES=1) but not available");
    }
    eprintln!("SKIP: {what} not available");
    None
}

/// xmlsec1 with GOST, and the OpenSSL configuration that loads the gost engine for it.
struct Tool {
    program: PathBuf,
    env: Vec<(String, String)>,
}

impl Tool {
    fn run(&self, args: &[&str]) -> Output {
        Command::new(&self.program)
            .args(args)
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("running {}: {e}", self.program.display()))
    }

    fn ok(&self, args: &[&str]) {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "{} {}: {}{}",
            self.program.display(),
            args.join(" "),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

fn xmlsec(dir: &TempDir) -> Option<Tool> {
    let program = match std::env::var_os("BANKKEY_XMLSEC1") {
        Some(p) => PathBuf::from(p),
        None => {
            let out = Command::new("bash")
                .arg(repo().join("scripts/xmlsec-gost.sh"))
                .stderr(Stdio::inherit())
                .output()
                .ok()?;
            if !out.status.success() {
                return skip("xmlsec1 with GOST (scripts/xmlsec-gost.sh)");
            }
            PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
        }
    };
    // The engine must be registered for EVP_get_digestbyname: a configuration that loads it.
    let engines = Command::new("openssl")
        .args(["version", "-e"])
        .output()
        .ok()?;
    let engines = String::from_utf8_lossy(&engines.stdout);
    let dir_name = engines
        .split('"')
        .nth(1)
        .unwrap_or("/usr/lib/x86_64-linux-gnu/engines-3");
    let so = PathBuf::from(dir_name).join("gost.so");
    if !so.exists() {
        return skip("the OpenSSL gost engine (libengine-gost-openssl)");
    }
    let cnf = std::fs::read_to_string(repo().join("scripts/openssl-gost.cnf"))
        .unwrap()
        .lines()
        .map(|l| {
            if l.starts_with("dynamic_path") {
                format!("dynamic_path = {}", so.display())
            } else {
                l.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    let cnf_path = dir.write("openssl-gost.cnf", cnf);
    Some(Tool {
        program,
        env: vec![("OPENSSL_CONF".into(), cnf_path)],
    })
}

fn pem(label: &str, der: &[u8]) -> String {
    bank_support::common::hsm::pem(label, der)
}

/// A Ministry root and a list-signing key of `ps` certified by it.
fn signer(ps: ParamSet) -> ((SoftwareKey, Certificate), SoftwareKey, Certificate) {
    let root = ca_from("Минцифры России (тест)", now() - Duration::days(1000));
    let k = SoftwareKey::generate(KeyAlgorithm::Gost(ps)).unwrap();
    let cert = CertificateBuilder::new(&ca_subject("Подпись списка УЦ"), &k.public_key())
        .unwrap()
        .key_usage(&[KeyUsageBit::DigitalSignature])
        .validity(now() - Duration::days(1), now() + Duration::days(30))
        .sign(Some(&root.1), &root.0)
        .unwrap();
    (root, k, cert)
}

fn list() -> String {
    let ca = accredited_ca("Тестовый аккредитованный УЦ");
    tsl(
        41,
        now() - Duration::days(1),
        &ca.1,
        &[("Действует", now() - Duration::days(900))],
    )
}

#[test]
fn xmlsec_verifies_the_lists_we_sign() {
    let dir = TempDir::new("xmlsec-ours");
    let Some(x) = xmlsec(&dir) else { return };
    for (ps, c14n) in [
        (ParamSet::Tc26_256A, Method::c14n()),
        (ParamSet::Tc26_256B, Method::exclusive()),
        (ParamSet::Tc26_512A, Method::c14n()),
    ] {
        let (root, k, cert) = signer(ps);
        let root_pem = dir.write("root.pem", pem("CERTIFICATE", root.1.der()));
        let options = SignOptions {
            canonicalization: c14n.clone(),
            ..SignOptions::default()
        };
        let signed = xmldsig::sign_enveloped(list().as_bytes(), &k, &cert, &options).unwrap();
        let path = dir.write("ours.xml", &signed);
        x.ok(&["--verify", "--trusted-pem", &root_pem, &path]);
        // And a changed copy is refused by both.
        let changed = String::from_utf8(signed)
            .unwrap()
            .replacen("<Версия>41<", "<Версия>42<", 1);
        let path = dir.write("changed.xml", &changed);
        let out = x.run(&["--verify", "--trusted-pem", &root_pem, &path]);
        assert!(
            !out.status.success(),
            "xmlsec accepted a changed list ({ps:?})"
        );
        let e =
            TrustedList::from_signed_xml(changed.as_bytes(), std::slice::from_ref(&root.1), now())
                .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::ContentAltered);
    }
}

/// The list with a signature template for xmlsec to fill in.
fn template(
    body: &str,
    c14n: &str,
    method: &str,
    digest: &str,
    uri: &str,
    transforms: &str,
) -> String {
    let ns = xmldsig::NS;
    let env = xmldsig::ENVELOPED_SIGNATURE;
    let sig = format!(
        "<Signature xmlns=\"{ns}\">\n<SignedInfo>\n<CanonicalizationMethod Algorithm=\"{c14n}\"/>\n\
         <!-- a comment in SignedInfo -->\n<SignatureMethod Algorithm=\"{method}\"/>\n\
         <Reference URI=\"{uri}\"><Transforms><Transform Algorithm=\"{env}\"/>{transforms}</Transforms>\
         <DigestMethod Algorithm=\"{digest}\"/><DigestValue></DigestValue></Reference>\n</SignedInfo>\n\
         <SignatureValue/>\n<KeyInfo><X509Data/></KeyInfo>\n</Signature>\n"
    );
    let end = body.rfind("</").unwrap();
    format!("{}{sig}{}", &body[..end], &body[end..])
}

#[test]
fn we_verify_the_lists_xmlsec_signs() {
    let dir = TempDir::new("xmlsec-theirs");
    let Some(x) = xmlsec(&dir) else { return };
    let root_tag = "<АккредитованныеУдостоверяющиеЦентры>";
    let plain = list().replacen("<Версия>", "<!-- комментарий в списке --><Версия>", 1);
    // The root as a schema-aware producer writes it: a namespace declared and used by an
    // attribute, and xml:lang — both carried into SignedInfo by inclusive canonicalisation.
    let with_xsi = plain.replacen(
        root_tag,
        "<АккредитованныеУдостоверяющиеЦентры xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
         xsi:noNamespaceSchemaLocation=\"TSLExt.xsd\" xml:lang=\"ru\" Id=\"tsl\">",
        1,
    );
    let exc = format!(
        "<Transform Algorithm=\"{}\"><InclusiveNamespaces xmlns=\"http://www.w3.org/2001/10/xml-exc-c14n#\" PrefixList=\"xsi\"/></Transform>",
        Method::exclusive().uri()
    );
    let cases: Vec<(&str, ParamSet, String, Vec<&str>)> = vec![
        (
            "C14N 1.0, URI=\"\" (as the Ministry signs)",
            ParamSet::Tc26_256A,
            template(
                &with_xsi,
                Method::c14n().uri(),
                xmldsig::GOSTR34102012_256,
                xmldsig::GOSTR34112012_256,
                "",
                "",
            ),
            vec![],
        ),
        (
            "C14N 1.0 with comments, 512",
            ParamSet::Tc26_512B,
            template(
                &plain,
                Method::c14n().with_comments().uri(),
                xmldsig::GOSTR34102012_512,
                xmldsig::GOSTR34112012_512,
                "",
                "",
            ),
            vec![],
        ),
        (
            "exclusive with InclusiveNamespaces, reference to the root by Id",
            ParamSet::Tc26_256B,
            template(
                &with_xsi,
                Method::exclusive().with_comments().uri(),
                xmldsig::GOSTR34102012_256,
                xmldsig::GOSTR34112012_512,
                "#tsl",
                &exc,
            ),
            vec!["--id-attr:Id", "АккредитованныеУдостоверяющиеЦентры"],
        ),
    ];
    for (what, ps, tmpl, extra) in cases {
        let (root, k, cert) = signer(ps);
        let root_pem = dir.write("root.pem", pem("CERTIFICATE", root.1.der()));
        let key_pem = dir.write("key.pem", k.to_pkcs8_pem().as_bytes());
        let cert_pem = dir.write("cert.pem", pem("CERTIFICATE", cert.der()));
        let tmpl_path = dir.write("tmpl.xml", &tmpl);
        let out_path = dir.path("signed.xml").to_string_lossy().into_owned();
        let key_arg = format!("{key_pem},{cert_pem}");
        let mut args = vec!["--sign", "--privkey-pem", &key_arg, "--output", &out_path];
        args.extend(&extra);
        args.push(&tmpl_path);
        x.ok(&args);
        let mut args = vec!["--verify", "--trusted-pem", &root_pem];
        args.extend(&extra);
        args.push(&out_path);
        x.ok(&args);
        let signed = std::fs::read(&out_path).unwrap();
        let l = TrustedList::from_signed_xml(&signed, std::slice::from_ref(&root.1), now())
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(l.version, 41, "{what}");
        assert_eq!(l.cas.len(), 2, "{what}");
        assert_eq!(l.signature().unwrap().verified.signer, cert, "{what}");
        // Changed after xmlsec signed it.
        let changed = String::from_utf8(signed)
            .unwrap()
            .replacen("Действует", "Прекращена", 1);
        let e =
            TrustedList::from_signed_xml(changed.as_bytes(), std::slice::from_ref(&root.1), now())
                .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::ContentAltered, "{what}: {e}");
    }
}

#[test]
fn a_valid_xmlsec_signature_over_part_of_the_list_is_refused() {
    let dir = TempDir::new("xmlsec-part");
    let Some(x) = xmlsec(&dir) else { return };
    // xmlsec signs one CA (Id="ca"); xmlsec itself verifies that signature, which says nothing
    // about the rest of the list: we refuse it.
    let body = list().replacen(
        "<УдостоверяющийЦентр>\n    <ПрограммноАппаратныеКомплексы>",
        "<УдостоверяющийЦентр Id=\"ca\">\n    <ПрограммноАппаратныеКомплексы>",
        1,
    );
    let tmpl = template(
        &body,
        Method::c14n().uri(),
        xmldsig::GOSTR34102012_256,
        xmldsig::GOSTR34112012_256,
        "#ca",
        "",
    );
    let (root, k, cert) = signer(ParamSet::Tc26_256A);
    let root_pem = dir.write("root.pem", pem("CERTIFICATE", root.1.der()));
    let key_arg = format!(
        "{},{}",
        dir.write("key.pem", k.to_pkcs8_pem().as_bytes()),
        dir.write("cert.pem", pem("CERTIFICATE", cert.der()))
    );
    let tmpl_path = dir.write("tmpl.xml", &tmpl);
    let out = dir.path("signed.xml").to_string_lossy().into_owned();
    let id = ["--id-attr:Id", "УдостоверяющийЦентр"];
    x.ok(&[
        "--sign",
        "--privkey-pem",
        &key_arg,
        "--output",
        &out,
        id[0],
        id[1],
        &tmpl_path,
    ]);
    x.ok(&["--verify", "--trusted-pem", &root_pem, id[0], id[1], &out]);
    let e =
        TrustedList::from_signed_xml(&std::fs::read(&out).unwrap(), &[root.1], now()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::MalformedEncoding, "{e}");
    assert!(e.message().contains("not the root element"), "{e}");
}

#[test]
fn canonical_xml_is_libxml2s() {
    let ok = Command::new("xmllint")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        skip("xmllint (libxml2-utils)");
        return;
    }
    let dir = TempDir::new("c14n-libxml2");
    let realworld =
        std::fs::read(repo().join("tests/realworld/tsl/and-rom_tsl_manager_TSL.xml")).unwrap();
    let tricky = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<?pi-a  data here ?>\n<!-- c1 -->\n\
        <doc xmlns=\"http://a.example/\" xmlns:b=\"http://b.example/\" b:z=\"1\" a=\"2\" xml:lang=\"ru\">\r\n\
        <b:e b:y=\"x&#9;y&#10;z\ttab\" c=\"&lt;&amp;&gt;&quot;&apos;\">t&#13;ext &amp; &lt; &gt; <![CDATA[ <cdata> & ]]></b:e>\n\
        <e xmlns=\"\" xmlns:b=\"http://b.example/\" xmlns:c=\"http://c.example/\"><f xmlns=\"http://a.example/\"/><g/></e>\n\
        <h xmlns:b=\"http://other.example/\" b:q=\"1\"><!-- inner --><?pi2?></h>\n\
        <Ёлка атрибут=\"значение\">Текст ёж</Ёлка>\n</doc>\n<!-- after -->\n<?pi-after x?>\n";
    let ns = "<r xmlns:p=\"http://p/\" xmlns:q=\"http://q/\"><p:a q:attr=\"1\"><b xmlns:p=\"http://p/\"><p:c/></b></p:a>\
        <s xmlns=\"http://s/\"><t xmlns=\"http://s/\"/><u xmlns=\"\"/></s></r>";
    let m = ministry();
    let signed = m.sign(&list());
    for (name, doc) in [
        ("realworld TSL", realworld.as_slice()),
        ("tricky", tricky.as_bytes()),
        ("namespaces", ns.as_bytes()),
        ("a signed list", signed.as_slice()),
        (
            "BOM",
            "\u{feff}<a b=\"1\" a=\"2\"   c = \"3\" ><x/>  </a>".as_bytes(),
        ),
    ] {
        let path = dir.write("doc.xml", doc);
        // xmllint's --c14n and --exc-c14n keep comments.
        for (flag, method) in [
            ("--c14n", Method::c14n().with_comments()),
            ("--exc-c14n", Method::exclusive().with_comments()),
        ] {
            let out = Command::new("xmllint")
                .args([flag, &path])
                .output()
                .unwrap();
            assert!(out.status.success(), "xmllint {flag} {name}");
            let ours = canonicalize(doc, &method).unwrap();
            assert!(
                out.stdout == ours,
                "{name} {flag}:\nlibxml2: {}\nours:    {}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&ours)
            );
        }
    }
}

/// A small deterministic generator of namespace-heavy documents: default namespaces declared,
/// undone (`xmlns=""`) and redeclared, prefixes rebound to other URIs or to the same one
/// (superfluous), prefixed and unprefixed attributes, `xml:lang`, text between elements.
struct NsDocs(u64);

impl NsDocs {
    fn next(&mut self, n: u64) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n
    }

    fn element(&mut self, depth: usize, in_scope: &[&'static str], out: &mut String) {
        const URIS: [&str; 3] = ["urn:x", "urn:y", "http://z.example/"];
        let mut scope = in_scope.to_vec();
        let mut decls = String::new();
        for p in ["", "a", "b", "c"] {
            if self.next(10) < 3 {
                let uri = URIS[self.next(3) as usize];
                if p.is_empty() {
                    let uri = if self.next(3) == 0 { "" } else { uri };
                    decls.push_str(&format!(" xmlns=\"{uri}\""));
                } else {
                    decls.push_str(&format!(" xmlns:{p}=\"{uri}\""));
                    if !scope.contains(&p) {
                        scope.push(p);
                    }
                }
            }
        }
        let prefix = match self.next(scope.len() as u64 + 1) as usize {
            0 => String::new(),
            i => format!("{}:", scope[i - 1]),
        };
        let name = format!("{prefix}e{}", self.next(3));
        out.push_str(&format!("<{name}{decls}"));
        // Distinct local names, so no two attributes share an expanded name.
        for local in ["x", "y", "z"] {
            match self.next(4) {
                0 => out.push_str(&format!(" {local}=\"{}\"", self.next(100))),
                1 if !scope.is_empty() => {
                    let p = scope[self.next(scope.len() as u64) as usize];
                    out.push_str(&format!(" {p}:{local}=\"v&amp;{}\"", self.next(100)));
                }
                _ => {}
            }
        }
        if self.next(6) == 0 {
            out.push_str(" xml:lang=\"ru\"");
        }
        out.push('>');
        let children = if depth < 4 { self.next(4) } else { 0 };
        for _ in 0..children {
            out.push_str(["", "t", " &amp; ", "\n  "][self.next(4) as usize]);
            self.element(depth + 1, &scope, out);
        }
        out.push_str(&format!("</{name}>"));
    }

    fn document(&mut self) -> String {
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        // The root always has an end tag and a child, so a signature can go before the end.
        let mut root = String::new();
        self.element(0, &[], &mut root);
        let end = root.rfind("</").unwrap();
        out.push_str(&root[..end]);
        out.push_str("<last/>");
        out.push_str(&root[end..]);
        out.push('\n');
        out
    }
}

#[test]
fn namespace_heavy_documents_agree_with_libxml2_and_xmlsec() {
    let dir = TempDir::new("c14n-random");
    let Some(x) = xmlsec(&dir) else { return };
    let (root, k, cert) = signer(ParamSet::Tc26_256A);
    let root_pem = dir.write("root.pem", pem("CERTIFICATE", root.1.der()));
    let key_arg = format!(
        "{},{}",
        dir.write("key.pem", k.to_pkcs8_pem().as_bytes()),
        dir.write("cert.pem", pem("CERTIFICATE", cert.der()))
    );
    let mut docs = NsDocs(0x5EED_C14A);
    for i in 0..24 {
        let doc = docs.document();
        let exclusive = i % 2 == 1;
        // The whole document, canonicalised by libxml2 and by us, both algorithms.
        let path = dir.write("doc.xml", &doc);
        for (flag, method) in [
            ("--c14n", Method::c14n().with_comments()),
            ("--exc-c14n", Method::exclusive().with_comments()),
        ] {
            let out = Command::new("xmllint").args([flag, &path]).output();
            let Ok(out) = out else {
                skip("xmllint (libxml2-utils)");
                return;
            };
            assert!(out.status.success(), "xmllint {flag}: {doc}");
            let ours = canonicalize(doc.as_bytes(), &method).unwrap();
            assert!(
                out.stdout == ours,
                "{flag} of {doc}\nlibxml2: {}\nours:    {}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&ours)
            );
        }
        // Signed by us, verified by xmlsec: SignedInfo's canonical form inherits the root's
        // namespaces (inclusive), the document's excludes the Signature.
        let method = if exclusive {
            Method::exclusive()
        } else {
            Method::c14n()
        };
        let options = SignOptions {
            canonicalization: method.clone(),
            ..SignOptions::default()
        };
        let signed = xmldsig::sign_enveloped(doc.as_bytes(), &k, &cert, &options).unwrap();
        let path = dir.write("ours.xml", &signed);
        let out = x.run(&["--verify", "--trusted-pem", &root_pem, &path]);
        assert!(
            out.status.success(),
            "xmlsec refused our signature ({}) of {doc}\n{}",
            method.uri(),
            String::from_utf8_lossy(&out.stderr)
        );
        // Signed by xmlsec, verified by us.
        let transforms = if exclusive {
            format!("<Transform Algorithm=\"{}\"/>", method.uri())
        } else {
            String::new()
        };
        let tmpl = template(
            &doc,
            method.uri(),
            xmldsig::GOSTR34102012_256,
            xmldsig::GOSTR34112012_256,
            "",
            &transforms,
        );
        let tmpl_path = dir.write("tmpl.xml", &tmpl);
        let out_path = dir.path("theirs.xml").to_string_lossy().into_owned();
        x.ok(&[
            "--sign",
            "--privkey-pem",
            &key_arg,
            "--output",
            &out_path,
            &tmpl_path,
        ]);
        let theirs = std::fs::read(&out_path).unwrap();
        xmldsig::verify_enveloped(&theirs, &[])
            .unwrap_or_else(|e| panic!("xmlsec's signature ({}) of {doc}: {e}", method.uri()));
    }
}
