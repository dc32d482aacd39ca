//! The written bounds of every day a person can send (a planning's day, the week of free places,
//! the dossier list's opening dates, a closure, a habilitation): outside them the day is refused
//! with a French sentence before any arithmetic, so chrono's ends (years ±262 143) never reach
//! `+ Duration`, `iter_days` or the Paris clock, and nothing absurd is stored. Pure rules, no I/O.
//!
//! The partner interface's event times have their own bounds (`partner::time_error`).

use chrono::{Months, NaiveDate, NaiveDateTime};

/// A day as a date field sends it (`2026-11-26`), or as people type it where the browser offers a
/// plain text field instead of a date picker (`26/11/2026`: Safari before 14.1, which the terms
/// of use name; the field's placeholder says that format).
pub fn parse_day(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(text, "%d/%m/%Y"))
        .ok()
}

/// A day and a time as a date-and-time field sends them (`2026-11-26T14:30`), or as people type
/// them in a plain text field (`26/11/2026 14:30`: Firefox before 93, Safari before 14.1).
pub fn parse_moment(text: &str) -> Option<NaiveDateTime> {
    let text = text.trim();
    [
        "%Y-%m-%dT%H:%M",
        "%d/%m/%Y %H:%M",
        "%d/%m/%Y à %H:%M",
        "%d/%m/%Y %Hh%M",
        "%d/%m/%Y à %Hh%M",
    ]
    .iter()
    .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
}

/// The placeholder of a date field: shown only by browsers that offer a text field instead.
pub const DAY_PLACEHOLDER: &str = "JJ/MM/AAAA";
/// The placeholder of a date-and-time field, likewise.
pub const MOMENT_PLACEHOLDER: &str = "JJ/MM/AAAA HH:MM";

/// What a day is sent for; each use has its bounds around today (Paris).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DateUse {
    /// A post's planning, the free places of a week, an appointment's slot: two years back, two
    /// years ahead (the appointments kept, and more than any calendar opens).
    Planning,
    /// The dossier list's opening dates: from 1 January 2000 (before the platform and any
    /// dossier it holds) to one year ahead (an "until the end of the year" filter).
    ListFilter,
    /// A post's closure, a habilitation's start and end: two years back, two years ahead (an
    /// open-ended habilitation leaves its end empty).
    Period,
}

/// The first day the list filters accept.
pub const LIST_FILTER_EARLIEST: (i32, u32, u32) = (2000, 1, 1);

impl DateUse {
    /// The first and last day accepted when today (Paris) is `today`.
    pub fn bounds(self, today: NaiveDate) -> (NaiveDate, NaiveDate) {
        let back = |months| today.checked_sub_months(Months::new(months));
        let ahead = |months| today.checked_add_months(Months::new(months));
        let (earliest, latest) = match self {
            DateUse::Planning | DateUse::Period => (back(24), ahead(24)),
            DateUse::ListFilter => {
                let (year, month, day) = LIST_FILTER_EARLIEST;
                (NaiveDate::from_ymd_opt(year, month, day), ahead(12))
            }
        };
        (
            earliest.unwrap_or(NaiveDate::MIN),
            latest.unwrap_or(NaiveDate::MAX),
        )
    }

    /// The rule in words, for a message that cannot name the days (a form's message code).
    pub fn rule(self) -> &'static str {
        match self {
            DateUse::Planning | DateUse::Period => {
                "entre il y a deux ans et dans deux ans, jour pour jour"
            }
            DateUse::ListFilter => "entre le 1er janvier 2000 et dans un an, jour pour jour",
        }
    }

    fn what(self) -> &'static str {
        match self {
            DateUse::Planning => "pour un planning ou des disponibilités",
            DateUse::ListFilter => "pour la date d'ouverture d'un dossier",
            DateUse::Period => "pour une fermeture ou une habilitation",
        }
    }
}

/// A day outside its bounds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DateOutOfBounds {
    pub day: NaiveDate,
    pub use_: DateUse,
    pub earliest: NaiveDate,
    pub latest: NaiveDate,
}

impl std::fmt::Display for DateOutOfBounds {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let french = |day: NaiveDate| day.format("%d/%m/%Y").to_string();
        write!(
            f,
            "Le {} est hors des dates acceptées {} : choisissez un jour du {} au {}.",
            french(self.day),
            self.use_.what(),
            french(self.earliest),
            french(self.latest)
        )
    }
}

impl std::error::Error for DateOutOfBounds {}

