//! The bank's side of the regeneration flows (DESIGN §1–2, issue 4): receiving and verifying
//! requests, waiting for the paper act, issuing with a profile, the registry and its support
//! queries, and the qualified signatures (КЭП) of seed 004.
//!
//! - [`Bank`]: the operations, over a [`Registry`] (SQLite), the CA certificate and any
//!   [`Signer`] (a software key or a token), a [`Profile`], a [`BusinessCalendar`] and a
//!   [`VerifyPolicy`]. Every transition is recorded in the registry.
//! - [`verify`]: the checks of an incoming request, each failure a distinct [`RejectReason`].
//! - [`registry`]: subscribers, certificates, keys, requests, history, support queries.
//! - [`tsl`], [`crl`], [`qes`]: the ministry's list of accredited CAs, CRL files, and the
//!   check of a qualified certificate against them; [`Bank::register_qes`] and
//!   [`Bank::confirm_qes`] record a client's QES (seed 004).
//!
//! Times are passed in by the caller; nothing here reads the clock.

pub mod crl;
pub mod identity;
pub mod qes;
pub mod registry;
pub mod tsl;
pub mod verify;

use const_oid::ObjectIdentifier;
use sha2::{Digest, Sha256};
use time::{Date, Duration, OffsetDateTime};

pub use crl::{Crl, check_not_revoked};
pub use identity::Identity;
pub use qes::{QesCheck, QesPolicy, check_qualified, check_qualified_with};
pub use registry::{
    AwaitingPaper, CertificateRecord, Expiring, HistoryEvent, KeyRecord, QesRecord, Registry,
    RequestRecord, Subscriber,
};
pub use tsl::{ListSignature, TrustedList};
pub use verify::{
    AlgorithmPolicy, Failed, RejectReason, Rejection, Verified, VerifyPolicy, verify_request,
};

use crate::calendar::BusinessCalendar;
use crate::key::Signer;
use crate::lifecycle::{Flow, QesStatus, RequestStatus};
use crate::pki::{
    Certificate, CertificateBuilder, Extension, ExtensionValue, IssuerSignTool, KeyUsageBit,
    SignToolClass,
};
use crate::subject::Subject;
use crate::{Error, ErrorKind, Result, oid};

/// What the bank writes into the certificates it issues.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    /// Validity from the moment of issue, in days (365 by default).
    pub validity_days: u32,
    /// keyUsage (critical): digitalSignature and nonRepudiation by default.
    pub key_usage: Vec<KeyUsageBit>,
    /// extendedKeyUsage: clientAuth and emailProtection by default; empty: none.
    pub extended_key_usage: Vec<ObjectIdentifier>,
    /// certificatePolicies: the signature-tool classes (КС1 by default); empty: none.
    pub sign_tool_classes: Vec<SignToolClass>,
    /// issuerSignTool: the bank CA's CIPF and CA tool with their conformity certificates.
    pub issuer_sign_tool: Option<IssuerSignTool>,
}

impl Default for Profile {
    fn default() -> Self {
        Profile {
            validity_days: 365,
            key_usage: vec![KeyUsageBit::DigitalSignature, KeyUsageBit::NonRepudiation],
            extended_key_usage: vec![oid::KP_CLIENT_AUTH, oid::KP_EMAIL_PROTECTION],
            sign_tool_classes: vec![SignToolClass::Kc1],
            issuer_sign_tool: None,
        }
    }
}

/// What [`Bank::receive`] answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    /// The bank's id of the request (derived from the bytes: sending the same bytes again
    /// gets the same request back).
    pub request_id: String,
    /// `AcceptedByBank` (remote flow), `AwaitingPaperDocuments` (paper flow) or `Rejected`.
    pub status: RequestStatus,
    /// Why, when rejected.
    pub rejection: Option<Rejection>,
    /// Paper flow: the day by which the bank checks the paper act.
    pub paper_check_by: Option<Date>,
}

/// The bank: verifies, records and issues.
pub struct Bank {
    registry: Registry,
    ca: Certificate,
    signer: Box<dyn Signer>,
    roots: Vec<Certificate>,
    profile: Profile,
    calendar: BusinessCalendar,
    policy: VerifyPolicy,
    qes_policy: QesPolicy,
}

impl std::fmt::Debug for Bank {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bank")
            .field("registry", &self.registry)
            .field("ca", &self.ca.subject().to_string())
            .field("profile", &self.profile)
            .finish_non_exhaustive()
    }
}

