//! QES registration, client side (seed 004): a qualified certificate issued by an accredited
//! CA elsewhere, whose key is already on the medium, is registered with the bank.
//!
//! `register_qes` → «Электронная подпись не подтверждена» (`NotConfirmed`); the confirmation
//! goes either as a certified paper copy of the certificate, or as the «Заявление о
//! подтверждении использования ЭП» signed (CMS, two signers) by the key's owner with this key
//! and by the head of the organisation with theirs (`qes_statement`); the bank confirms
//! (`qes_confirmed` → `Confirmed`). Each change is a journal event of kind
//! [`EventKind::Qes`]; its `flow` is `Remote` for the signed statement and `PaperActs`
//! otherwise (how the confirmation travels).

use time::OffsetDateTime;

use super::client::Client;
use super::journal::{Event, EventKind};
use super::{Flow, QesStatus, RequestStatus};
use crate::cms::SignOptions;
use crate::key::Signer;
use crate::pki::Certificate;
use crate::{Error, ErrorKind, Result};

/// A qualified certificate registered with the bank. Owned data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QesRegistration {
    pub(super) id: String,
    pub(super) status: QesStatus,
    pub(super) key_id: Vec<u8>,
    pub(super) certificate_der: Vec<u8>,
    pub(super) statement_der: Option<Vec<u8>>,
    pub(super) warnings: Vec<String>,
    pub(super) registered_at: OffsetDateTime,
    pub(super) updated_at: OffsetDateTime,
}

impl QesRegistration {
    /// The registration identifier: `qes-` and the key set's identifier in hex.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The status.
    pub fn status(&self) -> QesStatus {
        self.status
    }

    /// The key set holding the qualified key.
    pub fn key_id(&self) -> &[u8] {
        &self.key_id
    }

    /// The qualified certificate (DER).
    pub fn certificate_der(&self) -> &[u8] {
        &self.certificate_der
    }

    /// The signed confirmation statement (CMS SignedData DER), once made.
    pub fn statement_der(&self) -> Option<&[u8]> {
        self.statement_der.as_deref()
    }

    /// Warnings about the medium at registration (seed 004: keep one qualified key per
    /// medium, see [`crate::store::medium_warnings`]).
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// When it was registered.
    pub fn registered_at(&self) -> OffsetDateTime {
        self.registered_at
    }

    /// When it last changed.
    pub fn updated_at(&self) -> OffsetDateTime {
        self.updated_at
    }
}

fn qes_event(id: &str, flow: Flow, at: OffsetDateTime, status: QesStatus) -> Event {
    let mut e = Event::new(
        0,
        at,
        id,
        flow,
        EventKind::Qes,
        Some(RequestStatus::New),
        RequestStatus::New,
    );
    e.qes = Some(status);
    e
}

impl Client {
    /// Registers a qualified certificate whose key is already in the store → `NotConfirmed`
    /// («Электронная подпись не подтверждена»). The certificate is installed beside its key
    /// (idempotent); registering the same certificate again returns the registration.
    ///
    /// Errors: [`ErrorKind::InvalidInput`] (field `certificate`) when the certificate is not
    /// qualified (the reasons listed); [`ErrorKind::Expired`] / [`ErrorKind::NotYetValid`]
    /// at `at`; [`ErrorKind::KeyMismatch`] when its key is not in the store; the store's.
    pub fn register_qes(&mut self, cert_der: &[u8], at: OffsetDateTime) -> Result<QesRegistration> {
        let _hold = self.begin(at)?;
        let cert = Certificate::from_der(cert_der)?;
        let q = cert.qualification();
        if !q.qualified {
            return Err(Error::invalid_field(
                "certificate",
                format!("not a qualified certificate: {}", q.missing.join("; ")),
            ));
        }
        cert.check_validity_at(at)?;
        if let Some(r) = self.qes.iter().find(|r| r.certificate_der == cert.der()) {
            return Ok(r.clone());
        }
        let set = self.store.install_certificate(cert.der(), None)?;
        failpoint!("qes:installed");
        let warnings = self.store.warnings()?;
        let id = format!("qes-{}", set.id_hex());
        let mut e = qes_event(&id, Flow::PaperActs, at, QesStatus::NotConfirmed);
        e.new_key_id = Some(set.id.clone());
        e.certificate_der = Some(cert.to_der());
        e.note = (!warnings.is_empty()).then(|| warnings.join("\n"));
        self.emit(e)?;
        self.qes_registration(&id)
    }

