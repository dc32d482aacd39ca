//! The gate: when an arrival may be recorded (a window around the slot, set per post), and the
//! short code a person types when the convocation's QR code cannot be read. Pure rules, no I/O.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::appointment::{paris_day, Appointment, AppointmentState};

/// How long before a slot's start, and after it, an arrival is recorded as on time. Each post has
/// its own (columns of `post`); a post created without one gets [`CheckInWindow::default`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckInWindow {
    pub opens_minutes_before: u32,
    pub closes_minutes_after: u32,
}

impl Default for CheckInWindow {
    /// From two hours before the slot's start to four hours after it (as the migration's
    /// column defaults).
    fn default() -> Self {
        CheckInWindow {
            opens_minutes_before: 120,
            closes_minutes_after: 240,
        }
    }
}

impl CheckInWindow {
    /// The most either bound may be (the columns' CHECK): a day.
    pub const MAX_MINUTES: u32 = 1440;

    pub fn opens_at(&self, starts_at: DateTime<Utc>) -> DateTime<Utc> {
        starts_at - Duration::minutes(i64::from(self.opens_minutes_before))
    }

    pub fn closes_at(&self, starts_at: DateTime<Utc>) -> DateTime<Utc> {
        starts_at + Duration::minutes(i64::from(self.closes_minutes_after))
    }

    /// `de 2 heures avant à 4 heures après le début du créneau`.
    pub fn describe(&self) -> String {
        format!(
            "de {} avant à {} après le début du créneau",
            span(self.opens_minutes_before),
            span(self.closes_minutes_after)
        )
    }
}

/// `2 heures`, `1 heure 30`, `45 minutes`, `1 minute`.
fn span(minutes: u32) -> String {
    let (hours, minutes) = (minutes / 60, minutes % 60);
    let plural = |n: u32, word: &str| format!("{n} {word}{}", if n > 1 { "s" } else { "" });
    match (hours, minutes) {
        (0, m) => plural(m, "minute"),
        (h, 0) => plural(h, "heure"),
        (h, m) => format!("{} {m:02}", plural(h, "heure")),
    }
}

/// `mardi 03/12/2026 à 10:00`, in Paris time.
fn day_and_time(at: DateTime<Utc>) -> String {
    use chrono::Datelike;
    let day = paris_day(at);
    let weekday = super::appointment::weekday_label(day.weekday().number_from_monday() as u8);
    format!(
        "{weekday} {} à {}",
        day.format("%d/%m/%Y"),
        at.with_timezone(&chrono_tz::Europe::Paris).format("%H:%M")
    )
}

/// What the gate may do with an appointment now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Arrival {
    /// Within the window: the arrival is recorded as on time.
    OnTime,
    /// Past the window, on the day it closed: the agent may record it as a late arrival, with
    /// a reason.
    Late { closed_at: DateTime<Utc> },
    /// Before the window (an earlier day included).
    TooEarly {
        starts_at: DateTime<Utc>,
        opens_at: DateTime<Utc>,
    },
    /// After the day the window closed: too late to record; the appointment is to be moved or
    /// marked absent.
    PastDay { starts_at: DateTime<Utc> },
    /// Not yet validated by the post.
    NotValidated,
    /// Already closed: honoured, refused, cancelled or absent.
    Closed {
        state: AppointmentState,
        checked_in_at: Option<DateTime<Utc>>,
    },
}

/// Where an appointment stands at the gate at `now`.
pub fn arrival(appointment: &Appointment, window: &CheckInWindow, now: DateTime<Utc>) -> Arrival {
    match appointment.state {
        AppointmentState::Confirme | AppointmentState::Reporte => {}
        AppointmentState::Demande => return Arrival::NotValidated,
        state => {
            return Arrival::Closed {
                state,
                checked_in_at: appointment.checked_in_at,
            }
        }
    }
    let starts_at = appointment.starts_at;
    let opens_at = window.opens_at(starts_at);
    let closes_at = window.closes_at(starts_at);
    if now < opens_at {
        Arrival::TooEarly {
            starts_at,
            opens_at,
        }
    } else if now <= closes_at {
        Arrival::OnTime
    } else if paris_day(now) <= paris_day(closes_at) {
        Arrival::Late {
            closed_at: closes_at,
        }
    } else {
        Arrival::PastDay { starts_at }
    }
}

