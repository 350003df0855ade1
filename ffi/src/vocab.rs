//! The stable vocabulary C sees: one constant per value of every enum a function takes or
//! gives (equal to the core's `code()`), and `bk_text` for each value's machine name and its
//! Russian and English words. `tests::constants_match_the_core` checks every constant against
//! the core's `from_code` and `as_str`, and that no value of the core lacks its constant.

use std::ffi::c_char;

use bankkey::bank::RejectReason;
use bankkey::lifecycle::{Flow, KeySetStatus, QesStatus, RequestStatus};
use bankkey::report::{Reason, Verdict};
use bankkey::scan::Group;
use bankkey::store::pkcs11::PinState;
use bankkey::store::pkcs11::diagnosis::{FindingKind, Severity};

use crate::text::static_cstr;

/// Paper acts (seeds 000, 001, 003).
pub const BK_FLOW_PAPER_ACTS: u32 = 1;
/// Remote regeneration (seed 002).
pub const BK_FLOW_REMOTE: u32 = 2;

/// «Новый».
pub const BK_REQUEST_STATUS_NEW: u32 = 1;
/// «Подписан».
pub const BK_REQUEST_STATUS_SIGNED: u32 = 2;
/// «Отправлен».
pub const BK_REQUEST_STATUS_SENT: u32 = 3;
/// «Принят банком».
pub const BK_REQUEST_STATUS_ACCEPTED_BY_BANK: u32 = 4;
/// «Ожидаются документы на бумаге» (paper acts).
pub const BK_REQUEST_STATUS_AWAITING_PAPER_DOCUMENTS: u32 = 5;
/// «Получен новый сертификат».
pub const BK_REQUEST_STATUS_CERTIFICATE_ISSUED: u32 = 6;
/// «Вы переведены на работу с новым комплектом ключей».
pub const BK_REQUEST_STATUS_ACTIVATED: u32 = 7;
/// «Отвергнут банком».
pub const BK_REQUEST_STATUS_REJECTED: u32 = 8;
/// «Отменён».
pub const BK_REQUEST_STATUS_CANCELLED: u32 = 9;

/// The certificate is valid and not inside the replacement window.
pub const BK_KEY_SET_STATUS_ACTIVE: u32 = 1;
/// «Необходима начальная генерация».
pub const BK_KEY_SET_STATUS_INITIAL_GENERATION_REQUIRED: u32 = 2;
/// «Необходима плановая замена сертификата».
pub const BK_KEY_SET_STATUS_SCHEDULED_REPLACEMENT_REQUIRED: u32 = 3;
/// The certificate has expired.
pub const BK_KEY_SET_STATUS_EXPIRED: u32 = 4;

/// «Электронная подпись не подтверждена».
pub const BK_QES_STATUS_NOT_CONFIRMED: u32 = 1;
/// «Электронная подпись подтверждена».
pub const BK_QES_STATUS_CONFIRMED: u32 = 2;

/// The user PIN is not set.
pub const BK_PIN_STATE_NOT_INITIALIZED: u32 = 1;
/// The PIN is usable.
pub const BK_PIN_STATE_OK: u32 = 2;
/// The factory PIN must be changed first.
pub const BK_PIN_STATE_TO_BE_CHANGED: u32 = 3;
/// A wrong PIN was entered.
pub const BK_PIN_STATE_COUNT_LOW: u32 = 4;
/// One more wrong PIN locks the token.
pub const BK_PIN_STATE_FINAL_TRY: u32 = 5;
/// The PIN is locked.
pub const BK_PIN_STATE_LOCKED: u32 = 6;

