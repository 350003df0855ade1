//! "The token does not work": what is wrong with the tokens of a PKCS#11 module, in the terms
//! support staff act on (seeds 000, 001, 003, 004).
//!
//! [`diagnose`] looks at every slot of a module and every token in it: the token's PIN state
//! (not set, factory PIN to change, a wrong PIN entered, one try left, locked), with a PIN
//! given it logs in (never on the final try: diagnosing must not lock a token) and says
//! whether the PIN was right and whether it is a factory PIN; then the key sets: a certificate
//! without its private key, a private key without a certificate (a request waiting for the
//! bank, or a forgotten one), an expired certificate or one inside the replacement window, and
//! more than one qualified key on one medium (seed 004). Each finding has a stable name, a
//! severity, and words in Russian and English; the report is data, so the C ABI, Python and
//! the `bankkey token` command show the same.

use secrecy::SecretString;
use time::OffsetDateTime;

use super::{LoginOptions, PinState, Pkcs11Module, SlotInfo, TokenInfo, TokenSelector};
use crate::lifecycle::{KeySetStatus, assess};
use crate::pki::Certificate;
use crate::store::{KeySet, KeySetKind, medium_warnings};
use crate::vocab::stable_codes;
use crate::{Error, ErrorKind, Result};

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Worth knowing; nothing to do.
    Info,
    /// Something to do soon.
    Warning,
    /// The token cannot be used as it is.
    Error,
}

stable_codes!(Severity {
    Info = 1,
    Warning = 2,
    Error = 3,
});

impl Severity {
    /// Every severity, mildest first (the C ABI's `BK_SEVERITY_*`).
    pub const ALL: [Severity; 3] = [Severity::Info, Severity::Warning, Severity::Error];

    /// The stable machine name (`info`, `warning`, `error`).
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// What is wrong (or worth knowing), one value per usual fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FindingKind {
    /// The module lists no slot: no reader, or its driver is missing.
    NoSlot,
    /// Slots but no token in any of them: the token is not plugged in.
    NoToken,
    /// The token is not initialised.
    TokenNotInitialized,
    /// The user PIN is not set.
    PinNotInitialized,
    /// The token flags that the PIN must be changed (factory PIN).
    PinToBeChanged,
    /// The PIN given is a factory PIN: change it before keys are made.
    FactoryPin,
    /// A wrong PIN was entered since the last good one.
    PinCountLow,
    /// One more wrong PIN locks the token; no login was tried.
    PinFinalTry,
    /// The PIN is locked: only the security officer can unlock it.
    PinLocked,
    /// The PIN given is wrong.
    PinIncorrect,
    /// The PIN given is right.
    PinCorrect,
    /// No PIN was given: private keys were not looked at.
    NotLoggedIn,
    /// The token holds no key set.
    Empty,
    /// A certificate without its private key.
    CertificateWithoutKey,
    /// A private key without a certificate (a request waiting for the bank, or forgotten).
    KeyWithoutCertificate,
    /// A certificate that has expired.
    CertificateExpired,
    /// A certificate inside the replacement window: «Необходима плановая замена сертификата».
    ReplacementDue,
    /// More than one qualified key on the medium (seed 004: keep one).
    SeveralQualifiedKeys,
}

stable_codes!(FindingKind {
    NoSlot = 1,
    NoToken = 2,
    TokenNotInitialized = 3,
    PinNotInitialized = 4,
    PinToBeChanged = 5,
    FactoryPin = 6,
    PinCountLow = 7,
    PinFinalTry = 8,
    PinLocked = 9,
    PinIncorrect = 10,
    PinCorrect = 11,
    NotLoggedIn = 12,
    Empty = 13,
    CertificateWithoutKey = 14,
    KeyWithoutCertificate = 15,
    CertificateExpired = 16,
    ReplacementDue = 17,
    SeveralQualifiedKeys = 18,
});