/// `day` if it is within the bounds of `use_` when today (Paris) is `today`.
pub fn within(
    day: NaiveDate,
    use_: DateUse,
    today: NaiveDate,
) -> Result<NaiveDate, DateOutOfBounds> {
    let (earliest, latest) = use_.bounds(today);
    if (earliest..=latest).contains(&day) {
        Ok(day)
    } else {
        Err(DateOutOfBounds {
            day,
            use_,
            earliest,
            latest,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_and_moments_read_as_fields_send_them_and_as_people_type_them() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        assert_eq!(parse_day("2026-11-26"), Some(day));
        assert_eq!(parse_day(" 26/11/2026 "), Some(day));
        // A year of two digits is year 26, which every use's bounds refuse in French.
        let short = parse_day("26/11/26").unwrap();
        assert!(within(short, DateUse::ListFilter, day).is_err());
        assert_eq!(parse_day("31/02/2026"), None);
        let moment = day.and_hms_opt(14, 30, 0).unwrap();
        for text in [
            "2026-11-26T14:30",
            "26/11/2026 14:30",
            "26/11/2026 à 14:30",
            "26/11/2026 14h30",
        ] {
            assert_eq!(parse_moment(text), Some(moment), "{text}");
        }
        assert_eq!(parse_moment("26/11/2026"), None);
        assert_eq!(parse_moment("26/11/2026 25:00"), None);
    }
    use crate::domain::appointment::paris_instant;
    use crate::domain::dossier::start_of_day_in_paris;
    use chrono::{Datelike, Duration, NaiveTime};
    use proptest::prelude::*;

    const USES: [DateUse; 3] = [DateUse::Planning, DateUse::ListFilter, DateUse::Period];

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    /// Any day chrono can hold, by its number of days from 1 January of year 1.
    fn any_day() -> impl Strategy<Value = NaiveDate> {
        let first = NaiveDate::MIN.num_days_from_ce();
        let last = NaiveDate::MAX.num_days_from_ce();
        prop_oneof![
            (first..=last).prop_map(|n| NaiveDate::from_num_days_from_ce_opt(n).unwrap()),
            // The ends themselves, and the days around today, more often than chance gives.
            Just(NaiveDate::MIN),
            Just(NaiveDate::MAX),
            (-1_000i64..1_000).prop_map(|n| day("2026-12-01") + Duration::days(n)),
        ]
    }

    proptest! {
        /// Any day, for any use, on any plausible today: no panic, accepted exactly within the
        /// bounds, and an accepted day goes through the planning's and the free places'
        /// arithmetic (a week on, the Paris clock, the list's day bounds) without a panic.
        #[test]
        fn any_day_is_bounded_without_panicking(
            sent in any_day(),
            today_offset in -20_000i64..20_000,
            use_index in 0usize..3,
        ) {
            let today = day("2026-12-01") + Duration::days(today_offset);
            let use_ = USES[use_index];
            let (earliest, latest) = use_.bounds(today);
            let inside = earliest <= sent && sent <= latest;
            match within(sent, use_, today) {
                Ok(day) => {
                    prop_assert!(inside);
                    prop_assert_eq!(day, sent);
                    let start = paris_instant(day, NaiveTime::MIN);
                    let end = paris_instant(day + Duration::days(7), NaiveTime::MIN);
                    prop_assert!(start < end);
                    prop_assert_eq!(day.iter_days().take(7).count(), 7);
                    prop_assert!(start_of_day_in_paris(day) <= start_of_day_in_paris(day + Duration::days(1)));
                }
                Err(refusal) => {
                    prop_assert!(!inside);
                    let message = refusal.to_string();
                    prop_assert!(message.contains("hors des dates acceptées"), "{}", message);
                }
            }
        }
    }

    #[test]
    fn the_bounds_are_written_in_years_around_today() {
        let today = day("2026-12-01");
        assert_eq!(
            DateUse::Planning.bounds(today),
            (day("2024-12-01"), day("2028-12-01"))
        );
        assert_eq!(
            DateUse::ListFilter.bounds(today),
            (day("2000-01-01"), day("2027-12-01"))
        );
        assert_eq!(
            DateUse::Period.bounds(day("2028-02-29")),
            (day("2026-02-28"), day("2030-02-28"))
        );
    }

    #[test]
    fn a_refusal_names_the_day_and_the_bounds_in_french() {
        let refusal = within(day("9999-12-31"), DateUse::Planning, day("2026-12-01")).unwrap_err();
        assert_eq!(
            refusal.to_string(),
            "Le 31/12/9999 est hors des dates acceptées pour un planning ou des disponibilités : \
             choisissez un jour du 01/12/2024 au 01/12/2028."
        );
    }
}