/// The bytes are not a request of the flow.
pub const BK_REJECT_MALFORMED: u32 = 1;
/// The PKCS#10 self-signature does not verify.
pub const BK_REJECT_BAD_REQUEST_SIGNATURE: u32 = 2;
/// The subject is not valid.
pub const BK_REJECT_SUBJECT_INVALID: u32 = 3;
/// Nobody with this identity is a subscriber.
pub const BK_REJECT_UNKNOWN_SUBSCRIBER: u32 = 4;
/// The CMS signature does not verify (or the content was altered).
pub const BK_REJECT_BAD_CMS_SIGNATURE: u32 = 5;
/// The signer's certificate is not in the CMS.
pub const BK_REJECT_SIGNER_CERTIFICATE_MISSING: u32 = 6;
/// The signer's certificate does not chain to the bank's roots.
pub const BK_REJECT_SIGNER_UNTRUSTED: u32 = 7;
/// The signer's certificate was not valid when it signed.
pub const BK_REJECT_SIGNER_EXPIRED: u32 = 8;
/// The signingTime is too old or in the future.
pub const BK_REJECT_SIGNING_TIME_INVALID: u32 = 9;
/// The signer's certificate is not the subscriber's current one.
pub const BK_REJECT_SIGNER_NOT_CURRENT: u32 = 10;
/// The identity in the request differs from the subscriber's.
pub const BK_REJECT_IDENTITY_CHANGED: u32 = 11;
/// The new key is the old one.
pub const BK_REJECT_KEY_SAME_AS_OLD: u32 = 12;
/// The key is registered already.
pub const BK_REJECT_KEY_ALREADY_REGISTERED: u32 = 13;
/// The key's algorithm is not allowed.
pub const BK_REJECT_ALGORITHM_NOT_ALLOWED: u32 = 14;
/// The paper act does not match the request.
pub const BK_REJECT_PAPER_ACT_MISMATCH: u32 = 15;
/// Refused by the bank's operator.
pub const BK_REJECT_REFUSED_BY_OPERATOR: u32 = 16;

/// Every check made passed.
pub const BK_VERDICT_VALID: u32 = 1;
/// A check failed or could not be made.
pub const BK_VERDICT_INVALID: u32 = 2;

/// Not a well-formed object.
pub const BK_REASON_MALFORMED: u32 = 1;
/// A signature does not verify.
pub const BK_REASON_BAD_SIGNATURE: u32 = 2;
/// A detached signature without its content.
pub const BK_REASON_CONTENT_MISSING: u32 = 3;
/// The issuer is not the one checked against.
pub const BK_REASON_WRONG_ISSUER: u32 = 4;
/// No path to a trust anchor (also: no anchors given).
pub const BK_REASON_UNTRUSTED: u32 = 5;
/// Past notAfter.
pub const BK_REASON_EXPIRED: u32 = 6;
/// Before notBefore.
pub const BK_REASON_NOT_YET_VALID: u32 = 7;
/// Not the key expected.
pub const BK_REASON_KEY_MISMATCH: u32 = 8;
/// An INN with a wrong check digit.
pub const BK_REASON_BAD_INN_CHECKSUM: u32 = 9;
/// A SNILS with a wrong check number.
pub const BK_REASON_BAD_SNILS_CHECKSUM: u32 = 10;
/// An OGRN/OGRNIP with a wrong check digit.
pub const BK_REASON_BAD_OGRN_CHECKSUM: u32 = 11;
/// Signed content altered.
pub const BK_REASON_CONTENT_ALTERED: u32 = 12;
/// A signer's certificate not found.
pub const BK_REASON_SIGNER_CERT_MISSING: u32 = 13;
/// The signer's certificate does not allow signing.
pub const BK_REASON_KEY_USAGE_NOT_ALLOWED: u32 = 14;
/// The object asks for more work than allowed (an encrypted key's iteration count).
pub const BK_REASON_LIMIT_EXCEEDED: u32 = 15;
/// A CMS message recognised but not opened (EnvelopedData, EncryptedData, ...): nothing was
/// verified, nothing in it is signed.
pub const BK_REASON_NOT_VERIFIABLE: u32 = 16;
/// An encrypted key that the password given (or none) does not open.
pub const BK_REASON_WRONG_PASSWORD: u32 = 17;