impl Bank {
    /// A bank issuing with `signer`, which holds the key of `ca`; the roots remote requests
    /// must chain to are `[ca]` (see [`with_roots`](Self::with_roots)); default profile,
    /// calendar and policy.
    ///
    /// Errors: [`ErrorKind::KeyMismatch`] when `ca` does not hold the signer's key.
    pub fn new(registry: Registry, ca: Certificate, signer: Box<dyn Signer>) -> Result<Bank> {
        if !ca.holds_key(&signer.public_key()) {
            return Err(Error::new(
                ErrorKind::KeyMismatch,
                format!("the signer does not hold the key of \"{}\"", ca.subject()),
            ));
        }
        Ok(Bank {
            registry,
            roots: vec![ca.clone()],
            ca,
            signer,
            profile: Profile::default(),
            calendar: BusinessCalendar::new(),
            policy: VerifyPolicy::default(),
            qes_policy: QesPolicy::default(),
        })
    }

    /// Replaces the issuing profile.
    pub fn with_profile(mut self, profile: Profile) -> Bank {
        self.profile = profile;
        self
    }

    /// Replaces the business calendar.
    pub fn with_calendar(mut self, calendar: BusinessCalendar) -> Bank {
        self.calendar = calendar;
        self
    }

    /// Replaces the verification policy.
    pub fn with_policy(mut self, policy: VerifyPolicy) -> Bank {
        self.policy = policy;
        self
    }

    /// Replaces what the QES check asks of the list of accredited CAs
    /// ([`register_qes`](Self::register_qes), [`confirm_qes`](Self::confirm_qes)).
    pub fn with_qes_policy(mut self, policy: QesPolicy) -> Bank {
        self.qes_policy = policy;
        self
    }

    /// Replaces the roots the signers of remote requests must chain to.
    pub fn with_roots(mut self, roots: Vec<Certificate>) -> Bank {
        self.roots = roots;
        self
    }

    /// The registry (for queries).
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// The registry, to record what the bank learns elsewhere.
    pub fn registry_mut(&mut self) -> &mut Registry {
        &mut self.registry
    }

    /// The CA certificate the bank issues under.
    pub fn ca_certificate(&self) -> &Certificate {
        &self.ca
    }

    /// The business calendar.
    pub fn calendar(&self) -> &BusinessCalendar {
        &self.calendar
    }

    /// The issuing profile.
    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    /// Registers an existing client by its current certificate (trusted as given: the bank
    /// issued it or checked it otherwise). A subscriber with the certificate's identity gets
    /// it as its current certificate; otherwise a new subscriber is created (one registry
    /// transaction: two processes registering one client make one subscriber). Returns the
    /// subscriber's id.
    pub fn register_subscriber(&mut self, cert: &Certificate, at: OffsetDateTime) -> Result<i64> {
        self.registry.add_subscriber_with_certificate(cert, at)
    }

    /// Pre-registers a new client (initial generation, paper flow): its first request is
    /// accepted when its subject has this identity. Returns the subscriber's id.
    ///
    /// Errors: those of [`Subject::validate`]; [`ErrorKind::PreconditionFailed`] when the
    /// identity is registered already.
    pub fn preregister(&mut self, subject: &Subject, at: OffsetDateTime) -> Result<i64> {
        subject.validate(subject.kind())?;
        let identity = Identity::of(subject);
        self.registry
            .add_subscriber(&identity, &subject.to_der()?, true, at)
    }

