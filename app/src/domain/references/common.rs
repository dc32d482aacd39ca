//! What the kinds of reference share: normalising the input, checking it
//! character by character against slots, the check-digit algorithms
//! (ISO 6346 for containers and MRNs, Luhn and the La Poste rule for SIREN,
//! SIRET and EORI) and the traits every reference type implements.

use super::{ReferenceError, ReferenceKind};

// ---------------------------------------------------------------------------
// Normalisation and common checks
// ---------------------------------------------------------------------------

/// Dashes that a copy-paste from a word processor or a PDF brings in place of
/// the hyphen.
pub(super) fn is_dash(c: char) -> bool {
    matches!(c, '-' | '\u{2010}'..='\u{2015}' | '\u{2212}')
}

/// Removes what only serves readability (spaces, including non-breaking ones,
/// dashes, dots) and converts to upper case. Accented letters stay as they are
/// so that the error shows what the user really typed.
pub(super) fn compact(input: &str) -> String {
    input
        .chars()
        .filter(|&c| !c.is_whitespace() && !is_dash(c) && c != '.')
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

pub(super) fn expect_length(
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

/// What is accepted at a position, and how to say so to the user.
#[derive(Clone, Copy)]
pub(super) struct Slot {
    pub(super) accepts: fn(char) -> bool,
    pub(super) expected: &'static str,
}

pub(super) fn is_letter(c: char) -> bool {
    c.is_ascii_uppercase()
}

pub(super) fn is_digit(c: char) -> bool {
    c.is_ascii_digit()
}

fn is_alnum(c: char) -> bool {
    c.is_ascii_uppercase() || c.is_ascii_digit()
}

pub(super) const LETTER: Slot = Slot {
    accepts: is_letter,
    expected: "une lettre (A à Z)",
};
pub(super) const DIGIT: Slot = Slot {
    accepts: is_digit,
    expected: "un chiffre",
};
pub(super) const ALNUM: Slot = Slot {
    accepts: is_alnum,
    expected: "une lettre (A à Z) ou un chiffre",
};
pub(super) const CHECK: Slot = Slot {
    accepts: is_digit,
    expected: "un chiffre (chiffre de contrôle)",
};

/// Checks each character of `s` against `slot_at(index)`; `offset` shifts
/// the reported positions when `s` is only part of the input.
pub(super) fn check_chars(
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

pub(super) fn compare_check_digit(
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

/// Digits of a string already checked to be purely numeric (ASCII).
pub(super) fn digits(s: &str) -> Vec<u8> {
    s.bytes().map(|b| b - b'0').collect()
}

// ---------------------------------------------------------------------------
// ISO 6346 (containers, MRN)
// ---------------------------------------------------------------------------

/// Letter values according to ISO 6346: from A = 10, skipping 11, 22 and 33.
/// Several letters remain congruent modulo 11 (A, K, U; B, L, V; etc.), which
/// limits what the check can detect (see the tests).
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

/// Weighted sum (weights 2^i) modulo 11, before 10 is folded onto 0.
pub(super) fn iso6346_remainder(s: &str) -> Option<u32> {
    let mut sum: u64 = 0;
    for (i, c) in s.chars().enumerate() {
        sum += u64::from(iso6346_value(c)?) << i;
    }
    // The remainder of a division by 11 always fits in a u32.
    Some((sum % 11) as u32)
}

fn iso6346_check_digit(s: &str, length: usize) -> Option<u8> {
    if s.chars().count() != length {
        return None;
    }
    // (remainder mod 11) mod 10: a remainder of 10 gives 0, as does a
    // remainder of 0.
    iso6346_remainder(s).map(|r| (r % 10) as u8)
}

/// ISO 6346 check digit of the first 10 characters of a container number
/// (upper-case letters A-Z and digits). `None` if the length or a character
/// does not fit; the layout (3 letters, category, 6 digits) is not checked
/// here.
pub fn container_check_digit(first10: &str) -> Option<u8> {
    iso6346_check_digit(first10, 10)
}

/// Check digit of the first 17 characters of an MRN (same algorithm as for
/// containers). `None` if the length or a character does not fit.
pub fn mrn_check_digit(first17: &str) -> Option<u8> {
    iso6346_check_digit(first17, 17)
}

// ---------------------------------------------------------------------------
// Luhn (SIREN, SIRET, EORI)
// ---------------------------------------------------------------------------

/// SIREN of La Poste, whose establishments have too many SIRETs for the Luhn
/// key to be enough: INSEE gives them a digit sum that is a multiple of 5.
pub(super) const LA_POSTE_SIREN: &str = "356000000";
/// La Poste's head office, for its part, kept a Luhn key (and its digit sum,
/// 26, is not a multiple of 5).
const LA_POSTE_HEAD_OFFICE: &str = "35600000000048";

/// Key to append to `payload` so that the whole passes the Luhn check.
pub(super) fn luhn_key(payload: &[u8]) -> u8 {
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

/// `Err((expected, found))` if the last digit is not the Luhn key.
pub(super) fn check_luhn(s: &str) -> Result<(), (char, char)> {
    let all = digits(s);
    let (last, payload) = all.split_last().expect("numéro non vide");
    let key = luhn_key(payload);
    if key == *last {
        Ok(())
    } else {
        Err((digit_char(key), digit_char(*last)))
    }
}

/// Smallest last digit that makes the sum a multiple of 5.
pub(super) fn la_poste_key(first13: &[u8]) -> u8 {
    let sum: u32 = first13.iter().map(|&d| u32::from(d)).sum();
    ((5 - sum % 5) % 5) as u8
}

/// Checks of a SIRET (14 ASCII digits, already checked), shared with the EORI,
/// which contains one.
pub(super) fn check_siret_digits(kind: ReferenceKind, s: &str) -> Result<(), ReferenceError> {
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
// Common traits
// ---------------------------------------------------------------------------

/// Conversions shared by every reference type, a tuple struct holding its
/// canonical form. Invoked in the file that declares the type, where its
/// field is visible; paths are absolute so the call site needs no imports.
macro_rules! string_reference {
    ($($name:ident),* $(,)?) => {$(
        impl $name {
            /// Canonical normalised form (upper case, without superfluous
            /// separators), the one that is stored and serialised.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::domain::references::ReferenceError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }

        impl TryFrom<String> for $name {
            type Error = $crate::domain::references::ReferenceError;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                Self::parse(&s)
            }
        }

        impl TryFrom<&str> for $name {
            type Error = $crate::domain::references::ReferenceError;
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

/// `Display` as the canonical form (every kind but the AWB, which is shown
/// with a dash after its prefix).
macro_rules! display_canonical {
    ($($name:ident),* $(,)?) => {$(
        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    )*};
}

pub(super) use display_canonical;
pub(super) use string_reference;
