//! Property-based fuzzing, on stable Rust, of the parsers that read what comes from outside:
//! partner events and documents, the fields of forms (addresses, names, reasons, texts, days and
//! moments, company names, received days, calendar openings, maintenances), cookies, and the
//! first bytes of an upload (`Last-Event-ID` and `X-Forwarded-For` are fuzzed beside their
//! readers, in the server's `tools::fuzz`). Each property says: no input makes it panic, and
//! whatever it accepts is a value it would accept again unchanged (normalised once and for all)
//! and within its written bounds — so nothing invalid goes in.
//!
//! The properties are [`PROPERTIES`], each run by a [`TestRunner`] its caller configures: the
//! suite (`app/tests/fuzz.rs`) with proptest's default number of cases (256 per property, or
//! `PROPTEST_CASES`), `server bench-fuzz` for as long as it is given (see the README's
//! "Reliability").

use crate::api::appointments::calendars::parse_openings;
use crate::domain::{access_request, account, dates, document, exchange, partner, rights, service};
use axum::http::{header, HeaderMap, HeaderValue};
use chrono::{Duration, NaiveDate, TimeZone, Utc};
use proptest::prelude::*;
use proptest::test_runner::{TestError, TestRunner};
use serde_json::{json, Map, Value};

/// A property: its name, and how to check it with a runner (an error names the smallest input
/// found that breaks it).
pub struct Property {
    pub name: &'static str,
    pub check: fn(&mut TestRunner) -> Result<(), String>,
}

/// Every property of this crate's parsers.
pub const PROPERTIES: &[Property] = &[
    Property {
        name: "partner_events",
        check: partner_events,
    },
    Property {
        name: "partner_events_of_any_json",
        check: partner_events_of_any_json,
    },
    Property {
        name: "partner_documents",
        check: partner_documents,
    },
    Property {
        name: "addresses",
        check: addresses,
    },
    Property {
        name: "names_reasons_and_texts",
        check: names_reasons_and_texts,
    },
    Property {
        name: "days_and_moments",
        check: days_and_moments,
    },
    Property {
        name: "maintenances",
        check: maintenances,
    },
    Property {
        name: "upload_heads",
        check: upload_heads,
    },
    Property {
        name: "cookies",
        check: cookies,
    },
    Property {
        name: "calendar_openings",
        check: calendar_openings,
    },
];

/// A runner's failure as a sentence with the smallest failing input.
pub fn failure<T: std::fmt::Debug>(error: TestError<T>) -> String {
    error.to_string()
}

/// Text as people and programs send it: any Unicode, control characters and all, often near the
/// shapes the parsers look for.
pub fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "\\PC{0,40}",
        2 => any::<String>(),
        1 => "[ \t\r\n]{0,5}[A-Za-zÀ-ÿ' .-]{0,30}[ \t\r\n]{0,5}",
        1 => "[a-z0-9.@_-]{0,30}@[a-z0-9.-]{0,20}",
        1 => "[0-9]{1,4}[-/][0-9]{1,2}[-/][0-9]{1,4}([ T][0-9]{1,2}[:h][0-9]{1,2})?",
        1 => "([0-9]{1,2}:[0-9]{2}-[0-9]{1,2}:[0-9]{2}, ?){0,4}",
        1 => "\\PC{200,600}",
        // Control and format characters among letters: NUL, bells, escapes, bidirectional
        // overrides, byte order marks.
        2 => proptest::collection::vec(
            prop_oneof![
                3 => proptest::char::range('a', 'z'),
                1 => proptest::char::range('\0', '\u{1f}'),
                1 => proptest::sample::select(vec!['\u{7f}', '\u{85}', '\u{200b}', '\u{202e}', '\u{2028}', '\u{feff}']),
                1 => any::<char>(),
            ],
            0..40,
        )
        .prop_map(|chars| chars.into_iter().collect()),
    ]
}

/// Any JSON scalar, of the wrong type as often as not.
fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|x| json!(x)),
        text().prop_map(Value::from),
    ]
}

