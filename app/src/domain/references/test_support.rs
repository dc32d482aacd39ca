//! Test helpers shared by the tests of several kinds of reference: error
//! messages, inputs typed the way users type them, single-character
//! substitutions, and generators of valid references.
//!
//! On single-character substitutions: « every substitution of one character
//! is refused » is FALSE for all three algorithms (ISO 6346, modulo 7, Luhn);
//! the substitution properties next to each kind state exactly what is true,
//! and check both ways (refusal AND acceptance).
//!
//! ISO 6346 (containers, MRN): the weights 2^i are never multiples of 11, so
//! a substitution changes the sum modulo 11 unless the old and the new
//! character have the same value modulo 11 (`MOD11_CLASSES`: A/K/U, B/L/V,
//! 1/B/L/V…). Then, the fold « remainder 10 → digit 0 » confuses remainders 0
//! and 10: when the check digit is 0, a substitution that moves from one to
//! the other also goes unnoticed (fixed example in
//! `container_check_digit_blind_spots`). For a check digit from 1 to 9,
//! nothing else escapes the check.

use proptest::prelude::*;
use std::fmt;

use super::{ChedReference, ContainerNumber, Mrn, ReferenceError};

pub(super) fn msg<T: fmt::Debug>(result: Result<T, ReferenceError>) -> String {
    result
        .expect_err("la saisie devrait être refusée")
        .to_string()
}

pub(super) const ALPHABET: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/// Separators a user inserts: nothing (most often), space, dash, dot,
/// non-breaking space, en dash.
const SEPARATORS: [&str; 8] = ["", "", "", " ", "-", ".", "\u{a0}", "\u{2013}"];

/// Rewrites `canonical` as a user might type it: mixed case and random
/// separators, spaces around.
pub(super) fn decorate(canonical: &str, noise: &[(bool, usize)]) -> String {
    let mut out = String::from("  ");
    for (c, &(lower, separator)) in canonical.chars().zip(noise.iter().cycle()) {
        out.push(if lower { c.to_ascii_lowercase() } else { c });
        out.push_str(SEPARATORS[separator % SEPARATORS.len()]);
    }
    out.push('\t');
    out
}

pub(super) fn noise() -> impl Strategy<Value = Vec<(bool, usize)>> {
    prop::collection::vec((any::<bool>(), 0..SEPARATORS.len()), 1..40)
}

/// Replaces the character at `position` with another character of the
/// alphabet A-Z0-9, chosen by `pick`; returns (old, new, text).
pub(super) fn substitute(s: &str, position: usize, pick: usize) -> (char, char, String) {
    let mut chars: Vec<char> = s.chars().collect();
    let old = chars[position];
    let others: Vec<char> = ALPHABET.chars().filter(|&c| c != old).collect();
    let new = others[pick % others.len()];
    chars[position] = new;
    (old, new, chars.into_iter().collect())
}

/// Characters with the same value modulo 11 according to ISO 6346, written
/// by hand (and not recomputed by the code under test): digit d, then the
/// letters worth d, d + 11, d + 22 or d + 33.
const MOD11_CLASSES: [&str; 11] = [
    "0", "1BLV", "2CMW", "3DNX", "4EOY", "5FPZ", "6GQ", "7HR", "8IS", "9JT", "AKU",
];

pub(super) fn same_mod11_class(a: char, b: char) -> bool {
    MOD11_CLASSES
        .iter()
        .any(|class| class.contains(a) && class.contains(b))
}

pub(super) fn container_strategy() -> impl Strategy<Value = ContainerNumber> {
    (
        "[A-Z]{3}",
        prop::sample::select(vec!['U', 'J', 'Z']),
        0u32..1_000_000,
    )
        .prop_map(|(owner, category, serial)| {
            ContainerNumber::from_parts(&owner, category, serial).unwrap()
        })
}

pub(super) fn mrn_strategy() -> impl Strategy<Value = Mrn> {
    (0u8..100, "[A-Z]{2}", "[A-Z0-9]{12}", "[A-Z]").prop_map(|(year, country, body, procedure)| {
        Mrn::from_parts(year, &country, &body, procedure.chars().next().unwrap()).unwrap()
    })
}

pub(super) fn ched_strategy() -> impl Strategy<Value = ChedReference> {
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
