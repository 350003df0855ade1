//! The PDF renderings checked by independent tools: `qpdf --check` finds no error, poppler's
//! `pdftotext` gives the Russian text back (and the key, which the bank's check reads from
//! it), `pdfinfo` counts the pages (each copy on its own A4 page), `pdffonts` sees the
//! embedded subset fonts with ToUnicode maps, `pdftotext -bbox` shows no word outside the
//! page's margins. Set `BANKKEY_DOCS_OUT=dir` to keep the files (and PNGs from `pdftoppm`).

mod common;

use bankkey::documents::{Act, CertificateApplication, Person, QesStatement, key_from_text};
use bankkey::key::SoftwareKey;
use bankkey::subject::{AttributeType as A, Subject};
use common::TempDir;
use common::documents::{
    KINDS, algorithms, details, issue, pdffonts, pdfinfo, pdftoppm, pdftotext, qpdf, request,
    subject,
};

/// A4 in points, and the smallest margin the renderer keeps.
const PAGE_W: f64 = 595.28;
const PAGE_H: f64 = 841.89;
const MARGIN: f64 = 28.0;

/// The "Pages:" line of pdfinfo's output.
fn page_count(meta: &str) -> usize {
    meta.lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no page count in {meta}"))
}

/// Checks one PDF with every tool; returns the text pdftotext gives.
fn check_pdf(pdf: &[u8], name: &str, pages: usize) -> Option<String> {
    let (qpdf, text_tool, info, fonts) = (qpdf()?, pdftotext()?, pdfinfo()?, pdffonts()?);
    let dir = TempDir::new("documents-pdf");
    let path = dir.write(&format!("{name}.pdf"), pdf);
    if let Ok(out) = std::env::var("BANKKEY_DOCS_OUT") {
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(format!("{out}/{name}.pdf"), pdf).unwrap();
        if let Some(ppm) = pdftoppm() {
            ppm.run(&["-png", "-r", "60", &path, &format!("{out}/{name}")]);
        }
    }

    let check = qpdf.run(&["--check", &path]);
    let check = String::from_utf8_lossy(&check.stdout);
    assert!(
        check.contains("No syntax or stream encoding errors"),
        "{name}: {check}"
    );

    let meta = String::from_utf8_lossy(&info.run(&[&path]).stdout).into_owned();
    assert_eq!(page_count(&meta), pages, "{name}: {meta}");
    assert!(meta.contains("595.28 x 841.89 pts (A4)"), "{name}: {meta}");

    let f = String::from_utf8_lossy(&fonts.run(&[&path]).stdout).into_owned();
    for font in ["DejaVuSans ", "DejaVuSansMono "] {
        let line = f
            .lines()
            .find(|l| l.contains(&format!("+{font}")))
            .unwrap_or_else(|| panic!("{name}: no subset of {font}: {f}"));
        // name, type "CID TrueType", encoding "Identity-H", emb sub uni: yes yes yes.
        assert!(
            line.contains("CID TrueType") && line.contains("Identity-H"),
            "{line}"
        );
        assert!(
            line.contains("yes yes yes"),
            "{name}: embedded, subset, ToUnicode: {line}"
        );
    }

    let out = text_tool.run(&["-layout", "-enc", "UTF-8", &path, "-"]);
    let text = String::from_utf8(out.stdout).expect("pdftotext gives UTF-8");

    // Every word inside the page, within the margins.
    let bbox = text_tool.run(&["-bbox", &path, "-"]);
    let bbox = String::from_utf8_lossy(&bbox.stdout);
    let attr = |line: &str, key: &str| -> f64 {
        let start = line.find(&format!("{key}=\"")).unwrap() + key.len() + 2;
        line[start..].split('"').next().unwrap().parse().unwrap()
    };
    let mut words = 0;
    for line in bbox.lines().filter(|l| l.trim_start().starts_with("<word")) {
        words += 1;
        let (x0, y0) = (attr(line, "xMin"), attr(line, "yMin"));
        let (x1, y1) = (attr(line, "xMax"), attr(line, "yMax"));
        assert!(
            x0 >= MARGIN && x1 <= PAGE_W - MARGIN && y0 >= MARGIN / 2.0 && y1 <= PAGE_H - MARGIN,
            "{name}: a word outside the margins: {line}"
        );
    }
    assert!(words > 50, "{name}: {words} words");
    Some(text)
}

