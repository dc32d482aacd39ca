//! The gate without network. When an agent opens the gate online, the page comes with the day
//! (today's appointments of their posts, `load_gate_day`) and asks for a pass for the device
//! (`GET /api/arrivee-hors-ligne/acces`) — a credential made for that agent, those sites and that
//! day, in a cookie only that browser holds and sends only here. Presences and absences recorded offline are sent later
//! (`POST /api/arrivee-hors-ligne/pointages`) with the pass, even once the web session has idled
//! out; each is recorded once (the device's id), at the time of its scan, and what the server
//! kept is answered in French: recorded, or the conflict (moved, cancelled, already recorded).
//! The pass does nothing else: every other address ignores its cookie.

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::access::{authorize, EntryPoint, Refusal, Target, Viewer};
use crate::domain::appointment::{paris_day, paris_instant, AppointmentState};
use crate::domain::gate::{
    CheckinKind, CheckinOutcome, DayAppointment, GateDay, OfflineCheckin, Received, OFFLINE_BATCH,
    RECORDED,
};
use crate::forms::Forms;
use crate::state::{read_cookie_in, set_cookie_in, token_hash, Caller, CookieScope};
use crate::store::{Change, CheckinReceipt, StoreError};

/// Where the pass's cookie is sent: the gate's offline addresses only.
pub const PASS_PATH: &str = "/api/arrivee-hors-ligne";
const PASS_SCOPE: CookieScope = CookieScope::Under(PASS_PATH);
/// The pass's cookie.
const PASS_COOKIE: &str = "sesame_pointage";

/// The pass's token the browser sent, under the one name that counts for the transport.
fn pass_token(headers: &HeaderMap, over_https: bool) -> Option<String> {
    read_cookie_in(headers, PASS_COOKIE, PASS_SCOPE, over_https).filter(|token| token.len() == 64)
}

/// The `Set-Cookie` of a pass: HttpOnly, SameSite=Strict, for the gate's offline addresses only,
/// until the end of its day (Paris); `max_age` 0 removes it.
fn pass_cookie(token: &str, over_https: bool, max_age: chrono::Duration) -> HeaderValue {
    set_cookie_in(PASS_COOKIE, token, PASS_SCOPE, over_https, max_age)
}

/// The `Set-Cookie` that removes a device's pass (sign-out).
pub fn clear_pass_cookie(over_https: bool) -> HeaderValue {
    pass_cookie("", over_https, chrono::Duration::zero())
}

/// A refusal of the whole request, as JSON the page shows: `{"message": "…"}`.
fn refused(status: StatusCode, message: &str) -> Response {
    #[derive(Serialize)]
    struct Body<'a> {
        message: &'a str,
    }
    let mut response = (status, Json(Body { message })).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn unavailable(error: StoreError) -> Response {
    tracing::error!(%error, "contrôle à l'arrivée hors ligne : base de données");
    refused(
        StatusCode::SERVICE_UNAVAILABLE,
        "Le service est momentanément indisponible : vos pointages restent sur l'appareil et seront envoyés plus tard.",
    )
}

/// Whether `viewer` records arrivals at the gate of one of their sites at least (the
/// inspection's agents and heads of service).
pub fn records_arrivals(viewer: &Viewer) -> bool {
    viewer.sites.iter().any(|site| {
        authorize(
            Some(viewer),
            EntryPoint::DecideAppointment,
            Target::Dossier {
                site,
                company_id: None,
            },
        )
        .is_ok()
    })
}

fn not_at_the_gate() -> Response {
    refused(
        StatusCode::FORBIDDEN,
        "Le pointage à l'arrivée est fait par les agents de l'inspection habilités sur un site et par leurs chefs de service.",
    )
}

/// Whether `viewer` may record arrivals for this appointment.
fn may_act(viewer: &Viewer, appointment: &DayAppointment) -> bool {
    authorize(
        Some(viewer),
        EntryPoint::DecideAppointment,
        Target::Dossier {
            site: &appointment.site,
            company_id: appointment.company_id,
        },
    )
    .is_ok()
}

