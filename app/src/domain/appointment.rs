//! Rendez-vous: the appointments operators book, and agents validate, for the identity and
//! physical checks at a border control post. A post's calendar (opening periods per weekday, slot
//! length, capacity per slot for each check) gives its slots; every time is Europe/Paris for
//! people and UTC in storage, so that the last Sundays of March and October (23 and 25 hours) give
//! the slots that really exist.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Europe::Paris;
use serde::{Deserialize, Serialize};

use super::directory::{Administration, Post};
use super::journey::{EventKind, StepKind, StepState};
use super::references::{Locode, PostCode};

/// The administration that carries out the checks appointments are for (identity and physical
/// checks are the veterinary and phytosanitary inspection's, see `StepKind::actor`): its agents
/// decide the appointments and set the calendars of the posts where it inspects.
pub const INSPECTION: Administration = Administration::Dgal;

/// Whether appointments are made at this post: the inspection works there.
pub fn takes_appointments(post: &Post) -> bool {
    post.administrations.contains(&INSPECTION)
}

/// The checks an appointment is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckKind {
    Identity,
    Physical,
}

impl CheckKind {
    pub const ALL: [CheckKind; 2] = [CheckKind::Identity, CheckKind::Physical];

    pub fn code(self) -> &'static str {
        match self {
            CheckKind::Identity => "identity",
            CheckKind::Physical => "physical",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        CheckKind::ALL.into_iter().find(|kind| kind.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            CheckKind::Identity => "Contrôle d'identité",
            CheckKind::Physical => "Contrôle physique",
        }
    }

    /// The step of the timeline this check is.
    pub fn step(self) -> StepKind {
        match self {
            CheckKind::Identity => StepKind::IdentityCheck,
            CheckKind::Physical => StepKind::PhysicalCheck,
        }
    }
}

/// Where an appointment stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppointmentState {
    /// Booked, waiting for the post's validation.
    Demande,
    Confirme,
    Refuse,
    /// Moved by the post to another slot (with a reason); it holds its new slot.
    Reporte,
    Annule,
    /// The goods were presented: checked in at the gate.
    Honore,
    /// Nobody came.
    Absent,
}

impl AppointmentState {
    pub const ALL: [AppointmentState; 7] = [
        AppointmentState::Demande,
        AppointmentState::Confirme,
        AppointmentState::Refuse,
        AppointmentState::Reporte,
        AppointmentState::Annule,
        AppointmentState::Honore,
        AppointmentState::Absent,
    ];

    pub fn code(self) -> &'static str {
        match self {
            AppointmentState::Demande => "demande",
            AppointmentState::Confirme => "confirme",
            AppointmentState::Refuse => "refuse",
            AppointmentState::Reporte => "reporte",
            AppointmentState::Annule => "annule",
            AppointmentState::Honore => "honore",
            AppointmentState::Absent => "absent",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        AppointmentState::ALL
            .into_iter()
            .find(|state| state.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            AppointmentState::Demande => "Demandé",
            AppointmentState::Confirme => "Confirmé",
            AppointmentState::Refuse => "Refusé",
            AppointmentState::Reporte => "Reporté",
            AppointmentState::Annule => "Annulé",
            AppointmentState::Honore => "Honoré",
            AppointmentState::Absent => "Absent",
        }
    }

    /// Whether it holds a place in its slot.
    pub fn is_active(self) -> bool {
        matches!(
            self,
            AppointmentState::Demande | AppointmentState::Confirme | AppointmentState::Reporte
        )
    }

    /// The codes of the states that hold a place, for SQL (`state IN (…)`).
    /// Whether it holds its slot's place: active, honoured or absent (a cancellation or a
    /// refusal gives the place back).
    pub fn holds_place(self) -> bool {
        self.is_active() || matches!(self, AppointmentState::Honore | AppointmentState::Absent)
    }

    pub const ACTIVE_SQL: &'static str = "('demande', 'confirme', 'reporte')";
}

