//! References typed in by France Sésame users: container numbers, air waybill
//! numbers (AWB, « LTA » in French), MRNs, CHED references (« DSCE » in
//! French), bills of lading, SIREN / SIRET, EORI, border control post codes
//! and UN/LOCODE site codes.
//!
//! These numbers are copied by hand from paper documents, emails or PDFs:
//! spaces, dashes, lower case and typos are the norm. Each type below
//! normalises the input and then validates it, so that an invalid value cannot
//! exist in the rest of the code (private field, deserialisation that goes
//! back through `parse`). Errors are worded to be shown to the user as they
//! are, in French, and say precisely what to correct.
//!
//! The module uses only `std` and `serde`: it is compiled both for the server
//! and for the browser (wasm32), where the same validation runs before the
//! form is sent.
//!
//! Layout: this file holds the kinds of reference, their errors and the
//! recognition of a reference typed into a single field; each kind of
//! reference has its own file, and `common` holds the normalisation and the
//! check-digit algorithms they share.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

mod awb;
mod bill_of_lading;
mod ched;
mod common;
mod container;
mod eori;
mod locode;
mod mrn;
mod siren;
#[cfg(test)]
mod test_support;

pub use awb::Awb;
pub use bill_of_lading::BillOfLading;
pub use ched::{ChedReference, ChedType};
pub use common::{container_check_digit, mrn_check_digit};
pub use container::ContainerNumber;
pub use eori::Eori;
pub use locode::{Locode, PostCode};
pub use mrn::Mrn;
pub use siren::{Siren, Siret};

use common::{compact, is_digit, is_letter};
use container::CATEGORY;

// ---------------------------------------------------------------------------
// Kinds of reference and errors
// ---------------------------------------------------------------------------

/// Kind of reference, repeated in every error so that the message names what
/// the user was typing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReferenceKind {
    Container,
    Awb,
    Mrn,
    Ched,
    BillOfLading,
    Siren,
    Siret,
    Eori,
    Post,
    Site,
    /// Free input whose kind is still to be guessed ([`AnyReference::recognise`]):
    /// only an empty input produces this kind, for want of knowing what to ask for.
    Any,
}

impl ReferenceKind {
    /// Name of the kind, in lower case, as it fits into a sentence.
    pub fn label(self) -> &'static str {
        match self {
            Self::Container => "numéro de conteneur",
            Self::Awb => "numéro de LTA",
            Self::Mrn => "MRN",
            Self::Ched => "référence DSCE",
            Self::BillOfLading => "numéro de connaissement",
            Self::Siren => "SIREN",
            Self::Siret => "SIRET",
            Self::Eori => "numéro EORI",
            Self::Post => "code du poste de contrôle frontalier",
            Self::Site => "code du site (UN/LOCODE)",
            Self::Any => "référence (conteneur, LTA, MRN, DSCE ou connaissement)",
        }
    }

    /// At the head of a message (« Numéro de conteneur : … »).
    fn heading(self) -> &'static str {
        match self {
            Self::Container => "Numéro de conteneur",
            Self::Awb => "Numéro de LTA",
            Self::Mrn => "MRN",
            Self::Ched => "Référence DSCE",
            Self::BillOfLading => "Numéro de connaissement",
            Self::Siren => "SIREN",
            Self::Siret => "SIRET",
            Self::Eori => "Numéro EORI",
            Self::Post => "Code du poste de contrôle frontalier",
            Self::Site => "Code du site (UN/LOCODE)",
            Self::Any => "Référence",
        }
    }

    /// Subject of a sentence, with the definite article in the right gender.
    fn subject(self) -> &'static str {
        match self {
            Self::Container => "Le numéro de conteneur",
            Self::Awb => "Le numéro de LTA",
            Self::Mrn => "Le MRN",
            Self::Ched => "La référence DSCE",
            Self::BillOfLading => "Le numéro de connaissement",
            Self::Siren => "Le SIREN",
            Self::Siret => "Le SIRET",
            Self::Eori => "Le numéro EORI",
            Self::Post => "Le code du poste de contrôle frontalier",
            Self::Site => "Le code du site (UN/LOCODE)",
            Self::Any => "La référence",
        }
    }

    /// Object of « Saisissez … » (“Enter …”) when the field is empty.
    fn request(self) -> &'static str {
        match self {
            Self::Container => "un numéro de conteneur",
            Self::Awb => "un numéro de LTA",
            Self::Mrn => "un MRN",
            Self::Ched => "une référence DSCE",
            Self::BillOfLading => "un numéro de connaissement",
            Self::Siren => "un numéro SIREN",
            Self::Siret => "un numéro SIRET",
            Self::Eori => "un numéro EORI",
            Self::Post => "le code du poste de contrôle frontalier",
            Self::Site => "le code du site (UN/LOCODE)",
            Self::Any => {
                "une référence (numéro de conteneur, de LTA ou de connaissement, MRN ou référence DSCE)"
            }
        }
    }
}