impl Arrival {
    /// Whether "Enregistrer l'arrivée" applies now.
    pub fn on_time(&self) -> bool {
        matches!(self, Arrival::OnTime)
    }

    /// Whether only a late arrival, with its reason, may be recorded now.
    pub fn late(&self) -> bool {
        matches!(self, Arrival::Late { .. })
    }

    /// What the gate says of it, in French.
    pub fn explain(&self) -> String {
        match self {
            Arrival::OnTime => "L'arrivée peut être enregistrée maintenant.".to_owned(),
            Arrival::Late { closed_at } => format!(
                "Arrivée tardive : le pointage de ce rendez-vous a fermé le {}. Vous pouvez encore l'accepter en indiquant le motif du retard.",
                day_and_time(*closed_at)
            ),
            Arrival::TooEarly { starts_at, opens_at } => format!(
                "Trop tôt : ce rendez-vous est prévu le {}. Le pointage ouvre le {}.",
                day_and_time(*starts_at),
                day_and_time(*opens_at)
            ),
            Arrival::PastDay { starts_at } => format!(
                "Ce rendez-vous était prévu le {} : il est trop tard pour enregistrer l'arrivée. Reportez-le depuis le planning, ou enregistrez l'absence.",
                day_and_time(*starts_at)
            ),
            Arrival::NotValidated => "Ce rendez-vous n'est pas encore validé par le poste : validez-le depuis le planning avant d'enregistrer l'arrivée.".to_owned(),
            Arrival::Closed { state: AppointmentState::Honore, checked_in_at } => format!(
                "L'arrivée est déjà enregistrée{}.",
                checked_in_at.map(|at| format!(" (le {})", day_and_time(at))).unwrap_or_default()
            ),
            Arrival::Closed { state, .. } => format!(
                "Ce rendez-vous est clos (état : {}) : aucune arrivée ne peut y être enregistrée.",
                state.label().to_lowercase()
            ),
        }
    }
}

/// Why the gate refuses to record an arrival.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ArrivalRefusal {
    TooEarly {
        starts_at: DateTime<Utc>,
        opens_at: DateTime<Utc>,
    },
    /// The window has closed: only a late arrival, with a reason, may be recorded.
    WindowClosed {
        closed_at: DateTime<Utc>,
    },
    /// Recorded as late while the window is open: record it as on time.
    NotLate,
    PastDay {
        starts_at: DateTime<Utc>,
    },
}

impl std::fmt::Display for ArrivalRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let text = match self {
            ArrivalRefusal::TooEarly { starts_at, opens_at } => Arrival::TooEarly {
                starts_at: *starts_at,
                opens_at: *opens_at,
            }
            .explain(),
            ArrivalRefusal::WindowClosed { closed_at } => Arrival::Late {
                closed_at: *closed_at,
            }
            .explain(),
            ArrivalRefusal::NotLate => {
                "Ce rendez-vous est dans son créneau de pointage : enregistrez l'arrivée sans motif de retard.".to_owned()
            }
            ArrivalRefusal::PastDay { starts_at } => Arrival::PastDay {
                starts_at: *starts_at,
            }
            .explain(),
        };
        f.write_str(&text)
    }
}

/// The characters of a gate code: digits and capital letters, without those a person confuses
/// (0 and O, 1, I and L).
pub const GATE_CODE_ALPHABET: &[u8; 31] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
/// Characters of a gate code: 31^10 ≈ 8.2 × 10^14 codes (49.5 bits).
pub const GATE_CODE_LENGTH: usize = 10;
/// Failed gate codes an agent may type in a day of Paris; beyond, codes are refused until the
/// next day (the QR code and the search by reference still work).
pub const GATE_CODE_DAILY_FAILURES: u32 = 20;

/// The short code a convocation prints beside its QR code, as typed at the gate: derived from
/// the convocation's token (so that it can be printed again without being stored), and only its
/// digest is stored (see [`GateCode::digest_input`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GateCode(String);