/// An appointment as people read it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Appointment {
    pub id: i64,
    pub dossier_id: i64,
    /// The dossier's main reference.
    pub dossier_headline: String,
    pub company_id: Option<i64>,
    pub company_name: Option<String>,
    pub site: Locode,
    pub post: PostCode,
    pub post_name: String,
    pub check: CheckKind,
    pub state: AppointmentState,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// Why it was refused or moved.
    pub reason: Option<String>,
    pub checked_in_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The short code to type at the gate when the QR code cannot be read (`7KQ4M-XW2HD`);
    /// appointments booked before it existed have none (see `domain::gate`).
    pub gate_code: Option<String>,
}

/// A slot as the availability shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlotAvailability {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub capacity: u32,
    pub booked: u32,
}

impl SlotAvailability {
    pub fn free(&self) -> u32 {
        self.capacity.saturating_sub(self.booked)
    }
}

/// One opening period of a weekday, in Paris time; several a day leave breaks between them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Opening {
    /// 1 (Monday) to 7 (Sunday).
    pub weekday: u8,
    pub opens: NaiveTime,
    pub closes: NaiveTime,
}

/// A post's calendar.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Calendar {
    pub slot_minutes: u32,
    /// Places per slot for each check (inspectors, docks).
    pub identity_capacity: u32,
    pub physical_capacity: u32,
    /// How long before a slot it may still be booked.
    pub min_notice_hours: u32,
    /// Until how long before its slot an appointment may be moved or cancelled by the operator.
    pub cutoff_hours: u32,
    /// Whether each request waits for an agent's validation (otherwise confirmed at booking).
    pub requires_validation: bool,
    /// Whether the post opens on French public holidays.
    pub open_on_public_holidays: bool,
    pub openings: Vec<Opening>,
}

impl Calendar {
    /// Open every day round the clock, public holidays included, bookable up to the slot's start
    /// and movable until then: a post that never closes (and what tests book at, whatever the
    /// hour they run).
    pub fn round_the_clock(
        slot_minutes: u32,
        capacity: u32,
        requires_validation: bool,
    ) -> Calendar {
        Calendar {
            slot_minutes,
            identity_capacity: capacity,
            physical_capacity: capacity,
            min_notice_hours: 0,
            cutoff_hours: 0,
            requires_validation,
            open_on_public_holidays: true,
            openings: (1..=7)
                .map(|weekday| Opening {
                    weekday,
                    opens: NaiveTime::MIN,
                    closes: NaiveTime::MIN,
                })
                .collect(),
        }
    }

    /// The calendar a new post starts with, until its heads of service set their own: weekdays,
    /// 8:00–12:00 and 13:30–17:30, half-hour slots of 4 identity and 2 physical checks, booked
    /// 2 hours ahead at the latest, moved up to 4 hours before.
    pub fn standard(requires_validation: bool) -> Calendar {
        let at = |hour, minute| NaiveTime::from_hms_opt(hour, minute, 0).unwrap_or_default();
        Calendar {
            slot_minutes: 30,
            identity_capacity: 4,
            physical_capacity: 2,
            min_notice_hours: 2,
            cutoff_hours: 4,
            requires_validation,
            open_on_public_holidays: false,
            openings: (1..=5)
                .flat_map(|weekday| {
                    [
                        Opening {
                            weekday,
                            opens: at(8, 0),
                            closes: at(12, 0),
                        },
                        Opening {
                            weekday,
                            opens: at(13, 30),
                            closes: at(17, 30),
                        },
                    ]
                })
                .collect(),
        }
    }

    pub fn capacity(&self, kind: CheckKind) -> u32 {
        match kind {
            CheckKind::Identity => self.identity_capacity,
            CheckKind::Physical => self.physical_capacity,
        }
    }