/// A field: a plausible value, another one of the wrong kind, or nothing.
fn field(plausible: Vec<Value>) -> impl Strategy<Value = Option<Value>> {
    prop_oneof![
        4 => proptest::sample::select(plausible).prop_map(Some),
        1 => scalar().prop_map(Some),
        1 => Just(None),
    ]
}

fn codes<T: Copy>(all: &[T], code: fn(T) -> &'static str) -> Vec<Value> {
    all.iter().map(|item| Value::from(code(*item))).collect()
}

/// A partner event as a gateway might send it, right or wrong in each of its parts.
fn event() -> impl Strategy<Value = Value> {
    use crate::domain::journey::{EventKind, EventSource};
    let id = field(vec![
        json!("evt-1"),
        json!("x".repeat(100)),
        json!("y".repeat(101)),
        json!(""),
    ]);
    let source = field(codes(&EventSource::ALL, EventSource::code));
    let kind = field(codes(&EventKind::ALL, EventKind::code));
    let at = field(vec![
        json!("2026-11-20T08:00:00+01:00"),
        json!("2026-11-20T08:00:00Z"),
        json!("2026-11-20 08:00"),
        json!("+262143-01-01T00:00:00Z"),
    ]);
    let site = field(vec![
        json!("FRLEH"),
        json!("FRMRS"),
        json!("ZZZZZ"),
        json!("frleh"),
    ]);
    let post = field(vec![json!("FRLEH1"), json!("FRLEH"), json!("")]);
    let references = field(vec![
        json!({ "container": "MSKU1234565" }),
        json!({ "container": "MSKU1234566" }),
        json!({ "ched": "CHEDP.FR.2026.0000001" }),
        json!({ "container": "MSKU1234565", "bill_of_lading": "MEDU12345678" }),
        json!({}),
        json!([]),
    ]);
    let goods = field(vec![
        json!({ "category": "animal_products", "description": "Crevettes congelées" }),
        json!({ "category": "inconnue", "description": "" }),
        json!({ "category": "fruit_vegetables" }),
    ]);
    let operator = field(vec![
        json!({ "siret": "73282932000074" }),
        json!({ "siret": "12345678901234" }),
        json!({ "eori": "FR73282932000074" }),
        json!(null),
    ]);
    let data = field(vec![
        json!({}),
        json!({ "transport_mode": "sea", "means": "CMA CGM Tage" }),
        json!({ "ched_type": "P" }),
        json!({ "result": "conforme" }),
        json!({ "decision": "favorable" }),
    ]);
    let extra = proptest::option::of(("[a-z_]{1,12}", scalar()));
    (
        (id, source, kind, at, site, post),
        (references, goods, operator, data, extra),
    )
        .prop_map(
            |((id, source, kind, at, site, post), (references, goods, operator, data, extra))| {
                let mut object = Map::new();
                for (name, value) in [
                    ("id", id),
                    ("source", source),
                    ("type", kind),
                    ("occurred_at", at),
                    ("site", site),
                    ("post", post),
                    ("references", references),
                    ("goods", goods),
                    ("operator", operator),
                    ("data", data),
                ] {
                    if let Some(value) = value {
                        object.insert(name.to_owned(), value);
                    }
                }
                if let Some((name, value)) = extra {
                    object.insert(name, value);
                }
                Value::Object(object)
            },
        )
}

/// Each fault names its field and says what is wrong.
fn faults_are_said(errors: &[partner::FieldError]) -> Result<(), TestCaseError> {
    prop_assert!(!errors.is_empty());
    for error in errors {
        prop_assert!(!error.message.trim().is_empty(), "{error:?}");
    }
    Ok(())
}

/// A text parser's accepted value: accepted again unchanged, `min..=max` characters, without
/// control characters other than the line breaks `lines` allows.
fn normalised(
    parse: fn(&str) -> Result<String, String>,
    typed: &str,
    (min, max): (usize, usize),
    lines: bool,
) -> Result<(), TestCaseError> {
    match parse(typed) {
        Ok(value) => {
            let length = value.chars().count();
            prop_assert!((min..=max).contains(&length), "{length} : {value:?}");
            prop_assert_eq!(parse(&value), Ok(value.clone()));
            if lines {
                prop_assert!(!crate::domain::has_control_characters(&value), "{value:?}");
            } else {
                prop_assert!(!value.chars().any(char::is_control), "{value:?}");
            }
        }
        Err(message) => prop_assert!(!message.trim().is_empty()),
    }
    Ok(())
}

