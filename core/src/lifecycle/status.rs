//! The statuses of DESIGN §2, with the words the bank instructions (seeds 000–004) show the
//! user, in Russian and English, and the table of allowed transitions.
//!
//! Every status has a stable machine name ([`RequestStatus::as_str`]) used in journals,
//! databases, JSON reports, the C ABI and Python, and a stable number
//! ([`RequestStatus::code`]) for C enums and Python's `.code`; neither changes once released.

use crate::vocab::stable_codes;
use crate::{Error, ErrorKind, Result};

stable_codes!(KeySetStatus {
    Active = 1,
    InitialGenerationRequired = 2,
    ScheduledReplacementRequired = 3,
    Expired = 4,
});

stable_codes!(Flow {
    PaperActs = 1,
    Remote = 2,
});

stable_codes!(RequestStatus {
    New = 1,
    Signed = 2,
    Sent = 3,
    AcceptedByBank = 4,
    AwaitingPaperDocuments = 5,
    CertificateIssued = 6,
    Activated = 7,
    Rejected = 8,
    Cancelled = 9,
});

stable_codes!(QesStatus {
    NotConfirmed = 1,
    Confirmed = 2,
});

/// The state of a key set on a medium, assessed from its certificate and a date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeySetStatus {
    /// The certificate is valid and not inside the replacement window.
    Active,
    /// A new medium: no key set with a certificate («Необходима начальная генерация»).
    InitialGenerationRequired,
    /// The certificate expires inside the replacement window, 30 days by default
    /// («Необходима плановая замена сертификата»).
    ScheduledReplacementRequired,
    /// The certificate has expired: the key can no longer sign a remote request.
    Expired,
}

/// Which of the three flows of DESIGN §1 a request follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Flow {
    /// Paper acts (seeds 000, 001, 003): the request goes electronically, the act of
    /// recognition on paper; the bank issues after checking the paper.
    PaperActs,
    /// Remote regeneration (seed 002): the request is signed (CMS) with the current valid key;
    /// no paper.
    Remote,
}

/// The status of a regeneration request (DESIGN §2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RequestStatus {
    /// «Новый»: the new key pair exists and the PKCS#10 request is built.
    New,
    /// «Подписан»: the request is signed (paper flow: by the new key, PKCS#10; remote flow:
    /// also by the current key, CMS).
    Signed,
    /// «Отправлен»: handed to the bank.
    Sent,
    /// «Принят банком»: the bank verified the request and accepted it.
    AcceptedByBank,
    /// «Ожидаются документы на бумаге»: paper-acts flow only; the bank waits for the signed act.
    AwaitingPaperDocuments,
    /// «Получен новый сертификат»: the certificate is issued and received.
    CertificateIssued,
    /// «Вы переведены на работу с новым комплектом ключей»: the new key set is in use.
    Activated,
    /// «Отвергнут банком»: the bank refused the request (with its reason).
    Rejected,
    /// «Отменён»: withdrawn by the client before the certificate was issued.
    Cancelled,
}

/// The status of a qualified signature (КЭП) registered with the bank (seed 004).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum QesStatus {
    /// «Электронная подпись не подтверждена».
    NotConfirmed,
    /// «Электронная подпись подтверждена».
    Confirmed,
}

impl KeySetStatus {
    /// Every status, in declaration order.
    pub const ALL: [KeySetStatus; 4] = [
        KeySetStatus::Active,
        KeySetStatus::InitialGenerationRequired,
        KeySetStatus::ScheduledReplacementRequired,
        KeySetStatus::Expired,
    ];

    /// The stable machine name (`active`, `initial_generation_required`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            KeySetStatus::Active => "active",
            KeySetStatus::InitialGenerationRequired => "initial_generation_required",
            KeySetStatus::ScheduledReplacementRequired => "scheduled_replacement_required",
            KeySetStatus::Expired => "expired",
        }
    }

    /// What the user is told, in Russian, as the bank instructions word it.
    pub fn ru(self) -> &'static str {
        match self {
            KeySetStatus::Active => "Действует",
            KeySetStatus::InitialGenerationRequired => "Необходима начальная генерация",
            KeySetStatus::ScheduledReplacementRequired => "Необходима плановая замена сертификата",
            KeySetStatus::Expired => "Срок действия сертификата истёк",
        }
    }

    /// What the user is told, in English.
    pub fn en(self) -> &'static str {
        match self {
            KeySetStatus::Active => "Active",
            KeySetStatus::InitialGenerationRequired => "Initial key generation required",
            KeySetStatus::ScheduledReplacementRequired => {
                "Scheduled certificate replacement required"
            }
            KeySetStatus::Expired => "Certificate expired",
        }
    }

    /// Parses a machine name written by [`KeySetStatus::as_str`].
    pub fn parse(name: &str) -> Result<KeySetStatus> {
        parse_name(&Self::ALL, name, Self::as_str, "key_set_status")
    }
}

impl Flow {
    /// Both flows.
    pub const ALL: [Flow; 2] = [Flow::PaperActs, Flow::Remote];