    /// What is wrong with this calendar, in French, if anything.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if !(5..=480).contains(&self.slot_minutes) {
            problems
                .push("la durée d'un créneau doit être comprise entre 5 et 480 minutes".to_owned());
        }
        if self.identity_capacity > 500 || self.physical_capacity > 500 {
            problems.push("la capacité d'un créneau ne peut dépasser 500".to_owned());
        }
        if self.min_notice_hours > 24 * 30 || self.cutoff_hours > 24 * 30 {
            problems.push("les délais ne peuvent dépasser 30 jours".to_owned());
        }
        for opening in &self.openings {
            if !(1..=7).contains(&opening.weekday) {
                problems.push(format!("jour de semaine inconnu : {}", opening.weekday));
            } else if opening.closes <= opening.opens && opening.closes != NaiveTime::MIN {
                problems.push(format!(
                    "le {} : la fermeture ({}) doit suivre l'ouverture ({})",
                    weekday_label(opening.weekday),
                    opening.closes.format("%H:%M"),
                    opening.opens.format("%H:%M")
                ));
            }
        }
        for (index, first) in self.openings.iter().enumerate() {
            for second in &self.openings[index + 1..] {
                if first.weekday == second.weekday
                    && first.opens < end_of(second)
                    && second.opens < end_of(first)
                {
                    problems.push(format!(
                        "le {} : deux plages d'ouverture se chevauchent",
                        weekday_label(first.weekday)
                    ));
                }
            }
        }
        problems
    }

    /// The slots of one day of Paris, in order: (start, end) in UTC. Each opening period is cut
    /// into slots of `slot_minutes` counted in real time from its opening, so that a day of 23
    /// or 25 hours has the slots it really has; a slot that would pass the closing is not given.
    pub fn slots_of_day(
        &self,
        day: NaiveDate,
        closures: &[Closure],
    ) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        if closures.iter().any(|closure| closure.covers(day))
            || (!self.open_on_public_holidays && public_holiday(day).is_some())
        {
            return Vec::new();
        }
        let weekday = day.weekday().number_from_monday() as u8;
        let mut openings: Vec<&Opening> = self
            .openings
            .iter()
            .filter(|opening| opening.weekday == weekday)
            .collect();
        openings.sort_by_key(|opening| opening.opens);
        let length = Duration::minutes(i64::from(self.slot_minutes.max(1)));
        let mut slots = Vec::new();
        for opening in openings {
            let start = paris_instant(day, opening.opens);
            let end = if opening.closes == NaiveTime::MIN {
                day.succ_opt()
                    .map(|next| paris_instant(next, NaiveTime::MIN))
            } else {
                Some(paris_instant(day, opening.closes))
            };
            let Some(end) = end else { continue };
            let mut at = start;
            while at + length <= end {
                slots.push((at, at + length));
                at += length;
            }
        }
        slots
    }
}

/// `closes` as a time of day, midnight meaning the end of the day.
fn end_of(opening: &Opening) -> NaiveTime {
    if opening.closes == NaiveTime::MIN {
        NaiveTime::from_hms_opt(23, 59, 59).unwrap_or(NaiveTime::MIN)
    } else {
        opening.closes
    }
}

/// The instant a Paris clock shows `time` on `day`: the first of the two in the repeated hour of
/// October; in the skipped hour of March, the instant the clocks jump to.
pub fn paris_instant(day: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
    let local = day.and_time(time);
    match Paris.from_local_datetime(&local).earliest() {
        Some(at) => at.with_timezone(&Utc),
        None => Paris
            .from_local_datetime(&(local + Duration::hours(1)))
            .earliest()
            .map(|at| at.with_timezone(&Utc))
            .unwrap_or_else(|| Utc.from_utc_datetime(&local)),
    }
}

/// The day and time a Paris clock shows at `at`.
pub fn paris_day(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&Paris).date_naive()
}

pub fn weekday_label(weekday: u8) -> &'static str {
    match weekday {
        1 => "lundi",
        2 => "mardi",
        3 => "mercredi",
        4 => "jeudi",
        5 => "vendredi",
        6 => "samedi",
        7 => "dimanche",
        _ => "?",
    }
}