/// The start and end of a day of Paris.
fn day_bounds(day: chrono::NaiveDate) -> (DateTime<Utc>, DateTime<Utc>) {
    let next = day.succ_opt().unwrap_or(day);
    (
        paris_instant(day, chrono::NaiveTime::MIN),
        paris_instant(next, chrono::NaiveTime::MIN),
    )
}

/// Today's appointments of the posts of the viewer's sites that they may act on.
pub async fn day_of(
    store: &crate::store::Store,
    viewer: &Viewer,
    now: DateTime<Utc>,
) -> Result<GateDay, StoreError> {
    let today = paris_day(now);
    let (from, to) = day_bounds(today);
    let appointments = store
        .gate_day(&viewer.sites, from, to)
        .await?
        .into_iter()
        .filter(|appointment| may_act(viewer, appointment))
        .collect();
    Ok(GateDay {
        day: today,
        agent: viewer.user_id,
        fetched_at: now,
        appointments,
    })
}

/// Records the consultation of the day, once: the page, its live refreshes, the device's
/// reading of it within ten minutes are the same one.
pub async fn audit_day(
    caller: &Caller,
    store: &crate::store::Store,
    day: &GateDay,
) -> Result<(), leptos::prelude::ServerFnError> {
    caller
        .audit_consultation(
            store,
            "consultation_journee_arrivee",
            &format!("journee:{}", day.day),
            "",
        )
        .await
}

/// The device's pass, as `GET /api/arrivee-hors-ligne/acces` answers it (its token goes only in
/// the cookie).
#[derive(Serialize)]
pub struct PassOfTheDay {
    pub agent: i64,
    pub day: chrono::NaiveDate,
    /// The sites whose appointments of the day the pass may record.
    pub sites: Vec<String>,
}

/// `GET /api/arrivee-hors-ligne/acces`: the device's pass for the day, issued, or renewed for
/// the sites of the moment. Only with the web session: the pass alone does not renew itself.
/// The day's appointments come with the page (`load_gate_day`), not here.
#[tracing::instrument(skip_all)]
pub async fn pass(
    State(forms): State<Forms>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
) -> Response {
    let viewer = match authorize(
        caller.viewer.as_ref(),
        EntryPoint::Planning,
        Target::Nothing,
    )
    .map(|()| caller.viewer.as_ref())
    {
        Ok(Some(viewer)) if records_arrivals(viewer) => viewer,
        Ok(_) | Err(Refusal::Forbidden) => return not_at_the_gate(),
        Err(refusal) => return refused(StatusCode::UNAUTHORIZED, refusal.message()),
    };
    let now = Utc::now();
    let today = paris_day(now);
    let (_, to) = day_bounds(today);
    // The device's pass: the one it holds, if it is this person's of today and still open;
    // else a new one.
    let held = match pass_token(&headers, caller.over_https) {
        Some(token) => match forms.store.gate_pass(&token_hash(&token)).await {
            Ok(Some(pass)) if pass.user_id == viewer.user_id && pass.day == today => Some(pass.id),
            Ok(_) => None,
            Err(error) => return unavailable(error),
        },
        None => None,
    };
    let device: String = headers
        .get(header::USER_AGENT)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("appareil inconnu")
        .chars()
        .take(200)
        .collect();
    let written = async {
        let mut tx = forms.store.begin().await?;
        let fresh = match held {
            Some(id) => {
                tx.renew_gate_pass(id, caller.session_id, &viewer.sites, now)
                    .await?;
                None
            }
            None => {
                let (token, hash) = crate::http::new_token();
                let id = tx
                    .open_gate_pass(
                        &hash,
                        viewer.user_id,
                        caller.session_id,
                        today,
                        &viewer.sites,
                        &device,
                        now,
                    )
                    .await?;
                tx.audit(
                    &caller.audit_event(
                        "acces_hors_ligne_ouvert",
                        &format!("acces_hors_ligne:{id}"),
                        &device,
                    ),
                    now,
                )
                .await?;
                Some(token)
            }
        };
        tx.commit().await?;
        Ok::<_, StoreError>(fresh)
    }
    .await;
    let fresh = match written {
        Ok(fresh) => fresh,
        Err(error) => return unavailable(error),
    };
    let mut response = Json(PassOfTheDay {
        agent: viewer.user_id,
        day: today,
        sites: viewer.sites.iter().map(ToString::to_string).collect(),
    })
    .into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Some(token) = fresh {
        headers.append(
            header::SET_COOKIE,
            pass_cookie(&token, caller.over_https, to - now),
        );
    }
    response
}

