//! Rendez-vous forms: an operator books for a dossier of their company, moves or cancels until the
//! post's cutoff; agents of the dossier's site validate, refuse (with a reason), move (with a
//! reason), and at the gate record the goods as presented or absent. Each form answers with a
//! redirection to the page it came from, with a message code.

use crate::domain::access::{EntryPoint, Target};
use crate::domain::appointment::{paris_day, paris_instant, BookingRefusal, CheckKind};
use crate::domain::dates::{self, DateUse};
use crate::domain::gate::ArrivalRefusal;
use crate::state::Caller;
use crate::store::{Booking, Change};
use crate::ui::notices::{Done, Problem};
use axum::extract::{Path, State};
use axum::{Extension, Form};
use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::forms::{back, check, check_known, check_viewer, done, Failure, Forms, Outcome};

/// The problem a refusal shows as.
fn refusal_code(refusal: &BookingRefusal) -> Problem {
    match refusal {
        BookingRefusal::Full => Problem::SlotFull,
        BookingRefusal::Past => Problem::SlotPast,
        BookingRefusal::TooSoon { .. } => Problem::SlotTooSoon,
        BookingRefusal::NotASlot => Problem::NotASlot,
        BookingRefusal::Closed(_) => Problem::PostClosed,
        BookingRefusal::NotSelected(_) => Problem::CheckNotRequired,
        BookingRefusal::AlreadyBooked(_) => Problem::AlreadyBooked,
        BookingRefusal::CutoffPassed { .. } => Problem::CutoffPassed,
        BookingRefusal::NotActive => Problem::AppointmentNotActive,
        BookingRefusal::OtherCompany => Problem::OtherCompany,
        BookingRefusal::NoPost => Problem::NoPost,
        BookingRefusal::NoCalendar => Problem::NoCalendar,
        BookingRefusal::Arrival(refusal) => match refusal {
            ArrivalRefusal::TooEarly { .. } => Problem::ArrivalTooEarly,
            ArrivalRefusal::WindowClosed { .. } => Problem::ArrivalWindowClosed,
            ArrivalRefusal::NotLate => Problem::ArrivalNotLate,
            ArrivalRefusal::PastDay { .. } => Problem::ArrivalDayPast,
        },
    }
}

/// A slot's start as forms send it: an instant (RFC 3339), or a Paris date and time
/// (`2026-12-01T08:30`, as a datetime field gives it), on a day within the planning's bounds;
/// else the problem to go back with.
fn parse_start(text: &str) -> Result<DateTime<Utc>, Problem> {
    let text = text.trim();
    let bounded = |day| {
        dates::within(day, DateUse::Planning, paris_day(Utc::now()))
            .map_err(|_| Problem::SlotOutOfBounds)
    };
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        let at = at.with_timezone(&Utc);
        bounded(paris_day(at))?;
        return Ok(at);
    }
    let local = dates::parse_moment(text).ok_or(Problem::NotASlot)?;
    // Bounded before the Paris clock reads it: chrono's ends would overflow.
    bounded(local.date())?;
    Ok(paris_instant(local.date(), local.time()))
}

#[derive(Deserialize)]
pub struct BookForm {
    #[serde(default)]
    controle: String,
    #[serde(default)]
    creneau: String,
}