#[test]
fn acts_as_pdf_for_every_kind_and_algorithm() {
    for alg in algorithms() {
        let key = SoftwareKey::generate(alg).unwrap();
        for kind in KINDS {
            let name = format!("act-{kind}-{}", alg.name().replace(' ', "_"));
            let req = request(subject(kind), &key);
            let act = Act::from_request(&req, &details()).unwrap();
            let pdf = act.to_pdf().unwrap();
            assert_eq!(pdf, act.to_pdf().unwrap(), "deterministic");
            let Some(text) = check_pdf(&pdf, &name, 2) else {
                return;
            };
            for expected in [
                "АКТ ПРИЗНАНИЯ ОТКРЫТОГО КЛЮЧА (СЕРТИФИКАТА)",
                "30 ноября 2026 г.",
                "АО «Тестовый Банк»",
                "Экземпляр 1 из 2",
                "Экземпляр 2 из 2",
                "М.П.",
            ] {
                assert!(text.contains(expected), "{name}: {expected:?} in\n{text}");
            }
            let who = match kind {
                "legal-entity" => "ООО «Ромашка»",
                "entrepreneur" => "ИП Петров Пётр Петрович",
                _ => "Сидорова Анна Сергеевна",
            };
            assert!(text.matches(who).count() >= 2, "{name}: {who} twice");
            // The bank reads the key back from the text of the PDF.
            assert_eq!(
                key_from_text(&text).unwrap(),
                req.key_info().key_bits,
                "{name}"
            );
            Act::check_key_text(&text, &req).unwrap();
        }
    }
}

#[test]
fn application_and_qes_statement_as_pdf() {
    let key = SoftwareKey::generate(algorithms()[1]).unwrap();
    let req = request(subject("legal-entity"), &key);
    let app = CertificateApplication::from_request(&req, &details()).unwrap();
    if let Some(text) = check_pdf(&app.to_pdf().unwrap(), "application", 1) {
        assert!(
            text.contains("на изготовление сертификата ключа подписи"),
            "{text}"
        );
        assert_eq!(key_from_text(&text).unwrap(), req.key_info().key_bits);
    }
    let cert = issue(&req);
    let st = QesStatement::new(
        &cert,
        &Person::new("Иванов Иван Иванович", None),
        Some(&Person::new(
            "Сергеев Сергей Сергеевич",
            Some("Генеральный директор"),
        )),
        &details(),
    )
    .unwrap();
    if let Some(text) = check_pdf(&st.to_pdf().unwrap(), "qes-statement", 1) {
        assert!(text.contains("о подтверждении использования электронной подписи"));
        assert!(text.contains("Тестовый аккредитованный УЦ"));
        assert_eq!(key_from_text(&text).unwrap(), req.key_info().key_bits);
    }
}

#[test]
fn hostile_and_long_fields_in_pdf() {
    let key = SoftwareKey::generate(algorithms()[2]).unwrap();
    let req = request(subject("legal-entity"), &key);
    let mut act = Act::from_request(&req, &details()).unwrap();
    // PDF string and stream syntax in the data: hex strings carry it as text.
    let hostile = r"Ромашка) Tj ET endstream endobj %%EOF \) (\\ <FEFF> /Name";
    act.organisation.as_mut().unwrap().name = hostile.into();
    act.owner.full_name = "Иванов 😀 中文 Ꙋ".into();
    if let Some(text) = check_pdf(&act.to_pdf().unwrap(), "act-hostile", 2) {
        assert!(text.contains(hostile), "{text}");
        // Characters the font lacks are drawn as U+FFFD, and say so when copied.
        assert!(text.contains("Иванов"));
    }
    // Very long values: the copy continues on a second sheet, nothing is cut.
    let long: String = "Общество с ограниченной ответственностью «Длинное название» ".repeat(60);
    let unbroken = "Щ".repeat(400);
    act.organisation.as_mut().unwrap().name = long.clone();
    act.organisation.as_mut().unwrap().address = Some(unbroken.clone());
    let pdf = act.to_pdf().unwrap();
    let dir = TempDir::new("documents-pdf-long");
    let Some(info) = pdfinfo() else { return };
    let meta = info.run(&[&dir.write("long.pdf", &pdf)]);
    let pages = page_count(&String::from_utf8_lossy(&meta.stdout));
    assert!(
        pages >= 4 && pages.is_multiple_of(2),
        "two copies of 2+ sheets: {pages}"
    );
    let Some(text) = check_pdf(&pdf, "act-long", pages) else {
        return;
    };
    assert!(
        text.contains("лист 2 из"),
        "continuation sheets are numbered"
    );
    let letters: usize = text.matches('Щ').count();
    assert_eq!(
        letters,
        2 * 400,
        "every letter of the unbroken value, in both copies"
    );
    assert_eq!(key_from_text(&text).unwrap(), req.key_info().key_bits);
}

#[test]
fn a_natural_person_without_optional_details() {
    let key = SoftwareKey::generate(algorithms()[0]).unwrap();
    let s = Subject::new()
        .with(A::CommonName, "Сидорова Анна Сергеевна")
        .with(A::Surname, "Сидорова")
        .with(A::GivenName, "Анна Сергеевна")
        .with(A::Country, "RU")
        .with(A::Inn, "500100732259")
        .with(A::Snils, "11223344595");
    let req = request(s, &key);
    let d = bankkey::documents::DocumentDetails::new("Банк", time::macros::date!(2027 - 01 - 01));
    let act = Act::from_request(&req, &d).unwrap();
    if let Some(text) = check_pdf(&act.to_pdf().unwrap(), "act-minimal", 2) {
        assert!(text.contains("1 января 2027 г."));
    }
}
