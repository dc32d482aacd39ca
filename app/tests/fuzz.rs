//! The fuzzing of the parsers that read outside input ([`app::fuzz`]), a test per property with
//! proptest's default number of cases (256, or `PROPTEST_CASES`); the cases that once failed are
//! kept beside this file (`fuzz.proptest-regressions`) and run first. Longer:
//! `target/release/server bench-fuzz` (see the README's "Reliability").

use app::domain::partner;
use proptest::test_runner::{Config, TestRunner};
use serde_json::json;

fn check(name: &str) {
    let property = app::fuzz::PROPERTIES
        .iter()
        .find(|property| property.name == name)
        .unwrap_or_else(|| panic!("propriété inconnue : {name}"));
    let mut runner = TestRunner::new(Config {
        source_file: Some(file!()),
        ..Config::default()
    });
    if let Err(failure) = (property.check)(&mut runner) {
        panic!("{name} : {failure}");
    }
}

macro_rules! properties {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                check(stringify!($name));
            }
        )*

        /// Every property of the crate has its test here.
        #[test]
        fn every_property_is_tested() {
            let tested = [$(stringify!($name)),*];
            for property in app::fuzz::PROPERTIES {
                assert!(tested.contains(&property.name), "{} sans test", property.name);
            }
        }
    };
}

properties!(
    partner_events,
    partner_events_of_any_json,
    partner_documents,
    addresses,
    names_reasons_and_texts,
    days_and_moments,
    maintenances,
    upload_heads,
    cookies,
    calendar_openings,
);

/// An event made of the plausible values the event generator picks from.
fn plausible_event() -> serde_json::Value {
    json!({
        "id": "evt-1",
        "source": "traces",
        "type": "ched_lodged",
        "occurred_at": "2026-11-20T08:00:00+01:00",
        "site": "FRLEH",
        "post": "FRLEH1",
        "references": { "container": "MSKU1234565" },
        "goods": { "category": "animal_products", "description": "Crevettes congelées" },
        "operator": { "siret": "73282932000074" },
        "data": { "ched_type": "P" }
    })
}

/// The plausible values the event generator picks from make a valid event together: the
/// property explores what is accepted, not only what is refused.
#[test]
fn the_plausible_values_make_a_valid_event() {
    let accepted = partner::validate(&plausible_event());
    assert!(accepted.is_ok(), "{accepted:?}");
}

/// Found by `server bench-fuzz`: a number in a field the platform does not read came back one
/// unit off once kept, and the kept event was no longer the one received. Numbers are read
/// exactly now.
#[test]
fn a_kept_number_reads_back_the_same() {
    let mut event = plausible_event();
    event["a"] = json!(9.410701928760076e238);
    let accepted = partner::validate(&event).unwrap();
    let kept: serde_json::Value = serde_json::from_str(&accepted.content).unwrap();
    assert_eq!(partner::validate(&kept), Ok(accepted));
}

/// Found by `server bench-fuzz`: a text whose line breaks were `\r\r\n` was kept with a new
/// `\r\n` in it, shorter once read again (and refused then). Every line break is one `\n` now.
#[test]
fn line_breaks_are_kept_once_and_for_all() {
    let typed = "\u{200b}\r\r\na\u{200b}\u{200b}a\u{200b}aa";
    let kept = app::domain::rights::parse_details(typed).unwrap();
    assert_eq!(kept, "\u{200b}\n\na\u{200b}\u{200b}a\u{200b}aa");
    assert_eq!(app::domain::rights::parse_details(&kept), Ok(kept.clone()));
}