/// A period a post is closed, whole days of Paris, with its reason.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Closure {
    pub id: i64,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub reason: String,
}

impl Closure {
    pub fn covers(&self, day: NaiveDate) -> bool {
        self.starts_on <= day && day <= self.ends_on
    }
}

/// Easter Sunday of `year` (Gregorian computus).
fn easter(year: i32) -> Option<NaiveDate> {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, month as u32, day as u32)
}

/// The name of the French public holiday on `day`, if it is one (metropolitan France).
pub fn public_holiday(day: NaiveDate) -> Option<&'static str> {
    let fixed = match (day.month(), day.day()) {
        (1, 1) => Some("Jour de l'an"),
        (5, 1) => Some("Fête du Travail"),
        (5, 8) => Some("Victoire 1945"),
        (7, 14) => Some("Fête nationale"),
        (8, 15) => Some("Assomption"),
        (11, 1) => Some("Toussaint"),
        (11, 11) => Some("Armistice 1918"),
        (12, 25) => Some("Noël"),
        _ => None,
    };
    if fixed.is_some() {
        return fixed;
    }
    let easter = easter(day.year())?;
    match (day - easter).num_days() {
        1 => Some("Lundi de Pâques"),
        39 => Some("Ascension"),
        50 => Some("Lundi de Pentecôte"),
        _ => None,
    }
}

/// Where a dossier stands for one check, as far as appointments go. One rule for the timeline's
/// words, the dossier page's actions and the booking's checks: a check is *sélectionné* once the
/// selection is received and its step is not « non requis »; it awaits its appointment while its
/// step is not settled — à venir, en cours, or bloqué (a check stalled for want of its
/// appointment is what the timeline shows as « rendez-vous à prendre »).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckNeed {
    /// The selection has not been received yet (it follows the documentary check).
    Unknown,
    /// Not selected: no appointment is needed.
    NotSelected,
    /// Selected and still to be done: it needs an appointment.
    Awaited,
    /// Selected and done (or concluded).
    Done,
}

impl CheckNeed {
    pub fn is_selected(self) -> bool {
        matches!(self, CheckNeed::Awaited | CheckNeed::Done)
    }
}

/// Where the dossier stands for this check (see [`CheckNeed`]).
pub fn check_need(
    kind: CheckKind,
    steps: &[super::journey::Step],
    events: &[EventKind],
) -> CheckNeed {
    if !events.contains(&EventKind::ChecksSelected) {
        return CheckNeed::Unknown;
    }
    match steps.iter().find(|step| step.kind == kind.step()) {
        None => CheckNeed::NotSelected,
        Some(step) if step.state == StepState::NonRequis => CheckNeed::NotSelected,
        Some(step) if step.state.is_settled() => CheckNeed::Done,
        Some(_) => CheckNeed::Awaited,
    }
}

/// What the appointments section of a dossier offers, worked out from where each check stands,
/// what is booked, and who reads.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Offer {
    /// The checks the reader may book now: selected, awaited, with no appointment in course.
    pub bookable: Vec<CheckKind>,
    /// When the reader may book but nothing is bookable, why, in French.
    pub why_not: Option<String>,
}

/// Where the dossier is, for the offer: its post, and whether that post takes appointments.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PostReadiness {
    NoPost,
    NoCalendar,
    Ready,
}

