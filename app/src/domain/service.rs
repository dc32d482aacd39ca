//! The state of the service: the maintenances the technical administrator schedules (during
//! which the platform answers 503 with what to do instead), the incidents recorded afterwards,
//! and the procédure de secours of each site, which the terms of use make the way formalities go
//! on when the platform does not answer.

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

/// How long before a maintenance every page shows its banner.
pub const BANNER_DAYS: i64 = 7;
/// How far back the page « État du service » lists past interruptions.
pub const HISTORY_DAYS: i64 = 90;
/// The longest a maintenance may last.
pub const LONGEST_MAINTENANCE_HOURS: i64 = 72;
/// The most a message or a procedure may hold.
pub const MESSAGE_MAX: usize = 500;
pub const PROCEDURE_MAX: usize = 3000;

/// What every page's banner says, as the server knows it at a request: the maintenance
/// announced, or the one under way (true) for the administrator who still works during it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServiceNotice(pub Option<(Interruption, bool)>);

/// What a site's people do while the platform does not answer, when its administrator wrote
/// nothing more precise.
pub const GENERAL_PROCEDURE: &str = "Les formalités continuent sans la plateforme : présentez-vous au poste de contrôle frontalier avec vos documents (DSCE, documents commerciaux, convocation imprimée ou enregistrée). Les rendez-vous déjà fixés sont maintenus. Pour toute urgence, adressez-vous à l'accueil du poste ou au service des douanes du site ; les éléments remis pendant l'interruption sont saisis dans la plateforme à son retour.";

/// A maintenance (planned) or an incident.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interruption {
    pub id: i64,
    pub planned: bool,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub message: String,
    pub cancelled: bool,
}

impl Interruption {
    /// Whether it is under way at `now`.
    pub fn during(&self, now: DateTime<Utc>) -> bool {
        !self.cancelled && self.starts_at <= now && now < self.ends_at
    }

    /// « Maintenance » or « Incident ».
    pub fn kind_label(&self) -> &'static str {
        if self.planned {
            "Maintenance"
        } else {
            "Incident"
        }
    }

    /// « du 12/12/2026 à 22:00 au 13/12/2026 à 02:00 », in Paris time.
    pub fn period(&self) -> String {
        format!(
            "du {} au {}",
            crate::ui::format::date_time(self.starts_at),
            crate::ui::format::date_time(self.ends_at)
        )
    }

    /// Seconds until it ends, at least one: what `Retry-After` says during it.
    pub fn retry_after(&self, now: DateTime<Utc>) -> i64 {
        (self.ends_at - now).num_seconds().max(1)
    }
}

/// A site's procédure de secours as the pages show it: the administrator's text, or the general
/// one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteProcedure {
    pub code: String,
    pub name: String,
    /// What the administrator wrote; empty when they wrote nothing.
    pub written: String,
}

impl SiteProcedure {
    pub fn text(&self) -> &str {
        if self.written.trim().is_empty() {
            GENERAL_PROCEDURE
        } else {
            &self.written
        }
    }
}

/// What the page « État du service » shows, and what the pages' banner and the 503 page read.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceState {
    /// The maintenance or incident under way, if any.
    pub current: Option<Interruption>,
    /// Maintenances to come, soonest first.
    pub upcoming: Vec<Interruption>,
    /// Interruptions of the last [`HISTORY_DAYS`] days, most recent first (cancelled ones too,
    /// said so).
    pub past: Vec<Interruption>,
    pub procedures: Vec<SiteProcedure>,
}

impl ServiceState {
    /// The maintenance under way at `now` (an incident recorded afterwards never blocks).
    pub fn maintenance_at(&self, now: DateTime<Utc>) -> Option<&Interruption> {
        self.current
            .iter()
            .chain(self.upcoming.iter())
            .find(|interruption| interruption.planned && interruption.during(now))
    }

    /// The maintenance a banner announces at `now`: the next one starting within
    /// [`BANNER_DAYS`].
    pub fn announced_at(&self, now: DateTime<Utc>) -> Option<&Interruption> {
        self.upcoming.iter().find(|interruption| {
            interruption.planned
                && !interruption.cancelled
                && interruption.starts_at > now
                && interruption.starts_at <= now + Duration::days(BANNER_DAYS)
        })
    }
}

/// What the administrator asked for, checked: a maintenance from `starts_at` (now when empty) to
/// `ends_at`, with its message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MaintenanceDraft {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub message: String,
}