/// The module lists no slot: no reader, or its driver is missing.
pub const BK_FINDING_NO_SLOT: u32 = 1;
/// Slots but no token in any of them: the token is not plugged in.
pub const BK_FINDING_NO_TOKEN: u32 = 2;
/// The token is not initialised.
pub const BK_FINDING_TOKEN_NOT_INITIALIZED: u32 = 3;
/// The user PIN is not set.
pub const BK_FINDING_PIN_NOT_INITIALIZED: u32 = 4;
/// The token flags that the PIN must be changed (factory PIN).
pub const BK_FINDING_PIN_TO_BE_CHANGED: u32 = 5;
/// The PIN given is a factory PIN: change it before keys are made.
pub const BK_FINDING_FACTORY_PIN: u32 = 6;
/// A wrong PIN was entered since the last good one.
pub const BK_FINDING_PIN_COUNT_LOW: u32 = 7;
/// One more wrong PIN locks the token; no login was tried.
pub const BK_FINDING_PIN_FINAL_TRY: u32 = 8;
/// The PIN is locked: only the security officer can unlock it.
pub const BK_FINDING_PIN_LOCKED: u32 = 9;
/// The PIN given is wrong.
pub const BK_FINDING_PIN_INCORRECT: u32 = 10;
/// The PIN given is right.
pub const BK_FINDING_PIN_CORRECT: u32 = 11;
/// No PIN was given: private keys were not looked at.
pub const BK_FINDING_NOT_LOGGED_IN: u32 = 12;
/// The token holds no key set.
pub const BK_FINDING_EMPTY: u32 = 13;
/// A certificate without its private key.
pub const BK_FINDING_CERTIFICATE_WITHOUT_KEY: u32 = 14;
/// A private key without a certificate (a request waiting for the bank, or forgotten).
pub const BK_FINDING_KEY_WITHOUT_CERTIFICATE: u32 = 15;
/// A certificate that has expired.
pub const BK_FINDING_CERTIFICATE_EXPIRED: u32 = 16;
/// A certificate inside the replacement window: «Необходима плановая замена сертификата».
pub const BK_FINDING_REPLACEMENT_DUE: u32 = 17;
/// More than one qualified key on the medium (seed 004: keep one).
pub const BK_FINDING_SEVERAL_QUALIFIED_KEYS: u32 = 18;

/// A finding worth knowing; nothing to do.
pub const BK_SEVERITY_INFO: u32 = 1;
/// Something to do soon.
pub const BK_SEVERITY_WARNING: u32 = 2;
/// The token cannot be used as it is.
pub const BK_SEVERITY_ERROR: u32 = 3;

/// The input holds no readable certificate.
pub const BK_SCAN_GROUP_UNREADABLE: u32 = 1;
/// With trust anchors: no valid path to them.
pub const BK_SCAN_GROUP_UNTRUSTED: u32 = 2;
/// Past notAfter at the scan's moment.
pub const BK_SCAN_GROUP_EXPIRED: u32 = 3;
/// Before notBefore.
pub const BK_SCAN_GROUP_NOT_YET_VALID: u32 = 4;
/// An INN, INNLE, OGRN, OGRNIP or SNILS with a wrong check digit or length.
pub const BK_SCAN_GROUP_BAD_IDENTIFIERS: u32 = 5;
/// Inside the replacement window: «Необходима плановая замена сертификата».
pub const BK_SCAN_GROUP_REPLACEMENT_DUE: u32 = 6;
/// Nothing to do.
pub const BK_SCAN_GROUP_FINE: u32 = 7;

/// `bk_text` vocabulary: key-set statuses (`BK_KEY_SET_STATUS_*`).
pub const BK_VOCABULARY_KEY_SET_STATUS: u32 = 1;
/// Flows (`BK_FLOW_*`).
pub const BK_VOCABULARY_FLOW: u32 = 2;
/// Request statuses (`BK_REQUEST_STATUS_*`).
pub const BK_VOCABULARY_REQUEST_STATUS: u32 = 3;
/// QES statuses (`BK_QES_STATUS_*`).
pub const BK_VOCABULARY_QES_STATUS: u32 = 4;
/// The bank's reject reasons (`BK_REJECT_*`).
pub const BK_VOCABULARY_REJECT_REASON: u32 = 5;
/// PIN states (`BK_PIN_STATE_*`).
pub const BK_VOCABULARY_PIN_STATE: u32 = 6;
/// The report's reasons (`BK_REASON_*`).
pub const BK_VOCABULARY_REPORT_REASON: u32 = 7;
/// The report's verdicts (`BK_VERDICT_*`).
pub const BK_VOCABULARY_VERDICT: u32 = 8;
/// A token diagnosis's findings (`BK_FINDING_*`).
pub const BK_VOCABULARY_FINDING: u32 = 9;
/// A finding's severity (`BK_SEVERITY_*`; names only).
pub const BK_VOCABULARY_SEVERITY: u32 = 10;
/// The groups of a scan (`BK_SCAN_GROUP_*`).
pub const BK_VOCABULARY_SCAN_GROUP: u32 = 11;