#[tracing::instrument(skip_all)]
pub async fn book(
    State(forms): State<Forms>,
    Extension(caller): Extension<Caller>,
    Path(dossier_id): Path<i64>,
    Form(form): Form<BookForm>,
) -> Outcome {
    check_viewer(&caller, EntryPoint::MyAppointments, Target::Nothing)?;
    let check = CheckKind::from_code(form.controle.trim());
    let starts_at = parse_start(&form.creneau);
    // The dossier, and whether the slot asked for is full, in one read; told only to whoever
    // may book for the dossier.
    let slot = check.zip(starts_at.as_ref().ok().copied());
    let Some((dossier, full)) = forms.store.dossier_for_booking(dossier_id, slot).await? else {
        return Err(Failure::Refused(crate::domain::access::Refusal::Forbidden));
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
    let Some(check) = check else {
        return Err(back(&page, Problem::CheckUnknown, &[]));
    };
    let page = format!("{page}?controle={}", check.code());
    let starts_at = starts_at.map_err(|problem| back(&page, problem, &[]))?;
    // A full slot is refused by that read: in a rush on the last places, the many who come too
    // late cost it alone, and do not queue behind the few who take them on the write path.
    if full {
        return Err(back(&page, refusal_code(&BookingRefusal::Full), &[]));
    }
    let (token, _) = crate::http::new_token();
    let booking = Booking {
        dossier_id,
        post: dossier.post.as_ref(),
        check,
        starts_at,
        user_id: viewer.user_id,
        // The dossier's company: a representative books on its behalf.
        company_id: dossier.company_id,
        checkin_token: &token,
    };
    match forms
        .store
        .book(&booking, &caller.actor(), Utc::now())
        .await?
    {
        Ok(_) => done(
            &format!("/dossiers/{dossier_id}#rendez-vous"),
            Done::AppointmentRequested,
        ),
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
/// report, presence, presence-tardive (with the reason of the delay), absence (agents).
#[tracing::instrument(skip_all)]
pub async fn change(
    State(forms): State<Forms>,
    Extension(caller): Extension<Caller>,
    Path((id, action)): Path<(i64, String)>,
    Form(form): Form<ChangeForm>,
) -> Outcome {
    let Some(appointment) = forms.store.appointment(id).await? else {
        // Signed in first: nothing is said of an appointment to a stranger.
        check_viewer(&caller, EntryPoint::ListDossiers, Target::Nothing)?;
        return Err(back("/", Problem::AppointmentNotActive, &[]));
    };
    let target = Target::Dossier {
        site: &appointment.site,
        company_id: appointment.company_id,
    };
    // Who may not read the dossier is answered as for an unknown appointment: ids cannot be
    // probed. Who may read it but not take this action is refused.
    check_known(&caller, EntryPoint::ReadDossier, target, || {
        back("/", Problem::AppointmentNotActive, &[])
    })?;
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
    // Where to go back to: a path of this site only.
    let page = crate::http::safe_return(&form.retour).unwrap_or(fallback);
    let reason = form.motif.trim();
    let needs_reason = matches!(action.as_str(), "refus" | "report");
    if needs_reason && !(3..=500).contains(&reason.chars().count()) {
        return Err(back(&page, Problem::ReasonMissing, &[]));
    }
    if action == "presence-tardive" && !(3..=500).contains(&reason.chars().count()) {
        return Err(back(&page, Problem::LateReasonMissing, &[]));
    }
    let new_start = || parse_start(&form.creneau).map_err(|problem| back(&page, problem, &[]));
    let (change, message) = match action.as_str() {
        "annulation" => (Change::Cancel, Done::AppointmentCancelled),
        "deplacement" => (
            Change::Reschedule(new_start()?),
            Done::AppointmentRescheduled,
        ),
        "validation" => (Change::Validate, Done::AppointmentConfirmed),
        "refus" => (Change::Refuse(reason.to_owned()), Done::AppointmentRefused),
        "report" => (
            Change::Move(new_start()?, reason.to_owned()),
            Done::AppointmentMoved,
        ),
        "presence" => (Change::CheckIn, Done::AppointmentHonoured),
        "presence-tardive" => (
            Change::LateCheckIn(reason.to_owned()),
            Done::LateArrivalRecorded,
        ),
        "absence" => (Change::NoShow, Done::NoShowRecorded),
        _ => return Err(back(&page, Problem::UnknownAction, &[])),
    };
    match forms
        .store
        .change_appointment(&appointment, &change, &caller.actor(), Utc::now())
        .await?
    {
        Ok(()) => done(&page, message),
        Err(refusal) => Err(back(&page, refusal_code(&refusal), &[])),
    }
}

/// `GET /rendez-vous/{id}/convocation.pdf` and `GET /rendez-vous/{id}/rendez-vous.ics`: for whoever
/// may read the dossier.
#[tracing::instrument(skip_all)]
pub async fn document(
    State(forms): State<Forms>,
    Extension(caller): Extension<Caller>,
    Path((id, name)): Path<(i64, String)>,
) -> Outcome {
    check_viewer(&caller, EntryPoint::ListDossiers, Target::Nothing)?;
    let Some(appointment) = forms.store.appointment(id).await? else {
        return Err(Failure::Refused(crate::domain::access::Refusal::Forbidden));
    };
    check(
        &caller,
        EntryPoint::ReadDossier,
        Target::Dossier {
            site: &appointment.site,
            company_id: appointment.company_id,
        },
    )?;
    let (content_type, filename, body) = match name.as_str() {
        "convocation.pdf" => {
            let token = forms.store.checkin_token(id).await?.unwrap_or_default();
            let bytes = crate::documents::convocation::pdf(
                &appointment,
                &token,
                &forms.base_url,
                &forms.typeface,
            )
            .map_err(|error| {
                tracing::error!(%error, "convocation impossible");
                Failure::Store(crate::store::StoreError::Corrupt(error))
            })?;
            ("application/pdf", format!("convocation-{id}.pdf"), bytes)
        }
        "rendez-vous.ics" => (
            "text/calendar; charset=utf-8",
            format!("rendez-vous-{id}.ics"),
            crate::documents::convocation::ics(
                std::slice::from_ref(&appointment),
                "France Sésame — rendez-vous",
                Utc::now(),
            )
            .into_bytes(),
        ),
        _ => return Err(Failure::Refused(crate::domain::access::Refusal::Forbidden)),
    };
    // Each download by an agent is a consultation of the appointment and the dossier.
    if caller.viewer.as_ref().is_some_and(crate::state::audited) {
        forms
            .store
            .audit(
                &caller.audit_event(
                    "telechargement_rendez_vous",
                    &format!("rendez_vous:{id}"),
                    &filename,
                ),
                Utc::now(),
            )
            .await?;
    }
    Ok(crate::http::attachment(content_type, &filename, None, body))
}

/// `GET /calendrier/{token}.ics`: the personal feed calendar programs follow. The secret address
/// is the only credential; an unknown or revoked one gets 404, as if it never existed.
#[tracing::instrument(skip_all)]
pub async fn feed(
    State(forms): State<Forms>,
    Path(file): Path<String>,
) -> axum::response::Response {
    use axum::http::{header, StatusCode};
    use axum::response::IntoResponse;
    let token = file.strip_suffix(".ics").unwrap_or(&file);
    let not_found = || {
        crate::http::refusal(
            StatusCode::NOT_FOUND,
            "Cette adresse d'abonnement n'existe pas ou a été révoquée.",
        )
    };
    let owner = match forms
        .store
        .calendar_feed_owner(&crate::state::token_hash(token))
        .await
    {
        Ok(Some(owner)) => owner,
        Ok(None) => return not_found(),
        Err(error) => return Failure::Store(error).into_response(),
    };
    let company = match forms.store.user(owner).await {
        // Only an account still open, of an operator.
        Ok(Some(user)) if user.role == crate::domain::directory::Role::Operateur => user.company_id,
        Ok(_) => return not_found(),
        Err(error) => return Failure::Store(error).into_response(),
    };
    let Some(company) = company else {
        return not_found();
    };
    // The dossiers it represents today too, as « Mes rendez-vous » lists them.
    let represented = match forms
        .store
        .represented(company, crate::domain::access::local_day(Utc::now()))
        .await
    {
        Ok(represented) => represented,
        Err(error) => return Failure::Store(error).into_response(),
    };
    let since = Utc::now() - chrono::Duration::days(30);
    match forms
        .store
        .appointments(crate::store::AppointmentFilter::Company {
            id: company,
            represented: &represented,
        })
        .await
    {
        Ok(appointments) => {
            let recent: Vec<_> = appointments
                .into_iter()
                .filter(|appointment| appointment.ends_at >= since)
                .collect();
            (
                [
                    (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
                    (header::CACHE_CONTROL, "no-store"),
                ],
                crate::documents::convocation::ics(
                    &recent,
                    "France Sésame — rendez-vous",
                    Utc::now(),
                ),
            )
                .into_response()
        }
        Err(error) => Failure::Store(error).into_response(),
    }
}

/// `POST /abonnement-calendrier`: a new secret calendar address (the previous one stops working);
/// shown once on `/rendez-vous`.
#[tracing::instrument(skip_all)]
pub async fn subscribe(
    State(forms): State<Forms>,
    Extension(caller): Extension<Caller>,
) -> Outcome {
    use axum::http::header;
    let viewer = check_viewer(&caller, EntryPoint::MyAppointments, Target::Nothing)?;
    let (token, hash) = crate::http::new_token();
    let now = Utc::now();
    let mut tx = forms.store.begin().await?;
    tx.create_calendar_feed(viewer.user_id, &hash, now).await?;
    tx.audit(
        &caller.audit_event(
            "abonnement_calendrier_cree",
            &format!("utilisateur:{}", viewer.user_id),
            "",
        ),
        now,
    )
    .await?;
    tx.commit().await?;
    let address = format!(
        "{}/calendrier/{token}.ics",
        forms.base_url.trim_end_matches('/')
    );
    let mut response = done("/rendez-vous", Done::FeedCreated)?;
    response.headers_mut().append(
        header::SET_COOKIE,
        crate::state::set_cookie(
            crate::api::appointments::FRESH_FEED_COOKIE,
            &address,
            caller.over_https,
            chrono::Duration::minutes(2),
        ),
    );
    Ok(response)
}

/// `POST /abonnement-calendrier/revocation`: the secret address stops working at once.
#[tracing::instrument(skip_all)]
pub async fn unsubscribe(
    State(forms): State<Forms>,
    Extension(caller): Extension<Caller>,
) -> Outcome {
    let viewer = check_viewer(&caller, EntryPoint::MyAppointments, Target::Nothing)?;
    let now = Utc::now();
    let mut tx = forms.store.begin().await?;
    tx.revoke_calendar_feeds(viewer.user_id, now).await?;
    tx.audit(
        &caller.audit_event(
            "abonnement_calendrier_revoque",
            &format!("utilisateur:{}", viewer.user_id),
            "",
        ),
        now,
    )
    .await?;
    tx.commit().await?;
    done("/rendez-vous", Done::FeedRevoked)
}