/// What a device sends: its presences and absences not yet sent.
#[derive(Deserialize)]
pub struct Sending {
    pub checkins: Vec<OfflineCheckin>,
}

/// Who sends: the signed-in agent, or the device's pass of today (sites: those of the pass
/// that are still the agent's today).
async fn sender(
    forms: &Forms,
    caller: &Caller,
    headers: &HeaderMap,
    today: chrono::NaiveDate,
) -> Result<(Viewer, Option<i64>), Response> {
    if caller.viewer.is_some() {
        return match authorize(
            caller.viewer.as_ref(),
            EntryPoint::Planning,
            Target::Nothing,
        ) {
            Ok(()) => match caller.viewer.clone() {
                Some(viewer) if records_arrivals(&viewer) => Ok((viewer, None)),
                _ => Err(not_at_the_gate()),
            },
            Err(Refusal::Forbidden) => Err(not_at_the_gate()),
            Err(refusal) => Err(refused(StatusCode::UNAUTHORIZED, refusal.message())),
        };
    }
    let expired = || {
        refused(
            StatusCode::UNAUTHORIZED,
            "L'accès hors ligne de cet appareil n'est plus valable (journée terminée, déconnexion, révocation ou habilitation retirée) : reconnectez-vous pour envoyer vos pointages.",
        )
    };
    let Some(token) = pass_token(headers, caller.over_https) else {
        return Err(expired());
    };
    let pass = match forms.store.gate_pass(&token_hash(&token)).await {
        Ok(Some(pass)) if pass.day == today => pass,
        Ok(_) => return Err(expired()),
        Err(error) => return Err(unavailable(error)),
    };
    // The person as they stand now: a suspended or closed account has no viewer, a withdrawn
    // habilitation takes its site away.
    let viewer = match forms
        .store
        .viewer(pass.user_id, today, crate::domain::cgu::VERSION)
        .await
    {
        Ok(Some(viewer)) => viewer,
        Ok(None) => return Err(expired()),
        Err(error) => return Err(unavailable(error)),
    };
    let mut viewer = viewer;
    viewer.sites.retain(|site| pass.sites.contains(site));
    if !records_arrivals(&viewer)
        || authorize(Some(&viewer), EntryPoint::Planning, Target::Nothing).is_err()
    {
        return Err(expired());
    }
    Ok((viewer, Some(pass.id)))
}

