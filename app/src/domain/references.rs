//! Références saisies par les usagers de France Sésame : numéros de conteneur,
//! de lettre de transport aérien (LTA), MRN, références DSCE (CHED),
//! connaissements, SIREN / SIRET, EORI, codes de poste de contrôle frontalier
//! et codes de site UN/LOCODE.
//!
//! Ces numéros arrivent recopiés à la main depuis des documents papier, des
//! courriels ou des PDF : espaces, tirets, minuscules et fautes de frappe sont
//! la norme. Chaque type ci-dessous normalise la saisie puis la valide, si
//! bien qu'une valeur invalide ne peut pas exister dans le reste du code
//! (champ privé, désérialisation qui repasse par `parse`). Les erreurs sont
//! rédigées pour être montrées telles quelles à l'usager, en français, et
//! disent précisément quoi corriger.
//!
//! Le module n'utilise que `std` et `serde` : il est compilé à la fois pour le
//! serveur et pour le navigateur (wasm32), où la même validation s'exécute
//! avant l'envoi du formulaire.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

// ---------------------------------------------------------------------------
// Genres de référence et erreurs
// ---------------------------------------------------------------------------

/// Genre de référence, repris dans chaque erreur pour que le message nomme ce
/// que l'usager était en train de saisir.
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
    /// Saisie libre dont le genre reste à deviner ([`AnyReference::recognise`]) :
    /// seule une saisie vide produit ce genre, faute de savoir quoi réclamer.
    Any,
}

impl ReferenceKind {
    /// Nom du genre, en minuscules, tel qu'il s'insère dans une phrase.
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

    /// En tête de message (« Numéro de conteneur : … »).
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

    /// Sujet d'une phrase, avec l'article défini accordé.
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

    /// Complément de « Saisissez … » quand le champ est vide.
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

/// Ce qui ne va pas dans une saisie. `Display` donne une phrase en français à
/// afficher telle quelle ; les champs permettent au code d'agir autrement
/// (surligner le caractère fautif, par exemple).
///
/// Les positions comptent à partir de 1 dans la valeur normalisée (sans
/// espaces ni tirets, en majuscules), celle que `as_str` rendrait.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "error", rename_all = "snake_case")]
pub enum ReferenceError {
    /// Rien d'utile n'a été saisi.
    Empty { kind: ReferenceKind },
    /// Mauvais nombre de caractères ; `expected` décrit la forme attendue.
    Length {
        kind: ReferenceKind,
        expected: String,
        found: usize,
    },
    /// Un caractère n'a pas sa place à cette position.
    Character {
        kind: ReferenceKind,
        position: usize,
        found: char,
        expected: String,
    },
    /// Chiffre de contrôle faux (ISO 6346 pour conteneurs et MRN, modulo 7
    /// pour les LTA).
    CheckDigit {
        kind: ReferenceKind,
        expected: char,
        found: char,
    },
    /// Clé de Luhn du numéro entier (SIREN, SIRET, EORI) fausse : `expected`
    /// est le dernier chiffre qui la rendrait juste.
    LuhnKey {
        kind: ReferenceKind,
        expected: char,
        found: char,
    },
    /// Clé de Luhn du SIREN contenu dans un SIRET (ou un EORI) fausse.
    SirenKey {
        kind: ReferenceKind,
        expected: char,
        found: char,
    },
    /// SIRET d'un établissement de La Poste dont la somme des chiffres n'est
    /// pas un multiple de 5 ; deux derniers chiffres la rendraient juste.
    LaPosteKey {
        kind: ReferenceKind,
        expected: [char; 2],
        found: char,
    },
    /// Erreur de forme qui ne se réduit pas à un caractère ; `detail` est un
    /// complément de phrase en minuscules, sans point final.
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