    /// Receives a request of `flow` at `at`: a PKCS#10 (DER or PEM) for the paper flow, a
    /// CMS SignedData holding one (DER or PEM) for the remote flow. Verifies it (see
    /// [`verify`]) and records every transition: `Sent`, then `AcceptedByBank` (and, paper
    /// flow, `AwaitingPaperDocuments` with the day the act is checked by), or `Rejected` with
    /// the reason; acceptance (with the key's registration) and rejection are each one
    /// registry transaction. An accepted request's key is registered at once, so the same key
    /// cannot be requested twice. The same bytes received again return the request as it
    /// stands (and a request left `Sent` by a crash is verified again).
    ///
    /// Errors are the registry's ([`ErrorKind::Storage`]); a bad request is an `Ok` rejection.
    pub fn receive(&mut self, flow: Flow, bytes: &[u8], at: OffsetDateTime) -> Result<Received> {
        let request_id = request_id(flow, bytes);
        match self.registry.request(&request_id)? {
            // These bytes were decided before: the request as it stands.
            Some(existing) if existing.status != RequestStatus::Sent => {
                return Ok(received_of(&existing));
            }
            // Received but not decided (the process stopped in between): decide now.
            Some(_) => {}
            None => {
                self.registry.insert_request(&RequestRecord {
                    id: request_id.clone(),
                    flow,
                    subscriber_id: None,
                    status: RequestStatus::Sent,
                    received_at: at,
                    received_der: bytes.to_vec(),
                    request_der: None,
                    key_id: None,
                    paper_check_by: None,
                    paper_act_ok: false,
                    rejection: None,
                })?;
            }
        }
        let verdict =
            verify::verify_request(flow, bytes, &self.registry, &self.roots, &self.policy, at)?;
        let decided = match verdict {
            Err(failed) => {
                let key_id = failed
                    .request
                    .as_ref()
                    .map(|r| hex::encode(r.key_info().key_id));
                self.registry.reject_request(
                    &request_id,
                    failed.subscriber.as_ref().map(|s| s.id),
                    failed.request.as_ref().map(|r| r.der()),
                    key_id.as_deref(),
                    &failed.rejection,
                    at,
                )
            }
            Ok(ok) => {
                let paper_check_by = match flow {
                    Flow::PaperActs => Some(self.calendar.paper_check_by(at)?),
                    _ => None,
                };
                self.registry.accept_request(
                    &request_id,
                    ok.subscriber.id,
                    ok.request.der(),
                    &ok.request.public_key()?,
                    paper_check_by,
                    at,
                )
            }
        };
        match decided {
            Ok(rec) => Ok(received_of(&rec)),
            // Another process received the same bytes and decided first: its decision
            // stands (the registry checked the status inside the transaction).
            Err(e) if e.kind() == ErrorKind::WrongState => {
                match self.registry.request(&request_id)? {
                    Some(rec) if rec.status != RequestStatus::Sent => Ok(received_of(&rec)),
                    _ => Err(e),
                }
            }
            Err(e) => Err(e),
        }
    }

    fn reject_with(
        &mut self,
        request_id: &str,
        rejection: &Rejection,
        at: OffsetDateTime,
    ) -> Result<RequestRecord> {
        self.registry
            .set_request_status(request_id, RequestStatus::Rejected, Some(rejection), at)
    }

    fn request_record(&self, request_id: &str) -> Result<RequestRecord> {
        self.registry
            .request(request_id)?
            .ok_or_else(|| Error::invalid_field("request_id", format!("no request {request_id}")))
    }

    /// The paper act of a request arrived, and the bank checks it by the public key printed
    /// on it: `key_text` is the act's text as scanned or rendered, or the key's hex alone as
    /// typed in (any grouping), compared with the key of the request as received
    /// ([`crate::documents::Act::check_key_text`]). A match is recorded and the
    /// request may be issued; a mismatch (or text holding no key) rejects the request with
    /// [`RejectReason::PaperActMismatch`], and the returned [`Received`] says so.
    ///
    /// Errors: [`ErrorKind::WrongState`] unless the request awaits its paper documents;
    /// [`ErrorKind::InvalidInput`] for an unknown request.
    pub fn check_paper_act(
        &mut self,
        request_id: &str,
        key_text: &str,
        at: OffsetDateTime,
    ) -> Result<Received> {
        let rec = self.request_record(request_id)?;
        let der = rec.request_der.as_deref().ok_or_else(|| {
            Error::new(
                ErrorKind::WrongState,
                format!("request {request_id} has no readable PKCS#10 request"),
            )
        })?;
        let request = crate::pki::CertificateRequest::from_der(der)
            .map_err(|e| e.context("the registered request"))?;
        let outcome = crate::documents::Act::check_key_text(key_text, &request);
        self.paper_act_received(request_id, outcome, at)
    }