impl fmt::Display for ReferenceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// What is wrong with an input. `Display` gives a French sentence to show as
/// it is; the fields let the code act otherwise (highlight the faulty
/// character, for example).
///
/// Positions count from 1 in the normalised value (without spaces or dashes,
/// in upper case), the one `as_str` would return.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "error", rename_all = "snake_case")]
pub enum ReferenceError {
    /// Nothing useful was typed.
    Empty { kind: ReferenceKind },
    /// Wrong number of characters; `expected` describes the expected shape.
    Length {
        kind: ReferenceKind,
        expected: String,
        found: usize,
    },
    /// A character has no place at this position.
    Character {
        kind: ReferenceKind,
        position: usize,
        found: char,
        expected: String,
    },
    /// Wrong check digit (ISO 6346 for containers and MRNs, modulo 7 for
    /// AWBs).
    CheckDigit {
        kind: ReferenceKind,
        expected: char,
        found: char,
    },
    /// Wrong Luhn key of the whole number (SIREN, SIRET, EORI): `expected` is
    /// the last digit that would make it right.
    LuhnKey {
        kind: ReferenceKind,
        expected: char,
        found: char,
    },
    /// Wrong Luhn key of the SIREN contained in a SIRET (or an EORI).
    SirenKey {
        kind: ReferenceKind,
        expected: char,
        found: char,
    },
    /// SIRET of a La Poste establishment whose digit sum is not a multiple of
    /// 5; either of two last digits would make it right.
    LaPosteKey {
        kind: ReferenceKind,
        expected: [char; 2],
        found: char,
    },
    /// Shape error that does not come down to one character; `detail` is a
    /// sentence fragment in lower case, without a final full stop.
    Format { kind: ReferenceKind, detail: String },
}

impl ReferenceError {
    pub fn kind(&self) -> ReferenceKind {
        match self {
            Self::Empty { kind }
            | Self::Length { kind, .. }
            | Self::Character { kind, .. }
            | Self::CheckDigit { kind, .. }
            | Self::LuhnKey { kind, .. }
            | Self::SirenKey { kind, .. }
            | Self::LaPosteKey { kind, .. }
            | Self::Format { kind, .. } => *kind,
        }
    }

    /// The sentence to show the user (same as `to_string()`).
    pub fn message(&self) -> String {
        self.to_string()
    }
}

/// French ordinals: « 1er », « 2e », « 3e »…
fn ordinal(n: usize) -> String {
    if n == 1 {
        "1er".to_owned()
    } else {
        format!("{n}e")
    }
}

/// An invisible character between quotation marks would tell the user
/// nothing, so it is shown by its code point.
fn shown(c: char) -> String {
    if c.is_control() || c.is_whitespace() {
        format!("U+{:04X}", u32::from(c))
    } else {
        c.to_string()
    }
}