    /// La phrase à montrer à l'usager (identique à `to_string()`).
    pub fn message(&self) -> String {
        self.to_string()
    }
}

/// « 1er », « 2e », « 3e »…
fn ordinal(n: usize) -> String {
    if n == 1 {
        "1er".to_owned()
    } else {
        format!("{n}e")
    }
}

/// Un caractère invisible entre guillemets ne dirait rien à l'usager.
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
// Normalisation et contrôles communs
// ---------------------------------------------------------------------------

/// Tirets qu'un copier-coller depuis un traitement de texte ou un PDF amène
/// à la place du trait d'union.
fn is_dash(c: char) -> bool {
    matches!(c, '-' | '\u{2010}'..='\u{2015}' | '\u{2212}')
}

/// Retire ce qui ne sert qu'à la lisibilité (espaces, y compris insécables,
/// tirets, points) et met en majuscules. Les lettres accentuées restent telles
/// quelles pour que l'erreur montre ce que l'usager a réellement tapé.
fn compact(input: &str) -> String {
    input
        .chars()
        .filter(|&c| !c.is_whitespace() && !is_dash(c) && c != '.')
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

fn expect_length(
    kind: ReferenceKind,
    s: &str,
    length: usize,
    description: &str,
) -> Result<(), ReferenceError> {
    match s.chars().count() {
        0 => Err(ReferenceError::Empty { kind }),
        n if n == length => Ok(()),
        found => Err(ReferenceError::Length {
            kind,
            expected: description.to_owned(),
            found,
        }),
    }
}

/// Ce qui est admis à une position, et comment le dire à l'usager.
#[derive(Clone, Copy)]
struct Slot {
    accepts: fn(char) -> bool,
    expected: &'static str,
}

fn is_letter(c: char) -> bool {
    c.is_ascii_uppercase()
}

fn is_digit(c: char) -> bool {
    c.is_ascii_digit()
}

fn is_alnum(c: char) -> bool {
    c.is_ascii_uppercase() || c.is_ascii_digit()
}

const LETTER: Slot = Slot {
    accepts: is_letter,
    expected: "une lettre (A à Z)",
};
const DIGIT: Slot = Slot {
    accepts: is_digit,
    expected: "un chiffre",
};
const ALNUM: Slot = Slot {
    accepts: is_alnum,
    expected: "une lettre (A à Z) ou un chiffre",
};
const CHECK: Slot = Slot {
    accepts: is_digit,
    expected: "un chiffre (chiffre de contrôle)",
};

/// Vérifie chaque caractère de `s` contre `slot_at(index)` ; `offset` décale
/// les positions annoncées quand `s` n'est qu'une partie de la saisie.
fn check_chars(
    kind: ReferenceKind,
    s: &str,
    offset: usize,
    slot_at: impl Fn(usize) -> Slot,
) -> Result<(), ReferenceError> {
    for (index, c) in s.chars().enumerate() {
        let slot = slot_at(index);
        if !(slot.accepts)(c) {
            return Err(ReferenceError::Character {
                kind,
                position: offset + index + 1,
                found: c,
                expected: slot.expected.to_owned(),
            });
        }
    }
    Ok(())
}

fn digit_char(d: u8) -> char {
    char::from(b'0' + d)
}

fn compare_check_digit(
    kind: ReferenceKind,
    expected: u8,
    found: char,
) -> Result<(), ReferenceError> {
    if found.to_digit(10) == Some(u32::from(expected)) {
        Ok(())
    } else {
        Err(ReferenceError::CheckDigit {
            kind,
            expected: digit_char(expected),
            found,
        })
    }
}

/// Chiffres d'une chaîne déjà vérifiée comme purement numérique (ASCII).
fn digits(s: &str) -> Vec<u8> {
    s.bytes().map(|b| b - b'0').collect()
}

// ---------------------------------------------------------------------------
// ISO 6346 (conteneurs, MRN)
// ---------------------------------------------------------------------------

/// Valeurs des lettres selon ISO 6346 : à partir de A = 10, en sautant 11, 22
/// et 33. Plusieurs lettres restent congrues modulo 11 (A, K, U ; B, L, V ;
/// etc.), ce qui limite ce que le contrôle peut détecter (voir les tests).
const LETTER_VALUES: [u32; 26] = [
    10, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 34, 35, 36,
    37, 38,
];

fn iso6346_value(c: char) -> Option<u32> {
    match c {
        '0'..='9' => c.to_digit(10),
        'A'..='Z' => Some(LETTER_VALUES[(c as usize) - ('A' as usize)]),
        _ => None,
    }
}

/// Somme pondérée (poids 2^i) modulo 11, avant le repli de 10 sur 0.
fn iso6346_remainder(s: &str) -> Option<u32> {
    let mut sum: u64 = 0;
    for (i, c) in s.chars().enumerate() {
        sum += u64::from(iso6346_value(c)?) << i;
    }
    // Le reste d'une division par 11 tient toujours dans un u32.
    Some((sum % 11) as u32)
}

fn iso6346_check_digit(s: &str, length: usize) -> Option<u8> {
    if s.chars().count() != length {
        return None;
    }
    // (reste mod 11) mod 10 : un reste de 10 donne 0, comme un reste de 0.
    iso6346_remainder(s).map(|r| (r % 10) as u8)
}

/// Chiffre de contrôle ISO 6346 des 10 premiers caractères d'un numéro de
/// conteneur (lettres A-Z majuscules et chiffres). `None` si la longueur ou un
/// caractère ne convient pas ; la disposition (3 lettres, catégorie, 6
/// chiffres) n'est pas vérifiée ici.
pub fn container_check_digit(first10: &str) -> Option<u8> {
    iso6346_check_digit(first10, 10)
}

/// Chiffre de contrôle des 17 premiers caractères d'un MRN (même algorithme
/// que les conteneurs). `None` si la longueur ou un caractère ne convient pas.
pub fn mrn_check_digit(first17: &str) -> Option<u8> {
    iso6346_check_digit(first17, 17)
}

// ---------------------------------------------------------------------------
// Luhn (SIREN, SIRET, EORI)
// ---------------------------------------------------------------------------

/// SIREN de La Poste, dont les établissements ont trop de SIRET pour que la
/// clé de Luhn suffise : l'INSEE leur applique une somme multiple de 5.
const LA_POSTE_SIREN: &str = "356000000";
/// Le siège de La Poste, lui, a gardé une clé de Luhn (et sa somme de
/// chiffres, 26, n'est pas un multiple de 5).
const LA_POSTE_HEAD_OFFICE: &str = "35600000000048";

/// Clé à ajouter à `payload` pour que l'ensemble vérifie Luhn.
fn luhn_key(payload: &[u8]) -> u8 {
    let sum: u32 = payload
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            let d = u32::from(d);
            if i % 2 == 0 {
                let doubled = d * 2;
                if doubled > 9 {
                    doubled - 9
                } else {
                    doubled
                }
            } else {
                d
            }
        })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

/// `Err((attendu, trouvé))` si le dernier chiffre n'est pas la clé de Luhn.
fn check_luhn(s: &str) -> Result<(), (char, char)> {
    let all = digits(s);
    let (last, payload) = all.split_last().expect("numéro non vide");
    let key = luhn_key(payload);
    if key == *last {
        Ok(())
    } else {
        Err((digit_char(key), digit_char(*last)))
    }
}

/// Plus petit dernier chiffre qui rend la somme multiple de 5.
fn la_poste_key(first13: &[u8]) -> u8 {
    let sum: u32 = first13.iter().map(|&d| u32::from(d)).sum();
    ((5 - sum % 5) % 5) as u8
}

/// Contrôles d'un SIRET (14 chiffres ASCII déjà vérifiés), partagés avec
/// l'EORI qui en contient un.
fn check_siret_digits(kind: ReferenceKind, s: &str) -> Result<(), ReferenceError> {
    check_luhn(&s[..9]).map_err(|(expected, found)| ReferenceError::SirenKey {
        kind,
        expected,
        found,
    })?;
    if s.starts_with(LA_POSTE_SIREN) && s != LA_POSTE_HEAD_OFFICE {
        let all = digits(s);
        let low = la_poste_key(&all[..13]);
        let last = all[13];
        if last % 5 == low {
            Ok(())
        } else {
            Err(ReferenceError::LaPosteKey {
                kind,
                expected: [digit_char(low), digit_char(low + 5)],
                found: digit_char(last),
            })
        }
    } else {
        check_luhn(s).map_err(|(expected, found)| ReferenceError::LuhnKey {
            kind,
            expected,
            found,
        })
    }
}

// ---------------------------------------------------------------------------
// Traits communs
// ---------------------------------------------------------------------------

macro_rules! string_reference {
    ($($name:ident),* $(,)?) => {$(
        impl $name {
            /// Forme canonique normalisée (majuscules, sans séparateurs
            /// superflus), celle qui est stockée et sérialisée.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl FromStr for $name {
            type Err = ReferenceError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }

        impl TryFrom<String> for $name {
            type Error = ReferenceError;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                Self::parse(&s)
            }
        }

        impl TryFrom<&str> for $name {
            type Error = ReferenceError;
            fn try_from(s: &str) -> Result<Self, Self::Error> {
                Self::parse(s)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    )*};
}

macro_rules! display_canonical {
    ($($name:ident),* $(,)?) => {$(
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    )*};
}

string_reference!(
    ContainerNumber,
    Awb,
    Mrn,
    ChedReference,
    BillOfLading,
    Siren,
    Siret,
    Eori,
    PostCode,
    Locode,
);

display_canonical!(
    ContainerNumber,
    Mrn,
    ChedReference,
    BillOfLading,
    Siren,
    Siret,
    Eori,
    PostCode,
    Locode,
);

// ---------------------------------------------------------------------------
// Conteneur (ISO 6346)
// ---------------------------------------------------------------------------

/// Numéro de conteneur ISO 6346, par exemple `CSQU3054383` : code
/// propriétaire (3 lettres), catégorie (U, J ou Z), numéro de série (6
/// chiffres) et chiffre de contrôle.
///
/// Les numéros dont la somme pondérée vaut 10 modulo 11 (chiffre de contrôle
/// 0) sont acceptés : la norme recommande seulement de ne pas les attribuer,
/// et refuser un conteneur réel au poste frontalier coûterait plus cher que
/// de laisser passer ce cas.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ContainerNumber(String);

const CATEGORY: Slot = Slot {
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

    /// Construit un numéro en calculant son chiffre de contrôle (données de
    /// démonstration, tests). `serial` doit être inférieur à 1 000 000.
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

    /// Code propriétaire (3 lettres), par exemple `CSQ`.
    pub fn owner_code(&self) -> &str {
        &self.0[..3]
    }

    /// Catégorie d'équipement : U, J ou Z.
    pub fn category(&self) -> char {
        self.0.as_bytes()[3] as char
    }

    /// Numéro de série (6 chiffres).
    pub fn serial(&self) -> &str {
        &self.0[4..10]
    }

    pub fn check_digit(&self) -> u8 {
        self.0.as_bytes()[10] - b'0'
    }
}

// ---------------------------------------------------------------------------
// Lettre de transport aérien
// ---------------------------------------------------------------------------

/// Numéro de lettre de transport aérien (LTA, « air waybill »), stocké sous
/// la forme `02012345675` et affiché `020-12345675` : préfixe de la compagnie
/// (3 chiffres), numéro de série (7 chiffres), chiffre de contrôle (série
/// modulo 7). Le préfixe n'entre pas dans le contrôle.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Awb(String);

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

    /// Construit un numéro en calculant son chiffre de contrôle.
    ///
    /// # Panics
    /// Si `prefix` ≥ 1000 ou `serial` ≥ 10 000 000 : ce sont des erreurs de
    /// programmation, pas de saisie.
    pub fn from_parts(prefix: u16, serial: u32) -> Self {
        assert!(prefix < 1000, "préfixe de LTA sur 3 chiffres : {prefix}");
        assert!(
            serial < 10_000_000,
            "série de LTA sur 7 chiffres : {serial}"
        );
        Self(format!("{prefix:03}{serial:07}{}", serial % 7))
    }

    /// Préfixe de la compagnie aérienne (3 chiffres), par exemple `020`.
    pub fn prefix(&self) -> &str {
        &self.0[..3]
    }

    /// Numéro de série sans le chiffre de contrôle (7 chiffres).
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

// ---------------------------------------------------------------------------
// MRN
// ---------------------------------------------------------------------------

/// Numéro de référence d'une déclaration en douane (MRN), 18 caractères :
/// année (2 chiffres), pays (2 lettres), 12 lettres ou chiffres, lettre de
/// procédure, chiffre de contrôle (ISO 6346 sur les 17 premiers caractères).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Mrn(String);

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

    /// Construit un MRN en calculant son chiffre de contrôle.
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
        // Un caractère hors alphabet n'a pas de chiffre de contrôle : `parse`
        // le signalera alors avec sa position, avant même de regarder le 18e.
        let check = mrn_check_digit(&first17).unwrap_or(0);
        Self::parse(&format!("{first17}{check}"))
    }