/// `POST /api/arrivee-hors-ligne/pointages`: the presences and absences a device recorded, each
/// recorded once, at the time of its scan; the answer says, for each, what the server kept.
#[tracing::instrument(skip_all)]
pub async fn send(
    State(forms): State<Forms>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    sending: Result<Json<Sending>, axum::extract::rejection::JsonRejection>,
) -> Response {
    let now = Utc::now();
    let today = paris_day(now);
    let (viewer, pass) = match sender(&forms, &caller, &headers, today).await {
        Ok(sender) => sender,
        Err(response) => return response,
    };
    let Ok(Json(sending)) = sending else {
        return refused(
            StatusCode::BAD_REQUEST,
            "L'envoi n'est pas une liste de pointages lisible : rechargez la page.",
        );
    };
    if sending.checkins.is_empty() || sending.checkins.len() > OFFLINE_BATCH {
        return refused(
            StatusCode::BAD_REQUEST,
            &format!("Un envoi compte de 1 à {OFFLINE_BATCH} pointages."),
        );
    }
    // Each checked on its own before any is written: a device that sends nonsense has nothing
    // written.
    for checkin in &sending.checkins {
        if let Some(problem) = checkin.problem(today, now) {
            return refused(StatusCode::BAD_REQUEST, &problem);
        }
    }
    let actor = crate::store::Actor {
        user_id: Some(viewer.user_id),
        email: &viewer.email,
        address: &caller.ip,
        client_key: &caller.client_key,
    };
    let mut outcomes = Vec::with_capacity(sending.checkins.len());
    for checkin in &sending.checkins {
        match record(&forms, &viewer, &actor, checkin, now).await {
            Ok(outcome) => outcomes.push(outcome),
            Err(error) => return unavailable(error),
        }
    }
    if let Some(pass) = pass {
        let touched = async {
            let mut tx = forms.store.begin().await?;
            tx.touch_gate_pass(pass, now).await?;
            tx.commit().await
        }
        .await;
        if let Err(error) = touched {
            tracing::warn!(%error, "accès hors ligne : date de dernière utilisation non enregistrée");
        }
    }
    let mut response = Json(Received { outcomes }).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// `mardi 08/12/2026 à 10:00`, in Paris time.
fn when(at: DateTime<Utc>) -> String {
    crate::ui::format::date_time(at)
}

/// Records one presence or absence, or keeps the conflict; what the server kept either way
/// (the first sending's, when it was sent before).
async fn record(
    forms: &Forms,
    viewer: &Viewer,
    actor: &crate::store::Actor<'_>,
    checkin: &OfflineCheckin,
    now: DateTime<Utc>,
) -> Result<CheckinOutcome, StoreError> {
    use AppointmentState as S;
    let store = &forms.store;
    if let Some(kept) = store.offline_checkin(viewer.user_id, &checkin.id).await? {
        return Ok(kept);
    }
    let appointment = store.appointment(checkin.appointment_id).await?;
    // Not found and not yours answer alike.
    let appointment = appointment.filter(|appointment| {
        authorize(
            Some(viewer),
            EntryPoint::DecideAppointment,
            Target::Dossier {
                site: &appointment.site,
                company_id: appointment.company_id,
            },
        )
        .is_ok()
    });
    let conflict: Option<(&'static str, String)> = match &appointment {
        None => Some((
            "introuvable",
            "Rendez-vous introuvable parmi ceux de vos postes : le pointage n'a pas été retenu."
                .to_owned(),
        )),
        Some(appointment) if appointment.starts_at != checkin.starts_at => Some((
            "deplace",
            format!(
                "Rendez-vous déplacé au {} : le pointage hors ligne n'a pas été retenu. Pointez-le à son nouvel horaire.",
                when(appointment.starts_at)
            ),
        )),
        Some(appointment) => match appointment.state {
            S::Annule | S::Refuse => Some((
                "annule",
                format!(
                    "Rendez-vous {} entre-temps : le pointage n'a pas été retenu.",
                    if appointment.state == S::Annule { "annulé" } else { "refusé" }
                ),
            )),
            S::Honore => Some((
                "deja_pointe",
                format!(
                    "Présence déjà enregistrée{} : c'est elle qui est conservée.",
                    appointment
                        .checked_in_at
                        .map(|at| format!(" le {}", when(at)))
                        .unwrap_or_default()
                ),
            )),
            S::Absent => Some((
                "deja_pointe",
                "Absence déjà enregistrée : c'est elle qui est conservée.".to_owned(),
            )),
            S::Demande => Some((
                "non_valide",
                "Ce rendez-vous n'était pas validé par le poste : le pointage n'a pas été retenu."
                    .to_owned(),
            )),
            S::Confirme | S::Reporte => None,
        },
    };
    let receipt = |outcome: &'static str, message: String| CheckinReceipt {
        user_id: viewer.user_id,
        client_id: checkin.id.clone(),
        appointment_id: checkin.appointment_id,
        kind: checkin.kind.code(),
        reason: checkin
            .reason
            .as_ref()
            .map(|reason| reason.trim().to_owned()),
        scanned_at: checkin.scanned_at,
        sent_at: now,
        outcome,
        message,
    };
    let kept = match (conflict, appointment) {
        (None, Some(appointment)) => {
            let change = match (checkin.kind, &checkin.reason) {
                (CheckinKind::Presence, None) => Change::CheckIn,
                (CheckinKind::Presence, Some(reason)) => {
                    Change::LateCheckIn(reason.trim().to_owned())
                }
                (CheckinKind::Absence, _) => Change::NoShow,
            };
            let message = match checkin.kind {
                CheckinKind::Presence => format!(
                    "Présence enregistrée (pointée le {}).",
                    when(checkin.scanned_at)
                ),
                CheckinKind::Absence => format!(
                    "Absence enregistrée (pointée le {}).",
                    when(checkin.scanned_at)
                ),
            };
            let recorded = receipt(RECORDED, message);
            match store
                .change_appointment_at(
                    &appointment,
                    &change,
                    actor,
                    checkin.scanned_at,
                    now,
                    Some(&recorded),
                )
                .await?
            {
                Ok(()) => None,
                Err(refusal) => Some(receipt("refuse", refusal_message(&refusal))),
            }
        }
        (Some((outcome, message)), _) => Some(receipt(outcome, message)),
        (None, None) => None,
    };
    if let Some(kept) = kept {
        store.keep_offline_checkin(&kept).await?;
    }
    // What stands: this sending's, or one that came first.
    Ok(store
        .offline_checkin(viewer.user_id, &checkin.id)
        .await?
        .unwrap_or_else(|| CheckinOutcome {
            id: checkin.id.clone(),
            recorded: false,
            outcome: "introuvable".to_owned(),
            message: "Le pointage n'a pas pu être enregistré : renvoyez-le.".to_owned(),
        }))
}