impl fmt::Display for ReferenceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty { kind } => write!(f, "Saisissez {}.", kind.request()),
            Self::Length {
                kind,
                expected,
                found,
            } => {
                let plural = if *found > 1 { "s" } else { "" };
                write!(
                    f,
                    "{} doit comporter {expected} ; {found} saisi{plural}.",
                    kind.subject()
                )
            }
            Self::Character {
                kind,
                position,
                found,
                expected,
            } => write!(
                f,
                "{} : le {} caractère doit être {expected}, et non « {} ».",
                kind.heading(),
                ordinal(*position),
                shown(*found)
            ),
            Self::CheckDigit {
                kind,
                expected,
                found,
            } => write!(
                f,
                "{} : le chiffre de contrôle devrait être {expected}, et non {}.",
                kind.heading(),
                shown(*found)
            ),
            Self::LuhnKey {
                kind,
                expected,
                found,
            } => write!(
                f,
                "{} : la clé de contrôle (algorithme de Luhn) est incorrecte ; \
                 le dernier chiffre devrait être {expected}, et non {}.",
                kind.heading(),
                shown(*found)
            ),
            Self::SirenKey {
                kind,
                expected,
                found,
            } => write!(
                f,
                "{} : la clé du SIREN (algorithme de Luhn) est incorrecte ; \
                 le 9e chiffre devrait être {expected}, et non {}.",
                kind.heading(),
                shown(*found)
            ),
            Self::LaPosteKey {
                kind,
                expected: [low, high],
                found,
            } => write!(
                f,
                "{} : pour un établissement de La Poste (SIREN 356000000), la somme des \
                 chiffres doit être un multiple de 5 ; le dernier chiffre devrait être \
                 {low} ou {high}, et non {}.",
                kind.heading(),
                shown(*found)
            ),
            Self::Format { kind, detail } => write!(f, "{} : {detail}.", kind.heading()),
        }
    }
}

impl std::error::Error for ReferenceError {}

// ---------------------------------------------------------------------------
// Recognising a transport or customs reference
// ---------------------------------------------------------------------------

/// Consignment reference typed into a single field (« conteneur, LTA, MRN,
/// DSCE ou connaissement »: container, AWB, MRN, CHED or bill of lading).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum AnyReference {
    Container(ContainerNumber),
    Awb(Awb),
    Mrn(Mrn),
    Ched(ChedReference),
    BillOfLading(BillOfLading),
}

impl AnyReference {
    /// Guesses the kind from the SHAPE of the input, then validates it as
    /// such: a typo in a container number must be reported as a container
    /// error, not silently accepted as a bill of lading (whose format is
    /// free).
    ///
    /// Rules, on the compacted input (without spaces, dashes or dots, in upper
    /// case), in this order:
    /// 1. 10 to 12 characters, 4 letters then only digits, or 11 characters,
    ///    3 letters followed by U, J or Z → container (the tolerated length
    ///    gets a forgotten or extra digit reported as a container error).
    ///    Tested before `CHED` because the owner code `CHE` followed by the
    ///    category mistyped as `D` (`CHED3054383`) is a container typo,
    ///    whereas a CHED reference always starts with at least 5 letters;
    /// 2. starts with `CHED` → CHED reference (parsed from the original
    ///    input, which keeps its separators);
    /// 3. exactly 11 digits → AWB;
    /// 4. 18 characters starting with 2 digits then 2 letters → MRN;
    /// 5. otherwise → bill of lading.
    ///
    /// Accepted limits: a bill of lading shaped like a container (some
    /// shipping lines use their owner code followed by 7 digits, such as
    /// `MEDU1234567`) or like 11 digits will be read as a container or an
    /// AWB, and refused if its « check digit » does not match; a caller that
    /// knows it expects a bill of lading calls [`BillOfLading::parse`]
    /// directly. A typo that changes the shape (a digit typed in the owner
    /// code of a container) makes the input fall under another rule.
    pub fn recognise(input: &str) -> Result<Self, ReferenceError> {
        let s = compact(input);
        if s.is_empty() {
            return Err(ReferenceError::Empty {
                kind: ReferenceKind::Any,
            });
        }
        let chars: Vec<char> = s.chars().collect();
        let length = chars.len();
        let letters = chars.iter().take_while(|c| is_letter(**c)).count();
        let all_digits_after = |n: usize| chars[n..].iter().all(|&c| is_digit(c));

        let container_like = ((10..=12).contains(&length) && letters == 4 && all_digits_after(4))
            || (length == 11 && letters >= 3 && (CATEGORY.accepts)(chars[3]));
        if container_like {
            return ContainerNumber::parse(&s).map(Self::Container);
        }
        if s.starts_with("CHED") {
            return ChedReference::parse(input).map(Self::Ched);
        }
        if length == 11 && all_digits_after(0) {
            return Awb::parse(&s).map(Self::Awb);
        }
        if length == 18
            && chars[..2].iter().all(|&c| is_digit(c))
            && chars[2..4].iter().all(|&c| is_letter(c))
        {
            return Mrn::parse(&s).map(Self::Mrn);
        }
        BillOfLading::parse(&s).map(Self::BillOfLading)
    }