impl FindingKind {
    /// Every kind.
    pub const ALL: [FindingKind; 18] = [
        FindingKind::NoSlot,
        FindingKind::NoToken,
        FindingKind::TokenNotInitialized,
        FindingKind::PinNotInitialized,
        FindingKind::PinToBeChanged,
        FindingKind::FactoryPin,
        FindingKind::PinCountLow,
        FindingKind::PinFinalTry,
        FindingKind::PinLocked,
        FindingKind::PinIncorrect,
        FindingKind::PinCorrect,
        FindingKind::NotLoggedIn,
        FindingKind::Empty,
        FindingKind::CertificateWithoutKey,
        FindingKind::KeyWithoutCertificate,
        FindingKind::CertificateExpired,
        FindingKind::ReplacementDue,
        FindingKind::SeveralQualifiedKeys,
    ];

    /// The stable machine name.
    pub fn as_str(self) -> &'static str {
        match self {
            FindingKind::NoSlot => "no_slot",
            FindingKind::NoToken => "no_token",
            FindingKind::TokenNotInitialized => "token_not_initialized",
            FindingKind::PinNotInitialized => "pin_not_initialized",
            FindingKind::PinToBeChanged => "pin_to_be_changed",
            FindingKind::FactoryPin => "factory_pin",
            FindingKind::PinCountLow => "pin_count_low",
            FindingKind::PinFinalTry => "pin_final_try",
            FindingKind::PinLocked => "pin_locked",
            FindingKind::PinIncorrect => "pin_incorrect",
            FindingKind::PinCorrect => "pin_correct",
            FindingKind::NotLoggedIn => "not_logged_in",
            FindingKind::Empty => "empty",
            FindingKind::CertificateWithoutKey => "certificate_without_key",
            FindingKind::KeyWithoutCertificate => "key_without_certificate",
            FindingKind::CertificateExpired => "certificate_expired",
            FindingKind::ReplacementDue => "replacement_due",
            FindingKind::SeveralQualifiedKeys => "several_qualified_keys",
        }
    }

    /// The kind named by [`as_str`](Self::as_str).
    ///
    /// Errors: [`ErrorKind::InvalidInput`] naming the field `finding`.
    pub fn parse(name: &str) -> Result<FindingKind> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == name)
            .ok_or_else(|| Error::invalid_field("finding", format!("unknown finding {name:?}")))
    }

    /// How bad it is.
    pub fn severity(self) -> Severity {
        use FindingKind as F;
        match self {
            F::PinCorrect | F::NotLoggedIn => Severity::Info,
            F::PinCountLow
            | F::KeyWithoutCertificate
            | F::ReplacementDue
            | F::SeveralQualifiedKeys
            | F::PinToBeChanged
            | F::FactoryPin
            | F::Empty => Severity::Warning,
            _ => Severity::Error,
        }
    }

    /// What support staff tell the user, in Russian.
    pub fn ru(self) -> &'static str {
        use FindingKind as F;
        match self {
            F::NoSlot => "Считыватели не найдены: проверьте драйвер токена",
            F::NoToken => "Токен не подключён",
            F::TokenNotInitialized => "Токен не инициализирован",
            F::PinNotInitialized => "Пин-код пользователя не задан",
            F::PinToBeChanged => "Необходимо сменить заводской пин-код",
            F::FactoryPin => "Используется заводской пин-код: смените его до генерации ключей",
            F::PinCountLow => "Был введён неверный пин-код: число попыток уменьшилось",
            F::PinFinalTry => "Осталась последняя попытка ввода пин-кода: вход не выполнялся",
            F::PinLocked => "Пин-код заблокирован: обратитесь к администратору токена",
            F::PinIncorrect => "Пин-код неверен",
            F::PinCorrect => "Пин-код верен",
            F::NotLoggedIn => "Пин-код не указан: закрытые ключи не проверены",
            F::Empty => "На токене нет ключей",
            F::CertificateWithoutKey => "Сертификат без закрытого ключа",
            F::KeyWithoutCertificate => "Закрытый ключ без сертификата",
            F::CertificateExpired => "Срок действия сертификата истёк",
            F::ReplacementDue => "Необходима плановая замена сертификата",
            F::SeveralQualifiedKeys => "На одном носителе несколько ключей КЭП: оставьте один",
        }
    }

    /// What support staff tell the user, in English.
    pub fn en(self) -> &'static str {
        use FindingKind as F;
        match self {
            F::NoSlot => "No reader found: check the token's driver",
            F::NoToken => "The token is not plugged in",
            F::TokenNotInitialized => "The token is not initialised",
            F::PinNotInitialized => "The user PIN is not set",
            F::PinToBeChanged => "The factory PIN must be changed",
            F::FactoryPin => "A factory PIN is in use: change it before generating keys",
            F::PinCountLow => "A wrong PIN was entered: fewer tries are left",
            F::PinFinalTry => "One try left before the PIN locks: no login was tried",
            F::PinLocked => "The PIN is locked: the token's administrator must unlock it",
            F::PinIncorrect => "The PIN is wrong",
            F::PinCorrect => "The PIN is right",
            F::NotLoggedIn => "No PIN given: private keys were not checked",
            F::Empty => "The token holds no keys",
            F::CertificateWithoutKey => "A certificate without its private key",
            F::KeyWithoutCertificate => "A private key without a certificate",
            F::CertificateExpired => "The certificate has expired",
            F::ReplacementDue => "Scheduled replacement of the certificate required",
            F::SeveralQualifiedKeys => "Several qualified keys on one medium: keep one",
        }
    }
}