    /// The stable machine name (`paper_acts`, `remote`).
    pub fn as_str(self) -> &'static str {
        match self {
            Flow::PaperActs => "paper_acts",
            Flow::Remote => "remote",
        }
    }

    /// The flow's name in Russian.
    pub fn ru(self) -> &'static str {
        match self {
            Flow::PaperActs => "Перегенерация с бумажным актом",
            Flow::Remote => "Удалённая регенерация",
        }
    }

    /// The flow's name in English.
    pub fn en(self) -> &'static str {
        match self {
            Flow::PaperActs => "Regeneration with a paper act",
            Flow::Remote => "Remote regeneration",
        }
    }

    /// Parses a machine name written by [`Flow::as_str`].
    pub fn parse(name: &str) -> Result<Flow> {
        parse_name(&Self::ALL, name, Self::as_str, "flow")
    }
}

impl RequestStatus {
    /// Every status, in the order a request normally goes through them, then the two ends.
    pub const ALL: [RequestStatus; 9] = [
        RequestStatus::New,
        RequestStatus::Signed,
        RequestStatus::Sent,
        RequestStatus::AcceptedByBank,
        RequestStatus::AwaitingPaperDocuments,
        RequestStatus::CertificateIssued,
        RequestStatus::Activated,
        RequestStatus::Rejected,
        RequestStatus::Cancelled,
    ];

    /// The stable machine name (`new`, `signed`, `sent`, `accepted_by_bank`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            RequestStatus::New => "new",
            RequestStatus::Signed => "signed",
            RequestStatus::Sent => "sent",
            RequestStatus::AcceptedByBank => "accepted_by_bank",
            RequestStatus::AwaitingPaperDocuments => "awaiting_paper_documents",
            RequestStatus::CertificateIssued => "certificate_issued",
            RequestStatus::Activated => "activated",
            RequestStatus::Rejected => "rejected",
            RequestStatus::Cancelled => "cancelled",
        }
    }

    /// What the user is told, in Russian, as the bank instructions word it.
    pub fn ru(self) -> &'static str {
        match self {
            RequestStatus::New => "Новый",
            RequestStatus::Signed => "Подписан",
            RequestStatus::Sent => "Отправлен",
            RequestStatus::AcceptedByBank => "Принят банком",
            RequestStatus::AwaitingPaperDocuments => "Ожидаются документы на бумаге",
            RequestStatus::CertificateIssued => "Получен новый сертификат",
            RequestStatus::Activated => "Вы переведены на работу с новым комплектом ключей",
            RequestStatus::Rejected => "Отвергнут банком",
            RequestStatus::Cancelled => "Отменён",
        }
    }

    /// What the user is told, in English.
    pub fn en(self) -> &'static str {
        match self {
            RequestStatus::New => "New",
            RequestStatus::Signed => "Signed",
            RequestStatus::Sent => "Sent",
            RequestStatus::AcceptedByBank => "Accepted by the bank",
            RequestStatus::AwaitingPaperDocuments => "Awaiting the paper documents",
            RequestStatus::CertificateIssued => "New certificate received",
            RequestStatus::Activated => "You have been switched to the new key set",
            RequestStatus::Rejected => "Rejected by the bank",
            RequestStatus::Cancelled => "Cancelled",
        }
    }

    /// Parses a machine name written by [`RequestStatus::as_str`].
    pub fn parse(name: &str) -> Result<RequestStatus> {
        parse_name(&Self::ALL, name, Self::as_str, "request_status")
    }

    /// True for `Activated`, `Rejected` and `Cancelled`: nothing follows them.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            RequestStatus::Activated | RequestStatus::Rejected | RequestStatus::Cancelled
        )
    }

    /// The statuses a request of `flow` may go to from `self`.
    ///
    /// The happy path is `New → Signed → Sent → AcceptedByBank → [AwaitingPaperDocuments] →
    /// CertificateIssued → Activated`; the bank may reject from `Sent` to
    /// `AwaitingPaperDocuments`; the client may cancel until the certificate is issued.
    pub fn next(self, flow: Flow) -> &'static [RequestStatus] {
        use RequestStatus::*;
        match (self, flow) {
            (New, _) => &[Signed, Cancelled],
            (Signed, _) => &[Sent, Cancelled],
            (Sent, _) => &[AcceptedByBank, Rejected, Cancelled],
            (AcceptedByBank, Flow::PaperActs) => &[AwaitingPaperDocuments, Rejected, Cancelled],
            (AcceptedByBank, Flow::Remote) => &[CertificateIssued, Rejected, Cancelled],
            (AwaitingPaperDocuments, Flow::PaperActs) => &[CertificateIssued, Rejected, Cancelled],
            (AwaitingPaperDocuments, Flow::Remote) => &[],
            (CertificateIssued, _) => &[Activated],
            (Activated | Rejected | Cancelled, _) => &[],
        }
    }

    /// `Ok` when a request of `flow` may go from `self` to `to`; otherwise
    /// [`ErrorKind::WrongState`] naming both statuses.
    pub fn check_transition(self, flow: Flow, to: RequestStatus) -> Result<()> {
        if self.next(flow).contains(&to) {
            Ok(())
        } else {
            Err(Error::new(
                ErrorKind::WrongState,
                format!(
                    "a {} request cannot go from {} to {}",
                    flow.as_str(),
                    self.as_str(),
                    to.as_str()
                ),
            )
            .with_field("status"))
        }
    }
}

