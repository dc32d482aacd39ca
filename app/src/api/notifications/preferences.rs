//! A person's notification preferences (`/notifications/preferences`): for each kind of their
//! audience, a mail at once, in the daily digest or never, and the hour of the digest. Kinds
//! that ask for an action are always mailed at once: a choice sent for one is refused.

use std::collections::HashMap;

use axum::extract::State;
use axum::{Extension, Form};
use chrono::Utc;

use crate::domain::access::{EntryPoint, Target};
use crate::domain::notification::MailMode;
use crate::forms::{back, check_viewer, done, Forms, Outcome};
use crate::state::Caller;
use crate::ui::notices::{Done, Problem};

use super::preferences_fields::{HOUR_FIELD, MAIL_FIELD};

const PAGE: &str = "/notifications/preferences";

/// `POST /notifications/preferences`.
#[tracing::instrument(skip_all)]
pub async fn save(
    State(forms): State<Forms>,
    Extension(caller): Extension<Caller>,
    Form(form): Form<HashMap<String, String>>,
) -> Outcome {
    let viewer = check_viewer(&caller, EntryPoint::Notifications, Target::Nothing)?;
    let Some(audience) = crate::domain::notification::audience_of(viewer.role) else {
        return Err(back(PAGE, Problem::NoNotificationKinds, &[]));
    };
    let hour = form
        .get(HOUR_FIELD)
        .and_then(|hour| hour.trim().parse::<u32>().ok())
        .filter(|hour| *hour <= 23)
        .ok_or_else(|| back(PAGE, Problem::DigestHourInvalid, &[]))?;
    let known = forms
        .store
        .notification_preferences(viewer.user_id, audience)
        .await?;
    let mut kinds = Vec::new();
    for (field, value) in &form {
        let Some(code) = field.strip_prefix(MAIL_FIELD) else {
            continue;
        };
        let Some(kind) = known.kinds.iter().find(|kind| kind.code == code) else {
            return Err(back(PAGE, Problem::NotificationKindUnknown, &[]));
        };
        let mode = MailMode::from_code(value.trim())
            .ok_or_else(|| back(PAGE, Problem::MailModeInvalid, &[]))?;
        if kind.action_required {
            if mode != MailMode::Immediate {
                return Err(back(PAGE, Problem::ActionRequiredAlwaysMailed, &[]));
            }
            continue;
        }
        kinds.push((kind.code.clone(), mode));
    }
    let mut tx = forms.store.begin().await?;
    tx.save_notification_preferences(viewer.user_id, hour, &kinds)
        .await?;
    tx.audit(
        &caller.audit_event(
            "preferences_notification",
            &format!("utilisateur:{}", viewer.user_id),
            &format!(
                "récapitulatif à {hour} h ; {}",
                kinds
                    .iter()
                    .map(|(kind, mode)| format!("{kind}={}", mode.code()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ),
        Utc::now(),
    )
    .await?;
    tx.commit().await?;
    done(PAGE, Done::NotificationPreferencesSaved)
}