/// The offer for a reader who may (or may not) book, given each check's need and whether it has
/// an appointment in course.
pub fn offer(
    checks: &[(CheckKind, CheckNeed, bool)],
    post: PostReadiness,
    may_book: bool,
) -> Offer {
    if !may_book {
        return Offer {
            bookable: Vec::new(),
            why_not: None,
        };
    }
    let awaited: Vec<CheckKind> = checks
        .iter()
        .filter(|(_, need, _)| *need == CheckNeed::Awaited)
        .map(|(check, _, _)| *check)
        .collect();
    let open: Vec<CheckKind> = checks
        .iter()
        .filter(|(_, need, booked)| *need == CheckNeed::Awaited && !booked)
        .map(|(check, _, _)| *check)
        .collect();
    let why_not = if !open.is_empty() {
        match post {
            PostReadiness::Ready => None,
            PostReadiness::NoPost => Some(BookingRefusal::NoPost.to_string()),
            PostReadiness::NoCalendar => Some(BookingRefusal::NoCalendar.to_string()),
        }
    } else if !awaited.is_empty() {
        Some("Chaque contrôle sélectionné a son rendez-vous en cours : déplacez-le ou annulez-le ci-dessous si besoin.".to_owned())
    } else if checks.iter().any(|(_, need, _)| *need == CheckNeed::Done) {
        Some(
            "Les contrôles sélectionnés sont réalisés : aucun rendez-vous n'est nécessaire."
                .to_owned(),
        )
    } else if checks
        .iter()
        .any(|(_, need, _)| *need == CheckNeed::Unknown)
    {
        Some("Aucun rendez-vous à prendre pour l'instant : la sélection des contrôles d'identité et physique suit le contrôle documentaire. Le rendez-vous se prend ici dès qu'un contrôle est sélectionné.".to_owned())
    } else {
        Some("Ce dossier n'est sélectionné ni pour un contrôle d'identité ni pour un contrôle physique : aucun rendez-vous n'est nécessaire.".to_owned())
    };
    let bookable = if post == PostReadiness::Ready {
        open
    } else {
        Vec::new()
    };
    Offer { bookable, why_not }
}

/// The line that says which checks were selected, in French.
pub fn selection_sentence(checks: &[(CheckKind, CheckNeed)]) -> String {
    if checks.iter().any(|(_, need)| *need == CheckNeed::Unknown) {
        return "Contrôles sélectionnés : pas encore connus (la sélection suit le contrôle documentaire).".to_owned();
    }
    let selected: Vec<&str> = checks
        .iter()
        .filter(|(_, need)| need.is_selected())
        .map(|(check, _)| match check {
            CheckKind::Identity => "identité",
            CheckKind::Physical => "physique",
        })
        .collect();
    if selected.is_empty() {
        "Contrôles sélectionnés : aucun contrôle d'identité ni physique.".to_owned()
    } else {
        format!("Contrôles sélectionnés : {}.", selected.join(", "))
    }
}

/// Why a booking, a move or a cancellation is refused; each says it in French.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum BookingRefusal {
    Full,
    Past,
    TooSoon {
        hours: u32,
    },
    NotASlot,
    Closed(String),
    NotSelected(CheckKind),
    AlreadyBooked(CheckKind),
    CutoffPassed {
        hours: u32,
    },
    NotActive,
    OtherCompany,
    /// The dossier has no border control post yet.
    NoPost,
    /// The post has no calendar: appointments are not taken there.
    NoCalendar,
    /// The gate may not record the arrival now (see `domain::gate`).
    Arrival(super::gate::ArrivalRefusal),
}

impl std::fmt::Display for BookingRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BookingRefusal::Full => write!(f, "Ce créneau est complet. Choisissez-en un autre."),
            BookingRefusal::Past => write!(f, "Ce créneau est passé."),
            BookingRefusal::TooSoon { hours } => write!(f, "Ce créneau est trop proche : le poste demande de réserver au moins {hours} heure(s) à l'avance."),
            BookingRefusal::NotASlot => write!(f, "Cet horaire n'est pas un créneau du poste."),
            BookingRefusal::Closed(reason) => write!(f, "Le poste est fermé ce jour-là ({reason})."),
            BookingRefusal::NotSelected(kind) => write!(f, "Ce dossier n'est pas sélectionné pour un {} : aucun rendez-vous n'est nécessaire.", kind.label().to_lowercase()),
            BookingRefusal::AlreadyBooked(kind) => write!(f, "Ce dossier a déjà un rendez-vous en cours pour le {} : déplacez-le ou annulez-le.", kind.label().to_lowercase()),
            BookingRefusal::CutoffPassed { hours } => write!(f, "Il est trop tard pour modifier ce rendez-vous : c'est possible jusqu'à {hours} heure(s) avant son début. Contactez le poste."),
            BookingRefusal::NotActive => write!(f, "Ce rendez-vous n'est plus en cours."),
            BookingRefusal::OtherCompany => write!(f, "Ce dossier n'est pas celui de votre entreprise."),
            BookingRefusal::NoPost => write!(f, "Ce dossier n'a pas encore de poste de contrôle frontalier : le rendez-vous se prend quand le poste est connu."),
            BookingRefusal::NoCalendar => write!(f, "Ce poste ne prend pas de rendez-vous en ligne : contactez-le directement."),
            BookingRefusal::Arrival(refusal) => refusal.fmt(f),
        }
    }
}