/// A refusal of the gate's rules at the scan's time, in French.
fn refusal_message(refusal: &crate::domain::appointment::BookingRefusal) -> String {
    use crate::domain::appointment::BookingRefusal;
    match refusal {
        BookingRefusal::Arrival(refusal) => format!("{refusal} Le pointage n'a pas été retenu."),
        BookingRefusal::NotActive => {
            "Ce rendez-vous a changé entre-temps : le pointage n'a pas été retenu.".to_owned()
        }
        _ => "Ce pointage ne peut pas être enregistré sur ce rendez-vous.".to_owned(),
    }
}

/// `POST /espace/acces-hors-ligne/{id}/revocation`: a person ends one of their devices' passes.
#[tracing::instrument(skip_all)]
pub async fn revoke(
    State(forms): State<Forms>,
    Extension(caller): Extension<Caller>,
    axum::extract::Path(id): axum::extract::Path<i64>,
) -> crate::forms::Outcome {
    use crate::forms::{back, check_viewer, done};
    use crate::ui::notices::{Done, Problem};
    // One's own passes only: the store ends one of this person's, or says it knows none.
    let user_id = caller
        .viewer
        .as_ref()
        .map(|viewer| viewer.user_id)
        .unwrap_or_default();
    let viewer = check_viewer(&caller, EntryPoint::EndSession, Target::Session { user_id })?;
    let now = Utc::now();
    let mut tx = forms.store.begin().await?;
    if !tx.revoke_gate_pass(viewer.user_id, id, now).await? {
        // Someone else's and unknown answer alike.
        return Err(back("/espace", Problem::GatePassUnknown, &[]));
    }
    tx.audit(
        &caller.audit_event(
            "acces_hors_ligne_revoque",
            &format!("acces_hors_ligne:{id}"),
            "",
        ),
        now,
    )
    .await?;
    tx.commit().await?;
    done("/espace", Done::GatePassRevoked)
}
