//! A head of service sets the calendars of the posts of their sites: opening periods per weekday,
//! slot length, places per check, notice, cutoff, validation, public holidays; and closes a post
//! for whole days with a reason. A change that would shrink a slot or a period already holding
//! appointments is refused, naming the first one: the appointments are moved or cancelled first.

use std::collections::HashMap;

use crate::domain::access::{EntryPoint, Refusal, Target, Viewer};
use crate::domain::appointment::{paris_day, takes_appointments, Calendar, Opening};
use crate::domain::dates::{self, DateUse};
use crate::domain::references::PostCode;
use crate::state::Caller;
use crate::store::CalendarRefusal;
use crate::ui::notices::{Done, Problem};
use axum::extract::{Path, State};
use axum::{Extension, Form};
use chrono::{NaiveTime, Utc};

use crate::forms::{back, check_viewer, done, Failure, Forms, Outcome};

fn page(post: &PostCode) -> String {
    format!("/postes/calendrier?poste={post}")
}

/// A weekday's periods as people type them: `08:00-12:00, 13:30-17:30` (`24:00` for midnight);
/// empty for a closed day. `None` when a period cannot be read.
pub fn parse_openings(weekday: u8, text: &str) -> Option<Vec<Opening>> {
    let text = text.trim();
    if text.is_empty() {
        return Some(Vec::new());
    }
    let time = |text: &str| {
        let text = text.trim();
        if text == "24:00" {
            Some(NaiveTime::MIN)
        } else {
            NaiveTime::parse_from_str(text, "%H:%M").ok()
        }
    };
    text.split(',')
        .map(|period| {
            let (opens, closes) = period.trim().split_once('-')?;
            Some(Opening {
                weekday,
                opens: time(opens)?,
                closes: time(closes)?,
            })
        })
        .collect()
}

/// The post, if the caller heads it (a head of service, on its site).
async fn headed_post<'a>(
    forms: &Forms,
    caller: &'a Caller,
    code: &str,
) -> Result<(PostCode, &'a Viewer), Failure> {
    let viewer = check_viewer(caller, EntryPoint::ManageCalendars, Target::Nothing)?;
    let forbidden = || Failure::Refused(Refusal::Forbidden);
    let post = PostCode::parse(code).map_err(|_| forbidden())?;
    let known = forms
        .store
        .posts()
        .await?
        .into_iter()
        .find(|known| known.code == post)
        .ok_or_else(forbidden)?;
    if !viewer.calendar_sites.contains(&known.site) || !takes_appointments(&known) {
        return Err(forbidden());
    }
    Ok((post, viewer))
}

/// A field of a posted form, empty when absent.
fn field<'a>(form: &'a HashMap<String, String>, name: &str) -> &'a str {
    form.get(name).map(String::as_str).unwrap_or_default()
}

/// The problem a refusal shows as.
fn refusal_code(refusal: &CalendarRefusal) -> Problem {
    match refusal {
        CalendarRefusal::Invalid(_) => Problem::CalendarInvalid,
        CalendarRefusal::CapacityTaken { .. } => Problem::CapacityTaken,
        CalendarRefusal::PeriodTaken { .. } => Problem::PeriodTaken,
    }
}