    pub fn kind(&self) -> ReferenceKind {
        match self {
            Self::Container(_) => ReferenceKind::Container,
            Self::Awb(_) => ReferenceKind::Awb,
            Self::Mrn(_) => ReferenceKind::Mrn,
            Self::Ched(_) => ReferenceKind::Ched,
            Self::BillOfLading(_) => ReferenceKind::BillOfLading,
        }
    }

    /// Canonical form of the contained reference.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Container(r) => r.as_str(),
            Self::Awb(r) => r.as_str(),
            Self::Mrn(r) => r.as_str(),
            Self::Ched(r) => r.as_str(),
            Self::BillOfLading(r) => r.as_str(),
        }
    }
}

impl fmt::Display for AnyReference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Container(r) => r.fmt(f),
            Self::Awb(r) => r.fmt(f),
            Self::Mrn(r) => r.fmt(f),
            Self::Ched(r) => r.fmt(f),
            Self::BillOfLading(r) => r.fmt(f),
        }
    }
}

impl FromStr for AnyReference {
    type Err = ReferenceError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::recognise(s)
    }
}

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

// Each kind of reference is tested in its own file; what follows covers the
// kinds, the errors, recognition and serde across all kinds.
#[cfg(test)]
mod tests {
    use super::test_support::{ched_strategy, container_strategy, mrn_strategy, msg, ALPHABET};
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn kind_labels() {
        assert_eq!(ReferenceKind::Container.label(), "numéro de conteneur");
        assert_eq!(ReferenceKind::Awb.label(), "numéro de LTA");
        assert_eq!(ReferenceKind::Mrn.label(), "MRN");
        assert_eq!(ReferenceKind::Ched.label(), "référence DSCE");
        assert_eq!(
            ReferenceKind::BillOfLading.label(),
            "numéro de connaissement"
        );
        assert_eq!(ReferenceKind::Siren.label(), "SIREN");
        assert_eq!(ReferenceKind::Siret.label(), "SIRET");
        assert_eq!(ReferenceKind::Eori.label(), "numéro EORI");
        assert_eq!(
            ReferenceKind::Post.label(),
            "code du poste de contrôle frontalier"
        );
        assert_eq!(ReferenceKind::Site.label(), "code du site (UN/LOCODE)");
        assert_eq!(ordinal(1), "1er");
        assert_eq!(ordinal(2), "2e");
        assert_eq!(ordinal(11), "11e");
    }

    // --- recognition ------------------------------------------------------

