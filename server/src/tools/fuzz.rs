//! Fuzzing of what comes from outside, for as long as one likes: `server bench-fuzz`. Runs every
//! property of [`app::fuzz::PROPERTIES`] (partner events and documents, form fields, cookies,
//! uploads, calendar openings) and of this crate's readers (`Last-Event-ID`, `X-Forwarded-For`)
//! in turns of random cases until the time is spent, and prints a table: the cases each property
//! ran and what failed, with the smallest input that breaks it. The suite runs the same properties
//! with a bounded number of cases (`app/tests/fuzz.rs`, and the tests beside the two readers).

use std::net::IpAddr;
use std::time::{Duration, Instant};

use app::fuzz::{failure, Property};
use axum::http::{HeaderMap, HeaderValue};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

use crate::client::{canonical, client_address, IpSet};
use crate::live::{resume_point, Resume};

/// This crate's properties.
pub const PROPERTIES: &[Property] = &[
    Property {
        name: "last_event_id",
        check: last_event_id,
    },
    Property {
        name: "forwarded_for",
        check: forwarded_for,
    },
];

/// Runs one of this crate's properties with proptest's default number of cases (the suite's
/// fast variant); panics with the smallest failing input.
#[cfg(test)]
pub(crate) fn check(name: &str) {
    let property = PROPERTIES
        .iter()
        .find(|property| property.name == name)
        .unwrap_or_else(|| panic!("propriété inconnue : {name}"));
    let mut runner = TestRunner::new(Config {
        failure_persistence: None,
        ..Config::default()
    });
    if let Err(failure) = (property.check)(&mut runner) {
        panic!("{name} : {failure}");
    }
}

/// Whatever a client sends as `Last-Event-ID` (any bytes a header may carry), the stream resumes
/// from a position only when it is one (a non-negative number), and otherwise starts fresh
/// (nothing sent) or reloads: never a panic, never a made-up position.
fn last_event_id(runner: &mut TestRunner) -> Result<(), String> {
    runner
        .run(&proptest::collection::vec(any::<u8>(), 0..40), |bytes| {
            let Ok(value) = HeaderValue::from_bytes(&bytes) else {
                return Ok(());
            };
            let mut headers = HeaderMap::new();
            headers.insert("last-event-id", value);
            // Trimmed as HTTP trims a header (spaces and tabs; a no-break space is no blank).
            let text = String::from_utf8_lossy(&bytes)
                .trim_matches(|c: char| c.is_ascii_whitespace())
                .to_owned();
            match resume_point(&headers) {
                Resume::From(position) => {
                    prop_assert!(position >= 0);
                    prop_assert_eq!(text.parse::<i64>().ok(), Some(position));
                }
                Resume::Fresh => prop_assert!(text.is_empty()),
                Resume::Unknown => prop_assert!(!text.is_empty()),
            }
            Ok(())
        })
        .map_err(failure)
}

fn address() -> impl Strategy<Value = IpAddr> {
    prop_oneof![
        any::<[u8; 4]>().prop_map(IpAddr::from),
        any::<[u16; 8]>().prop_map(IpAddr::from),
        Just(IpAddr::from([10, 0, 0, 1])),
        Just(IpAddr::from([0, 0, 0, 0, 0, 0xffff, 0x0a00, 0x0001])),
    ]
}

