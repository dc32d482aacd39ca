//! SIREN (company) and SIRET (establishment) numbers, which share the Luhn
//! key and La Poste's exception.

use serde::{Deserialize, Serialize};

use super::common::{
    check_chars, check_luhn, check_siret_digits, compact, digits, display_canonical, expect_length,
    la_poste_key, luhn_key, string_reference, DIGIT, LA_POSTE_SIREN,
};
use super::{ReferenceError, ReferenceKind};

/// SIREN number of a company: 9 digits, the last of which is a Luhn key.
// The field is visible to the sibling `eori` module, which takes a SIREN out
// of an EORI it has already checked.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Siren(pub(super) String);

string_reference!(Siren);
display_canonical!(Siren);

impl Siren {
    pub fn parse(input: &str) -> Result<Self, ReferenceError> {
        let kind = ReferenceKind::Siren;
        let s = compact(input);
        expect_length(kind, &s, 9, "9 chiffres")?;
        check_chars(kind, &s, 0, |_| DIGIT)?;
        check_luhn(&s).map_err(|(expected, found)| ReferenceError::LuhnKey {
            kind,
            expected,
            found,
        })?;
        Ok(Self(s))
    }

    /// Completes the first 8 digits with their Luhn key.
    ///
    /// # Panics
    /// If `first8` ≥ 100,000,000.
    pub fn from_base(first8: u32) -> Self {
        assert!(
            first8 < 100_000_000,
            "base de SIREN sur 8 chiffres : {first8}"
        );
        let base = format!("{first8:08}");
        let key = luhn_key(&digits(&base));
        Self(format!("{base}{key}"))
    }
}

/// SIRET number of an establishment: SIREN (9 digits) then NIC (5 digits).
/// Luhn key over the 14 digits, except for La Poste's establishments (digit
/// sum a multiple of 5, head office excepted).
// The field is visible to the sibling `eori` module, which takes a SIRET out
// of an EORI it has already checked.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Siret(pub(super) String);

string_reference!(Siret);
display_canonical!(Siret);

impl Siret {
    pub fn parse(input: &str) -> Result<Self, ReferenceError> {
        let kind = ReferenceKind::Siret;
        let s = compact(input);
        expect_length(
            kind,
            &s,
            14,
            "14 chiffres (SIREN sur 9 chiffres, puis NIC sur 5 chiffres)",
        )?;
        check_chars(kind, &s, 0, |_| DIGIT)?;
        check_siret_digits(kind, &s)?;
        Ok(Self(s))
    }

    /// Completes SIREN + first 4 digits of the NIC with the key that makes the
    /// SIRET valid (Luhn, or a digit sum that is a multiple of 5 for La
    /// Poste).
    ///
    /// # Panics
    /// If `nic4` ≥ 10,000.
    pub fn from_siren_nic(siren: &Siren, nic4: u16) -> Self {
        assert!(nic4 < 10_000, "début de NIC sur 4 chiffres : {nic4}");
        let first13 = format!("{}{nic4:04}", siren.as_str());
        let payload = digits(&first13);
        let key = if siren.as_str() == LA_POSTE_SIREN {
            la_poste_key(&payload)
        } else {
            luhn_key(&payload)
        };
        Self(format!("{first13}{key}"))
    }

    pub fn siren(&self) -> Siren {
        Siren(self.0[..9].to_owned())
    }

    /// Internal classification number of the establishment (5 digits).
    pub fn nic(&self) -> &str {
        &self.0[9..]
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{msg, substitute};
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn siren_examples_and_errors() {
        let s = Siren::parse("732 829 320").unwrap();
        assert_eq!(s.as_str(), "732829320");
        assert_eq!(Siren::from_base(73_282_932), s);
        assert_eq!(msg(Siren::parse("")), "Saisissez un numéro SIREN.");
        assert_eq!(
            msg(Siren::parse("732829321")),
            "SIREN : la clé de contrôle (algorithme de Luhn) est incorrecte ; le dernier chiffre devrait être 0, et non 1."
        );
        assert_eq!(
            msg(Siren::parse("73282932")),
            "Le SIREN doit comporter 9 chiffres ; 8 saisis."
        );
        assert_eq!(
            msg(Siren::parse("7328A9320")),
            "SIREN : le 5e caractère doit être un chiffre, et non « A »."
        );
    }

    #[test]
    fn siret_examples_and_errors() {
        let s = Siret::parse("732 829 320 00074").unwrap();
        assert_eq!(s.as_str(), "73282932000074");
        assert_eq!(s.siren().as_str(), "732829320");
        assert_eq!(s.nic(), "00074");
        assert_eq!(Siret::from_siren_nic(&s.siren(), 7), s);
        assert_eq!(
            msg(Siret::parse("73282932000075")),
            "SIRET : la clé de contrôle (algorithme de Luhn) est incorrecte ; le dernier chiffre devrait être 4, et non 5."
        );
        assert_eq!(
            msg(Siret::parse("73282932100074")),
            "SIRET : la clé du SIREN (algorithme de Luhn) est incorrecte ; le 9e chiffre devrait être 0, et non 1."
        );
        assert_eq!(
            msg(Siret::parse("7328293200007")),
            "Le SIRET doit comporter 14 chiffres (SIREN sur 9 chiffres, puis NIC sur 5 chiffres) ; 13 saisis."
        );
    }

    #[test]
    fn siret_la_poste() {
        // Head office: Luhn key, digit sum 26.
        let head = Siret::parse("35600000000048").unwrap();
        assert_eq!(head.siren().as_str(), "356000000");
        // Establishments: digit sum a multiple of 5, Luhn ignored.
        assert!(Siret::parse("35600000000001").is_ok());
        assert!(check_luhn("35600000000001").is_err());
        assert_eq!(
            msg(Siret::parse("35600000000014")),
            "SIRET : pour un établissement de La Poste (SIREN 356000000), la somme des chiffres doit être un multiple de 5 ; le dernier chiffre devrait être 0 ou 5, et non 4."
        );
        let la_poste = Siren::parse("356000000").unwrap();
        let generated = Siret::from_siren_nic(&la_poste, 1234);
        assert_eq!(generated.as_str(), "35600000012341");
        assert!(Siret::parse(generated.as_str()).is_ok());
    }

    proptest! {
        /// Luhn detects any substitution of one digit: every such
        /// substitution, without exception, is refused for SIRENs, and for
        /// SIRETs outside La Poste (whose sum modulo 5 lets through a digit
        /// changed by 5).
        #[test]
        fn siren_siret_single_substitution(
            base in (0u32..100_000_000).prop_filter("hors La Poste", |b| *b != 35_600_000),
            nic4 in 0u16..10_000,
            position in 0usize..14,
            pick in 0usize..35,
        ) {
            let siren = Siren::from_base(base);
            let siret = Siret::from_siren_nic(&siren, nic4);
            let (_, _, mutated) = substitute(siret.as_str(), position, pick);
            prop_assert!(Siret::parse(&mutated).is_err(), "{} → {}", siret, mutated);
            if position < 9 {
                let (_, _, mutated) = substitute(siren.as_str(), position, pick);
                prop_assert!(Siren::parse(&mutated).is_err(), "{} → {}", siren, mutated);
            }
        }
    }
}
