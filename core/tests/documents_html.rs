//! The HTML renderings read back by an XML parser (quick-xml): well-formed, only the elements
//! and attributes the renderer writes (so no field became markup), every field's text back as
//! it was, one `<section>` a copy, the print CSS for A4 with a page break between copies.

mod common;

use bankkey::documents::{Act, CertificateApplication, DocumentDetails, Person, QesStatement};
use bankkey::key::SoftwareKey;
use common::documents::{KINDS, algorithms, details, issue, request, subject};
use quick_xml::Reader;
use quick_xml::events::Event;

/// One element as read: its name, its attributes, the text directly inside it.
#[derive(Debug)]
struct Element {
    name: String,
    attributes: Vec<(String, String)>,
    text: String,
}

const ELEMENTS: &[&str] = &[
    "html", "head", "meta", "title", "style", "body", "section", "p", "h1", "h2", "div", "span",
    "table", "tr", "th", "td",
];
const ATTRIBUTES: &[&str] = &["lang", "charset", "class"];

/// Parses the document as XML; panics on any well-formedness error.
fn elements(html: &str) -> Vec<Element> {
    let mut reader = Reader::from_str(html);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<Element> = Vec::new();
    let mut done = Vec::new();
    let open = |e: &quick_xml::events::BytesStart| Element {
        name: String::from_utf8(e.name().as_ref().to_vec()).unwrap(),
        attributes: e
            .attributes()
            .map(|a| {
                let a = a.expect("a well-formed attribute");
                (
                    String::from_utf8(a.key.as_ref().to_vec()).unwrap(),
                    a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .unwrap()
                        .into_owned(),
                )
            })
            .collect(),
        text: String::new(),
    };
    loop {
        match reader.read_event().expect("well-formed markup") {
            Event::Start(e) => stack.push(open(&e)),
            Event::Empty(e) => done.push(open(&e)),
            Event::End(_) => done.push(stack.pop().expect("an open element")),
            Event::Text(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&t.decode().unwrap());
                }
            }
            Event::GeneralRef(r) => {
                let c = match r.resolve_char_ref().unwrap() {
                    Some(c) => c.to_string(),
                    None => match r.decode().unwrap().as_ref() {
                        "amp" => "&".into(),
                        "lt" => "<".into(),
                        "gt" => ">".into(),
                        "quot" => "\"".into(),
                        "apos" => "'".into(),
                        other => panic!("entity &{other}; is not XML's"),
                    },
                };
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&c);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert!(stack.is_empty(), "unclosed: {stack:?}");
    for e in &done {
        assert!(
            ELEMENTS.contains(&e.name.as_str()),
            "element <{}> written",
            e.name
        );
        for (k, _) in &e.attributes {
            assert!(
                ATTRIBUTES.contains(&k.as_str()),
                "attribute {k} on <{}>",
                e.name
            );
        }
    }
    done
}

fn texts<'a>(els: &'a [Element], name: &str) -> Vec<&'a str> {
    els.iter()
        .filter(|e| e.name == name)
        .map(|e| e.text.as_str())
        .collect()
}

#[test]
fn every_document_is_well_formed_with_its_copies() {
    for alg in algorithms() {
        let key = SoftwareKey::generate(alg).unwrap();
        for kind in KINDS {
            let req = request(subject(kind), &key);
            let act = Act::from_request(&req, &details()).unwrap();
            let html = act.to_html();
            assert!(html.starts_with("<!DOCTYPE html>"));
            assert!(html.contains("@page { size: A4"));
            assert!(
                html.contains(".copy + .copy { break-before: page; page-break-before: always; }")
            );
            let els = elements(&html);
            let sections: Vec<_> = els.iter().filter(|e| e.name == "section").collect();
            assert_eq!(sections.len(), 2, "{kind}");
            assert_eq!(
                texts(&els, "h1"),
                vec![
                    "АКТ ПРИЗНАНИЯ ОТКРЫТОГО КЛЮЧА (СЕРТИФИКАТА)";
                    2
                ]
            );
            // Every hex line of the key, in the key's block, in both copies.
            let key_divs: Vec<_> = els
                .iter()
                .filter(|e| e.attributes.iter().any(|(k, v)| k == "class" && v == "key"))
                .collect();
            assert_eq!(key_divs.len(), 2);
            for d in key_divs {
                assert_eq!(d.text, act.key.public_key_lines().join("\n"));
            }
            let tds = texts(&els, "td");
            assert!(tds.contains(&act.key.key_id_hex().as_str()));
            assert!(tds.contains(&"112-233-445 95"));

            let app = CertificateApplication::from_request(&req, &details()).unwrap();
            let els = elements(&app.to_html());
            assert_eq!(els.iter().filter(|e| e.name == "section").count(), 1);
        }
    }
}

#[test]
fn hostile_fields_come_back_as_text() {
    let key = SoftwareKey::generate(algorithms()[0]).unwrap();
    let req = request(subject("legal-entity"), &key);
    let mut d = details();
    d.bank_name = "Банк <img src=x onerror=alert(1)> & «Ко»".into();
    d.place = Some("\"><iframe src='//evil'>".into());
    d.copies = Some(3);
    let mut act = Act::from_request(&req, &d).unwrap();
    let hostile = "<script>alert(\"x\")</script> & 'q' </section><p class=\"x\" onclick=\"y\">";
    act.organisation.as_mut().unwrap().name = hostile.into();
    act.owner.position = Some("]]><!-- &amp; &#x41;".into());
    let els = elements(&act.to_html());
    assert_eq!(els.iter().filter(|e| e.name == "section").count(), 3);
    let tds = texts(&els, "td");
    assert_eq!(tds.iter().filter(|t| **t == hostile).count(), 3, "{tds:?}");
    assert_eq!(
        tds.iter().filter(|t| **t == "]]><!-- &amp; &#x41;").count(),
        3
    );
    let spans = texts(&els, "span");
    assert!(spans.contains(&"\"><iframe src='//evil'>"));
    assert!(
        texts(&els, "h2")
            .iter()
            .any(|h| h.contains("Банк <img src=x onerror=alert(1)> & «Ко»"))
    );
    assert!(texts(&els, "p").contains(&"Экземпляр 3 из 3"));
}

#[test]
fn the_qes_statement_in_html() {
    let key = SoftwareKey::generate(algorithms()[0]).unwrap();
    let req = request(subject("legal-entity"), &key);
    let st = QesStatement::new(
        &issue(&req),
        &Person::new("Иванов Иван Иванович", None),
        Some(&Person::new("Сергеев Сергей Сергеевич", None)),
        &DocumentDetails::new("Банк", time::macros::date!(2026 - 12 - 01)),
    )
    .unwrap();
    let els = elements(&st.to_html());
    assert_eq!(els.iter().filter(|e| e.name == "section").count(), 1);
    let tds = texts(&els, "td");
    assert!(tds.contains(&"Сергеев Сергей Сергеевич"));
    assert!(tds.contains(&"Тестовый аккредитованный УЦ"));
    assert!(texts(&els, "span").contains(&"1 декабря 2026 г."));
}