impl GateCode {
    /// The code of a convocation's token.
    #[cfg(feature = "ssr")]
    pub fn of_token(token: &str) -> GateCode {
        use sha2::{Digest, Sha256};
        let digest = Sha256::digest(format!("france-sesame:code-arrivee:v1:{token}").as_bytes());
        let mut bytes = [0u8; 16];
        bytes.copy_from_slice(&digest[..16]);
        // 2^128 is 10^23 times 31^10: the remainders are uniform to within 10^-23.
        let mut number = u128::from_be_bytes(bytes);
        let code = (0..GATE_CODE_LENGTH)
            .map(|_| {
                let symbol = GATE_CODE_ALPHABET[(number % 31) as usize] as char;
                number /= 31;
                symbol
            })
            .collect();
        GateCode(code)
    }

    /// A code as a person typed it: any case, with or without spaces, hyphens or dots.
    pub fn parse(text: &str) -> Result<GateCode, GateCodeError> {
        let code: String = text
            .chars()
            .filter(|c| {
                !matches!(
                    c,
                    ' ' | '-' | '.' | '_' | '\u{a0}' | '\u{2010}'..='\u{2015}'
                )
            })
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if code.chars().count() != GATE_CODE_LENGTH
            || !code.bytes().all(|b| GATE_CODE_ALPHABET.contains(&b))
        {
            return Err(GateCodeError);
        }
        Ok(GateCode(code))
    }

    /// The code as printed: two groups of five, `7KQ4M-XW2HD`.
    pub fn display(&self) -> String {
        format!("{}-{}", &self.0[..5], &self.0[5..])
    }

    /// What is hashed to store and find it (never the code itself: see the store).
    pub fn digest_input(&self) -> String {
        format!("code-arrivee:{}", self.0)
    }
}

/// A code that cannot be one: wrong length or characters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GateCodeError;

impl std::fmt::Display for GateCodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Un code de convocation compte {GATE_CODE_LENGTH} caractères : des chiffres de 2 à 9 et des lettres (sans I, L ni O), par exemple 7KQ4M-XW2HD. Vérifiez-le, ou cherchez par le numéro de conteneur."
        )
    }
}

/// The one answer to a code that names no appointment the agent may record today: unknown, of
/// another post, of another day alike, so that codes cannot be probed.
pub const GATE_CODE_UNKNOWN: &str = "Ce code ne correspond à aucun rendez-vous de ce jour sur vos sites. Vérifiez-le, ou cherchez par le numéro de conteneur.";

/// The answer once the day's budget of failed codes is spent.
pub const GATE_CODE_BUDGET_SPENT: &str = "Trop de codes erronés aujourd'hui : la recherche par code est suspendue pour votre compte jusqu'à demain. Scannez le QR code de la convocation ou cherchez par le numéro de conteneur.";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_read_in_any_case_with_or_without_separators() {
        let code = GateCode::parse("7KQ4M-XW2HD").unwrap();
        assert_eq!(GateCode::parse("7kq4mxw2hd").unwrap(), code);
        assert_eq!(GateCode::parse(" 7kq4m xw2hd ").unwrap(), code);
        assert_eq!(GateCode::parse("7KQ.4MX.W2HD").unwrap(), code);
        assert_eq!(code.display(), "7KQ4M-XW2HD");
        assert!(GateCode::parse("7KQ4M-XW2H").is_err(), "trop court");
        assert!(GateCode::parse("7KQ4M-XW2H0").is_err(), "0 n'en est pas");
        assert!(GateCode::parse("OKQ4M-XW2HD").is_err(), "O n'en est pas");
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn a_token_gives_one_code_of_the_alphabet() {
        let code = GateCode::of_token("abc");
        assert_eq!(code, GateCode::of_token("abc"));
        assert_ne!(code, GateCode::of_token("abd"));
        assert_eq!(GateCode::parse(&code.display()).unwrap(), code);
    }

    #[test]
    fn the_default_window_is_two_hours_before_to_four_after() {
        assert_eq!(
            CheckInWindow::default().describe(),
            "de 2 heures avant à 4 heures après le début du créneau"
        );
        assert_eq!(span(90), "1 heure 30");
        assert_eq!(span(1), "1 minute");
    }
}

/// The gate's day: today's appointments of the agent's posts, which the gate page renders (each
/// card carrying what the device needs offline), read by `load_gate_day`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GateDay {
    /// The day (Paris) the list and the device's pass are for.
    pub day: chrono::NaiveDate,
    /// The agent it was fetched for: what they record offline is sent only for them.
    pub agent: i64,
    pub fetched_at: DateTime<Utc>,
    pub appointments: Vec<DayAppointment>,
}

