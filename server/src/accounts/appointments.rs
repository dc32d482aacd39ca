//! Rendez-vous forms: an operator books for a dossier of their company, moves or cancels until the
//! post's cutoff; agents of the dossier's site validate, refuse (with a reason), move (with a
//! reason), and at the gate record the goods as presented or absent. Each form answers with a
//! redirection to the page it came from, with a message code.

use app::domain::access::{EntryPoint, Target};
use app::domain::appointment::{paris_instant, BookingRefusal, CheckKind};
use app::state::Caller;
use app::store::{Booking, Change};
use axum::extract::{Path, State};
use axum::{Extension, Form};
use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Deserialize;

use super::{back, check, check_viewer, done, Accounts, Failure, Outcome};

/// The error code a refusal shows as (see `app::ui::notices`).
fn refusal_code(refusal: &BookingRefusal) -> &'static str {
    match refusal {
        BookingRefusal::Full => "creneau-complet",
        BookingRefusal::Past => "creneau-passe",
        BookingRefusal::TooSoon { .. } => "creneau-trop-proche",
        BookingRefusal::NotASlot => "creneau-inconnu",
        BookingRefusal::Closed(_) => "poste-ferme",
        BookingRefusal::NotSelected(_) => "controle-non-requis",
        BookingRefusal::AlreadyBooked(_) => "rendez-vous-existant",
        BookingRefusal::CutoffPassed { .. } => "delai-depasse",
        BookingRefusal::NotActive => "rendez-vous-clos",
        BookingRefusal::OtherCompany => "autre-entreprise",
        BookingRefusal::NoPost => "sans-poste",
        BookingRefusal::NoCalendar => "sans-calendrier",
    }
}

/// A slot's start as forms send it: an instant (RFC 3339), or a Paris date and time
/// (`2026-12-01T08:30`, as a datetime field gives it).
fn parse_start(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    DateTime::parse_from_rfc3339(text)
        .map(|at| at.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M")
                .ok()
                .map(|local| paris_instant(local.date(), local.time()))
        })
}

/// Where to go back to: a path of this site only.
fn return_path(asked: &str, fallback: String) -> String {
    if asked.starts_with('/') && !asked.starts_with("//") && !asked.contains('\\') {
        asked.to_owned()
    } else {
        fallback
    }
}

#[derive(Deserialize)]
pub struct BookForm {
    #[serde(default)]
    controle: String,
    #[serde(default)]
    creneau: String,
}

pub async fn book(
    State(accounts): State<Accounts>,
    Extension(caller): Extension<Caller>,
    Path(dossier_id): Path<i64>,
    Form(form): Form<BookForm>,
) -> Outcome {
    check_viewer(&caller, EntryPoint::MyAppointments, Target::Nothing)?;
    let Some(dossier) = accounts.store.dossier_summary(dossier_id).await? else {
        return Err(Failure::Refused(app::domain::access::Refusal::Forbidden));
    };
    let viewer = check_viewer(
        &caller,
        EntryPoint::BookAppointment,
        Target::Dossier {
            site: &dossier.site,
            company_id: dossier.company_id,
        },
    )?;
    let page = format!("/dossiers/{dossier_id}/rendez-vous");
    let Some(check) = CheckKind::from_code(form.controle.trim()) else {
        return Err(back(&page, "controle-inconnu", &[]));
    };
    let page = format!("{page}?controle={}", check.code());
    let Some(starts_at) = parse_start(&form.creneau) else {
        return Err(back(&page, "creneau-inconnu", &[]));
    };
    let (token, _) = crate::sessions::new_token();
    let booking = Booking {
        dossier_id,
        check,
        starts_at,
        user_id: viewer.user_id,
        company_id: viewer.company_id,
        checkin_token: &token,
    };
    match accounts.store.book(&booking, &caller, Utc::now()).await? {
        Ok(id) => {
            accounts.live.appointment_changed(id).await;
            done(
                &format!("/dossiers/{dossier_id}#rendez-vous"),
                "rendez-vous-demande",
            )
        }
        Err(refusal) => Err(back(&page, refusal_code(&refusal), &[])),
    }
}

#[derive(Deserialize)]
pub struct ChangeForm {
    #[serde(default)]
    creneau: String,
    #[serde(default)]
    motif: String,
    #[serde(default)]
    retour: String,
}

/// `POST /rendez-vous/{id}/{action}`: annulation, deplacement (operators); validation, refus,
/// report, presence, absence (agents).
pub async fn change(
    State(accounts): State<Accounts>,
    Extension(caller): Extension<Caller>,
    Path((id, action)): Path<(i64, String)>,
    Form(form): Form<ChangeForm>,
) -> Outcome {
    let Some(appointment) = accounts.store.appointment(id).await? else {
        // Signed in first: nothing is said of an appointment to a stranger.
        check_viewer(&caller, EntryPoint::ListDossiers, Target::Nothing)?;
        return Err(back("/", "rendez-vous-clos", &[]));
    };
    let target = Target::Dossier {
        site: &appointment.site,
        company_id: appointment.company_id,
    };
    let operator_action = matches!(action.as_str(), "annulation" | "deplacement");
    check(
        &caller,
        if operator_action {
            EntryPoint::BookAppointment
        } else {
            EntryPoint::DecideAppointment
        },
        target,
    )?;
    let fallback = if operator_action {
        format!("/dossiers/{}#rendez-vous", appointment.dossier_id)
    } else {
        format!("/planning?poste={}", appointment.post)
    };
    let page = return_path(&form.retour, fallback);
    let reason = form.motif.trim();
    let needs_reason = matches!(action.as_str(), "refus" | "report");
    if needs_reason && !(3..=500).contains(&reason.chars().count()) {
        return Err(back(&page, "motif-manquant", &[]));
    }
    let new_start =
        || parse_start(&form.creneau).ok_or_else(|| back(&page, "creneau-inconnu", &[]));
    let (change, message) = match action.as_str() {
        "annulation" => (Change::Cancel, "rendez-vous-annule"),
        "deplacement" => (Change::Reschedule(new_start()?), "rendez-vous-deplace"),
        "validation" => (Change::Validate, "rendez-vous-confirme"),
        "refus" => (Change::Refuse(reason.to_owned()), "rendez-vous-refuse"),
        "report" => (
            Change::Move(new_start()?, reason.to_owned()),
            "rendez-vous-reporte",
        ),
        "presence" => (Change::CheckIn, "rendez-vous-honore"),
        "absence" => (Change::NoShow, "rendez-vous-absent"),
        _ => return Err(back(&page, "action-inconnue", &[])),
    };
    match accounts
        .store
        .change_appointment(id, &change, &caller, Utc::now())
        .await?
    {
        Ok(()) => {
            accounts.live.appointment_changed(id).await;
            done(&page, message)
        }
        Err(refusal) => Err(back(&page, refusal_code(&refusal), &[])),
    }
}