    /// Signs the confirmation statement (seed 004) over `content` — the bytes
    /// [`QesStatement::signed_content`](crate::documents::QesStatement::signed_content)
    /// gives — by two signers: the owner with the registered qualified key, and the head of
    /// the organisation with `head` (whose certificate is `head_cert`). Returns the CMS SignedData DER (attached,
    /// signingTime `at`) and journals it; the status stays `NotConfirmed`.
    ///
    /// Errors: [`ErrorKind::WrongState`] once confirmed; [`ErrorKind::InvalidInput`] (field
    /// `content`) for empty content; [`ErrorKind::Expired`] / [`ErrorKind::NotYetValid`] for
    /// either certificate at `at`; [`ErrorKind::KeyMismatch`] when `head_cert` does not hold
    /// `head`'s key; the store's.
    pub fn qes_statement(
        &mut self,
        id: &str,
        content: &[u8],
        head: &dyn Signer,
        head_cert: &Certificate,
        at: OffsetDateTime,
    ) -> Result<Vec<u8>> {
        let _hold = self.begin(at)?;
        let r = self.unconfirmed(id)?;
        if content.is_empty() {
            return Err(Error::invalid_field("content", "the statement is empty"));
        }
        let owner_cert = Certificate::from_der(&r.certificate_der)?;
        owner_cert
            .check_validity_at(at)
            .map_err(|e| e.context("the owner's qualified certificate"))?;
        head_cert
            .check_validity_at(at)
            .map_err(|e| e.context("the head's certificate"))?;
        let owner = self.store.signer(&r.key_id)?;
        let options = SignOptions {
            signing_time: Some(at),
            ..SignOptions::default()
        };
        let der = crate::cms::sign(
            content,
            &[(owner.as_ref(), &owner_cert), (head, head_cert)],
            &options,
        )?;
        let mut e = qes_event(id, Flow::Remote, at, QesStatus::NotConfirmed);
        e.signed_request_der = Some(der.clone());
        self.emit(e)?;
        Ok(der)
    }

    /// Records that the bank confirmed the signature → `Confirmed` («Электронная подпись
    /// подтверждена»).
    ///
    /// Errors: [`ErrorKind::WrongState`] when already confirmed.
    pub fn qes_confirmed(&mut self, id: &str, at: OffsetDateTime) -> Result<QesRegistration> {
        let _hold = self.begin(at)?;
        let r = self.unconfirmed(id)?;
        let flow = if r.statement_der.is_some() {
            Flow::Remote
        } else {
            Flow::PaperActs
        };
        self.emit(qes_event(id, flow, at, QesStatus::Confirmed))?;
        self.qes_registration(id)
    }

    /// Every QES registration, oldest first.
    pub fn qes_registrations(&self) -> Vec<QesRegistration> {
        self.qes.clone()
    }

    /// One QES registration.
    ///
    /// Errors: [`ErrorKind::InvalidInput`] (field `id`) when there is none.
    pub fn qes_registration(&self, id: &str) -> Result<QesRegistration> {
        self.qes
            .iter()
            .find(|r| r.id == id)
            .cloned()
            .ok_or_else(|| Error::invalid_field("id", format!("no QES registration {id:?}")))
    }

    /// The registration `id`, which must not be confirmed yet ([`ErrorKind::WrongState`]).
    fn unconfirmed(&self, id: &str) -> Result<QesRegistration> {
        let r = self.qes_registration(id)?;
        if r.status != QesStatus::NotConfirmed {
            return Err(Error::new(
                ErrorKind::WrongState,
                format!("the signature {id} is already confirmed"),
            )
            .with_field("status"));
        }
        Ok(r)
    }

    /// Applies a [`EventKind::Qes`] event (replay and live).
    pub(super) fn apply_qes(&mut self, e: &Event) -> Result<()> {
        let bad = |m: &str| Error::new(ErrorKind::Storage, format!("journal event {}: {m}", e.seq));
        let status = e.qes.ok_or_else(|| bad("a QES event without its status"))?;
        match self.qes.iter_mut().find(|r| r.id == e.request_id) {
            None => {
                let (Some(key_id), Some(cert)) = (&e.new_key_id, &e.certificate_der) else {
                    return Err(bad("a QES registration without its key or certificate"));
                };
                self.qes.push(QesRegistration {
                    id: e.request_id.clone(),
                    status,
                    key_id: key_id.clone(),
                    certificate_der: cert.clone(),
                    statement_der: None,
                    warnings: e
                        .note
                        .as_deref()
                        .map(|n| n.lines().map(str::to_owned).collect())
                        .unwrap_or_default(),
                    registered_at: e.at,
                    updated_at: e.at,
                });
            }
            Some(r) => {
                if r.status == QesStatus::Confirmed {
                    return Err(bad("a change after confirmation"));
                }
                r.status = status;
                if let Some(s) = &e.signed_request_der {
                    r.statement_der = Some(s.clone());
                }
                r.updated_at = e.at;
            }
        }
        Ok(())
    }
}