/// One finding, about a token or one of its key sets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// What.
    pub kind: FindingKind,
    /// The key set it is about, if any.
    pub key_id: Option<Vec<u8>>,
    /// Details (a certificate's subject and dates, the token's message).
    pub detail: Option<String>,
}

impl Finding {
    fn new(kind: FindingKind) -> Finding {
        Finding {
            kind,
            key_id: None,
            detail: None,
        }
    }

    fn about(kind: FindingKind, set: &KeySet, detail: impl Into<String>) -> Finding {
        Finding {
            kind,
            key_id: Some(set.id.clone()),
            detail: Some(detail.into()),
        }
    }
}

/// What [`diagnose`] found on one token.
#[derive(Debug, Clone)]
pub struct TokenDiagnosis {
    /// The token as it describes itself.
    pub info: TokenInfo,
    /// The PIN state after the diagnosis (a wrong PIN given changes it).
    pub pin_state: PinState,
    /// Whether the diagnosis logged in (private keys were seen).
    pub logged_in: bool,
    /// The key sets seen.
    pub key_sets: Vec<KeySet>,
    /// The findings, worst first.
    pub findings: Vec<Finding>,
}

/// What [`diagnose`] found in a module.
#[derive(Debug, Clone)]
pub struct Diagnosis {
    /// The slots.
    pub slots: Vec<SlotInfo>,
    /// The tokens present.
    pub tokens: Vec<TokenDiagnosis>,
    /// Findings about the module as a whole (no slot, no token).
    pub findings: Vec<Finding>,
}

impl Diagnosis {
    /// The worst severity found anywhere, or `None` when nothing was found at all.
    pub fn worst(&self) -> Option<Severity> {
        self.findings
            .iter()
            .chain(self.tokens.iter().flat_map(|t| t.findings.iter()))
            .map(|f| f.kind.severity())
            .max()
    }
}

fn pin_findings(state: PinState, out: &mut Vec<Finding>) {
    let kind = match state {
        PinState::Ok => return,
        PinState::NotInitialized => FindingKind::PinNotInitialized,
        PinState::ToBeChanged => FindingKind::PinToBeChanged,
        PinState::CountLow => FindingKind::PinCountLow,
        PinState::FinalTry => FindingKind::PinFinalTry,
        PinState::Locked => FindingKind::PinLocked,
    };
    out.push(Finding::new(kind));
}