/// Checks a maintenance (`planned`) or an incident as typed, in French: the start (empty for a
/// maintenance: now), the end, and the message.
pub fn parse_interruption(
    planned: bool,
    start: &str,
    end: &str,
    message: &str,
    now: DateTime<Utc>,
) -> Result<MaintenanceDraft, String> {
    let moment = |text: &str, what: &str| -> Result<DateTime<Utc>, String> {
        let local: NaiveDateTime =
            crate::domain::dates::parse_moment(text.trim()).ok_or_else(|| {
                format!(
                    "{what} : date et heure illisibles, attendu {}",
                    crate::domain::dates::MOMENT_PLACEHOLDER
                )
            })?;
        Ok(crate::domain::appointment::paris_instant(
            local.date(),
            local.time(),
        ))
    };
    let starts_at = if start.trim().is_empty() {
        if !planned {
            return Err("Début : indiquez quand l'incident a commencé.".into());
        }
        now
    } else {
        moment(start, "Début")?
    };
    let ends_at = moment(end, "Fin")?;
    if ends_at <= starts_at {
        return Err("Fin : elle doit venir après le début.".into());
    }
    if planned {
        if ends_at <= now {
            return Err(
                "Fin : une maintenance se prévoit, elle ne peut pas être déjà finie.".into(),
            );
        }
        if ends_at - starts_at > Duration::hours(LONGEST_MAINTENANCE_HOURS) {
            return Err(format!(
                "Fin : une maintenance dure au plus {LONGEST_MAINTENANCE_HOURS} heures."
            ));
        }
    } else if ends_at > now {
        return Err("Fin : un incident s'enregistre une fois terminé.".into());
    }
    let message = message.trim();
    if message.is_empty() {
        return Err("Motif : dites en une phrase ce qui se passe, il est montré à tous.".into());
    }
    if message.chars().count() > MESSAGE_MAX {
        return Err(format!("Motif : {MESSAGE_MAX} caractères au plus."));
    }
    if crate::domain::has_control_characters(message) {
        return Err(format!("Motif : {}", crate::domain::account::INVISIBLE));
    }
    Ok(MaintenanceDraft {
        starts_at,
        ends_at,
        message: message.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 5, 10, 0, 0).unwrap()
    }

    #[test]
    fn a_maintenance_is_checked_as_typed_in_paris_time() {
        let draft = parse_interruption(
            true,
            "12/12/2026 22:00",
            "13/12/2026 02:00",
            " Mise à jour ",
            now(),
        )
        .unwrap();
        assert_eq!(
            draft.starts_at,
            Utc.with_ymd_and_hms(2026, 12, 12, 21, 0, 0).unwrap()
        );
        assert_eq!(draft.message, "Mise à jour");
        // Now, when no start is given.
        let now_on = parse_interruption(true, "", "05/12/2026 12:00", "Correctif", now()).unwrap();
        assert_eq!(now_on.starts_at, now());
        for (start, end, message, said) in [
            (
                "12/12/2026",
                "13/12/2026 02:00",
                "x",
                "Début : date et heure illisibles",
            ),
            (
                "12/12/2026 22:00",
                "12/12/2026 21:00",
                "x",
                "Fin : elle doit venir après",
            ),
            (
                "12/12/2026 22:00",
                "16/12/2026 22:00",
                "x",
                "au plus 72 heures",
            ),
            (
                "12/12/2026 22:00",
                "13/12/2026 02:00",
                "  ",
                "Motif : dites",
            ),
            ("01/12/2026 22:00", "02/12/2026 02:00", "x", "déjà finie"),
        ] {
            let refused = parse_interruption(true, start, end, message, now()).unwrap_err();
            assert!(refused.contains(said), "{refused}");
        }
        // An incident is recorded once over.
        assert!(parse_interruption(false, "", "05/12/2026 09:00", "Panne", now()).is_err());
        assert!(parse_interruption(
            false,
            "05/12/2026 08:00",
            "05/12/2026 12:00",
            "Panne",
            now()
        )
        .unwrap_err()
        .contains("une fois terminé"));
        assert!(parse_interruption(
            false,
            "05/12/2026 08:00",
            "05/12/2026 09:30",
            "Panne",
            now()
        )
        .is_ok());
    }

    #[test]
    fn the_banner_announces_the_next_maintenance_within_a_week_and_the_pages_close_during_it() {
        let at = |hours: i64| now() + Duration::hours(hours);
        let maintenance = |id, from, to| Interruption {
            id,
            planned: true,
            starts_at: at(from),
            ends_at: at(to),
            message: "Mise à jour".into(),
            cancelled: false,
        };
        let state = ServiceState {
            upcoming: vec![maintenance(1, 48, 50), maintenance(2, 24 * 10, 24 * 10 + 2)],
            ..Default::default()
        };
        assert_eq!(state.announced_at(now()).map(|m| m.id), Some(1));
        assert_eq!(state.maintenance_at(now()), None);
        assert_eq!(state.maintenance_at(at(49)).map(|m| m.id), Some(1));
        assert_eq!(state.maintenance_at(at(50)), None);
        assert_eq!(state.upcoming[0].retry_after(at(49)), 3600);
        let mut cancelled = state.clone();
        cancelled.upcoming[0].cancelled = true;
        assert_eq!(cancelled.maintenance_at(at(49)), None);
        assert_eq!(cancelled.announced_at(now()), None);
    }
}