    #[test]
    fn recognise_by_shape() {
        let r = |s: &str| AnyReference::recognise(s);
        assert_eq!(r("csqu 305438 3").unwrap().kind(), ReferenceKind::Container);
        assert_eq!(r("020-12345675").unwrap().kind(), ReferenceKind::Awb);
        assert_eq!(r("020-12345675").unwrap().to_string(), "020-12345675");
        assert_eq!(r("25FR000000000012A5").unwrap().kind(), ReferenceKind::Mrn);
        assert_eq!(
            r("chedp.fr.2025.0001234").unwrap().as_str(),
            "CHEDP.FR.2025.0001234"
        );
        assert_eq!(
            r("MAEU123456789").unwrap(),
            AnyReference::BillOfLading(BillOfLading::parse("MAEU123456789").unwrap())
        );
        // A typo in a container number remains a container error.
        assert_eq!(
            msg(r("CSQU3054384")),
            "Numéro de conteneur : le chiffre de contrôle devrait être 3, et non 4."
        );
        assert_eq!(
            r("CSQU305438").unwrap_err().kind(),
            ReferenceKind::Container
        );
        assert_eq!(
            r("CSQU30543831").unwrap_err().kind(),
            ReferenceKind::Container
        );
        assert_eq!(
            r("CSQU30A4383").unwrap_err().kind(),
            ReferenceKind::Container
        );
        assert_eq!(
            r("CSQX3054383").unwrap_err().kind(),
            ReferenceKind::Container
        );
        assert_eq!(r("02012345676").unwrap_err().kind(), ReferenceKind::Awb);
        assert_eq!(
            r("25FR000000000012A2").unwrap_err().kind(),
            ReferenceKind::Mrn
        );
        assert_eq!(
            r("CHEDX.FR.2025.0001234").unwrap_err().kind(),
            ReferenceKind::Ched
        );
        assert_eq!(
            msg(r("   ")),
            "Saisissez une référence (numéro de conteneur, de LTA ou de connaissement, MRN ou référence DSCE)."
        );
        assert_eq!(r("AB/12").unwrap_err().kind(), ReferenceKind::BillOfLading);
    }

    // --- serde ------------------------------------------------------------

    #[test]
    fn serde_round_trips() {
        fn round_trip<T>(value: T, json: &str)
        where
            T: Serialize + for<'de> Deserialize<'de> + PartialEq + fmt::Debug,
        {
            assert_eq!(serde_json::to_string(&value).unwrap(), json);
            assert_eq!(serde_json::from_str::<T>(json).unwrap(), value);
        }
        round_trip(
            ContainerNumber::parse("CSQU3054383").unwrap(),
            "\"CSQU3054383\"",
        );
        round_trip(Awb::parse("020-12345675").unwrap(), "\"02012345675\"");
        round_trip(
            Mrn::parse("25FR000000000012A5").unwrap(),
            "\"25FR000000000012A5\"",
        );
        round_trip(
            ChedReference::parse("CHEDP.FR.2025.0001234V").unwrap(),
            "\"CHEDP.FR.2025.0001234V\"",
        );
        round_trip(
            BillOfLading::parse("MAEU123456789").unwrap(),
            "\"MAEU123456789\"",
        );
        round_trip(Siren::parse("732829320").unwrap(), "\"732829320\"");
        round_trip(
            Siret::parse("73282932000074").unwrap(),
            "\"73282932000074\"",
        );
        round_trip(Eori::parse("FR732829320").unwrap(), "\"FR732829320\"");
        round_trip(PostCode::parse("FRCDG4").unwrap(), "\"FRCDG4\"");
        round_trip(Locode::parse("FRLEH").unwrap(), "\"FRLEH\"");
        round_trip(
            AnyReference::recognise("CSQU3054383").unwrap(),
            "{\"kind\":\"container\",\"value\":\"CSQU3054383\"}",
        );

        // Deserialisation goes through `parse`: it normalises…
        assert_eq!(
            serde_json::from_str::<Awb>("\"020-12345675\"")
                .unwrap()
                .as_str(),
            "02012345675"
        );
        // … and refuses what is invalid, with the French message.
        let err = serde_json::from_str::<ContainerNumber>("\"CSQU3054384\"").unwrap_err();
        assert!(err
            .to_string()
            .contains("le chiffre de contrôle devrait être 3, et non 4"));
        assert!(serde_json::from_str::<Awb>("\"02012345676\"").is_err());
        assert!(serde_json::from_str::<Mrn>("\"25FR000000000012A2\"").is_err());
        assert!(serde_json::from_str::<ChedReference>("\"CHEDX.FR.2025.0001234\"").is_err());
        assert!(serde_json::from_str::<BillOfLading>("\"\"").is_err());
        assert!(serde_json::from_str::<Siren>("\"732829321\"").is_err());
        assert!(serde_json::from_str::<Siret>("\"73282932000075\"").is_err());
        assert!(serde_json::from_str::<Eori>("\"DE732829320\"").is_err());
        assert!(serde_json::from_str::<PostCode>("\"FRCDGX\"").is_err());
        assert!(serde_json::from_str::<Locode>("\"FR\"").is_err());
        assert!(serde_json::from_str::<AnyReference>(
            "{\"kind\":\"awb\",\"value\":\"02012345676\"}"
        )
        .is_err());
    }