/// `bk_text` form: the stable machine name ("accepted_by_bank", "bad-signature").
pub const BK_TEXT_NAME: u32 = 0;
/// What the user is told, in Russian («Принят банком»).
pub const BK_TEXT_RU: u32 = 1;
/// What the user is told, in English.
pub const BK_TEXT_EN: u32 = 2;

/// (machine name, Russian, English) of value `code` of a vocabulary.
fn words(
    vocabulary: u32,
    code: u32,
) -> Option<(&'static str, Option<&'static str>, Option<&'static str>)> {
    fn all<T: Copy>(
        v: Option<T>,
        name: fn(T) -> &'static str,
        ru: fn(T) -> &'static str,
        en: fn(T) -> &'static str,
    ) -> Option<(&'static str, Option<&'static str>, Option<&'static str>)> {
        v.map(|v| (name(v), Some(ru(v)), Some(en(v))))
    }
    match vocabulary {
        BK_VOCABULARY_KEY_SET_STATUS => all(
            KeySetStatus::from_code(code),
            KeySetStatus::as_str,
            KeySetStatus::ru,
            KeySetStatus::en,
        ),
        BK_VOCABULARY_FLOW => all(Flow::from_code(code), Flow::as_str, Flow::ru, Flow::en),
        BK_VOCABULARY_REQUEST_STATUS => all(
            RequestStatus::from_code(code),
            RequestStatus::as_str,
            RequestStatus::ru,
            RequestStatus::en,
        ),
        BK_VOCABULARY_QES_STATUS => all(
            QesStatus::from_code(code),
            QesStatus::as_str,
            QesStatus::ru,
            QesStatus::en,
        ),
        BK_VOCABULARY_REJECT_REASON => all(
            RejectReason::from_code(code),
            RejectReason::as_str,
            RejectReason::ru,
            RejectReason::en,
        ),
        BK_VOCABULARY_PIN_STATE => all(
            PinState::from_code(code),
            PinState::as_str,
            PinState::ru,
            PinState::en,
        ),
        BK_VOCABULARY_REPORT_REASON => all(
            Reason::from_code(code),
            Reason::as_str,
            Reason::ru,
            Reason::en,
        ),
        BK_VOCABULARY_VERDICT => Verdict::from_code(code).map(|v| (v.as_str(), None, None)),
        BK_VOCABULARY_FINDING => all(
            FindingKind::from_code(code),
            FindingKind::as_str,
            FindingKind::ru,
            FindingKind::en,
        ),
        BK_VOCABULARY_SEVERITY => Severity::from_code(code).map(|v| (v.as_str(), None, None)),
        BK_VOCABULARY_SCAN_GROUP => {
            all(Group::from_code(code), Group::as_str, Group::ru, Group::en)
        }
        _ => None,
    }
}

