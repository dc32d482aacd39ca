//! Container numbers (ISO 6346).

use serde::{Deserialize, Serialize};

use super::common::{
    check_chars, compact, compare_check_digit, container_check_digit, display_canonical,
    expect_length, is_letter, string_reference, Slot, CHECK, DIGIT, LETTER,
};
use super::{ReferenceError, ReferenceKind};

/// ISO 6346 container number, for example `CSQU3054383`: owner code (3
/// letters), category (U, J or Z), serial number (6 digits) and check digit.
///
/// Numbers whose weighted sum is 10 modulo 11 (check digit 0) are accepted:
/// the standard only recommends not assigning them, and refusing a real
/// container at the border post would cost more than letting this case
/// through.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ContainerNumber(String);

string_reference!(ContainerNumber);
display_canonical!(ContainerNumber);

pub(super) const CATEGORY: Slot = Slot {
    accepts: |c| matches!(c, 'U' | 'J' | 'Z'),
    expected: "U, J ou Z (catégorie d'équipement)",
};

fn container_slot(index: usize) -> Slot {
    match index {
        0..=2 => LETTER,
        3 => CATEGORY,
        4..=9 => DIGIT,
        _ => CHECK,
    }
}

impl ContainerNumber {
    pub fn parse(input: &str) -> Result<Self, ReferenceError> {
        let kind = ReferenceKind::Container;
        let s = compact(input);
        expect_length(
            kind,
            &s,
            11,
            "11 caractères (4 lettres, 6 chiffres et un chiffre de contrôle)",
        )?;
        check_chars(kind, &s, 0, container_slot)?;
        let expected = container_check_digit(&s[..10]).expect("disposition vérifiée");
        compare_check_digit(kind, expected, s.as_bytes()[10] as char)?;
        Ok(Self(s))
    }

    /// Builds a number by computing its check digit (demo data, tests).
    /// `serial` must be below 1,000,000.
    pub fn from_parts(owner: &str, category: char, serial: u32) -> Result<Self, ReferenceError> {
        let kind = ReferenceKind::Container;
        let owner = compact(owner);
        if owner.chars().count() != 3 || !owner.chars().all(is_letter) {
            return Err(ReferenceError::Format {
                kind,
                detail: format!(
                    "le code propriétaire doit comporter 3 lettres, et non « {owner} »"
                ),
            });
        }
        let category = category.to_ascii_uppercase();
        if !(CATEGORY.accepts)(category) {
            return Err(ReferenceError::Character {
                kind,
                position: 4,
                found: category,
                expected: CATEGORY.expected.to_owned(),
            });
        }
        if serial >= 1_000_000 {
            return Err(ReferenceError::Format {
                kind,
                detail: format!(
                    "le numéro de série doit comporter 6 chiffres (au plus 999999), et non {serial}"
                ),
            });
        }
        let first10 = format!("{owner}{category}{serial:06}");
        let check = container_check_digit(&first10).expect("parties vérifiées");
        Ok(Self(format!("{first10}{check}")))
    }

    /// Owner code (3 letters), for example `CSQ`.
    pub fn owner_code(&self) -> &str {
        &self.0[..3]
    }

    /// Equipment category: U, J or Z.
    pub fn category(&self) -> char {
        self.0.as_bytes()[3] as char
    }

    /// Serial number (6 digits).
    pub fn serial(&self) -> &str {
        &self.0[4..10]
    }

    pub fn check_digit(&self) -> u8 {
        self.0.as_bytes()[10] - b'0'
    }
}

#[cfg(test)]
mod tests {
    use super::super::common::iso6346_remainder;
    use super::super::test_support::{
        container_strategy, decorate, msg, noise, same_mod11_class, substitute,
    };
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn container_known_examples() {
        let c = ContainerNumber::parse("CSQU3054383").unwrap();
        assert_eq!(c.as_str(), "CSQU3054383");
        assert_eq!(c.owner_code(), "CSQ");
        assert_eq!(c.category(), 'U');
        assert_eq!(c.serial(), "305438");
        assert_eq!(c.check_digit(), 3);
        // Checked with a calculation independent of this module.
        assert!(ContainerNumber::parse("MSCU1234566").is_ok());
        assert!(ContainerNumber::parse("TGHU1234567").is_ok());
        // « MSCU6639871 » circulates as an example, but it was computed with
        // A = 0; according to ISO 6346 the digit is 0.
        assert!(ContainerNumber::parse("MSCU6639870").is_ok());
        assert!(ContainerNumber::parse("MSCU6639871").is_err());
        assert_eq!(container_check_digit("CSQU305438"), Some(3));
        assert_eq!(container_check_digit("CSQU30543"), None);
        assert_eq!(container_check_digit("csqu305438"), None);
    }

    #[test]
    fn container_normalisation() {
        let c = ContainerNumber::parse("  csqu 305438-3 ").unwrap();
        assert_eq!(c.as_str(), "CSQU3054383");
        assert_eq!(c.to_string(), "CSQU3054383");
        let c = ContainerNumber::parse("CSQU\u{a0}305.438\u{2013}3").unwrap();
        assert_eq!(c.as_str(), "CSQU3054383");
        assert_eq!("csqu3054383".parse::<ContainerNumber>().unwrap(), c);
    }