    /// Année sur 2 chiffres (25 pour 2025).
    pub fn year(&self) -> u8 {
        self.0[..2].parse().expect("chiffres vérifiés")
    }

    /// Code pays (2 lettres).
    pub fn country(&self) -> &str {
        &self.0[2..4]
    }

    /// Lettre de procédure (17e caractère).
    pub fn procedure(&self) -> char {
        self.0.as_bytes()[16] as char
    }
}

// ---------------------------------------------------------------------------
// Référence DSCE (CHED)
// ---------------------------------------------------------------------------

/// Type de DSCE (document sanitaire commun d'entrée, « CHED » dans TRACES).
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

    /// Code seul : `A`, `P`, `PP` ou `D`.
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

/// Référence DSCE, par exemple `CHEDP.FR.2025.0001234`, éventuellement
/// suivie de `V` ou `R` pour un lot fractionné (`CHEDP.FR.2025.0001234V`).
/// Seule la structure est vérifiée : il n'existe pas de chiffre de contrôle.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ChedReference(String);

const CHED_SHAPE: &str = "la référence doit avoir la forme CHEDP.FR.2025.0001234 \
     (type, code pays, année, puis numéro à 7 chiffres, séparés par des points)";

impl ChedReference {
    /// Les points de la forme canonique sont rétablis si l'usager a mis des
    /// espaces, des tirets ou des barres obliques à la place, ou rien du tout
    /// (`CHEDPFR20250001234`) : le découpage reste sans ambiguïté puisque le
    /// pays a toujours 2 lettres et l'année 4 chiffres.
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
        // « CHED P FR … » : le type détaché du préfixe.
        if tokens.len() >= 2 && tokens[0] == "CHED" {
            let ched_type = tokens.remove(1);
            tokens[0].push_str(&ched_type);
        }
        // « … 0001234 V » : le suffixe de fractionnement détaché du numéro.
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