/// Checks a slot asked for against the calendar and the clock: it must be a slot of the post,
/// in the future by at least the notice.
pub fn check_slot(
    calendar: &Calendar,
    closures: &[Closure],
    starts_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<DateTime<Utc>, BookingRefusal> {
    if starts_at <= now {
        return Err(BookingRefusal::Past);
    }
    let day = paris_day(starts_at);
    if let Some(closure) = closures.iter().find(|closure| closure.covers(day)) {
        return Err(BookingRefusal::Closed(closure.reason.clone()));
    }
    if !calendar.open_on_public_holidays {
        if let Some(name) = public_holiday(day) {
            return Err(BookingRefusal::Closed(name.to_owned()));
        }
    }
    let Some((_, ends_at)) = calendar
        .slots_of_day(day, closures)
        .into_iter()
        .find(|(start, _)| *start == starts_at)
    else {
        return Err(BookingRefusal::NotASlot);
    };
    if starts_at < now + Duration::hours(i64::from(calendar.min_notice_hours)) {
        return Err(BookingRefusal::TooSoon {
            hours: calendar.min_notice_hours,
        });
    }
    Ok(ends_at)
}

/// Whether the operator may still move or cancel an appointment starting at `starts_at`.
pub fn before_cutoff(
    calendar: &Calendar,
    starts_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), BookingRefusal> {
    if now + Duration::hours(i64::from(calendar.cutoff_hours)) <= starts_at {
        Ok(())
    } else {
        Err(BookingRefusal::CutoffPassed {
            hours: calendar.cutoff_hours,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_inspection_is_who_carries_out_the_checks() {
        for check in CheckKind::ALL {
            assert_eq!(check.step().actor(), Some(INSPECTION));
        }
    }

    fn time(text: &str) -> NaiveTime {
        NaiveTime::parse_from_str(text, "%H:%M").unwrap()
    }

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    /// Open all day, every day, in slots of one hour, booked 2 hours ahead, moved up to 4 hours
    /// before.
    fn round_the_clock() -> Calendar {
        Calendar {
            identity_capacity: 2,
            physical_capacity: 1,
            min_notice_hours: 2,
            cutoff_hours: 4,
            ..Calendar::round_the_clock(60, 1, true)
        }
    }

    #[test]
    fn the_days_the_clocks_change_have_23_and_25_hourly_slots() {
        let calendar = round_the_clock();
        assert_eq!(calendar.slots_of_day(day("2026-03-28"), &[]).len(), 24);
        let spring = calendar.slots_of_day(day("2026-03-29"), &[]);
        assert_eq!(spring.len(), 23);
        assert_eq!(spring[0].0, utc("2026-03-28T23:00:00Z"));
        // 01:00 then 03:00 in Paris: one hour of real time apart.
        assert_eq!(spring[2].0, utc("2026-03-29T01:00:00Z"));
        let autumn = calendar.slots_of_day(day("2026-10-25"), &[]);
        assert_eq!(autumn.len(), 25);
        assert_eq!(autumn[0].0, utc("2026-10-24T22:00:00Z"));
        assert_eq!(autumn[24].1, utc("2026-10-25T23:00:00Z"));
        // Consecutive, without gap or overlap.
        assert!(autumn.windows(2).all(|pair| pair[0].1 == pair[1].0));
    }

    #[test]
    fn breaks_closures_and_public_holidays_have_no_slots() {
        let calendar = Calendar {
            slot_minutes: 30,
            open_on_public_holidays: false,
            openings: vec![
                Opening {
                    weekday: 1,
                    opens: time("08:00"),
                    closes: time("12:00"),
                },
                Opening {
                    weekday: 1,
                    opens: time("13:30"),
                    closes: time("17:15"),
                },
            ],
            ..round_the_clock()
        };
        assert!(calendar.problems().is_empty(), "{:?}", calendar.problems());
        // Monday 30 November 2026, winter time: 8 + 7 slots (17:00–17:30 passes the closing).
        let monday = calendar.slots_of_day(day("2026-11-30"), &[]);
        assert_eq!(monday.len(), 15);
        assert_eq!(monday[0].0, utc("2026-11-30T07:00:00Z"));
        assert_eq!(monday[8].0, utc("2026-11-30T12:30:00Z"));
        // Tuesday has no opening.
        assert!(calendar.slots_of_day(day("2026-12-01"), &[]).is_empty());
        let closure = Closure {
            id: 1,
            starts_on: day("2026-11-30"),
            ends_on: day("2026-11-30"),
            reason: "Inventaire".into(),
        };
        assert!(calendar
            .slots_of_day(day("2026-11-30"), std::slice::from_ref(&closure))
            .is_empty());
        // Easter Monday 2026 is the 6th of April; Whit Monday the 25th of May.
        assert_eq!(public_holiday(day("2026-04-06")), Some("Lundi de Pâques"));
        assert_eq!(
            public_holiday(day("2026-05-25")),
            Some("Lundi de Pentecôte")
        );
        assert_eq!(public_holiday(day("2026-05-14")), Some("Ascension"));
        assert!(calendar.slots_of_day(day("2026-04-06"), &[]).is_empty());
        let now = utc("2026-11-26T10:00:00Z");
        assert_eq!(
            check_slot(&calendar, &[closure], utc("2026-11-30T07:00:00Z"), now),
            Err(BookingRefusal::Closed("Inventaire".into()))
        );
    }

    #[test]
    fn a_booking_must_be_a_future_slot_with_the_notice() {
        let calendar = round_the_clock();
        let now = utc("2026-11-26T10:20:00Z");
        assert_eq!(
            check_slot(&calendar, &[], utc("2026-11-26T09:00:00Z"), now),
            Err(BookingRefusal::Past)
        );
        assert_eq!(
            check_slot(&calendar, &[], utc("2026-11-26T11:00:00Z"), now),
            Err(BookingRefusal::TooSoon { hours: 2 })
        );
        assert_eq!(
            check_slot(&calendar, &[], utc("2026-11-26T13:30:00Z"), now),
            Err(BookingRefusal::NotASlot)
        );
        assert_eq!(
            check_slot(&calendar, &[], utc("2026-11-26T13:00:00Z"), now),
            Ok(utc("2026-11-26T14:00:00Z"))
        );
        assert!(before_cutoff(&calendar, utc("2026-11-26T14:20:00Z"), now).is_ok());
        assert_eq!(
            before_cutoff(&calendar, utc("2026-11-26T14:00:00Z"), now),
            Err(BookingRefusal::CutoffPassed { hours: 4 })
        );
        assert_eq!(
            BookingRefusal::Full.to_string(),
            "Ce créneau est complet. Choisissez-en un autre."
        );
    }

    fn step_in(kind: StepKind, state: StepState) -> super::super::journey::Step {
        super::super::journey::Step {
            kind,
            state,
            started_at: None,
            ended_at: None,
            actor: kind.actor(),
            outcome: None,
            expected_minutes: kind.typical_minutes(),
        }
    }

    #[test]
    fn a_check_stalled_for_want_of_its_appointment_awaits_it() {
        let selected = [EventKind::DocumentaryCheckDone, EventKind::ChecksSelected];
        let steps = |identity, physical| {
            vec![
                step_in(StepKind::IdentityCheck, identity),
                step_in(StepKind::PhysicalCheck, physical),
            ]
        };
        // « Rendez-vous à prendre » is a blocked check: it is still awaited.
        for state in [StepState::AVenir, StepState::EnCours, StepState::Bloque] {
            assert_eq!(
                check_need(
                    CheckKind::Physical,
                    &steps(StepState::NonRequis, state),
                    &selected
                ),
                CheckNeed::Awaited,
                "{state:?}"
            );
        }
        let done = steps(StepState::Termine, StepState::NonRequis);
        assert_eq!(
            check_need(CheckKind::Identity, &done, &selected),
            CheckNeed::Done
        );
        assert_eq!(
            check_need(CheckKind::Physical, &done, &selected),
            CheckNeed::NotSelected
        );
        assert_eq!(
            check_need(
                CheckKind::Physical,
                &steps(StepState::AVenir, StepState::AVenir),
                &[EventKind::ChedLodged]
            ),
            CheckNeed::Unknown
        );
    }

    #[test]
    fn the_offer_is_exactly_what_the_state_allows() {
        use CheckKind::{Identity, Physical};
        use CheckNeed::*;
        let ready = PostReadiness::Ready;
        // Only the awaited check without appointment is offered.
        let only_physical = offer(
            &[(Identity, NotSelected, false), (Physical, Awaited, false)],
            ready,
            true,
        );
        assert_eq!(only_physical.bookable, vec![Physical]);
        assert_eq!(only_physical.why_not, None);
        // A reader who may not book is offered nothing, and told nothing here.
        assert_eq!(
            offer(
                &[(Identity, Awaited, false), (Physical, Awaited, false)],
                ready,
                false
            ),
            Offer {
                bookable: vec![],
                why_not: None
            }
        );
        // Nothing bookable: why, in French.
        let why = |checks: &[(CheckKind, CheckNeed, bool)], post| {
            offer(checks, post, true).why_not.unwrap()
        };
        assert!(why(
            &[(Identity, NotSelected, false), (Physical, Awaited, true)],
            ready
        )
        .contains("a son rendez-vous en cours"));
        assert!(why(
            &[(Identity, Done, false), (Physical, NotSelected, false)],
            ready
        )
        .contains("sont réalisés"));
        assert!(why(
            &[(Identity, Unknown, false), (Physical, Unknown, false)],
            ready
        )
        .contains("suit le contrôle documentaire"));
        assert!(why(
            &[
                (Identity, NotSelected, false),
                (Physical, NotSelected, false)
            ],
            ready
        )
        .contains("n'est sélectionné ni"));
        let no_post = offer(
            &[(Identity, NotSelected, false), (Physical, Awaited, false)],
            PostReadiness::NoPost,
            true,
        );
        assert!(no_post.bookable.is_empty());
        assert_eq!(no_post.why_not, Some(BookingRefusal::NoPost.to_string()));
        assert_eq!(
            selection_sentence(&[(Identity, Done), (Physical, Awaited)]),
            "Contrôles sélectionnés : identité, physique."
        );
        assert_eq!(
            selection_sentence(&[(Identity, NotSelected), (Physical, NotSelected)]),
            "Contrôles sélectionnés : aucun contrôle d'identité ni physique."
        );
    }

    #[test]
    fn overlapping_openings_are_refused() {
        let calendar = Calendar {
            openings: vec![
                Opening {
                    weekday: 2,
                    opens: time("08:00"),
                    closes: time("12:00"),
                },
                Opening {
                    weekday: 2,
                    opens: time("11:00"),
                    closes: time("14:00"),
                },
            ],
            ..round_the_clock()
        };
        assert_eq!(
            calendar.problems(),
            vec!["le mardi : deux plages d'ouverture se chevauchent".to_owned()]
        );
    }
}
