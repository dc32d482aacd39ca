//! French EORI numbers, made of a SIREN or a SIRET.

use serde::{Deserialize, Serialize};

use super::common::{
    check_chars, check_luhn, check_siret_digits, compact, display_canonical, is_digit,
    string_reference, DIGIT,
};
use super::{ReferenceError, ReferenceKind, Siren, Siret};

/// French EORI number: `FR` followed by the SIREN (9 digits) or, for older
/// numbers, by the SIRET (14 digits). EORIs from other countries are not
/// accepted: the platform only deals with operators established in France.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Eori(String);

string_reference!(Eori);
display_canonical!(Eori);

impl Eori {
    pub fn parse(input: &str) -> Result<Self, ReferenceError> {
        let kind = ReferenceKind::Eori;
        let s = compact(input);
        if s.is_empty() {
            return Err(ReferenceError::Empty { kind });
        }
        let Some(number) = s.strip_prefix("FR") else {
            let length = s.chars().count();
            let detail = if s.chars().all(is_digit) && (length == 9 || length == 14) {
                format!("ajoutez le préfixe FR devant le SIREN ou le SIRET (soit FR{s})")
            } else {
                "seuls les numéros EORI français, commençant par FR, sont acceptés".to_owned()
            };
            return Err(ReferenceError::Format { kind, detail });
        };
        let length = s.chars().count();
        if length != 11 && length != 16 {
            return Err(ReferenceError::Length {
                kind,
                expected: "11 ou 16 caractères (FR suivi du SIREN à 9 chiffres ou du SIRET à \
                           14 chiffres)"
                    .to_owned(),
                found: length,
            });
        }
        check_chars(kind, number, 2, |_| DIGIT)?;
        if number.len() == 9 {
            check_luhn(number).map_err(|(expected, found)| ReferenceError::LuhnKey {
                kind,
                expected,
                found,
            })?;
        } else {
            check_siret_digits(kind, number)?;
        }
        Ok(Self(s))
    }

    pub fn from_siren(siren: &Siren) -> Self {
        Self(format!("FR{}", siren.as_str()))
    }

    pub fn siren(&self) -> Siren {
        Siren(self.0[2..11].to_owned())
    }

    /// The SIRET, for older numbers that contain it.
    pub fn siret(&self) -> Option<Siret> {
        (self.0.len() == 16).then(|| Siret(self.0[2..].to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::super::common::LA_POSTE_SIREN;
    use super::super::test_support::{decorate, msg, noise};
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn eori_examples_and_errors() {
        let e = Eori::parse("fr 732 829 320").unwrap();
        assert_eq!(e.as_str(), "FR732829320");
        assert_eq!(e.siren().as_str(), "732829320");
        assert_eq!(e.siret(), None);
        assert_eq!(Eori::from_siren(&e.siren()), e);
        let legacy = Eori::parse("FR73282932000074").unwrap();
        assert_eq!(legacy.siren().as_str(), "732829320");
        assert_eq!(legacy.siret().unwrap().as_str(), "73282932000074");
        assert!(Eori::parse("FR35600000000048").is_ok());
        assert_eq!(msg(Eori::parse(" ")), "Saisissez un numéro EORI.");
        assert_eq!(
            msg(Eori::parse("732829320")),
            "Numéro EORI : ajoutez le préfixe FR devant le SIREN ou le SIRET (soit FR732829320)."
        );
        assert_eq!(
            msg(Eori::parse("DE123456789012345")),
            "Numéro EORI : seuls les numéros EORI français, commençant par FR, sont acceptés."
        );
        assert_eq!(
            msg(Eori::parse("FR73282932")),
            "Le numéro EORI doit comporter 11 ou 16 caractères (FR suivi du SIREN à 9 chiffres ou du SIRET à 14 chiffres) ; 10 saisis."
        );
        assert_eq!(
            msg(Eori::parse("FR7328293A0")),
            "Numéro EORI : le 10e caractère doit être un chiffre, et non « A »."
        );
        assert_eq!(
            msg(Eori::parse("FR732829321")),
            "Numéro EORI : la clé de contrôle (algorithme de Luhn) est incorrecte ; le dernier chiffre devrait être 0, et non 1."
        );
        assert_eq!(
            msg(Eori::parse("FR73282932000075")),
            "Numéro EORI : la clé de contrôle (algorithme de Luhn) est incorrecte ; le dernier chiffre devrait être 4, et non 5."
        );
    }

    fn siren_strategy() -> impl Strategy<Value = Siren> {
        prop_oneof![
            9 => (0u32..100_000_000).prop_map(Siren::from_base),
            1 => Just(Siren::parse(LA_POSTE_SIREN).unwrap()),
        ]
    }

    proptest! {
        #[test]
        fn siren_siret_eori_round_trip(
            siren in siren_strategy(),
            nic4 in 0u16..10_000,
            noise in noise(),
        ) {
            prop_assert_eq!(Siren::parse(&decorate(siren.as_str(), &noise)).unwrap(), siren.clone());
            let siret = Siret::from_siren_nic(&siren, nic4);
            prop_assert_eq!(Siret::parse(&decorate(siret.as_str(), &noise)).unwrap(), siret.clone());
            prop_assert_eq!(siret.siren(), siren.clone());
            let eori = Eori::from_siren(&siren);
            prop_assert_eq!(Eori::parse(&decorate(eori.as_str(), &noise)).unwrap(), eori.clone());
            prop_assert_eq!(eori.siren(), siren);
            let legacy = format!("FR{}", siret.as_str());
            prop_assert_eq!(Eori::parse(&legacy).unwrap().siret(), Some(siret));
        }
    }
}
