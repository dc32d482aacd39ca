//! CHED references (« DSCE » in French) and their types.

use serde::{Deserialize, Serialize};

use super::common::{display_canonical, is_dash, is_digit, is_letter, string_reference};
use super::{ReferenceError, ReferenceKind};

/// Type of DSCE (« document sanitaire commun d'entrée », the common health
/// entry document, « CHED » in TRACES).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ChedType {
    A,
    P,
    PP,
    D,
}

impl ChedType {
    pub fn label(self) -> &'static str {
        match self {
            Self::A => "DSCE-A (animaux vivants)",
            Self::P => "DSCE-P (produits d'origine animale)",
            Self::PP => "DSCE-PP (végétaux)",
            Self::D => "DSCE-D (denrées et aliments d'origine non animale)",
        }
    }

    /// Code alone: `A`, `P`, `PP` or `D`.
    pub fn code(self) -> &'static str {
        match self {
            Self::A => "A",
            Self::P => "P",
            Self::PP => "PP",
            Self::D => "D",
        }
    }

    fn from_code(code: &str) -> Option<Self> {
        match code {
            "A" => Some(Self::A),
            "P" => Some(Self::P),
            "PP" => Some(Self::PP),
            "D" => Some(Self::D),
            _ => None,
        }
    }
}

/// DSCE (CHED) reference, for example `CHEDP.FR.2025.0001234`, possibly
/// followed by `V` or `R` for a split consignment (`CHEDP.FR.2025.0001234V`).
/// Only the structure is checked: there is no check digit.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ChedReference(String);

string_reference!(ChedReference);
display_canonical!(ChedReference);

const CHED_SHAPE: &str = "la référence doit avoir la forme CHEDP.FR.2025.0001234 \
     (type, code pays, année, puis numéro à 7 chiffres, séparés par des points)";

impl ChedReference {
    /// The dots of the canonical form are restored if the user typed spaces,
    /// dashes or slashes instead, or nothing at all (`CHEDPFR20250001234`):
    /// the split stays unambiguous since the country always has 2 letters and
    /// the year 4 digits.
    pub fn parse(input: &str) -> Result<Self, ReferenceError> {
        let kind = ReferenceKind::Ched;
        let format = |detail: String| ReferenceError::Format { kind, detail };
        let upper = input.to_ascii_uppercase();
        let mut tokens: Vec<String> = upper
            .split(|c: char| c == '.' || c == '/' || c.is_whitespace() || is_dash(c))
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .collect();
        if tokens.is_empty() {
            return Err(ReferenceError::Empty { kind });
        }
        // « CHED P FR … »: the type detached from the prefix.
        if tokens.len() >= 2 && tokens[0] == "CHED" {
            let ched_type = tokens.remove(1);
            tokens[0].push_str(&ched_type);
        }
        // « … 0001234 V »: the split suffix detached from the number.
        if tokens.len() == 5 && matches!(tokens[4].as_str(), "V" | "R") {
            let suffix = tokens.remove(4);
            tokens[3].push_str(&suffix);
        }
        if !tokens[0].starts_with("CHED") {
            return Err(format(
                "une référence DSCE commence par CHEDA, CHEDP, CHEDPP ou CHEDD \
                 (par exemple CHEDP.FR.2025.0001234)"
                    .to_owned(),
            ));
        }
        if tokens.len() == 1 {
            tokens = split_compact_ched(&tokens[0]).ok_or_else(|| format(CHED_SHAPE.to_owned()))?;
        }
        let [prefix, country, year, number] =
            <[String; 4]>::try_from(tokens).map_err(|_| format(CHED_SHAPE.to_owned()))?;

        if ChedType::from_code(&prefix[4..]).is_none() {
            return Err(format(format!(
                "le type « {prefix} » est inconnu ; utilisez CHEDA, CHEDP, CHEDPP ou CHEDD"
            )));
        }
        if country.len() != 2 || !country.chars().all(is_letter) {
            return Err(format(format!(
                "le code pays « {country} » doit comporter 2 lettres (par exemple FR)"
            )));
        }
        if year.len() != 4 || !year.chars().all(is_digit) {
            return Err(format(format!(
                "l'année « {year} » doit comporter 4 chiffres (par exemple 2025)"
            )));
        }
        let serial = number.strip_suffix(['V', 'R']).unwrap_or(&number);
        if serial.len() != 7 || !serial.chars().all(is_digit) {
            return Err(format(format!(
                "le numéro « {number} » doit comporter 7 chiffres (par exemple 0001234), \
                 suivis au besoin de V ou R pour un lot fractionné"
            )));
        }
        Ok(Self(format!("{prefix}.{country}.{year}.{number}")))
    }