fn key_set_findings(
    sets: &[KeySet],
    logged_in: bool,
    at: OffsetDateTime,
    window_days: u32,
    out: &mut Vec<Finding>,
) {
    let live: Vec<&KeySet> = sets.iter().filter(|k| !k.retired).collect();
    if sets.is_empty() && logged_in {
        out.push(Finding::new(FindingKind::Empty));
    }
    for set in live {
        let cert = set
            .certificate
            .as_deref()
            .and_then(|der| Certificate::from_der(der).ok());
        let what = match &cert {
            Some(c) => format!(
                "{} (serial {}, valid to {})",
                c.subject().common_name().unwrap_or("?"),
                c.serial_hex(),
                crate::pki::rfc3339(c.not_after())
            ),
            None => format!("key set {} «{}»", set.id_hex(), set.label),
        };
        match set.kind() {
            // Without a login private keys do not show: a lone certificate proves nothing.
            KeySetKind::CertificateWithoutKey if logged_in => out.push(Finding::about(
                FindingKind::CertificateWithoutKey,
                set,
                &what,
            )),
            KeySetKind::KeyWithoutCertificate => out.push(Finding::about(
                FindingKind::KeyWithoutCertificate,
                set,
                &what,
            )),
            _ => {}
        }
        if let Some(c) = &cert
            && (set.has_private_key || !logged_in)
        {
            match assess(Some(c), at, window_days) {
                KeySetStatus::Expired => {
                    out.push(Finding::about(FindingKind::CertificateExpired, set, &what))
                }
                KeySetStatus::ScheduledReplacementRequired => {
                    out.push(Finding::about(FindingKind::ReplacementDue, set, &what))
                }
                _ => {}
            }
        }
    }
    for w in medium_warnings(sets) {
        out.push(Finding {
            kind: FindingKind::SeveralQualifiedKeys,
            key_id: None,
            detail: Some(w),
        });
    }
}