/// Whatever `X-Forwarded-For` headers a client writes, and whatever the trusted proxies and the
/// peer, the client's address is the peer or one written in the headers, never a trusted proxy
/// when another address is known, and the peer itself when it is no proxy (what a client writes
/// cannot make it someone else).
fn forwarded_for(runner: &mut TestRunner) -> Result<(), String> {
    let cases = (
        address(),
        proptest::collection::vec(address(), 0..4),
        "[ -~]{0,30}",
        proptest::collection::vec(any::<u8>(), 0..30),
        proptest::collection::vec(address(), 0..3),
        "(10\\.0\\.0\\.0/8,)?(::/0,)?",
    );
    runner
        .run(&cases, |(peer, written, noise, bytes, trusted, ranges)| {
            let list = trusted
                .iter()
                .map(IpAddr::to_string)
                .collect::<Vec<_>>()
                .join(",");
            let (set, _) = IpSet::parse_list(&format!("{list},{ranges}"));
            let mut headers = HeaderMap::new();
            let text = written
                .iter()
                .map(IpAddr::to_string)
                .chain([noise])
                .collect::<Vec<_>>()
                .join(", ");
            if let Ok(value) = HeaderValue::from_str(&text) {
                headers.append("x-forwarded-for", value);
            }
            if let Ok(value) = HeaderValue::from_bytes(&bytes) {
                headers.append("x-forwarded-for", value);
            }
            let client = client_address(peer, &headers, &set);
            if !set.contains(peer) {
                prop_assert_eq!(client, canonical(peer));
            } else {
                let mut known: Vec<IpAddr> = written.iter().copied().map(canonical).collect();
                known.push(canonical(peer));
                // Anything parsed from the header is an address; one parsed from the random
                // bytes or noise is written too.
                let in_headers = headers
                    .get_all("x-forwarded-for")
                    .iter()
                    .filter_map(|value| value.to_str().ok())
                    .flat_map(|value| value.split(','))
                    .filter_map(|entry| entry.trim().parse::<IpAddr>().ok())
                    .map(canonical)
                    .any(|address| address == client);
                prop_assert!(known.contains(&client) || in_headers, "{client}");
                if set.contains(client) {
                    prop_assert_eq!(client, canonical(peer), "un mandataire choisi sans raison");
                }
            }
            Ok(())
        })
        .map_err(failure)
}

/// Cases of one turn: small enough that the time given is kept to within a turn.
const TURN: u32 = 2_000;

/// What one property did in the time given.
struct Row {
    name: &'static str,
    cases: u64,
    seconds: f64,
    failure: Option<String>,
}

/// Runs every property in turns of [`TURN`] random cases (a fresh seed each turn) until `minutes`
/// are spent, shared equally; prints the table; an error if one failed.
pub fn run(minutes: f64) -> Result<(), String> {
    run_in_turns(minutes, TURN)
}

fn run_in_turns(minutes: f64, turn: u32) -> Result<(), String> {
    let properties: Vec<&Property> = app::fuzz::PROPERTIES.iter().chain(PROPERTIES).collect();
    let share = Duration::from_secs_f64((minutes.max(0.0) * 60.0) / properties.len() as f64);
    println!(
        "Fuzzing : {} propriétés des lecteurs d'entrées extérieures, {:.1} s chacune, par tours de {turn} cas tirés au hasard",
        properties.len(),
        share.as_secs_f64()
    );
    println!();
    println!("| propriété | cas essayés | cas par seconde | résultat |");
    println!("|---|---:|---:|---|");
    let mut rows = Vec::with_capacity(properties.len());
    for property in properties {
        let started = Instant::now();
        let mut row = Row {
            name: property.name,
            cases: 0,
            seconds: 0.0,
            failure: None,
        };
        // At least one turn, however short the time given.
        loop {
            let mut runner = TestRunner::new(Config {
                cases: turn,
                failure_persistence: None,
                ..Config::default()
            });
            if let Err(failure) = (property.check)(&mut runner) {
                row.failure = Some(failure);
                break;
            }
            row.cases += u64::from(turn);
            if started.elapsed() >= share {
                break;
            }
        }
        row.seconds = started.elapsed().as_secs_f64();
        println!(
            "| {} | {} | {:.0} | {} |",
            row.name,
            row.cases,
            row.cases as f64 / row.seconds.max(1e-9),
            row.failure
                .as_deref()
                .map(|failure| failure.replace('|', "\\|").replace('\n', " "))
                .unwrap_or_else(|| "aucune faute".to_owned())
        );
        rows.push(row);
    }
    let failed: Vec<&str> = rows
        .iter()
        .filter(|row| row.failure.is_some())
        .map(|row| row.name)
        .collect();
    let total: u64 = rows.iter().map(|row| row.cases).sum();
    println!();
    println!("- cas essayés en tout : {total}");
    if failed.is_empty() {
        println!("- fautes : aucune");
        Ok(())
    } else {
        println!("- fautes : {}", failed.join(", "));
        Err(format!("{} propriété(s) en défaut", failed.len()))
    }
}

#[cfg(test)]
mod tests {
    /// The bench's loop runs every property and says when one fails: a short run passes.
    #[test]
    fn a_short_run_tries_every_property() {
        assert!(super::run_in_turns(0.0, 8).is_ok());
    }
}
