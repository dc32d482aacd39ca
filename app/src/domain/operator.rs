//! « Fiche d'Identité Opérateur »: the 360° view of an operator company the agents of the
//! administrations read. The identity block is the same for every reader; everything else is
//! limited to the sites the reader may see (an agent's habilitations, every site for a
//! supervisor), so that two agents of different sites read two different cards of one company.

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use super::dossier::DossierStatus;
use super::journey::{StepKind, StepState};
use super::references::{Eori, Siret};

/// How many months the history goes back, the current one included.
pub const HISTORY_MONTHS: usize = 12;
/// How many lines each list of the card shows (the most urgent or most recent first).
pub const CARD_LINES: i64 = 20;
/// The longest search a person may type.
pub const MAX_SEARCH_CHARS: usize = 100;

/// One company found by a search.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OperatorHit {
    pub id: i64,
    pub name: String,
    pub siret: String,
    pub eori: Option<String>,
}

/// What the platform knows of the company itself: the same for every reader of its card.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    pub id: i64,
    pub name: String,
    pub siret: String,
    pub eori: Option<String>,
    pub address: Option<String>,
    /// Its people: (account, name, professional address, whether they administer the company's
    /// accounts), administrators first.
    pub people: Vec<(i64, String, String, bool)>,
}

impl Identity {
    /// Whether the SIRET passes its checks (14 digits, the Luhn key of the SIREN and of the
    /// SIRET).
    pub fn siret_checked(&self) -> bool {
        Siret::parse(&self.siret).is_ok()
    }

    /// Whether the EORI passes its checks (FR followed by the company's SIREN, for a French one).
    pub fn eori_checked(&self) -> Option<bool> {
        self.eori.as_deref().map(|eori| Eori::parse(eori).is_ok())
    }
}

/// One dossier as the card lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardDossier {
    pub id: i64,
    pub reference: String,
    pub site_name: String,
    pub status: DossierStatus,
    pub step: Option<StepKind>,
    /// Since when it waits at its current step (its opening when no step has started).
    pub waiting_since: DateTime<Utc>,
    /// How long that is, in minutes, when the card was read.
    pub waiting_minutes: i64,
}

/// A non-conformity or an unfavourable decision, with what became of it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardNonConformity {
    pub dossier_id: i64,
    pub reference: String,
    pub site_name: String,
    pub step: StepKind,
    pub outcome: Option<String>,
    pub at: Option<DateTime<Utc>>,
    /// The state of the dossier's follow-up step (destruction, re-export…), when it has one.
    pub follow_up: Option<StepState>,
}

/// The appointments of the company at one post, and the post's own no-show figures.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardPostAppointments {
    pub post_code: String,
    pub post_name: String,
    pub upcoming: i64,
    pub honoured: i64,
    pub refused: i64,
    pub no_shows: i64,
    /// Every past appointment of the post that was honoured or missed, all companies.
    pub post_attended: i64,
    pub post_no_shows: i64,
}

impl CardPostAppointments {
    /// The company's no-show rate at this post, in percent, when it had any past appointment.
    pub fn rate(&self) -> Option<f64> {
        rate(self.no_shows, self.honoured + self.no_shows)
    }

    /// The post's no-show rate, all companies.
    pub fn post_rate(&self) -> Option<f64> {
        rate(self.post_no_shows, self.post_attended)
    }
}

fn rate(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| part as f64 * 100.0 / whole as f64)
}

/// An alert that concerns one of the company's dossiers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardAlert {
    pub id: i64,
    pub title: String,
    pub site_name: String,
    pub taken: bool,
    pub opened_at: DateTime<Utc>,
}

/// An exchange of the company with the administrations.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardExchange {
    pub id: i64,
    pub title: String,
    pub site_name: String,
    pub status_label: String,
    pub reference: Option<String>,
    pub updated_at: DateTime<Utc>,
}

/// One month of the company's history at the reader's sites.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardMonth {
    /// The first day of the month.
    pub month: NaiveDate,
    pub opened: i64,
    pub non_compliant: i64,
}

/// The card as one reader may see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OperatorCard {
    pub identity: Identity,
    /// The sites the rest of the card covers, by name: the reader's sites where the company has
    /// dossiers. Empty for a supervisor, who reads every site.
    pub sites: Vec<String>,
    pub all_sites: bool,
    pub by_status: Vec<(DossierStatus, i64)>,
    /// The open dossiers (in progress or blocked) by current step.
    pub by_step: Vec<(Option<StepKind>, i64)>,
    /// The open dossiers that have waited longest first, at most [`CARD_LINES`].
    pub open: Vec<CardDossier>,
    pub non_conformities: Vec<CardNonConformity>,
    pub appointments: Vec<CardPostAppointments>,
    pub exchanges: Vec<CardExchange>,
    pub alerts: Vec<CardAlert>,
    pub months: Vec<CardMonth>,
    /// The mandates of representation it gave, then those it received, over the card's sites.
    #[serde(default)]
    pub mandates_given: Vec<crate::domain::mandate::Mandate>,
    #[serde(default)]
    pub mandates_received: Vec<crate::domain::mandate::Mandate>,
}

impl OperatorCard {
    pub fn open_count(&self) -> i64 {
        self.by_status
            .iter()
            .filter(|(status, _)| matches!(status, DossierStatus::EnCours | DossierStatus::Bloque))
            .map(|(_, count)| count)
            .sum()
    }