impl QesStatus {
    /// Both statuses.
    pub const ALL: [QesStatus; 2] = [QesStatus::NotConfirmed, QesStatus::Confirmed];

    /// The stable machine name (`not_confirmed`, `confirmed`).
    pub fn as_str(self) -> &'static str {
        match self {
            QesStatus::NotConfirmed => "not_confirmed",
            QesStatus::Confirmed => "confirmed",
        }
    }

    /// What the user is told, in Russian (seed 004).
    pub fn ru(self) -> &'static str {
        match self {
            QesStatus::NotConfirmed => "Электронная подпись не подтверждена",
            QesStatus::Confirmed => "Электронная подпись подтверждена",
        }
    }

    /// What the user is told, in English.
    pub fn en(self) -> &'static str {
        match self {
            QesStatus::NotConfirmed => "Electronic signature not confirmed",
            QesStatus::Confirmed => "Electronic signature confirmed",
        }
    }

    /// Parses a machine name written by [`QesStatus::as_str`].
    pub fn parse(name: &str) -> Result<QesStatus> {
        parse_name(&Self::ALL, name, Self::as_str, "qes_status")
    }
}

fn parse_name<T: Copy>(
    all: &[T],
    name: &str,
    as_str: fn(T) -> &'static str,
    field: &str,
) -> Result<T> {
    all.iter()
        .copied()
        .find(|s| as_str(*s) == name)
        .ok_or_else(|| Error::invalid_field(field, format!("unknown {field} {name:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_numbers_are_a_stable_vocabulary() {
        crate::vocab::assert_vocabulary!(KeySetStatus);
        crate::vocab::assert_vocabulary!(Flow);
        crate::vocab::assert_vocabulary!(RequestStatus);
        crate::vocab::assert_vocabulary!(QesStatus);
        // Published numbers (C header, Python): changing one breaks every host.
        assert_eq!(RequestStatus::Activated.code(), 7);
        assert_eq!(KeySetStatus::ScheduledReplacementRequired.code(), 3);
    }

    #[test]
    fn machine_names_round_trip_and_are_distinct() {
        for s in RequestStatus::ALL {
            assert_eq!(RequestStatus::parse(s.as_str()).unwrap(), s);
        }
        for s in KeySetStatus::ALL {
            assert_eq!(KeySetStatus::parse(s.as_str()).unwrap(), s);
        }
        for s in QesStatus::ALL {
            assert_eq!(QesStatus::parse(s.as_str()).unwrap(), s);
        }
        for f in Flow::ALL {
            assert_eq!(Flow::parse(f.as_str()).unwrap(), f);
        }
        let e = RequestStatus::parse("accepted").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
    }

    #[test]
    fn the_happy_paths_are_allowed_and_nothing_skips_a_step() {
        use RequestStatus::*;
        let paper = [
            New,
            Signed,
            Sent,
            AcceptedByBank,
            AwaitingPaperDocuments,
            CertificateIssued,
            Activated,
        ];
        let remote = [
            New,
            Signed,
            Sent,
            AcceptedByBank,
            CertificateIssued,
            Activated,
        ];
        for (flow, path) in [(Flow::PaperActs, &paper[..]), (Flow::Remote, &remote[..])] {
            for w in path.windows(2) {
                w[0].check_transition(flow, w[1]).unwrap();
            }
            // No status jumps over the next one on the path.
            for (i, from) in path.iter().enumerate() {
                for to in &path[(i + 2).min(path.len())..] {
                    let e = from.check_transition(flow, *to).unwrap_err();
                    assert_eq!(e.kind(), ErrorKind::WrongState, "{from:?} -> {to:?}");
                }
            }
        }
        assert!(
            AcceptedByBank
                .check_transition(Flow::Remote, AwaitingPaperDocuments)
                .is_err()
        );
        assert!(
            CertificateIssued
                .check_transition(Flow::Remote, Cancelled)
                .is_err()
        );
        for s in [Activated, Rejected, Cancelled] {
            assert!(s.is_final());
            assert!(s.next(Flow::PaperActs).is_empty() && s.next(Flow::Remote).is_empty());
        }
    }

    #[test]
    fn words_come_from_the_instructions() {
        assert_eq!(RequestStatus::AcceptedByBank.ru(), "Принят банком");
        assert_eq!(
            RequestStatus::CertificateIssued.ru(),
            "Получен новый сертификат"
        );
        assert_eq!(
            RequestStatus::Activated.ru(),
            "Вы переведены на работу с новым комплектом ключей"
        );
        assert_eq!(
            KeySetStatus::InitialGenerationRequired.ru(),
            "Необходима начальная генерация"
        );
        assert_eq!(
            KeySetStatus::ScheduledReplacementRequired.ru(),
            "Необходима плановая замена сертификата"
        );
        assert_eq!(
            QesStatus::NotConfirmed.ru(),
            "Электронная подпись не подтверждена"
        );
    }
}