    fn part(&self, index: usize) -> &str {
        self.0.split('.').nth(index).expect("forme vérifiée")
    }

    pub fn ched_type(&self) -> ChedType {
        ChedType::from_code(&self.part(0)[4..]).expect("type vérifié")
    }

    /// Country code (2 letters).
    pub fn country(&self) -> &str {
        self.part(1)
    }

    pub fn year(&self) -> u16 {
        self.part(2).parse().expect("chiffres vérifiés")
    }

    /// 7-digit number, without the split suffix.
    pub fn number(&self) -> &str {
        &self.part(3)[..7]
    }

    /// `V` or `R` for a split consignment.
    pub fn split_suffix(&self) -> Option<char> {
        self.part(3).chars().nth(7)
    }
}

/// Splits `CHEDPFR20250001234` into its four parts. After `CHED` come 3
/// letters (one-letter type + country) or 4 (PP + country); the rest starts
/// with the year. `None` if this split is impossible.
fn split_compact_ched(token: &str) -> Option<Vec<String>> {
    let rest = token.strip_prefix("CHED")?;
    let letters = rest.chars().take_while(char::is_ascii_uppercase).count();
    let type_length = match letters {
        3 => 1,
        4 => 2,
        _ => return None,
    };
    let digits = &rest[letters..];
    if digits.len() < 4 || !digits.is_char_boundary(4) {
        return None;
    }
    Some(vec![
        format!("CHED{}", &rest[..type_length]),
        rest[type_length..letters].to_owned(),
        digits[..4].to_owned(),
        digits[4..].to_owned(),
    ])
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{ched_strategy, msg};
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn ched_examples_and_normalisation() {
        let c = ChedReference::parse("CHEDP.FR.2025.0001234").unwrap();
        assert_eq!(c.as_str(), "CHEDP.FR.2025.0001234");
        assert_eq!(c.ched_type(), ChedType::P);
        assert_eq!(c.country(), "FR");
        assert_eq!(c.year(), 2025);
        assert_eq!(c.number(), "0001234");
        assert_eq!(c.split_suffix(), None);
        for variant in [
            " chedp.fr.2025.0001234 ",
            "CHEDP FR 2025 0001234",
            "CHEDP-FR-2025-0001234",
            "CHED P.FR.2025.0001234",
            "CHEDPFR20250001234",
            "chedp . fr . 2025 . 0001234",
        ] {
            assert_eq!(ChedReference::parse(variant).unwrap(), c, "{variant}");
        }
        let v = ChedReference::parse("chedpp.fr.2025.0001234v").unwrap();
        assert_eq!(v.as_str(), "CHEDPP.FR.2025.0001234V");
        assert_eq!(v.ched_type(), ChedType::PP);
        assert_eq!(v.number(), "0001234");
        assert_eq!(v.split_suffix(), Some('V'));
        assert_eq!(ChedReference::parse("CHEDPP FR 2025 0001234 V").unwrap(), v);
        assert_eq!(ChedReference::parse("CHEDPPFR20250001234V").unwrap(), v);
        assert_eq!(
            ChedReference::parse("CHEDA.BE.2024.0000001R")
                .unwrap()
                .ched_type(),
            ChedType::A
        );
        assert_eq!(
            ChedReference::parse("CHEDD.ES.2024.9999999")
                .unwrap()
                .ched_type(),
            ChedType::D
        );
        // Type P and country « PF » (French Polynesia), without separators.
        let pf = ChedReference::parse("CHEDPPF20250001234").unwrap();
        assert_eq!(pf.as_str(), "CHEDP.PF.2025.0001234");
    }

    #[test]
    fn ched_type_labels() {
        assert_eq!(ChedType::A.label(), "DSCE-A (animaux vivants)");
        assert_eq!(ChedType::P.label(), "DSCE-P (produits d'origine animale)");
        assert_eq!(ChedType::PP.label(), "DSCE-PP (végétaux)");
        assert_eq!(
            ChedType::D.label(),
            "DSCE-D (denrées et aliments d'origine non animale)"
        );
        assert_eq!(serde_json::to_string(&ChedType::PP).unwrap(), "\"PP\"");
        assert_eq!(
            serde_json::from_str::<ChedType>("\"D\"").unwrap(),
            ChedType::D
        );
    }

    #[test]
    fn ched_error_messages() {
        assert_eq!(
            msg(ChedReference::parse(" . ")),
            "Saisissez une référence DSCE."
        );
        assert_eq!(
            msg(ChedReference::parse("CHEDX.FR.2025.0001234")),
            "Référence DSCE : le type « CHEDX » est inconnu ; utilisez CHEDA, CHEDP, CHEDPP ou CHEDD."
        );
        assert_eq!(
            msg(ChedReference::parse("CHEDP.F1.2025.0001234")),
            "Référence DSCE : le code pays « F1 » doit comporter 2 lettres (par exemple FR)."
        );
        assert_eq!(
            msg(ChedReference::parse("CHEDP.FR.25.0001234")),
            "Référence DSCE : l'année « 25 » doit comporter 4 chiffres (par exemple 2025)."
        );
        assert_eq!(
            msg(ChedReference::parse("CHEDP.FR.2025.12345")),
            "Référence DSCE : le numéro « 12345 » doit comporter 7 chiffres (par exemple 0001234), suivis au besoin de V ou R pour un lot fractionné."
        );
        assert_eq!(
            msg(ChedReference::parse("CHEDP.FR.2025.0001234X")),
            "Référence DSCE : le numéro « 0001234X » doit comporter 7 chiffres (par exemple 0001234), suivis au besoin de V ou R pour un lot fractionné."
        );
        assert_eq!(
            msg(ChedReference::parse("IMP.FR.2025.0001234")),
            "Référence DSCE : une référence DSCE commence par CHEDA, CHEDP, CHEDPP ou CHEDD (par exemple CHEDP.FR.2025.0001234)."
        );
        assert_eq!(
            msg(ChedReference::parse("CHEDP.FR.2025")),
            "Référence DSCE : la référence doit avoir la forme CHEDP.FR.2025.0001234 (type, code pays, année, puis numéro à 7 chiffres, séparés par des points)."
        );
        assert!(ChedReference::parse("CHEDPFR2025").is_err());
        assert!(ChedReference::parse("CHEDFR20250001234").is_err());
        assert!(ChedReference::parse("CHEDP.FR.2025.0001234.X").is_err());
    }

    proptest! {
        #[test]
        fn ched_round_trip(
            c in ched_strategy(),
            lower in any::<bool>(),
            separator in prop::sample::select(vec![".", " ", " . ", "-", "/", ""]),
        ) {
            prop_assert_eq!(ChedReference::parse(c.as_str()).unwrap(), c.clone());
            let mut typed = c.as_str().replace('.', separator);
            if lower {
                typed = typed.to_lowercase();
            }
            prop_assert_eq!(ChedReference::parse(&format!(" {typed} ")).unwrap(), c);
        }
    }
}
