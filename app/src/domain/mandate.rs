//! Mandates of representation. An importer company gives a representative company (a registered
//! customs representative, a freight forwarder) a mandate for some of its sites, from a day, to a
//! day or until revoked: while it is in force, the representative's people see and act on the
//! importer's dossiers at those sites — as the importer's own people do — and are told of them.
//! The importer's administrators give and revoke mandates; the representative's see those they
//! received.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::administration::Fields;
use super::directory::Site;
use super::references::{Locode, Siret};

/// Where a mandate stands on a day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum MandateState {
    /// Its first day is still to come.
    Upcoming,
    InForce,
    /// Its last day is past.
    Ended,
    Revoked,
}

impl MandateState {
    /// Where a mandate of these days stands on `today`.
    pub fn on(
        starts_on: NaiveDate,
        ends_on: Option<NaiveDate>,
        revoked: bool,
        today: NaiveDate,
    ) -> MandateState {
        if revoked {
            MandateState::Revoked
        } else if today < starts_on {
            MandateState::Upcoming
        } else if ends_on.is_some_and(|last| today > last) {
            MandateState::Ended
        } else {
            MandateState::InForce
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            MandateState::Upcoming => "À venir",
            MandateState::InForce => "En vigueur",
            MandateState::Ended => "Échu",
            MandateState::Revoked => "Révoqué",
        }
    }
}

/// A mandate as both companies' pages show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mandate {
    pub id: i64,
    pub importer: String,
    pub representative: String,
    /// The representative's SIRET, as the importer gave it.
    pub representative_siret: String,
    /// The sites it covers, by name.
    pub sites: Vec<String>,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub state: MandateState,
}

/// A mandate's days in words: « du 01/12/2026 au 31/12/2026 », or « à partir du 01/12/2026,
/// jusqu'à sa révocation » (the page's table, the notification, the audit trail).
pub fn period(starts_on: NaiveDate, ends_on: Option<NaiveDate>) -> String {
    let day = |day: NaiveDate| day.format("%d/%m/%Y").to_string();
    match ends_on {
        Some(last) => format!("du {} au {}", day(starts_on), day(last)),
        None => format!("à partir du {}, jusqu'à sa révocation", day(starts_on)),
    }
}

/// The representative a partner event names (`number`, a SIRET or an EORI), with its
/// company's `name` when it is registered.
pub fn named_representative(number: &str, name: Option<&str>) -> String {
    let kind = if number.starts_with("FR") {
        "EORI"
    } else {
        "SIRET"
    };
    match name {
        Some(name) => format!("{name} ({kind} {number})"),
        None => format!("{kind} {number}, entreprise non inscrite sur France Sésame"),
    }
}

/// What an importer's administrator asks for: the representative by its SIRET, the sites, the
/// first and the last day (none: until revoked).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MandateDraft {
    pub representative: Siret,
    pub sites: Vec<Locode>,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
}

/// The form field of a site's box (`site-FRLEH`).
pub fn site_field(site: &Locode) -> String {
    format!("site-{}", site.as_str())
}

