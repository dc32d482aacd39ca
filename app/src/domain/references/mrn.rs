//! Movement reference numbers of customs declarations (MRN).

use serde::{Deserialize, Serialize};

use super::common::{
    check_chars, compact, compare_check_digit, display_canonical, expect_length, is_letter,
    mrn_check_digit, string_reference, Slot, ALNUM, CHECK, DIGIT, LETTER,
};
use super::{ReferenceError, ReferenceKind};

/// Reference number of a customs declaration (MRN), 18 characters: year (2
/// digits), country (2 letters), 12 letters or digits, procedure letter, check
/// digit (ISO 6346 over the first 17 characters).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Mrn(String);

string_reference!(Mrn);
display_canonical!(Mrn);

fn mrn_slot(index: usize) -> Slot {
    match index {
        0..=1 => DIGIT,
        2..=3 => LETTER,
        4..=15 => ALNUM,
        16 => Slot {
            accepts: is_letter,
            expected: "une lettre (A à Z, code de procédure)",
        },
        _ => CHECK,
    }
}

impl Mrn {
    pub fn parse(input: &str) -> Result<Self, ReferenceError> {
        let kind = ReferenceKind::Mrn;
        let s = compact(input);
        expect_length(
            kind,
            &s,
            18,
            "18 caractères (année sur 2 chiffres, pays sur 2 lettres, 12 lettres ou chiffres, \
             lettre de procédure et chiffre de contrôle)",
        )?;
        check_chars(kind, &s, 0, mrn_slot)?;
        let expected = mrn_check_digit(&s[..17]).expect("disposition vérifiée");
        compare_check_digit(kind, expected, s.as_bytes()[17] as char)?;
        Ok(Self(s))
    }

    /// Builds an MRN by computing its check digit.
    pub fn from_parts(
        year: u8,
        country: &str,
        body: &str,
        procedure: char,
    ) -> Result<Self, ReferenceError> {
        let kind = ReferenceKind::Mrn;
        if year > 99 {
            return Err(ReferenceError::Format {
                kind,
                detail: format!("l'année doit tenir sur 2 chiffres (00 à 99), et non {year}"),
            });
        }
        let country = compact(country);
        if country.chars().count() != 2 {
            return Err(ReferenceError::Format {
                kind,
                detail: format!("le code pays doit comporter 2 lettres, et non « {country} »"),
            });
        }
        let body = compact(body);
        let body_length = body.chars().count();
        if body_length != 12 {
            return Err(ReferenceError::Format {
                kind,
                detail: format!(
                    "la partie centrale doit comporter 12 lettres ou chiffres, et non {body_length}"
                ),
            });
        }
        let first17 = format!("{year:02}{country}{body}{}", procedure.to_ascii_uppercase());
        // A character outside the alphabet has no check digit: `parse` will
        // then report it with its position, before even looking at the 18th.
        let check = mrn_check_digit(&first17).unwrap_or(0);
        Self::parse(&format!("{first17}{check}"))
    }

    /// Year on 2 digits (25 for 2025).
    pub fn year(&self) -> u8 {
        self.0[..2].parse().expect("chiffres vérifiés")
    }

    /// Country code (2 letters).
    pub fn country(&self) -> &str {
        &self.0[2..4]
    }

    /// Procedure letter (17th character).
    pub fn procedure(&self) -> char {
        self.0.as_bytes()[16] as char
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{
        decorate, mrn_strategy, msg, noise, same_mod11_class, substitute,
    };
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn mrn_examples() {
        let m = Mrn::parse("25FR000000000012A5").unwrap();
        assert_eq!(m.year(), 25);
        assert_eq!(m.country(), "FR");
        assert_eq!(m.procedure(), 'A');
        assert_eq!(Mrn::parse("25fr 0000 0000 0012 a5").unwrap(), m);
        assert_eq!(Mrn::from_parts(25, "FR", "000000000012", 'A').unwrap(), m);
        assert!(Mrn::parse("25FRA1B2C3D4E5F6A8").is_ok());
        assert_eq!(mrn_check_digit("25FR000000000012A"), Some(5));
    }

    #[test]
    fn mrn_error_messages() {
        assert_eq!(msg(Mrn::parse("-")), "Saisissez un MRN.");
        assert_eq!(
            msg(Mrn::parse("25FR000000000012A2")),
            "MRN : le chiffre de contrôle devrait être 5, et non 2."
        );
        assert_eq!(
            msg(Mrn::parse("2AFR000000000012A5")),
            "MRN : le 2e caractère doit être un chiffre, et non « A »."
        );
        assert_eq!(
            msg(Mrn::parse("25F1000000000012A5")),
            "MRN : le 4e caractère doit être une lettre (A à Z), et non « 1 »."
        );
        assert_eq!(
            msg(Mrn::parse("25FR00000000001215")),
            "MRN : le 17e caractère doit être une lettre (A à Z, code de procédure), et non « 1 »."
        );
        assert_eq!(
            msg(Mrn::parse("25FR000000000012A")),
            "Le MRN doit comporter 18 caractères (année sur 2 chiffres, pays sur 2 lettres, 12 lettres ou chiffres, lettre de procédure et chiffre de contrôle) ; 17 saisis."
        );
        assert_eq!(
            msg(Mrn::from_parts(25, "FRA", "000000000012", 'A')),
            "MRN : le code pays doit comporter 2 lettres, et non « FRA »."
        );
        assert_eq!(
            msg(Mrn::from_parts(25, "FR", "00000000012", 'A')),
            "MRN : la partie centrale doit comporter 12 lettres ou chiffres, et non 11."
        );
        assert_eq!(
            msg(Mrn::from_parts(125, "FR", "000000000012", 'A')),
            "MRN : l'année doit tenir sur 2 chiffres (00 à 99), et non 125."
        );
        assert_eq!(
            msg(Mrn::from_parts(25, "FR", "00000000001_", 'A')),
            "MRN : le 16e caractère doit être une lettre (A à Z) ou un chiffre, et non « _ »."
        );
    }

    proptest! {
        #[test]
        fn mrn_round_trip(m in mrn_strategy(), noise in noise()) {
            prop_assert_eq!(Mrn::parse(m.as_str()).unwrap(), m.clone());
            prop_assert_eq!(Mrn::parse(&decorate(m.as_str(), &noise)).unwrap(), m);
        }

        /// MRN: same rule as for containers, but positions 5 to 16 accept
        /// letters AND digits, hence digit/letter confusions (1 ↔ B, L, V;
        /// 2 ↔ C, M, W…) on top of confusions between letters.
        #[test]
        fn mrn_single_substitution(
            m in mrn_strategy(),
            position in 0usize..18,
            pick in 0usize..35,
        ) {
            let (old, new, mutated) = substitute(m.as_str(), position, pick);
            let accepted = Mrn::parse(&mutated).is_ok();
            let fits = (mrn_slot(position).accepts)(new);
            let check_digit = m.as_str().as_bytes()[17];
            if !fits || position == 17 {
                prop_assert!(!accepted, "{} → {} accepté", m, mutated);
            } else if same_mod11_class(old, new) {
                prop_assert!(accepted, "{} → {} refusé", m, mutated);
            } else if check_digit != b'0' {
                prop_assert!(!accepted, "{} → {} accepté", m, mutated);
            }
        }
    }
}