/// `POST /postes/{code}/calendrier`.
#[tracing::instrument(skip_all)]
pub async fn save(
    State(forms): State<Forms>,
    Extension(caller): Extension<Caller>,
    Path(code): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Outcome {
    let (post, _) = headed_post(&forms, &caller, &code).await?;
    let page = page(&post);
    let field = |name: &str| field(&form, name);
    let number = |name: &str| field(name).trim().parse::<u32>().ok();
    let mut openings = Vec::new();
    for weekday in 1..=7u8 {
        match parse_openings(weekday, field(&format!("plages_{weekday}"))) {
            Some(periods) => openings.extend(periods),
            None => return Err(back(&page, Problem::OpeningsUnreadable, &[])),
        }
    }
    let (
        Some(slot_minutes),
        Some(identity_capacity),
        Some(physical_capacity),
        Some(min_notice_hours),
        Some(cutoff_hours),
    ) = (
        number("duree"),
        number("capacite_identite"),
        number("capacite_physique"),
        number("prevenance"),
        number("delai"),
    )
    else {
        return Err(back(&page, Problem::CalendarNumbersInvalid, &[]));
    };
    let calendar = Calendar {
        slot_minutes,
        identity_capacity,
        physical_capacity,
        min_notice_hours,
        cutoff_hours,
        requires_validation: field("validation") == "oui",
        open_on_public_holidays: field("feries") == "oui",
        openings,
    };
    match forms
        .store
        .change_calendar(&post, &calendar, &caller.actor(), Utc::now())
        .await?
    {
        Ok(()) => done(&page, Done::CalendarSaved),
        Err(refusal) => Err(back(&page, refusal_code(&refusal), &[])),
    }
}

/// `POST /postes/{code}/fermetures`.
#[tracing::instrument(skip_all)]
pub async fn close(
    State(forms): State<Forms>,
    Extension(caller): Extension<Caller>,
    Path(code): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Outcome {
    let (post, _) = headed_post(&forms, &caller, &code).await?;
    let page = page(&post);
    let field = |name: &str| field(&form, name);
    let day = |name: &str| crate::domain::dates::parse_day(field(name));
    let (Some(starts_on), Some(ends_on)) = (day("du"), day("au")) else {
        return Err(back(&page, Problem::ClosureDatesInvalid, &[]));
    };
    if ends_on < starts_on {
        return Err(back(&page, Problem::ClosureDatesInvalid, &[]));
    }
    let today = paris_day(Utc::now());
    if [starts_on, ends_on]
        .into_iter()
        .any(|day| dates::within(day, DateUse::Period, today).is_err())
    {
        return Err(back(&page, Problem::DateOutOfBounds, &[]));
    }
    let reason = field("motif").trim();
    if !(3..=200).contains(&reason.chars().count()) {
        return Err(back(&page, Problem::ClosureReasonInvalid, &[]));
    }
    match forms
        .store
        .close_post(
            &post,
            starts_on,
            ends_on,
            reason,
            &caller.actor(),
            Utc::now(),
        )
        .await?
    {
        Ok(_) => done(&page, Done::ClosureSaved),
        Err(refusal) => Err(back(
            &page,
            if matches!(refusal, CalendarRefusal::PeriodTaken { .. }) {
                Problem::ClosureTaken
            } else {
                refusal_code(&refusal)
            },
            &[],
        )),
    }
}

/// `POST /postes/{code}/pointage`: the post's check-in window, in minutes before and after the
/// slot's start (each at most a day).
#[tracing::instrument(skip_all)]
pub async fn checkin_window(
    State(forms): State<Forms>,
    Extension(caller): Extension<Caller>,
    Path(code): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Outcome {
    use crate::domain::gate::CheckInWindow;
    let (post, _) = headed_post(&forms, &caller, &code).await?;
    let page = page(&post);
    let minutes = |name: &str| {
        field(&form, name)
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|minutes| *minutes <= CheckInWindow::MAX_MINUTES)
    };
    let (Some(opens_minutes_before), Some(closes_minutes_after)) =
        (minutes("avant"), minutes("apres"))
    else {
        return Err(back(&page, Problem::CheckInMinutesInvalid, &[]));
    };
    let window = CheckInWindow {
        opens_minutes_before,
        closes_minutes_after,
    };
    let now = Utc::now();
    let mut tx = forms.store.begin().await?;
    tx.set_checkin_window(&post, &window).await?;
    tx.audit(
        &caller.audit_event(
            "pointage_modifie",
            &format!("poste:{}", post.as_str()),
            &window.describe(),
        ),
        now,
    )
    .await?;
    tx.commit().await?;
    done(&page, Done::CheckInWindowSaved)
}
