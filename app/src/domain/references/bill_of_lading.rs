//! Bills of lading.

use serde::{Deserialize, Serialize};

use super::common::{check_chars, compact, display_canonical, string_reference, ALNUM};
use super::{ReferenceError, ReferenceKind};

/// Sea bill of lading number: its format is specific to each shipping line,
/// so only 1 to 35 letters or digits are checked.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct BillOfLading(String);

string_reference!(BillOfLading);
display_canonical!(BillOfLading);

impl BillOfLading {
    pub fn parse(input: &str) -> Result<Self, ReferenceError> {
        let kind = ReferenceKind::BillOfLading;
        let s = compact(input);
        match s.chars().count() {
            0 => return Err(ReferenceError::Empty { kind }),
            found @ 36.. => {
                return Err(ReferenceError::Length {
                    kind,
                    expected: "au plus 35 lettres ou chiffres".to_owned(),
                    found,
                })
            }
            _ => {}
        }
        check_chars(kind, &s, 0, |_| ALNUM)?;
        Ok(Self(s))
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{decorate, msg, noise};
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn bill_of_lading() {
        let b = BillOfLading::parse(" maeu 123-456.789 ").unwrap();
        assert_eq!(b.as_str(), "MAEU123456789");
        assert_eq!(
            msg(BillOfLading::parse("")),
            "Saisissez un numéro de connaissement."
        );
        assert_eq!(
            msg(BillOfLading::parse(&"A".repeat(36))),
            "Le numéro de connaissement doit comporter au plus 35 lettres ou chiffres ; 36 saisis."
        );
        assert!(BillOfLading::parse(&"A".repeat(35)).is_ok());
        assert_eq!(
            msg(BillOfLading::parse("AB/12")),
            "Numéro de connaissement : le 3e caractère doit être une lettre (A à Z) ou un chiffre, et non « / »."
        );
        assert_eq!(
            msg(BillOfLading::parse("AB\u{7}12")),
            "Numéro de connaissement : le 3e caractère doit être une lettre (A à Z) ou un chiffre, et non « U+0007 »."
        );
    }

    proptest! {
        #[test]
        fn bill_of_lading_round_trip(b in "[A-Z0-9]{1,35}", noise in noise()) {
            let parsed = BillOfLading::parse(&decorate(&b, &noise)).unwrap();
            prop_assert_eq!(parsed.as_str(), b.as_str());
        }
    }
}