    /// Code pays (2 lettres).
    pub fn country(&self) -> &str {
        self.part(1)
    }

    pub fn year(&self) -> u16 {
        self.part(2).parse().expect("chiffres vérifiés")
    }

    /// Numéro à 7 chiffres, sans le suffixe de fractionnement.
    pub fn number(&self) -> &str {
        &self.part(3)[..7]
    }

    /// `V` ou `R` pour un lot fractionné.
    pub fn split_suffix(&self) -> Option<char> {
        self.part(3).chars().nth(7)
    }
}

/// Découpe `CHEDPFR20250001234` en ses quatre parties. Après `CHED` viennent
/// 3 lettres (type d'une lettre + pays) ou 4 (PP + pays) ; le reste commence
/// par l'année. `None` si ce découpage est impossible.
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

// ---------------------------------------------------------------------------
// Connaissement
// ---------------------------------------------------------------------------

/// Numéro de connaissement maritime (« bill of lading ») : format propre à
/// chaque armateur, donc seulement 1 à 35 lettres ou chiffres.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct BillOfLading(String);

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

// ---------------------------------------------------------------------------
// SIREN, SIRET, EORI
// ---------------------------------------------------------------------------

/// Numéro SIREN d'une entreprise : 9 chiffres dont le dernier est une clé de
/// Luhn.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Siren(String);

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

    /// Complète les 8 premiers chiffres par leur clé de Luhn.
    ///
    /// # Panics
    /// Si `first8` ≥ 100 000 000.
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