    /// The paper act of a request arrived; `act_matches` is the result of comparing it with
    /// the request: [`crate::documents::Act::matches`] for an act read whole (key and
    /// identity), or use [`check_paper_act`](Self::check_paper_act) for the printed key. A
    /// match is recorded and the request may be issued; a mismatch rejects the request with
    /// [`RejectReason::PaperActMismatch`].
    ///
    /// Errors: [`ErrorKind::WrongState`] unless the request awaits its paper documents;
    /// [`ErrorKind::InvalidInput`] for an unknown request.
    pub fn paper_act_received(
        &mut self,
        request_id: &str,
        act_matches: Result<()>,
        at: OffsetDateTime,
    ) -> Result<Received> {
        let rec = self.request_record(request_id)?;
        if rec.status != RequestStatus::AwaitingPaperDocuments || rec.paper_act_ok {
            return Err(Error::new(
                ErrorKind::WrongState,
                format!(
                    "request {request_id} is \"{}\", not waiting for its paper act",
                    rec.status.en()
                ),
            ));
        }
        match act_matches {
            Ok(()) => self.registry.set_paper_act_ok(request_id, at)?,
            Err(e) => {
                let mut r = Rejection::new(RejectReason::PaperActMismatch, e.message());
                r.field = e.field().map(str::to_owned);
                self.registry.reject_paper_act(request_id, &r, at)?;
            }
        }
        Ok(received_of(&self.request_record(request_id)?))
    }

    /// Issues the certificate of an accepted request (remote flow) or of one whose paper act
    /// matched (paper flow), with the profile, valid from `at`, signed by the bank's signer.
    /// The certificate becomes the subscriber's current one, the previous one superseded,
    /// and the request goes to `CertificateIssued`, in one registry transaction.
    ///
    /// Errors: [`ErrorKind::WrongState`] in another status; [`ErrorKind::PreconditionFailed`]
    /// when the paper act has not matched yet; the signer's errors (a token's PIN, ...).
    pub fn issue(&mut self, request_id: &str, at: OffsetDateTime) -> Result<Certificate> {
        let rec = self.request_record(request_id)?;
        rec.status
            .check_transition(rec.flow, RequestStatus::CertificateIssued)?;
        if rec.flow == Flow::PaperActs && !rec.paper_act_ok {
            return Err(Error::new(
                ErrorKind::PreconditionFailed,
                format!("the paper act of request {request_id} has not been received"),
            ));
        }
        let der = rec.request_der.as_deref().ok_or_else(|| {
            Error::new(
                ErrorKind::Internal,
                "an accepted request without its PKCS#10",
            )
        })?;
        let request = crate::pki::CertificateRequest::from_der(der)?;
        let cert = self.build_certificate(&request, at)?;
        self.registry.record_issued(request_id, &cert, at)?;
        Ok(cert)
    }

    fn build_certificate(
        &self,
        request: &crate::pki::CertificateRequest,
        at: OffsetDateTime,
    ) -> Result<Certificate> {
        let p = &self.profile;
        if p.validity_days == 0 {
            return Err(Error::invalid_field(
                "validity_days",
                "validity must be at least a day",
            ));
        }
        let not_before = at.replace_nanosecond(0).unwrap_or(at);
        let not_after = not_before
            .checked_add(Duration::days(i64::from(p.validity_days)))
            .and_then(crate::calendar::representable)
            .ok_or_else(|| {
                Error::invalid_field("validity_days", "the validity ends after the year 9999")
            })?;
        let mut b = CertificateBuilder::from_request(request)?
            .validity(not_before, not_after)
            .key_usage(&p.key_usage);
        if !p.extended_key_usage.is_empty() {
            b = b.extension(Extension::new(
                ExtensionValue::ExtendedKeyUsage(p.extended_key_usage.clone()),
                false,
            )?);
        }
        if !p.sign_tool_classes.is_empty() {
            b = b.extension(Extension::new(
                ExtensionValue::CertificatePolicies(
                    p.sign_tool_classes.iter().map(|c| c.oid()).collect(),
                ),
                false,
            )?);
        }
        if let Some(t) = &p.issuer_sign_tool {
            b = b.issuer_sign_tool(t.clone());
        }
        b.sign(Some(&self.ca), self.signer.as_ref())
    }

    /// Rejects a request by the operator's decision (from `Sent`, `AcceptedByBank` or
    /// `AwaitingPaperDocuments`), with a note.
    ///
    /// Errors: [`ErrorKind::WrongState`] in another status.
    pub fn reject(&mut self, request_id: &str, note: &str, at: OffsetDateTime) -> Result<Received> {
        let r = Rejection::new(RejectReason::RefusedByOperator, note);
        let rec = self.reject_with(request_id, &r, at)?;
        Ok(received_of(&rec))
    }