/// Diagnoses every token of `module` at `at` (replacement window `window_days`). With `pin`,
/// logs in to each token whose PIN state allows it — never on the final try, never on a
/// locked PIN — and logs out again; a wrong PIN is a finding, not an error. Errors are the
/// module's own failures (it cannot list its slots).
pub fn diagnose(
    module: &Pkcs11Module,
    pin: Option<&SecretString>,
    at: OffsetDateTime,
    window_days: u32,
) -> Result<Diagnosis> {
    let slots = module.slots()?;
    let mut findings = Vec::new();
    if slots.is_empty() {
        findings.push(Finding::new(FindingKind::NoSlot));
    }
    let infos = module.tokens()?;
    if !slots.is_empty() && infos.is_empty() {
        findings.push(Finding::new(FindingKind::NoToken));
    }
    let mut tokens = Vec::new();
    for info in infos {
        let mut f = Vec::new();
        if !info.flags.token_initialized {
            // Nothing to log in to or list (a session cannot even be opened on most).
            f.push(Finding::new(FindingKind::TokenNotInitialized));
            tokens.push(TokenDiagnosis {
                pin_state: info.pin_state,
                info,
                logged_in: false,
                key_sets: Vec::new(),
                findings: f,
            });
            continue;
        }
        let token = match module.open_token(&TokenSelector::Slot(info.slot_id)) {
            Ok(t) => t,
            Err(e) if e.kind() == ErrorKind::TokenAbsent => continue,
            Err(e) => return Err(e),
        };
        let mut logged_in = false;
        match pin {
            None => f.push(Finding::new(FindingKind::NotLoggedIn)),
            Some(pin) => match token.login(pin, LoginOptions::default()) {
                // A login this process holds already was shared, the PIN not checked.
                Ok(()) if token.login_is_shared() => logged_in = true,
                Ok(()) => {
                    logged_in = true;
                    f.push(Finding::new(FindingKind::PinCorrect));
                    if super::is_factory_pin(pin) {
                        f.push(Finding::new(FindingKind::FactoryPin));
                    }
                }
                Err(e) if e.kind() == ErrorKind::PinIncorrect => f.push(Finding {
                    kind: FindingKind::PinIncorrect,
                    key_id: None,
                    detail: Some(e.message().to_owned()),
                }),
                // Locked, final try, not initialised: the PIN state says it below.
                Err(e)
                    if matches!(
                        e.kind(),
                        ErrorKind::PinLocked
                            | ErrorKind::PinFinalTry
                            | ErrorKind::PreconditionFailed
                    ) => {}
                Err(e) => return Err(e),
            },
        }
        let pin_state = token.pin_state()?;
        pin_findings(pin_state, &mut f);
        let key_sets = token.key_sets()?;
        key_set_findings(&key_sets, logged_in, at, window_days, &mut f);
        if logged_in {
            token.logout()?;
        }
        f.sort_by_key(|x| std::cmp::Reverse(x.kind.severity()));
        tokens.push(TokenDiagnosis {
            info,
            pin_state,
            logged_in,
            key_sets,
            findings: f,
        });
    }
    Ok(Diagnosis {
        slots,
        tokens,
        findings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::key::{KeyAlgorithm, SoftwareKey};
    use crate::pki::CertificateBuilder;
    use crate::subject::{AttributeType as A, Subject};
    use time::Duration;

    fn cert_der(not_after: OffsetDateTime) -> (Vec<u8>, Vec<u8>) {
        // Self-signed, so a CA (the builder verifies what it issued).
        let key = SoftwareKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
        let c =
            CertificateBuilder::new(&Subject::new().with(A::CommonName, "x"), &key.public_key())
                .unwrap()
                .validity(not_after - Duration::days(365), not_after)
                .ca(None)
                .sign(None, &key)
                .unwrap();
        (c.to_der(), key.public_key().to_spki_der())
    }

    fn set(id: u8, private: bool, cert: Option<Vec<u8>>) -> KeySet {
        KeySet {
            id: vec![id],
            label: format!("set {id}"),
            public_key_spki: None,
            has_private_key: private,
            certificate: cert,
            retired: false,
            damage: Vec::new(),
        }
    }

    fn kinds(sets: &[KeySet], logged_in: bool, at: OffsetDateTime) -> Vec<FindingKind> {
        let mut out = Vec::new();
        key_set_findings(sets, logged_in, at, 30, &mut out);
        out.into_iter().map(|f| f.kind).collect()
    }

    #[test]
    fn key_set_findings_by_kind_and_date() {
        let at = OffsetDateTime::from_unix_timestamp(1_900_000_000).unwrap();
        let (fine, _) = cert_der(at + Duration::days(100));
        let (due, _) = cert_der(at + Duration::days(10));
        let (old, _) = cert_der(at - Duration::days(1));
        assert_eq!(kinds(&[set(1, true, Some(fine.clone()))], true, at), []);
        assert_eq!(kinds(&[], true, at), [FindingKind::Empty]);
        assert_eq!(kinds(&[], false, at), []);
        assert_eq!(
            kinds(&[set(1, false, Some(fine.clone()))], true, at),
            [FindingKind::CertificateWithoutKey]
        );
        // Without a login a lone certificate proves nothing (the key may be private).
        assert_eq!(kinds(&[set(1, false, Some(fine))], false, at), []);
        assert_eq!(
            kinds(&[set(1, true, None)], true, at),
            [FindingKind::KeyWithoutCertificate]
        );
        assert_eq!(
            kinds(&[set(1, true, Some(due))], true, at),
            [FindingKind::ReplacementDue]
        );
        assert_eq!(
            kinds(&[set(1, true, Some(old.clone()))], true, at),
            [FindingKind::CertificateExpired]
        );
        let mut retired = set(2, true, Some(old));
        retired.retired = true;
        assert_eq!(kinds(&[retired], true, at), []);
    }

    #[test]
    fn pin_states_map_to_findings() {
        let mut out = Vec::new();
        for s in PinState::ALL {
            pin_findings(s, &mut out);
        }
        let k: Vec<FindingKind> = out.into_iter().map(|f| f.kind).collect();
        assert_eq!(
            k,
            [
                FindingKind::PinNotInitialized,
                FindingKind::PinToBeChanged,
                FindingKind::PinCountLow,
                FindingKind::PinFinalTry,
                FindingKind::PinLocked,
            ]
        );
    }

    #[test]
    fn vocabulary() {
        crate::vocab::assert_vocabulary!(FindingKind);
        assert!(FindingKind::PinLocked.severity() > FindingKind::ReplacementDue.severity());
    }
}