/// Numéro SIRET d'un établissement : SIREN (9 chiffres) puis NIC (5
/// chiffres). Clé de Luhn sur les 14 chiffres, sauf pour les établissements
/// de La Poste (somme des chiffres multiple de 5, siège excepté).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Siret(String);

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

    /// Complète SIREN + 4 premiers chiffres du NIC par la clé qui rend le
    /// SIRET valide (Luhn, ou somme multiple de 5 pour La Poste).
    ///
    /// # Panics
    /// Si `nic4` ≥ 10 000.
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

    /// Numéro interne de classement de l'établissement (5 chiffres).
    pub fn nic(&self) -> &str {
        &self.0[9..]
    }
}

/// Numéro EORI français : `FR` suivi du SIREN (9 chiffres) ou, pour les
/// numéros anciens, du SIRET (14 chiffres). Les EORI d'autres pays ne sont
/// pas acceptés : la plateforme ne traite que des opérateurs établis en
/// France.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Eori(String);

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

    /// Le SIRET, pour les numéros anciens qui le contiennent.
    pub fn siret(&self) -> Option<Siret> {
        (self.0.len() == 16).then(|| Siret(self.0[2..].to_owned()))
    }
}

// ---------------------------------------------------------------------------
// Poste de contrôle frontalier, site UN/LOCODE
// ---------------------------------------------------------------------------

/// Code d'un poste de contrôle frontalier (PCF) : UN/LOCODE du lieu suivi
/// d'un chiffre qui distingue les postes d'un même lieu, par exemple `FRCDG4`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PostCode(String);

fn locode_slot(index: usize) -> Slot {
    if index < 2 {
        LETTER
    } else {
        ALNUM
    }
}

impl PostCode {
    pub fn parse(input: &str) -> Result<Self, ReferenceError> {
        let kind = ReferenceKind::Post;
        let s = compact(input);
        expect_length(
            kind,
            &s,
            6,
            "6 caractères (2 lettres du pays, 3 lettres ou chiffres du lieu et 1 chiffre, \
             par exemple FRCDG4)",
        )?;
        check_chars(kind, &s, 0, |i| if i == 5 { DIGIT } else { locode_slot(i) })?;
        Ok(Self(s))
    }

    /// Code pays (2 lettres).
    pub fn country(&self) -> &str {
        &self.0[..2]
    }

    /// Le lieu du poste, par exemple `FRCDG` pour `FRCDG4`.
    pub fn locode(&self) -> Locode {
        Locode(self.0[..5].to_owned())
    }
}

/// Code UN/LOCODE d'un site : pays (2 lettres) et lieu (3 lettres ou
/// chiffres), par exemple `FRLEH`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Locode(String);

impl Locode {
    pub fn parse(input: &str) -> Result<Self, ReferenceError> {
        let kind = ReferenceKind::Site;
        let s = compact(input);
        expect_length(
            kind,
            &s,
            5,
            "5 caractères (2 lettres du pays et 3 lettres ou chiffres du lieu, par exemple FRLEH)",
        )?;
        check_chars(kind, &s, 0, locode_slot)?;
        Ok(Self(s))
    }

    /// Code pays (2 lettres).
    pub fn country(&self) -> &str {
        &self.0[..2]
    }

    /// Code du lieu (3 caractères).
    pub fn location(&self) -> &str {
        &self.0[2..]
    }
}

// ---------------------------------------------------------------------------
// Reconnaissance d'une référence de transport ou de douane
// ---------------------------------------------------------------------------