fn partner_events(runner: &mut TestRunner) -> Result<(), String> {
    runner
        .run(&event(), |value| {
            match partner::validate(&value) {
                Ok(event) => {
                    // What is kept is what was received: checked again, it is the same event.
                    let kept: Value = serde_json::from_str(&event.content)
                        .map_err(|e| TestCaseError::fail(e.to_string()))?;
                    prop_assert_eq!(partner::validate(&kept), Ok(event.clone()));
                    prop_assert!((1..=100).contains(&event.id.chars().count()));
                }
                Err(errors) => faults_are_said(&errors)?,
            }
            Ok(())
        })
        .map_err(failure)
}

fn partner_events_of_any_json(runner: &mut TestRunner) -> Result<(), String> {
    let json = any::<String>()
        .prop_map(|text| serde_json::from_str::<Value>(&text).unwrap_or(Value::String(text)));
    runner
        .run(&json, |value| {
            if let Err(errors) = partner::validate(&value) {
                faults_are_said(&errors)?;
            }
            Ok(())
        })
        .map_err(failure)
}

fn partner_documents(runner: &mut TestRunner) -> Result<(), String> {
    let parts = proptest::collection::btree_map(
        prop_oneof![
            Just("id".to_owned()),
            Just("source".to_owned()),
            Just("kind".to_owned()),
            Just("site".to_owned()),
            Just("references".to_owned()),
            Just("goods".to_owned()),
            Just("operator".to_owned()),
            Just("title".to_owned()),
            Just("supersedes".to_owned()),
            "[a-z]{1,10}",
        ],
        text(),
        0..10,
    );
    runner
        .run(&parts, |parts| {
            if let Err(errors) = partner::validate_document(&parts) {
                faults_are_said(&errors)?;
            }
            Ok(())
        })
        .map_err(failure)
}

fn addresses(runner: &mut TestRunner) -> Result<(), String> {
    runner
        .run(&text(), |typed| {
            normalised(account::parse_email, &typed, (3, 254), false)?;
            if let Ok(email) = account::parse_email(&typed) {
                prop_assert_eq!(email.matches('@').count(), 1);
                prop_assert_eq!(email.to_lowercase(), email.clone());
            }
            Ok(())
        })
        .map_err(failure)
}

fn names_reasons_and_texts(runner: &mut TestRunner) -> Result<(), String> {
    runner
        .run(&text(), |typed| {
            normalised(account::parse_full_name, &typed, (2, 100), false)?;
            normalised(account::parse_reason, &typed, account::REASON_CHARS, false)?;
            normalised(access_request::parse_company_name, &typed, (2, 200), false)?;
            normalised(rights::parse_details, &typed, rights::DETAILS_CHARS, true)?;
            normalised(
                rights::parse_extension_reason,
                &typed,
                rights::REASON_CHARS,
                true,
            )?;
            normalised(rights::parse_answer, &typed, rights::ANSWER_CHARS, true)?;
            normalised(
                exchange::check_text,
                &typed,
                (1, exchange::MAX_TEXT_CHARS),
                true,
            )?;
            Ok(())
        })
        .map_err(failure)
}

fn days_and_moments(runner: &mut TestRunner) -> Result<(), String> {
    let today = NaiveDate::from_ymd_opt(2026, 12, 6).unwrap_or_default();
    runner
        .run(&(text(), -400i64..400), |(typed, offset)| {
            if let Some(day) = dates::parse_day(&typed) {
                prop_assert_eq!(
                    dates::parse_day(&day.format("%Y-%m-%d").to_string()),
                    Some(day)
                );
            }
            if let Some(moment) = dates::parse_moment(&typed) {
                prop_assert_eq!(
                    dates::parse_moment(&moment.format("%Y-%m-%dT%H:%M").to_string()),
                    Some(moment)
                );
            }
            match rights::parse_received_on(&typed, today) {
                Ok(day) => prop_assert!(day <= today && day >= today - Duration::days(366)),
                Err(message) => prop_assert!(!message.is_empty()),
            }
            let day = (today + Duration::days(offset))
                .format("%d/%m/%Y")
                .to_string();
            match rights::parse_received_on(&day, today) {
                Ok(_) => prop_assert!((-366..=0).contains(&offset)),
                Err(_) => prop_assert!(!(-366..=0).contains(&offset)),
            }
            Ok(())
        })
        .map_err(failure)
}