/// Reads the form of a new mandate (`siret`, a `site-…` box per site ticked `oui`, `debut` and
/// `fin` as `YYYY-MM-DD`, `debut` empty for today, `fin` empty for none), against the sites of
/// the platform and the day it is: what is wrong, in French.
pub fn parse_mandate(
    fields: &Fields,
    sites: &[Site],
    today: NaiveDate,
) -> Result<MandateDraft, String> {
    let field = |name: &str| fields.get(name).map(|value| value.trim()).unwrap_or("");
    let representative = Siret::parse(field("siret")).map_err(|_| {
        "Indiquez le SIRET de l'établissement du représentant : 14 chiffres, dont la clé de contrôle doit être juste."
            .to_owned()
    })?;
    let chosen: Vec<Locode> = sites
        .iter()
        .filter(|site| field(&site_field(&site.code)) == "oui")
        .map(|site| site.code.clone())
        .collect();
    if chosen.is_empty() {
        return Err(
            "Cochez au moins un site où le représentant agit pour votre entreprise.".into(),
        );
    }
    let day = |name: &str, what: &str| -> Result<Option<NaiveDate>, String> {
        match field(name) {
            "" => Ok(None),
            typed => NaiveDate::parse_from_str(typed, "%Y-%m-%d")
                .map(Some)
                .map_err(|_| format!("La date {what} n'est pas lisible : choisissez-la dans le calendrier (jj/mm/aaaa).")),
        }
    };
    let starts_on = day("debut", "de début")?.unwrap_or(today);
    if starts_on < today {
        return Err(
            "Un mandat ne commence pas dans le passé : choisissez aujourd'hui ou un jour à venir."
                .into(),
        );
    }
    let ends_on = day("fin", "de fin")?;
    if ends_on.is_some_and(|last| last < starts_on) {
        return Err(
            "La date de fin précède la date de début : un mandat dure au moins un jour.".into(),
        );
    }
    Ok(MandateDraft {
        representative,
        sites: chosen,
        starts_on,
        ends_on,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::directory::SiteKind;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_mandate_is_in_force_from_its_first_to_its_last_day_unless_revoked() {
        let (start, end) = (day("2026-12-10"), Some(day("2026-12-20")));
        let on = |today: &str, revoked| MandateState::on(start, end, revoked, day(today));
        assert_eq!(on("2026-12-09", false), MandateState::Upcoming);
        assert_eq!(on("2026-12-10", false), MandateState::InForce);
        assert_eq!(on("2026-12-20", false), MandateState::InForce);
        assert_eq!(on("2026-12-21", false), MandateState::Ended);
        assert_eq!(on("2026-12-15", true), MandateState::Revoked);
        assert_eq!(
            MandateState::on(start, None, false, day("2030-01-01")),
            MandateState::InForce
        );
    }

    #[test]
    fn a_mandate_period_and_a_named_representative_read_in_french() {
        let day = |d| NaiveDate::from_ymd_opt(2026, 12, d).unwrap();
        assert_eq!(period(day(1), Some(day(31))), "du 01/12/2026 au 31/12/2026");
        assert_eq!(
            period(day(5), None),
            "à partir du 05/12/2026, jusqu'à sa révocation"
        );
        assert_eq!(
            named_representative("73282932000074", Some("Transit Océan")),
            "Transit Océan (SIRET 73282932000074)"
        );
        assert_eq!(
            named_representative("FR732829320", None),
            "EORI FR732829320, entreprise non inscrite sur France Sésame"
        );
    }

    #[test]
    fn a_mandate_names_a_representative_sites_and_days_to_come() {
        let sites: Vec<Site> = ["FRLEH", "FRFOS"]
            .into_iter()
            .map(|code| Site {
                code: Locode::parse(code).unwrap(),
                name: code.into(),
                kind: SiteKind::Port,
                time_zone: crate::domain::directory::PARIS_TIME_ZONE.into(),
            })
            .collect();
        let today = day("2026-12-05");
        let form = |pairs: &[(&str, &str)]| -> Fields {
            pairs
                .iter()
                .map(|(name, value)| (name.to_string(), value.to_string()))
                .collect()
        };
        let good = [
            ("siret", "552 100 554 00062"),
            ("site-FRLEH", "oui"),
            ("debut", ""),
            ("fin", "2027-06-30"),
        ];
        let draft = parse_mandate(&form(&good), &sites, today).unwrap();
        assert_eq!(draft.sites, [Locode::parse("FRLEH").unwrap()]);
        assert_eq!(draft.starts_on, today);
        assert_eq!(draft.ends_on, Some(day("2027-06-30")));
        let with = |name: &str, value: &str| {
            let mut fields = form(&good);
            fields.insert(name.into(), value.into());
            parse_mandate(&fields, &sites, today).unwrap_err()
        };
        assert!(with("siret", "55210055400024").contains("SIRET"));
        assert!(with("site-FRLEH", "").contains("au moins un site"));
        assert!(with("debut", "2026-12-04").contains("dans le passé"));
        assert!(with("debut", "demain").contains("n'est pas lisible"));
        assert!(with("fin", "2026-12-01").contains("précède"));
    }
}