/// Référence de lot saisie dans un champ unique (« conteneur, LTA, MRN,
/// DSCE ou connaissement »).
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
    /// Devine le genre d'après la FORME de la saisie, puis la valide comme
    /// telle : une faute de frappe dans un numéro de conteneur doit être
    /// signalée comme une erreur de conteneur, et non acceptée en silence
    /// comme un connaissement (dont le format est libre).
    ///
    /// Règles, sur la saisie compactée (sans espaces, tirets ni points, en
    /// majuscules), dans cet ordre :
    /// 1. 10 à 12 caractères dont 4 lettres puis uniquement des chiffres, ou
    ///    11 caractères dont 3 lettres suivies de U, J ou Z → conteneur (la
    ///    longueur tolérée fait signaler un chiffre oublié ou en trop comme
    ///    une erreur de conteneur). Testé avant `CHED` parce que le code
    ///    propriétaire `CHE` suivi de la catégorie tapée `D` par erreur
    ///    (`CHED3054383`) est une faute de conteneur, alors qu'une référence
    ///    DSCE a toujours au moins 5 lettres en tête ;
    /// 2. commence par `CHED` → référence DSCE (analysée sur la saisie
    ///    d'origine, qui garde ses séparateurs) ;
    /// 3. exactement 11 chiffres → LTA ;
    /// 4. 18 caractères commençant par 2 chiffres puis 2 lettres → MRN ;
    /// 5. sinon → connaissement.
    ///
    /// Limites assumées : un connaissement qui a la forme d'un conteneur
    /// (certains armateurs utilisent leur code propriétaire suivi de
    /// 7 chiffres, comme `MEDU1234567`) ou de 11 chiffres sera lu comme un
    /// conteneur ou une LTA, et refusé si son « chiffre de contrôle » ne
    /// concorde pas ; l'appelant qui sait qu'il attend un connaissement
    /// appelle directement [`BillOfLading::parse`]. Une faute qui change la
    /// forme (un chiffre tapé dans le code propriétaire d'un conteneur) fait
    /// tomber la saisie dans une autre règle.
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

    /// Forme canonique de la référence contenue.
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn msg<T: fmt::Debug>(result: Result<T, ReferenceError>) -> String {
        result
            .expect_err("la saisie devrait être refusée")
            .to_string()
    }

    // --- conteneurs -------------------------------------------------------

    #[test]
    fn container_known_examples() {
        let c = ContainerNumber::parse("CSQU3054383").unwrap();
        assert_eq!(c.as_str(), "CSQU3054383");
        assert_eq!(c.owner_code(), "CSQ");
        assert_eq!(c.category(), 'U');
        assert_eq!(c.serial(), "305438");
        assert_eq!(c.check_digit(), 3);
        // Vérifiés avec un calcul indépendant de ce module.
        assert!(ContainerNumber::parse("MSCU1234566").is_ok());
        assert!(ContainerNumber::parse("TGHU1234567").is_ok());
        // « MSCU6639871 » circule comme exemple, mais calculé avec A = 0 ;
        // selon ISO 6346 le chiffre est 0.
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

    /// Documente, sur des exemples fixes, ce que le chiffre de contrôle
    /// ISO 6346 ne peut pas voir (voir aussi la propriété de substitution).
    #[test]
    fn container_check_digit_blind_spots() {
        // C (13) et M (24) sont congrus modulo 11 : échanger l'un contre
        // l'autre dans le code propriétaire ne change pas la somme.
        assert!(ContainerNumber::parse("CSQU3054383").is_ok());
        assert!(ContainerNumber::parse("MSQU3054383").is_ok());
        // Sommes 0 et 10 modulo 11 : toutes deux donnent le chiffre 0, donc
        // une faute qui fait passer de l'une à l'autre passe inaperçue.
        assert_eq!(iso6346_remainder("CSQU000009"), Some(0));
        assert_eq!(iso6346_remainder("CSQU200009"), Some(10));
        assert!(ContainerNumber::parse("CSQU0000090").is_ok());
        assert!(ContainerNumber::parse("CSQU2000090").is_ok());
    }

    // --- LTA --------------------------------------------------------------

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
        // Le préfixe n'est pas couvert, et 1 → 8 dans la série change la
        // valeur de 7 000 000, multiple de 7.
        assert!(Awb::parse("02112345675").is_ok());
        assert!(Awb::parse("02082345675").is_ok());
    }

    // --- MRN --------------------------------------------------------------

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

    // --- DSCE -------------------------------------------------------------

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
        // Type P et pays « PF » (Polynésie française), sans séparateurs.
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

    // --- connaissement ----------------------------------------------------

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

    // --- SIREN, SIRET, EORI -----------------------------------------------

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
        // Siège : clé de Luhn, somme des chiffres 26.
        let head = Siret::parse("35600000000048").unwrap();
        assert_eq!(head.siren().as_str(), "356000000");
        // Établissements : somme des chiffres multiple de 5, Luhn ignoré.
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

    // --- PCF, UN/LOCODE ---------------------------------------------------

    #[test]
    fn post_and_site_codes() {
        let p = PostCode::parse("fr-cdg-4").unwrap();
        assert_eq!(p.as_str(), "FRCDG4");
        assert_eq!(p.country(), "FR");
        assert_eq!(p.locode().as_str(), "FRCDG");
        assert!(PostCode::parse("FRLEH1").is_ok());
        assert_eq!(
            msg(PostCode::parse("")),
            "Saisissez le code du poste de contrôle frontalier."
        );
        assert_eq!(
            msg(PostCode::parse("FRCDGX")),
            "Code du poste de contrôle frontalier : le 6e caractère doit être un chiffre, et non « X »."
        );
        assert_eq!(
            msg(PostCode::parse("FRCDG")),
            "Le code du poste de contrôle frontalier doit comporter 6 caractères (2 lettres du pays, 3 lettres ou chiffres du lieu et 1 chiffre, par exemple FRCDG4) ; 5 saisis."
        );
        let l = Locode::parse(" fr leh ").unwrap();
        assert_eq!(l.as_str(), "FRLEH");
        assert_eq!(l.country(), "FR");
        assert_eq!(l.location(), "LEH");
        assert_eq!(
            msg(Locode::parse("F1LEH")),
            "Code du site (UN/LOCODE) : le 2e caractère doit être une lettre (A à Z), et non « 1 »."
        );
        assert_eq!(
            msg(Locode::parse("FRLEHA")),
            "Le code du site (UN/LOCODE) doit comporter 5 caractères (2 lettres du pays et 3 lettres ou chiffres du lieu, par exemple FRLEH) ; 6 saisis."
        );
        assert_eq!(
            msg(Locode::parse("")),
            "Saisissez le code du site (UN/LOCODE)."
        );
    }

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

    // --- reconnaissance ---------------------------------------------------

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
        // Une faute sur un conteneur reste une erreur de conteneur.
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

        // La désérialisation passe par `parse` : elle normalise…
        assert_eq!(
            serde_json::from_str::<Awb>("\"020-12345675\"")
                .unwrap()
                .as_str(),
            "02012345675"
        );
        // … et refuse ce qui est invalide, avec le message français.
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

    // --- propriétés -------------------------------------------------------

    const ALPHABET: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    /// Séparateurs qu'un usager insère : rien (le plus souvent), espace,
    /// tiret, point, espace insécable, tiret demi-cadratin.
    const SEPARATORS: [&str; 8] = ["", "", "", " ", "-", ".", "\u{a0}", "\u{2013}"];

    /// Réécrit `canonical` comme un usager pourrait le taper : casse mêlée et
    /// séparateurs au hasard, espaces autour.
    fn decorate(canonical: &str, noise: &[(bool, usize)]) -> String {
        let mut out = String::from("  ");
        for (c, &(lower, separator)) in canonical.chars().zip(noise.iter().cycle()) {
            out.push(if lower { c.to_ascii_lowercase() } else { c });
            out.push_str(SEPARATORS[separator % SEPARATORS.len()]);
        }
        out.push('\t');
        out
    }

    fn noise() -> impl Strategy<Value = Vec<(bool, usize)>> {
        prop::collection::vec((any::<bool>(), 0..SEPARATORS.len()), 1..40)
    }

    /// Remplace le caractère `position` par un autre caractère de
    /// l'alphabet A-Z0-9, choisi par `pick` ; rend (ancien, nouveau, texte).
    fn substitute(s: &str, position: usize, pick: usize) -> (char, char, String) {
        let mut chars: Vec<char> = s.chars().collect();
        let old = chars[position];
        let others: Vec<char> = ALPHABET.chars().filter(|&c| c != old).collect();
        let new = others[pick % others.len()];
        chars[position] = new;
        (old, new, chars.into_iter().collect())
    }

    /// Caractères de même valeur modulo 11 selon ISO 6346, écrits à la main
    /// (et non recalculés par le code testé) : chiffre d, puis les lettres
    /// valant d, d + 11, d + 22 ou d + 33.
    const MOD11_CLASSES: [&str; 11] = [
        "0", "1BLV", "2CMW", "3DNX", "4EOY", "5FPZ", "6GQ", "7HR", "8IS", "9JT", "AKU",
    ];

    fn same_mod11_class(a: char, b: char) -> bool {
        MOD11_CLASSES
            .iter()
            .any(|class| class.contains(a) && class.contains(b))
    }

    fn container_strategy() -> impl Strategy<Value = ContainerNumber> {
        (
            "[A-Z]{3}",
            prop::sample::select(vec!['U', 'J', 'Z']),
            0u32..1_000_000,
        )
            .prop_map(|(owner, category, serial)| {
                ContainerNumber::from_parts(&owner, category, serial).unwrap()
            })
    }

    fn mrn_strategy() -> impl Strategy<Value = Mrn> {
        (0u8..100, "[A-Z]{2}", "[A-Z0-9]{12}", "[A-Z]").prop_map(
            |(year, country, body, procedure)| {
                Mrn::from_parts(year, &country, &body, procedure.chars().next().unwrap()).unwrap()
            },
        )
    }

    fn siren_strategy() -> impl Strategy<Value = Siren> {
        prop_oneof![
            9 => (0u32..100_000_000).prop_map(Siren::from_base),
            1 => Just(Siren::parse(LA_POSTE_SIREN).unwrap()),
        ]
    }

    fn ched_strategy() -> impl Strategy<Value = ChedReference> {
        (
            prop::sample::select(vec!["A", "P", "PP", "D"]),
            "[A-Z]{2}",
            0u16..10_000,
            0u32..10_000_000,
            prop::sample::select(vec!["", "V", "R"]),
        )
            .prop_map(|(ched_type, country, year, number, suffix)| {
                ChedReference::parse(&format!(
                    "CHED{ched_type}.{country}.{year:04}.{number:07}{suffix}"
                ))
                .unwrap()
            })
    }

    proptest! {
        // --- tout ce qui est construit se relit à l'identique --------------

        #[test]
        fn container_round_trip(c in container_strategy(), noise in noise()) {
            prop_assert_eq!(ContainerNumber::parse(c.as_str()).unwrap(), c.clone());
            prop_assert_eq!(ContainerNumber::parse(&decorate(c.as_str(), &noise)).unwrap(), c);
        }

        #[test]
        fn awb_round_trip(prefix in 0u16..1000, serial in 0u32..10_000_000, noise in noise()) {
            let a = Awb::from_parts(prefix, serial);
            prop_assert_eq!(Awb::parse(a.as_str()).unwrap(), a.clone());
            // L'affichage (020-12345675) diffère de la forme canonique.
            let displayed = a.to_string();
            prop_assert_eq!(Awb::parse(&displayed).unwrap(), a.clone());
            prop_assert_eq!(Awb::parse(&decorate(&displayed, &noise)).unwrap(), a);
        }

        #[test]
        fn mrn_round_trip(m in mrn_strategy(), noise in noise()) {
            prop_assert_eq!(Mrn::parse(m.as_str()).unwrap(), m.clone());
            prop_assert_eq!(Mrn::parse(&decorate(m.as_str(), &noise)).unwrap(), m);
        }

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

        #[test]
        fn bill_of_lading_round_trip(b in "[A-Z0-9]{1,35}", noise in noise()) {
            let parsed = BillOfLading::parse(&decorate(&b, &noise)).unwrap();
            prop_assert_eq!(parsed.as_str(), b.as_str());
        }

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

        #[test]
        fn post_and_site_round_trip(code in "[A-Z]{2}[A-Z0-9]{3}[0-9]", noise in noise()) {
            let post = PostCode::parse(&decorate(&code, &noise)).unwrap();
            prop_assert_eq!(post.as_str(), code.as_str());
            let site = Locode::parse(&decorate(&code[..5], &noise)).unwrap();
            prop_assert_eq!(post.locode(), site);
        }

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

        // --- substitution d'un caractère ------------------------------------
        //
        // « Toute substitution d'un caractère est refusée » est FAUX pour les
        // trois algorithmes ; ces propriétés énoncent exactement ce qui est
        // vrai, et vérifient dans les deux sens (refus ET acceptation).
        //
        // ISO 6346 (conteneurs, MRN) : les poids 2^i ne sont jamais multiples
        // de 11, donc une substitution change la somme modulo 11 sauf si
        // l'ancien et le nouveau caractère ont la même valeur modulo 11
        // (MOD11_CLASSES : A/K/U, B/L/V, 1/B/L/V…). Ensuite, le repli
        // « reste 10 → chiffre 0 » confond les restes 0 et 10 : quand le
        // chiffre de contrôle vaut 0, une substitution qui fait passer de
        // l'un à l'autre passe aussi inaperçue (exemple fixe dans
        // container_check_digit_blind_spots). Pour un chiffre de contrôle de
        // 1 à 9, rien d'autre n'échappe au contrôle.

        /// Conteneur : une substitution est acceptée si et seulement si elle
        /// remplace une lettre du code propriétaire par une lettre de même
        /// valeur modulo 11 (la catégorie U/J/Z et les chiffres n'ont pas de
        /// telles paires), sauf le cas du chiffre de contrôle 0 ci-dessus,
        /// où seule l'implication « même classe ⇒ acceptée » est vérifiée.
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

        /// MRN : même règle, mais les positions 5 à 16 admettent lettres ET
        /// chiffres, d'où des confusions chiffre/lettre (1 ↔ B, L, V ; 2 ↔
        /// C, M, W…) en plus des confusions entre lettres.
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

        /// LTA : le contrôle (série modulo 7) ne couvre pas le préfixe, et un
        /// chiffre de la série qui varie de 7 (0 ↔ 7, 1 ↔ 8, 2 ↔ 9) change la
        /// série d'un multiple de 7. Exactement ces substitutions passent,
        /// pour toutes les LTA.
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

        /// Luhn détecte toute substitution d'un chiffre : celle-ci, sans
        /// exception, est refusée pour les SIREN et les SIRET hors La Poste
        /// (dont la somme modulo 5 laisse passer un chiffre changé de 5).
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

        /// Une faute qui garde la forme (lettre pour lettre, chiffre pour
        /// chiffre) reste reconnue comme un conteneur : l'erreur éventuelle
        /// parle de conteneur, jamais d'un connaissement accepté.
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