fn maintenances(runner: &mut TestRunner) -> Result<(), String> {
    let now = Utc
        .with_ymd_and_hms(2026, 12, 6, 9, 0, 0)
        .single()
        .unwrap_or_default();
    runner
        .run(
            &(any::<bool>(), text(), text(), text()),
            |(planned, start, end, message)| {
                match service::parse_interruption(planned, &start, &end, &message, now) {
                    Ok(draft) => {
                        prop_assert!(draft.starts_at < draft.ends_at, "{draft:?}");
                        prop_assert!(!draft.message.trim().is_empty());
                        prop_assert!(!crate::domain::has_control_characters(&draft.message));
                    }
                    Err(message) => prop_assert!(!message.is_empty()),
                }
                Ok(())
            },
        )
        .map_err(failure)
}

fn upload_heads(runner: &mut TestRunner) -> Result<(), String> {
    runner
        .run(&proptest::collection::vec(any::<u8>(), 0..600), |head| {
            if document::sniff(&head).is_some() {
                // What is recognised starts as its kind starts.
                prop_assert!(
                    head.starts_with(b"%PDF-")
                        || head.starts_with(&[0xFF, 0xD8, 0xFF])
                        || head.starts_with(&[0x89, b'P', b'N', b'G'])
                        || head.contains(&b'<')
                );
            }
            Ok(())
        })
        .map_err(failure)
}

/// Whatever `Cookie` headers a client sends, the session's cookie is read only under its name,
/// as one value without a separator in it; nothing panics.
fn cookies(runner: &mut TestRunner) -> Result<(), String> {
    let headers = proptest::collection::vec(
        prop_oneof![
            proptest::collection::vec(any::<u8>(), 0..80),
            "([a-z_]{1,16}=[ -~]{0,20}; ?){0,4}(sesame_session|__Host-sesame_session)=[0-9a-f]{0,70}"
                .prop_map(String::into_bytes),
        ],
        0..3,
    );
    runner
        .run(&(headers, any::<bool>()), |(headers, over_https)| {
            let mut map = HeaderMap::new();
            for bytes in &headers {
                if let Ok(value) = HeaderValue::from_bytes(bytes) {
                    map.append(header::COOKIE, value);
                }
            }
            let base = crate::http::COOKIE;
            if let Some(value) = crate::state::read_cookie(&map, base, over_https) {
                prop_assert!(!value.contains(';'), "{value:?}");
                let name = if over_https {
                    format!("__Host-{base}")
                } else {
                    base.to_owned()
                };
                let pair = format!("{name}={value}");
                prop_assert!(
                    map.get_all(header::COOKIE)
                        .iter()
                        .filter_map(|v| v.to_str().ok())
                        .any(|text| text.contains(&pair)),
                    "{pair} absent"
                );
            }
            Ok(())
        })
        .map_err(failure)
}

fn calendar_openings(runner: &mut TestRunner) -> Result<(), String> {
    runner
        .run(&(0u8..9, text()), |(weekday, typed)| {
            if let Some(openings) = parse_openings(weekday, &typed) {
                let again: Vec<String> = openings.iter().map(|o| format!("{o:?}")).collect();
                // Read twice, the same periods.
                let twice: Vec<String> = parse_openings(weekday, &typed)
                    .unwrap_or_default()
                    .iter()
                    .map(|o| format!("{o:?}"))
                    .collect();
                prop_assert_eq!(again, twice);
            }
            Ok(())
        })
        .map_err(failure)
}