/// An appointment of the day, with what the gate needs offline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayAppointment {
    pub id: i64,
    /// The dossier's main reference.
    pub headline: String,
    pub check: super::appointment::CheckKind,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub post_name: String,
    pub company_name: Option<String>,
    pub state: AppointmentState,
    pub checked_in_at: Option<DateTime<Utc>>,
    /// Its dossier's site and company: who may act on it.
    pub site: super::references::Locode,
    pub company_id: Option<i64>,
    pub window: CheckInWindow,
    /// The SHA-256 (hexadecimal) of the convocation's QR token and of its short code's digest
    /// input: the device finds the appointment a scanned or typed code names without holding
    /// the codes themselves.
    pub token_sha256: String,
    pub code_sha256: Option<String>,
}

/// What a presence or an absence recorded at the gate says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CheckinKind {
    Presence,
    Absence,
}

impl CheckinKind {
    pub fn code(self) -> &'static str {
        match self {
            CheckinKind::Presence => "presence",
            CheckinKind::Absence => "absence",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            CheckinKind::Presence => "Présent",
            CheckinKind::Absence => "Absent",
        }
    }
}

/// A presence or an absence recorded on a device, as it sends it: with the id it made (a
/// sending repeated is recorded once), the time of the scan or tap, and the slot the device
/// knew (a moved appointment is a conflict, not a presence at another time).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfflineCheckin {
    pub id: String,
    pub appointment_id: i64,
    pub kind: CheckinKind,
    /// A late arrival's reason (3 to 500 characters).
    pub reason: Option<String>,
    pub scanned_at: DateTime<Utc>,
    pub starts_at: DateTime<Utc>,
}

/// The most a device sends at once.
pub const OFFLINE_BATCH: usize = 200;
/// How far ahead of the server's clock a device's clock may be.
pub const CLOCK_SKEW_MINUTES: i64 = 5;

impl OfflineCheckin {
    /// What is wrong with it on its own, in French, for the day `day` (Paris) at `now`.
    pub fn problem(&self, day: chrono::NaiveDate, now: DateTime<Utc>) -> Option<String> {
        let id_ok = (8..=64).contains(&self.id.len())
            && self
                .id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-');
        if !id_ok {
            return Some(
                "L'identifiant d'un pointage doit compter 8 à 64 lettres, chiffres ou tirets."
                    .to_owned(),
            );
        }
        if let Some(reason) = &self.reason {
            let length = reason.trim().chars().count();
            if !(3..=500).contains(&length) {
                return Some("Le motif du retard doit compter 3 à 500 caractères.".to_owned());
            }
        }
        if self.kind == CheckinKind::Absence && self.reason.is_some() {
            return Some("Une absence ne porte pas de motif de retard.".to_owned());
        }
        if paris_day(self.scanned_at) != day {
            return Some(format!(
                "Ce pointage date du {} : seuls ceux du jour ({}) peuvent être envoyés.",
                paris_day(self.scanned_at).format("%d/%m/%Y"),
                day.format("%d/%m/%Y")
            ));
        }
        if self.scanned_at > now + Duration::minutes(CLOCK_SKEW_MINUTES) {
            return Some(
                "Ce pointage est daté dans le futur : vérifiez l'heure de l'appareil.".to_owned(),
            );
        }
        None
    }
}

/// What the server kept of a presence or absence sent from a device.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckinOutcome {
    pub id: String,
    /// Recorded as sent (now or at an earlier sending).
    pub recorded: bool,
    /// `enregistre`, or the conflict: `deplace`, `annule`, `deja_pointe`, `non_valide`,
    /// `refuse` (the gate's rules at the scan's time), `introuvable`.
    pub outcome: String,
    /// What the agent is told, in French: what the server kept.
    pub message: String,
}

/// The outcome of a presence or absence the server recorded.
pub const RECORDED: &str = "enregistre";

/// A device's pass of the day, as the personal space lists it (it can be revoked there).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GatePass {
    pub id: i64,
    pub day: chrono::NaiveDate,
    /// The browser's description.
    pub device: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: DateTime<Utc>,
}

/// What the server answers a device's sending: what it kept of each, in the order sent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Received {
    pub outcomes: Vec<CheckinOutcome>,
}