    /// Registers a client's qualified certificate (seed 004: the first login with it), after
    /// [`check_qualified_with`] (the bank's [`QesPolicy`]) against the list and the CRLs at `at`; the status is
    /// `NotConfirmed` until [`confirm_qes`](Self::confirm_qes). The subscriber is the one with
    /// the certificate's SNILS, when the bank has one. Registering again returns the record.
    ///
    /// Errors: those of [`check_qualified`] (`VerificationUnavailable` when the list or a
    /// fresh CRL is missing: «Ошибка при работе с сервисом проверки сторонних сертификатов»).
    pub fn register_qes(
        &mut self,
        cert: &Certificate,
        list: Option<&TrustedList>,
        crls: &[Crl],
        at: OffsetDateTime,
    ) -> Result<QesRecord> {
        check_qualified_with(cert, list, crls, at, &self.qes_policy)?;
        let subscriber = match cert.subject().snils() {
            Some(snils) => self
                .registry
                .subscribers_by_identifier(snils.as_str())?
                .into_iter()
                .find(|s| s.identity.snils.as_deref() == Some(snils.as_str()))
                .map(|s| s.id),
            None => None,
        };
        self.registry.add_qes(subscriber, cert, at)
    }

    /// Confirms a client's QES: checks it again ([`check_qualified`]), then verifies the
    /// confirmation statement («Заявление о подтверждении использования ЭП»): `signed` is a
    /// CMS SignedData over `statement` (attached or detached) signed by the QES owner and the
    /// head of the organisation, each with a current certificate registered with the bank or
    /// one chaining to the bank's roots (see [`qes::verify_confirmation`]). Records
    /// `Confirmed` with the moment the data is loaded: 12:00 local time of the next business
    /// day ([`BusinessCalendar::qes_loaded_not_before`]).
    ///
    /// Errors: those of the check and of the statement's verification; nothing is recorded
    /// then.
    pub fn confirm_qes(
        &mut self,
        cert: &Certificate,
        statement: &[u8],
        signed: &[u8],
        list: Option<&TrustedList>,
        crls: &[Crl],
        at: OffsetDateTime,
    ) -> Result<QesRecord> {
        check_qualified_with(cert, list, crls, at, &self.qes_policy)?;
        let registry = &self.registry;
        let known = |c: &Certificate| -> Result<Option<i64>> {
            Ok(registry
                .certificate_record(c)?
                .filter(|r| r.current)
                .map(|r| r.subscriber_id))
        };
        let confirmation =
            qes::verify_confirmation(cert, statement, signed, &self.roots, &known, at)?;
        let loaded = self.calendar.qes_loaded_not_before(at)?;
        let rec = self.register_qes(cert, list, crls, at)?;
        if rec.status == QesStatus::Confirmed {
            return Ok(rec);
        }
        self.registry
            .confirm_qes(cert, confirmation.owner.subscriber_id, loaded, at)
    }

    /// A request as the registry has it.
    pub fn request(&self, request_id: &str) -> Result<RequestRecord> {
        self.request_record(request_id)
    }

    /// The transitions of a request, in order.
    pub fn request_history(&self, request_id: &str) -> Result<Vec<HistoryEvent>> {
        self.registry.request_history(request_id)
    }

    /// Current certificates expiring within `days` days of `at`: who needs scheduled
    /// replacement.
    pub fn expiring_within(&self, days: u32, at: OffsetDateTime) -> Result<Vec<Expiring>> {
        self.registry.expiring_within(days, at)
    }

    /// Requests waiting for their paper act, with the day each check is due.
    pub fn awaiting_paper(&self) -> Result<Vec<AwaitingPaper>> {
        self.registry.awaiting_paper()
    }

    /// A subscriber's history, found by an identifier (INN, INNLE, OGRN, OGRNIP, SNILS: every
    /// subscriber having it) or by a key id (40 hex digits, SHA-1 of the key bits: the
    /// subscriber the key is registered to). Events in recording order.
    pub fn history(&self, who: &str) -> Result<Vec<HistoryEvent>> {
        self.registry.history_of(who)
    }
}

/// The bank's id of a request received by `flow` as `bytes`: `RQ-` and 16 hex digits of
/// SHA-256 over the flow's name and the bytes (the same bytes always get the same id).
pub fn request_id(flow: Flow, bytes: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(flow.as_str().as_bytes());
    h.update([0]);
    h.update(bytes);
    format!("RQ-{}", hex::encode_upper(&h.finalize()[..8]))
}

fn received_of(rec: &RequestRecord) -> Received {
    Received {
        request_id: rec.id.clone(),
        status: rec.status,
        rejection: rec.rejection.clone(),
        paper_check_by: rec.paper_check_by,
    }
}