    #[test]
    fn errors_serialise() {
        let errors = [
            ContainerNumber::parse("").unwrap_err(),
            ContainerNumber::parse("CSQU305438").unwrap_err(),
            ContainerNumber::parse("CSQX3054383").unwrap_err(),
            ContainerNumber::parse("CSQU3054384").unwrap_err(),
            Siret::parse("73282932000075").unwrap_err(),
            Siret::parse("73282932100074").unwrap_err(),
            Siret::parse("35600000000014").unwrap_err(),
            ChedReference::parse("CHEDX.FR.2025.0001234").unwrap_err(),
        ];
        for error in errors {
            let json = serde_json::to_string(&error).unwrap();
            assert_eq!(
                serde_json::from_str::<ReferenceError>(&json).unwrap(),
                error,
                "{json}"
            );
        }
        assert_eq!(
            serde_json::to_string(&ContainerNumber::parse("CSQU3054384").unwrap_err()).unwrap(),
            "{\"error\":\"check_digit\",\"kind\":\"container\",\"expected\":\"3\",\"found\":\"4\"}"
        );
    }

    // --- properties -------------------------------------------------------

    proptest! {
        #[test]
        fn recognise_generated_values(
            c in container_strategy(),
            prefix in 0u16..1000,
            serial in 0u32..10_000_000,
            m in mrn_strategy(),
            ched in ched_strategy(),
        ) {
            prop_assert_eq!(AnyReference::recognise(c.as_str()).unwrap(), AnyReference::Container(c));
            let a = Awb::from_parts(prefix, serial);
            let displayed = a.to_string();
            prop_assert_eq!(AnyReference::recognise(&displayed).unwrap(), AnyReference::Awb(a));
            prop_assert_eq!(AnyReference::recognise(m.as_str()).unwrap(), AnyReference::Mrn(m));
            prop_assert_eq!(AnyReference::recognise(ched.as_str()).unwrap(), AnyReference::Ched(ched));
        }

        /// A typo that keeps the shape (letter for letter, digit for digit)
        /// is still recognised as a container: any error is about a
        /// container, never a bill of lading accepted instead.
        #[test]
        fn recognise_keeps_container_typos(
            c in container_strategy(),
            position in 0usize..11,
            pick in 0usize..35,
        ) {
            let mut chars: Vec<char> = c.as_str().chars().collect();
            let old = chars[position];
            let same_shape = if old.is_ascii_digit() { "0123456789" } else { &ALPHABET[..26] };
            let others: Vec<char> = same_shape.chars().filter(|&x| x != old).collect();
            chars[position] = others[pick % others.len()];
            let mutated: String = chars.into_iter().collect();
            match AnyReference::recognise(&mutated) {
                Ok(r) => prop_assert_eq!(r.kind(), ReferenceKind::Container),
                Err(e) => prop_assert_eq!(e.kind(), ReferenceKind::Container),
            }
        }
    }
}
