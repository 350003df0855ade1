//! Any text in any field (control characters, combining marks, right-to-left text, characters
//! no font has, very long values) renders in all three forms without a panic: the text stays
//! within 80 columns, the HTML escapes it, the PDF is made.

mod common;

use std::sync::OnceLock;

use bankkey::documents::{Act, DocumentDetails, Person};
use bankkey::key::SoftwareKey;
use common::documents::{algorithms, details, request, subject};
use proptest::prelude::*;

/// One act made from a real request, reused (key generation is not what is tested).
fn act() -> &'static Act {
    static ACT: OnceLock<Act> = OnceLock::new();
    ACT.get_or_init(|| {
        let key = SoftwareKey::generate(algorithms()[0]).unwrap();
        Act::from_request(&request(subject("legal-entity"), &key), &details()).unwrap()
    })
}

fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::collection::vec(any::<char>(), 0..120).prop_map(|v| v.into_iter().collect()),
        "[ а-яА-ЯёЁ«»<>&\"'()\\\\\t\n\r]{0,600}",
        Just(String::new()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn any_field_renders(
        name in any_text(),
        owner in any_text(),
        position in any_text(),
        bank in any_text(),
        place in any_text(),
        head in any_text(),
    ) {
        let mut act = act().clone();
        act.organisation.as_mut().unwrap().name = name.clone();
        act.owner.full_name = owner;
        act.owner.position = Some(position);
        act.details = DocumentDetails {
            bank_name: bank,
            place: Some(place),
            head: Some(Person::new(head, None)),
            ..act.details.clone()
        };
        let text = act.to_text();
        for line in text.lines() {
            prop_assert!(line.chars().count() <= 80, "{line}");
            prop_assert!(!line.chars().any(char::is_control), "{line:?}");
        }
        let html = act.to_html();
        if name.contains('<') {
            prop_assert!(html.contains("&lt;"));
        }
        prop_assert_eq!(html.matches("<section class=\"copy\">").count(), 2);
        let pdf = act.to_pdf().unwrap();
        prop_assert!(pdf.starts_with(b"%PDF-1.7") && pdf.ends_with(b"%%EOF\n"));
    }
}