    #[test]
    fn container_from_parts() {
        let c = ContainerNumber::from_parts("csq", 'u', 305_438).unwrap();
        assert_eq!(c.as_str(), "CSQU3054383");
        assert_eq!(
            ContainerNumber::from_parts("MSC", 'U', 123_456)
                .unwrap()
                .as_str(),
            "MSCU1234566"
        );
        assert_eq!(
            msg(ContainerNumber::from_parts("CS", 'U', 1)),
            "Numéro de conteneur : le code propriétaire doit comporter 3 lettres, et non « CS »."
        );
        assert_eq!(
            msg(ContainerNumber::from_parts("CSQ", 'X', 1)),
            "Numéro de conteneur : le 4e caractère doit être U, J ou Z (catégorie d'équipement), et non « X »."
        );
        assert_eq!(
            msg(ContainerNumber::from_parts("CSQ", 'U', 1_000_000)),
            "Numéro de conteneur : le numéro de série doit comporter 6 chiffres (au plus 999999), et non 1000000."
        );
    }

    #[test]
    fn container_error_messages() {
        assert_eq!(
            msg(ContainerNumber::parse("  ")),
            "Saisissez un numéro de conteneur."
        );
        assert_eq!(
            msg(ContainerNumber::parse("CSQU305438")),
            "Le numéro de conteneur doit comporter 11 caractères (4 lettres, 6 chiffres et un chiffre de contrôle) ; 10 saisis."
        );
        assert_eq!(
            msg(ContainerNumber::parse("C")),
            "Le numéro de conteneur doit comporter 11 caractères (4 lettres, 6 chiffres et un chiffre de contrôle) ; 1 saisi."
        );
        assert_eq!(
            msg(ContainerNumber::parse("CSQX3054383")),
            "Numéro de conteneur : le 4e caractère doit être U, J ou Z (catégorie d'équipement), et non « X »."
        );
        assert_eq!(
            msg(ContainerNumber::parse("CSQU3054384")),
            "Numéro de conteneur : le chiffre de contrôle devrait être 3, et non 4."
        );
        assert_eq!(
            msg(ContainerNumber::parse("1SQU3054383")),
            "Numéro de conteneur : le 1er caractère doit être une lettre (A à Z), et non « 1 »."
        );
        assert_eq!(
            msg(ContainerNumber::parse("CSQU30O4383")),
            "Numéro de conteneur : le 7e caractère doit être un chiffre, et non « O »."
        );
        assert_eq!(
            msg(ContainerNumber::parse("CSQU305438X")),
            "Numéro de conteneur : le 11e caractère doit être un chiffre (chiffre de contrôle), et non « X »."
        );
        assert_eq!(
            msg(ContainerNumber::parse("CSQÜ3054383")),
            "Numéro de conteneur : le 4e caractère doit être U, J ou Z (catégorie d'équipement), et non « Ü »."
        );
        let err = ContainerNumber::parse("CSQU3054384").unwrap_err();
        assert_eq!(err.kind(), ReferenceKind::Container);
        assert_eq!(
            err,
            ReferenceError::CheckDigit {
                kind: ReferenceKind::Container,
                expected: '3',
                found: '4'
            }
        );
        assert_eq!(err.message(), err.to_string());
    }

    /// Documents, on fixed examples, what the ISO 6346 check digit cannot see
    /// (see also the substitution property).
    #[test]
    fn container_check_digit_blind_spots() {
        // C (13) and M (24) are congruent modulo 11: swapping one for the
        // other in the owner code does not change the sum.
        assert!(ContainerNumber::parse("CSQU3054383").is_ok());
        assert!(ContainerNumber::parse("MSQU3054383").is_ok());
        // Sums 0 and 10 modulo 11: both give the digit 0, so a typo that
        // moves from one to the other goes unnoticed.
        assert_eq!(iso6346_remainder("CSQU000009"), Some(0));
        assert_eq!(iso6346_remainder("CSQU200009"), Some(10));
        assert!(ContainerNumber::parse("CSQU0000090").is_ok());
        assert!(ContainerNumber::parse("CSQU2000090").is_ok());
    }

    proptest! {
        #[test]
        fn container_round_trip(c in container_strategy(), noise in noise()) {
            prop_assert_eq!(ContainerNumber::parse(c.as_str()).unwrap(), c.clone());
            prop_assert_eq!(ContainerNumber::parse(&decorate(c.as_str(), &noise)).unwrap(), c);
        }

        /// Container: a substitution is accepted if and only if it replaces a
        /// letter of the owner code with a letter of the same value modulo 11
        /// (the category U/J/Z and the digits have no such pairs), except in
        /// the check-digit-0 case (see `test_support`), where only the
        /// implication « same class ⇒ accepted » is checked.
        #[test]
        fn container_single_substitution(
            c in container_strategy(),
            position in 0usize..11,
            pick in 0usize..35,
        ) {
            let (old, new, mutated) = substitute(c.as_str(), position, pick);
            let accepted = ContainerNumber::parse(&mutated).is_ok();
            let fits = (container_slot(position).accepts)(new);
            if !fits || position == 10 {
                prop_assert!(!accepted, "{} → {} accepté", c, mutated);
            } else if same_mod11_class(old, new) {
                prop_assert!(position < 3);
                prop_assert!(accepted, "{} → {} refusé", c, mutated);
            } else if c.check_digit() != 0 {
                prop_assert!(!accepted, "{} → {} accepté", c, mutated);
            }
        }
    }
}
