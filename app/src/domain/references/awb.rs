//! Air waybill numbers (AWB, « LTA » in French).

use serde::{Deserialize, Serialize};
use std::fmt;

use super::common::{
    check_chars, compact, compare_check_digit, expect_length, string_reference, CHECK, DIGIT,
};
use super::{ReferenceError, ReferenceKind};

/// Air waybill number (AWB, « lettre de transport aérien » or LTA in French),
/// stored as `02012345675` and displayed as `020-12345675`: airline prefix (3
/// digits), serial number (7 digits), check digit (serial modulo 7). The
/// prefix is not part of the check.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Awb(String);

string_reference!(Awb);

impl Awb {
    pub fn parse(input: &str) -> Result<Self, ReferenceError> {
        let kind = ReferenceKind::Awb;
        let s = compact(input);
        expect_length(
            kind,
            &s,
            11,
            "11 chiffres (préfixe de la compagnie aérienne sur 3 chiffres, puis 8 chiffres)",
        )?;
        check_chars(kind, &s, 0, |i| if i == 10 { CHECK } else { DIGIT })?;
        let serial: u32 = s[3..10].parse().expect("chiffres vérifiés");
        compare_check_digit(kind, (serial % 7) as u8, s.as_bytes()[10] as char)?;
        Ok(Self(s))
    }

    /// Builds a number by computing its check digit.
    ///
    /// # Panics
    /// If `prefix` ≥ 1000 or `serial` ≥ 10,000,000: these are programming
    /// errors, not input errors.
    pub fn from_parts(prefix: u16, serial: u32) -> Self {
        assert!(prefix < 1000, "préfixe de LTA sur 3 chiffres : {prefix}");
        assert!(
            serial < 10_000_000,
            "série de LTA sur 7 chiffres : {serial}"
        );
        Self(format!("{prefix:03}{serial:07}{}", serial % 7))
    }

    /// Airline prefix (3 digits), for example `020`.
    pub fn prefix(&self) -> &str {
        &self.0[..3]
    }

    /// Serial number without the check digit (7 digits).
    pub fn serial(&self) -> &str {
        &self.0[3..10]
    }

    pub fn check_digit(&self) -> u8 {
        self.0.as_bytes()[10] - b'0'
    }
}

impl fmt::Display for Awb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", &self.0[..3], &self.0[3..])
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{decorate, msg, noise, substitute};
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn awb_examples_and_display() {
        let a = Awb::parse("020-12345675").unwrap();
        assert_eq!(a.as_str(), "02012345675");
        assert_eq!(a.to_string(), "020-12345675");
        assert_eq!(a.prefix(), "020");
        assert_eq!(a.serial(), "1234567");
        assert_eq!(a.check_digit(), 5);
        assert_eq!(Awb::parse(" 020 1234 5675 ").unwrap(), a);
        assert_eq!(Awb::from_parts(20, 1_234_567), a);
        assert_eq!(a.to_string().parse::<Awb>().unwrap(), a);
    }

    #[test]
    fn awb_error_messages() {
        assert_eq!(msg(Awb::parse("")), "Saisissez un numéro de LTA.");
        assert_eq!(
            msg(Awb::parse("020-12345676")),
            "Numéro de LTA : le chiffre de contrôle devrait être 5, et non 6."
        );
        assert_eq!(
            msg(Awb::parse("020-1234567")),
            "Le numéro de LTA doit comporter 11 chiffres (préfixe de la compagnie aérienne sur 3 chiffres, puis 8 chiffres) ; 10 saisis."
        );
        assert_eq!(
            msg(Awb::parse("020-1234A675")),
            "Numéro de LTA : le 8e caractère doit être un chiffre, et non « A »."
        );
    }

    #[test]
    fn awb_check_digit_blind_spots() {
        // The prefix is not covered, and 1 → 8 in the serial changes its value
        // by 7,000,000, a multiple of 7.
        assert!(Awb::parse("02112345675").is_ok());
        assert!(Awb::parse("02082345675").is_ok());
    }

    proptest! {
        #[test]
        fn awb_round_trip(prefix in 0u16..1000, serial in 0u32..10_000_000, noise in noise()) {
            let a = Awb::from_parts(prefix, serial);
            prop_assert_eq!(Awb::parse(a.as_str()).unwrap(), a.clone());
            // The display form (020-12345675) differs from the canonical form.
            let displayed = a.to_string();
            prop_assert_eq!(Awb::parse(&displayed).unwrap(), a.clone());
            prop_assert_eq!(Awb::parse(&decorate(&displayed, &noise)).unwrap(), a);
        }

        /// AWB: the check (serial modulo 7) does not cover the prefix, and a
        /// serial digit that changes by 7 (0 ↔ 7, 1 ↔ 8, 2 ↔ 9) changes the
        /// serial by a multiple of 7. Exactly these substitutions get
        /// through, for every AWB.
        #[test]
        fn awb_single_substitution(
            prefix in 0u16..1000,
            serial in 0u32..10_000_000,
            position in 0usize..11,
            pick in 0usize..35,
        ) {
            let a = Awb::from_parts(prefix, serial);
            let (old, new, mutated) = substitute(a.as_str(), position, pick);
            let undetectable = match (old.to_digit(10), new.to_digit(10)) {
                (Some(_), Some(_)) if position < 3 => true,
                (Some(o), Some(n)) if position < 10 => o.abs_diff(n) == 7,
                _ => false,
            };
            prop_assert_eq!(Awb::parse(&mutated).is_ok(), undetectable, "{} → {}", a, mutated);
        }
    }
}
