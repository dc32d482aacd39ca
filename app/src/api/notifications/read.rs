//! Reading notifications: opening one (marked read, then on to where to act), marking one or all
//! read. Only the caller's own: another person's id answers as one that does not exist.

use axum::extract::{Path, State};
use axum::Extension;
use chrono::Utc;

use crate::domain::access::{EntryPoint, Target};
use crate::forms::{back, check_viewer, done, Forms, Outcome};
use crate::http::see_other;
use crate::state::Caller;
use crate::ui::notices::{Done, Problem};

const CENTRE: &str = "/notifications";

/// `GET /notifications/{id}`: marks it read and goes where it says to act.
#[tracing::instrument(skip_all)]
pub async fn open(
    State(forms): State<Forms>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<i64>,
) -> Outcome {
    let viewer = check_viewer(&caller, EntryPoint::Notifications, Target::Nothing)?;
    let mut tx = forms.store.begin().await?;
    let link = tx.open_notification(viewer.user_id, id, Utc::now()).await?;
    tx.commit().await?;
    match link {
        Some(link) => Ok(see_other(&link)),
        None => Err(back(CENTRE, Problem::NotificationUnknown, &[])),
    }
}

/// `POST /notifications/{id}/lue`.
#[tracing::instrument(skip_all)]
pub async fn mark_read(
    State(forms): State<Forms>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<i64>,
) -> Outcome {
    let viewer = check_viewer(&caller, EntryPoint::Notifications, Target::Nothing)?;
    let mut tx = forms.store.begin().await?;
    let found = tx.open_notification(viewer.user_id, id, Utc::now()).await?;
    tx.commit().await?;
    if found.is_none() {
        return Err(back(CENTRE, Problem::NotificationUnknown, &[]));
    }
    done(CENTRE, Done::NotificationRead)
}

/// `POST /notifications/tout-lu`.
#[tracing::instrument(skip_all)]
pub async fn mark_all_read(
    State(forms): State<Forms>,
    Extension(caller): Extension<Caller>,
) -> Outcome {
    let viewer = check_viewer(&caller, EntryPoint::Notifications, Target::Nothing)?;
    let mut tx = forms.store.begin().await?;
    tx.mark_all_notifications_read(viewer.user_id, Utc::now())
        .await?;
    tx.commit().await?;
    done(CENTRE, Done::NotificationsAllRead)
}
