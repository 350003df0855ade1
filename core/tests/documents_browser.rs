//! The documents as a person sees them (issue 13): the HTML act, the certificate application
//! and the QES statement rendered by Debian's headless Chromium (one browser start, driven by
//! `scripts/browser-render.py` over the DevTools protocol) to PDF and PNG. Checked: the page
//! count of each PDF, no element sticking out of the printable width of A4 or out of its own
//! box in the browser's print layout, and no word of the PDF outside the page's margins
//! (`pdftotext -bbox`). Fills every field with the longest values the documents take (a
//! 512-bit GOST key, a long organisation name and address).
//!
//! Needs `chromium` and poppler-utils (`scripts/install-deps.sh`); skips with a message
//! without them, fails under REQUIRE_ORACLES=1. `BANKKEY_BROWSER_OUT=DIR` keeps the PDFs and
//! PNGs for a look.

mod common;

use std::path::Path;
use std::process::Command;

use bankkey::documents::{Act, CertificateApplication, Person, QesStatement};
use bankkey::key::{KeyAlgorithm, SoftwareKey};
use bankkey::subject::AttributeType as A;
use common::documents::{details, issue, request, subject};

/// The Chromium binary, or None after saying why (a failure under REQUIRE_ORACLES=1).
fn chromium() -> Option<String> {
    let exe = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let found = Path::new(&exe).exists()
        && Command::new("pdftotext").arg("-v").output().is_ok()
        && Command::new("pdfinfo").arg("-v").output().is_ok();
    if found {
        return Some(exe);
    }
    let why = "chromium or poppler-utils missing (scripts/install-deps.sh)";
    if std::env::var("REQUIRE_ORACLES").as_deref() == Ok("1") {
        panic!("{why} (REQUIRE_ORACLES=1)");
    }
    eprintln!("skipping: {why}");
    None
}

/// The documents, with the longest values they take, as HTML files in `dir`.
fn write_documents(dir: &Path) -> Vec<(&'static str, u32)> {
    let key =
        SoftwareKey::generate(KeyAlgorithm::Gost(bankkey::gost::ParamSet::Tc26_512A)).unwrap();
    // The longest an organisation name may be (64 characters), and a long street.
    let long_name = "ООО «Научно-производственное объединение комплексной автоматики»";
    let long_street =
        "Набережная Обводного канала, дом 118, литера АБ, помещение 14-Н, комната 3, офис 1201";
    let mut s = bankkey::subject::Subject::new();
    for a in subject("legal-entity").attributes() {
        let mut a = a.clone();
        match a.kind {
            A::Organization => a.value = long_name.into(),
            A::Street => a.value = long_street.into(),
            _ => {}
        }
        s.push_attribute(a);
    }
    let req = request(s, &key);
    let mut d = details();
    d.copies = Some(2);
    let act = Act::from_request(&req, &d).unwrap();
    std::fs::write(dir.join("act.html"), act.to_html()).unwrap();
    let app = CertificateApplication::from_request(&req, &d).unwrap();
    std::fs::write(dir.join("application.html"), app.to_html()).unwrap();
    let st = QesStatement::new(
        &issue(&req),
        &Person::new("Иванов Иван Иванович", None),
        Some(&Person::new(
            "Константинопольская-Северянинова Александра Вячеславовна",
            None,
        )),
        &d,
    )
    .unwrap();
    std::fs::write(dir.join("qes-statement.html"), st.to_html()).unwrap();
    // One page per copy: a copy's signatures on the page of the key they vouch for.
    vec![("act", 2), ("application", 2), ("qes-statement", 2)]
}

/// pdfinfo's page count and page width (points).
fn pdf_pages(pdf: &Path) -> (u32, f64) {
    let out = Command::new("pdfinfo").arg(pdf).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let field = |name: &str| {
        text.lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_once(':'))
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    };
    let pages = field("Pages").parse().unwrap();
    let width = field("Page size")
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap();
    (pages, width)
}

/// Words of the PDF outside the page's horizontal margins (`pdftotext -bbox`), as text.
fn words_outside_margins(pdf: &Path, page_width: f64) -> Vec<String> {
    let out = Command::new("pdftotext")
        .args(["-bbox"])
        .arg(pdf)
        .arg("-")
        .output()
        .unwrap();
    let html = String::from_utf8_lossy(&out.stdout);
    let mm = 72.0 / 25.4;
    // @page margins: 20 mm left, 15 mm right; a point of tolerance.
    let (left, right) = (20.0 * mm - 1.0, page_width - 15.0 * mm + 1.0);
    let attr = |line: &str, name: &str| -> f64 {
        let start = line.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
        line[start..].split('"').next().unwrap().parse().unwrap()
    };
    html.lines()
        .filter(|l| l.trim_start().starts_with("<word "))
        .filter(|l| attr(l, "xMin") < left || attr(l, "xMax") > right)
        .map(|l| l.trim().to_owned())
        .collect()
}

#[test]
fn the_documents_in_a_browser_fit_their_pages() {
    let Some(exe) = chromium() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let out = std::env::var_os("BANKKEY_BROWSER_OUT")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| tmp.path().to_path_buf());
    std::fs::create_dir_all(&out).unwrap();
    let docs = write_documents(tmp.path());
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/browser-render.py");
    let mut cmd = Command::new("python3");
    cmd.arg(&script).arg(&out).env("CHROMIUM", &exe);
    for (name, _) in &docs {
        cmd.arg(tmp.path().join(format!("{name}.html")));
    }
    let run = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "browser-render.py: {stdout}{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let results: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(results.len(), docs.len());
    let mut wrong = Vec::new();
    for ((name, want_pages), r) in docs.iter().zip(&results) {
        let overflowing = r["overflowing"].as_array().unwrap();
        if !overflowing.is_empty() || r["scroll_width_px"] != r["width_px"] {
            wrong.push(format!(
                "{name}: wider than A4's printable width in the browser ({} px of {}): {}",
                r["scroll_width_px"],
                r["width_px"],
                serde_json::to_string_pretty(overflowing).unwrap()
            ));
        }
        let pdf = Path::new(r["pdf"].as_str().unwrap());
        let (pages, width) = pdf_pages(pdf);
        if pages != *want_pages {
            wrong.push(format!("{name}: {pages} pages, want {want_pages}"));
        }
        let outside = words_outside_margins(pdf, width);
        if !outside.is_empty() {
            wrong.push(format!(
                "{name}: words outside the margins of the PDF: {outside:#?}"
            ));
        }
        assert!(std::fs::metadata(r["png"].as_str().unwrap()).unwrap().len() > 1000);
        eprintln!("{name}: {pages} page(s), {} px wide", r["width_px"]);
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
