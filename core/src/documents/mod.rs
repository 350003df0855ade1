//! The paper (and signed) documents of the regeneration flows (DESIGN §1, seeds 000–004).
//!
//! - [`Act`]: «Акт признания открытого ключа (сертификата)», printed in two copies, signed and
//!   sealed by the client and handed to the bank (paper-acts flow, seeds 000, 001, 003).
//! - [`CertificateApplication`]: «Заявление на изготовление сертификата ключа подписи», one
//!   copy, handed in with the acts (seeds 000, 001).
//! - [`QesStatement`]: «Заявление о подтверждении использования ЭП», signed electronically by
//!   the key's owner and the head of the organisation in one CMS with two signers (seed 004);
//!   [`QesStatement::signed_content`] gives the bytes they sign.
//!
//! Data first: each document is an owned structure (an [`Organisation`], the key's owner as a
//! [`Person`], the key as a [`KeyDescription`], the host's [`DocumentDetails`]) built from a
//! [`CertificateRequest`](crate::pki::CertificateRequest) or a
//! [`Certificate`](crate::pki::Certificate). Every rendering — plain text (UTF-8, 80 columns),
//! HTML (one self-contained file with print CSS) and PDF (with DejaVu Sans embedded) — is made
//! from one intermediate layout of that data, so the three say the same thing.
//!
//! # The public key as printed
//!
//! The key is printed as the contents of the subjectPublicKey BIT STRING of the request or
//! certificate, byte for byte, as uppercase hex in groups of 4 digits (2 bytes), 8 groups a
//! line. For GOST keys this is the DER OCTET STRING holding the little-endian X‖Y (it starts
//! `0440` for 256-bit keys, `0481 80` for 512-bit ones), for RSA the DER RSAPublicKey, for
//! ECDSA the SEC1 point: exactly what `openssl asn1parse`, the Windows certificate viewer and
//! CryptoPro show as the public key, so a bank officer can compare it with any of them.
//! [`parse_key_hex`] and [`key_from_text`] read it back from typed-in or scanned text.
//!
//! Dates are given by the host ([`DocumentDetails::date`]); nothing here reads the clock.
//!
//! # Example
//!
//! ```
//! use bankkey::documents::{Act, DocumentDetails};
//! use bankkey::gost::ParamSet;
//! use bankkey::key::{KeyAlgorithm, SoftwareKey};
//! use bankkey::pki::RequestBuilder;
//! use bankkey::subject::{AttributeType as A, Subject};
//!
//! let key = SoftwareKey::generate(KeyAlgorithm::Gost(ParamSet::Tc26_256A))?;
//! let subject = Subject::new()
//!     .with(A::CommonName, "Сидорова Анна Сергеевна")
//!     .with(A::Surname, "Сидорова")
//!     .with(A::GivenName, "Анна Сергеевна")
//!     .with(A::Country, "RU")
//!     .with(A::Inn, "500100732259")
//!     .with(A::Snils, "11223344595");
//! let request = RequestBuilder::new(subject).build(&key)?;
//!
//! // The client prints the act.
//! let mut details = DocumentDetails::new("АО «Банк»", time::macros::date!(2026 - 11 - 30));
//! details.place = Some("г. Москва".into());
//! let act = Act::from_request(&request, &details)?;
//! let text = act.to_text(); // act.txt
//! let html = act.to_html(); // act.html
//! let pdf = act.to_pdf()?; // act.pdf
//! assert!(text.contains("АКТ ПРИЗНАНИЯ") && html.contains("<section") && pdf.starts_with(b"%PDF"));
//!
//! // The bank checks the paper against the request it received.
//! act.matches(&request)?;
//! Act::check_key_text(&text, &request)?;
//! # Ok::<(), bankkey::Error>(())
//! ```

/// The three renderings of a document type that has a `layout()`.
macro_rules! renderings {
    ($t:ty) => {
        impl $t {
            /// Plain text: UTF-8, LF line ends, at most 80 characters a line, one copy.
            pub fn to_text(&self) -> String {
                super::text::render(&self.layout())
            }

            /// One self-contained HTML file with print CSS: A4, each copy (see
            /// [`DocumentDetails::copies`](super::DocumentDetails::copies)) on its own page.
            pub fn to_html(&self) -> String {
                super::html::render(&self.layout())
            }

            /// A PDF: each copy starting on its own A4 page, DejaVu Sans embedded (subset,
            /// with a ToUnicode map). Deterministic.
            pub fn to_pdf(&self) -> crate::Result<Vec<u8>> {
                super::pdf::render(&self.layout())
            }
        }
    };
}

mod act;
mod application;
mod html;
mod layout;
mod model;
mod pdf;
mod qes;
mod sections;
mod text;

pub use act::Act;
pub use application::CertificateApplication;
pub use model::{
    CertificateInfo, DocumentDetails, KeyDescription, Organisation, Person, Validity,
    key_from_text, parse_key_hex,
};
pub use qes::QesStatement;