/// A value's machine name (`BK_TEXT_NAME`), Russian (`BK_TEXT_RU`) or English (`BK_TEXT_EN`)
/// words, static and NUL-terminated: `bk_text(BK_VOCABULARY_REQUEST_STATUS,
/// BK_REQUEST_STATUS_ACCEPTED_BY_BANK, BK_TEXT_RU)` is «Принят банком». NULL for an unknown
/// vocabulary, value or form, or words the value does not have (verdicts and severities have
/// names only).
#[unsafe(no_mangle)]
pub extern "C" fn bk_text(vocabulary: u32, code: u32, form: u32) -> *const c_char {
    crate::error::quiet(std::ptr::null(), || {
        let Some((name, ru, en)) = words(vocabulary, code) else {
            return std::ptr::null();
        };
        let text = match form {
            BK_TEXT_NAME => Some(name),
            BK_TEXT_RU => ru,
            BK_TEXT_EN => en,
            _ => None,
        };
        text.map_or(std::ptr::null(), static_cstr)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `#define BK_<PREFIX>_<NAME> n` of the header is the core's value of that name,
    /// and every core value has its constant.
    #[test]
    fn constants_match_the_core() {
        let header = include_str!("../../include/bankkey.h");
        let defined: Vec<(String, u32)> = header
            .lines()
            .filter_map(|l| {
                let mut p = l.strip_prefix("#define ")?.split_whitespace();
                Some((p.next()?.to_owned(), p.next()?.parse().ok()?))
            })
            .collect();
        let check = |vocabulary: u32, prefix: &str, count: usize| {
            let mut seen = 0;
            for (name, code) in defined.iter().filter(|(n, _)| n.starts_with(prefix)) {
                let (machine, _, _) = words(vocabulary, *code)
                    .unwrap_or_else(|| panic!("{name} = {code} is no value of the core"));
                let expected =
                    format!("{prefix}{}", machine.replace('-', "_").to_ascii_uppercase());
                assert_eq!(name, &expected, "{name} = {code} is {machine} in the core");
                seen += 1;
            }
            assert_eq!(
                seen, count,
                "{prefix}* constants: one per value of the core"
            );
            for code in 1..=count as u32 {
                assert!(!bk_text(vocabulary, code, BK_TEXT_NAME).is_null());
            }
        };
        check(BK_VOCABULARY_FLOW, "BK_FLOW_", Flow::ALL.len());
        check(
            BK_VOCABULARY_REQUEST_STATUS,
            "BK_REQUEST_STATUS_",
            RequestStatus::ALL.len(),
        );
        check(
            BK_VOCABULARY_KEY_SET_STATUS,
            "BK_KEY_SET_STATUS_",
            KeySetStatus::ALL.len(),
        );
        check(
            BK_VOCABULARY_QES_STATUS,
            "BK_QES_STATUS_",
            QesStatus::ALL.len(),
        );
        check(
            BK_VOCABULARY_PIN_STATE,
            "BK_PIN_STATE_",
            PinState::ALL.len(),
        );
        check(
            BK_VOCABULARY_REJECT_REASON,
            "BK_REJECT_",
            RejectReason::ALL.len(),
        );
        check(BK_VOCABULARY_VERDICT, "BK_VERDICT_", Verdict::ALL.len());
        check(BK_VOCABULARY_REPORT_REASON, "BK_REASON_", Reason::ALL.len());
        check(BK_VOCABULARY_FINDING, "BK_FINDING_", FindingKind::ALL.len());
        check(BK_VOCABULARY_SEVERITY, "BK_SEVERITY_", Severity::ALL.len());
        check(BK_VOCABULARY_SCAN_GROUP, "BK_SCAN_GROUP_", Group::ALL.len());
    }

    #[test]
    fn words_come_from_the_core() {
        let s = |p: *const c_char| unsafe { std::ffi::CStr::from_ptr(p) }.to_str().unwrap();
        assert_eq!(
            s(bk_text(
                BK_VOCABULARY_REQUEST_STATUS,
                BK_REQUEST_STATUS_ACCEPTED_BY_BANK,
                BK_TEXT_RU
            )),
            "Принят банком"
        );
        assert_eq!(
            s(bk_text(
                BK_VOCABULARY_PIN_STATE,
                BK_PIN_STATE_LOCKED,
                BK_TEXT_NAME
            )),
            "locked"
        );
        assert!(bk_text(BK_VOCABULARY_VERDICT, BK_VERDICT_VALID, BK_TEXT_RU).is_null());
        assert!(bk_text(99, 1, BK_TEXT_NAME).is_null());
        assert!(bk_text(BK_VOCABULARY_FLOW, 0, BK_TEXT_NAME).is_null());
        assert!(bk_text(BK_VOCABULARY_FLOW, 1, 7).is_null());
    }
}
