//! The stable vocabulary that Rust, C and Python share: every enum a binding shows (statuses,
//! flows, reject reasons, PIN states, report verdicts and reasons) has a machine name
//! (`as_str`, used in journals, databases and JSON) and a number (`code`, the C enum value and
//! Python's `.code`). Both are published once and never reused for another meaning; a new
//! variant gets the next free number. Numbers start at 1 so that 0 can mean "none" in C.
//!
//! [`stable_codes!`] writes `code()` and `from_code()` from one table per enum; its `match`
//! is exhaustive, so a variant added without a number does not compile.

/// Implements `code()` / `from_code()` for an enum from a `Variant = number` table.
macro_rules! stable_codes {
    ($t:ty { $($v:ident = $c:literal),+ $(,)? }) => {
        impl $t {
            /// The stable number of this value (the C enum value, Python's `.code`); never
            /// reused for another meaning.
            pub const fn code(self) -> u32 {
                match self {
                    $(Self::$v => $c,)+
                }
            }

            /// The value whose [`code`](Self::code) is `code`, if there is one.
            pub const fn from_code(code: u32) -> Option<Self> {
                match code {
                    $($c => Some(Self::$v),)+
                    _ => None,
                }
            }
        }
    };
}

pub(crate) use stable_codes;

/// Asserts that an enum's `ALL`, `code`, `from_code`, `as_str` and `parse` agree: every value
/// round-trips by number and by name, and no number or name is used twice.
#[cfg(test)]
macro_rules! assert_vocabulary {
    ($t:ty) => {{
        let mut codes = std::collections::HashSet::new();
        let mut names = std::collections::HashSet::new();
        for v in <$t>::ALL {
            assert!(codes.insert(v.code()), "{} used twice", v.code());
            assert!(names.insert(v.as_str()), "{} used twice", v.as_str());
            assert!(v.code() >= 1);
            assert_eq!(<$t>::from_code(v.code()), Some(v));
            assert_eq!(<$t>::parse(v.as_str()).unwrap(), v);
        }
        assert_eq!(<$t>::from_code(0), None);
    }};
}

#[cfg(test)]
pub(crate) use assert_vocabulary;