    pub fn dossier_count(&self) -> i64 {
        self.by_status.iter().map(|(_, count)| count).sum()
    }
}

/// The first instants (in metropolitan France) of the [`HISTORY_MONTHS`] months up to the one of
/// `now`, and the first instant of the next: the bounds the history counts between.
pub fn month_bounds(now: DateTime<Utc>) -> Vec<(NaiveDate, DateTime<Utc>)> {
    let today = super::access::local_day(now);
    let this_month = today.with_day(1).unwrap_or(today);
    let first = this_month
        .checked_sub_months(chrono::Months::new(HISTORY_MONTHS as u32 - 1))
        .unwrap_or(this_month);
    let months: Vec<NaiveDate> = (0..=HISTORY_MONTHS as u32)
        .map(|n| {
            first
                .checked_add_months(chrono::Months::new(n))
                .unwrap_or(first)
        })
        .collect();
    months
        .into_iter()
        .map(|day| {
            let midnight = day.and_hms_opt(0, 0, 0).unwrap_or_default();
            let instant = chrono_tz::Europe::Paris
                .from_local_datetime(&midnight)
                .earliest()
                .map(|at| at.with_timezone(&Utc))
                .unwrap_or_else(|| Utc.from_utc_datetime(&midnight));
            (day, instant)
        })
        .collect()
}

/// What a search typed by a person asks for: a SIRET (spaces allowed), an EORI, or words of the
/// name. `None` for a search too short to mean anything.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OperatorSearch {
    Siret(String),
    Eori(String),
    Name(String),
}

impl OperatorSearch {
    pub fn parse(text: &str) -> Result<OperatorSearch, &'static str> {
        let text = text.trim();
        if text.chars().count() > MAX_SEARCH_CHARS {
            return Err("La recherche est trop longue : 100 caractères au plus.");
        }
        let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        if compact.len() == 14 && compact.chars().all(|c| c.is_ascii_digit()) {
            return Ok(OperatorSearch::Siret(compact));
        }
        let upper = compact.to_uppercase();
        let (country, number) = upper.split_at(
            upper
                .char_indices()
                .nth(2)
                .map_or(upper.len(), |(at, _)| at),
        );
        if !number.is_empty()
            && country.chars().all(|c| c.is_ascii_alphabetic())
            && number.chars().all(|c| c.is_ascii_alphanumeric())
            && number.chars().any(|c| c.is_ascii_digit())
        {
            return Ok(OperatorSearch::Eori(upper));
        }
        if text.chars().filter(|c| c.is_alphanumeric()).count() < 2 {
            return Err(
                "Saisissez au moins deux lettres du nom, un SIRET (14 chiffres) ou un EORI.",
            );
        }
        Ok(OperatorSearch::Name(text.to_lowercase()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_search_is_a_siret_an_eori_or_words_of_the_name() {
        assert_eq!(
            OperatorSearch::parse(" 732 829 320 00074 "),
            Ok(OperatorSearch::Siret("73282932000074".into()))
        );
        assert_eq!(
            OperatorSearch::parse("fr732829320"),
            Ok(OperatorSearch::Eori("FR732829320".into()))
        );
        assert_eq!(
            OperatorSearch::parse("Océane"),
            Ok(OperatorSearch::Name("océane".into()))
        );
        // Letters beyond ASCII are words of a name, never a panic.
        assert_eq!(
            OperatorSearch::parse("ÉÉ1"),
            Ok(OperatorSearch::Name("éé1".into()))
        );
        assert_eq!(
            OperatorSearch::parse("Témoin"),
            Ok(OperatorSearch::Name("témoin".into()))
        );
        assert!(OperatorSearch::parse("a").is_err());
        assert!(OperatorSearch::parse(&"x".repeat(101)).is_err());
    }

    #[test]
    fn the_history_covers_twelve_french_months_up_to_this_one() {
        let now = Utc.with_ymd_and_hms(2026, 3, 31, 23, 30, 0).unwrap();
        let bounds = month_bounds(now);
        assert_eq!(bounds.len(), HISTORY_MONTHS + 1);
        // 31 March 23:30 UTC is already 1 April in Paris.
        assert_eq!(bounds[0].0, NaiveDate::from_ymd_opt(2025, 5, 1).unwrap());
        assert_eq!(bounds[11].0, NaiveDate::from_ymd_opt(2026, 4, 1).unwrap());
        assert_eq!(bounds[12].0, NaiveDate::from_ymd_opt(2026, 5, 1).unwrap());
        // Midnight in Paris, summer time: 22:00 UTC the day before.
        assert_eq!(
            bounds[11].1,
            Utc.with_ymd_and_hms(2026, 3, 31, 22, 0, 0).unwrap()
        );
    }

    #[test]
    fn rates_are_in_percent_and_absent_without_appointments() {
        let figures = CardPostAppointments {
            post_code: "FRLEH1".into(),
            post_name: "Le Havre".into(),
            upcoming: 0,
            honoured: 3,
            refused: 0,
            no_shows: 1,
            post_attended: 0,
            post_no_shows: 0,
        };
        assert_eq!(figures.rate(), Some(25.0));
        assert_eq!(figures.post_rate(), None);
    }
}
