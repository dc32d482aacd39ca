//! The notification centre: a person's own notifications, newest first, with filters. Each
//! person reads only theirs: the store is asked for the caller's, never for an id the browser
//! sends.

#[cfg(feature = "ssr")]
pub mod preferences;
#[cfg(feature = "ssr")]
pub mod read;
#[cfg(feature = "ssr")]
pub mod recipients;

/// The names of the extra recipients' forms' fields.
pub mod recipients_fields {
    pub const ADDRESS_FIELD: &str = "adresse";
    /// A kind checked: `type_<code>`.
    pub const KIND_FIELD: &str = "type_";
    /// The confirmation link's token.
    pub const TOKEN_FIELD: &str = "jeton";
}

/// The names of the preferences form's fields, which the page and its handler share.
pub mod preferences_fields {
    /// A kind's field: `courriel_<code>`.
    pub const MAIL_FIELD: &str = "courriel_";
    /// The hour of the digest.
    pub const HOUR_FIELD: &str = "heure";
}

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::notification::{ExtraRecipient, Notification, NotificationKind, Preferences};

/// One page of the centre.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationsPage {
    pub notifications: Vec<Notification>,
    /// Every kind, for the filter.
    pub kinds: Vec<NotificationKind>,
    /// The id to read older ones from, when there are more.
    pub older: Option<i64>,
    /// How many are unread in all (counted up to the bell's limit).
    pub unread: i64,
}

/// The caller's notifications: of one kind (`type`), unread only (`non_lues`), before an id
/// (`avant`). A kind that does not exist lists nothing.
#[server(endpoint = "notifications")]
pub async fn list_notifications(
    kind: Option<String>,
    unread_only: bool,
    before: Option<i64>,
) -> Result<NotificationsPage, ServerFnError> {
    use crate::domain::access::{EntryPoint, Target};
    let caller = crate::state::caller();
    let viewer = crate::state::signed_in(&caller, EntryPoint::Notifications, Target::Nothing)?;
    let store = crate::state::store()?;
    // An agent's notifications name dossiers of their sites: reading them is a consultation.
    caller
        .audit_consultation(&store, "consultation_notifications", "notifications", "")
        .await?;
    let kind = kind.filter(|kind| !kind.is_empty());
    let (notifications, kinds) = tokio::try_join!(
        store.notifications(viewer.user_id, kind.as_deref(), unread_only, before),
        store.notification_kinds()
    )
    .map_err(crate::state::internal)?;
    let older = (notifications.len() as i64 == crate::store::NOTIFICATION_PAGE)
        .then(|| notifications.last().map(|n| n.id))
        .flatten();
    Ok(NotificationsPage {
        notifications,
        kinds,
        older,
        unread: viewer.unread_notifications,
    })
}

/// The caller's notification preferences; `None` for people no notification is addressed to.
#[server(endpoint = "preferences-notification")]
pub async fn get_notification_preferences() -> Result<Option<Preferences>, ServerFnError> {
    use crate::domain::access::{EntryPoint, Target};
    let caller = crate::state::caller();
    let viewer = crate::state::signed_in(&caller, EntryPoint::Notifications, Target::Nothing)?;
    let Some(audience) = crate::domain::notification::audience_of(viewer.role) else {
        return Ok(None);
    };
    let store = crate::state::store()?;
    store
        .notification_preferences(viewer.user_id, audience)
        .await
        .map(Some)
        .map_err(crate::state::internal)
}

/// The company's extra recipients, and the kinds that may be sent to them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtraRecipients {
    pub recipients: Vec<ExtraRecipient>,
    pub kinds: Vec<NotificationKind>,
}

/// For a company administrator: the outside addresses their company sends notifications to.
#[server(endpoint = "destinataires")]
pub async fn list_extra_recipients() -> Result<ExtraRecipients, ServerFnError> {
    use crate::domain::access::{EntryPoint, Target};
    let caller = crate::state::caller();
    let viewer =
        crate::state::signed_in(&caller, EntryPoint::ManageExtraRecipients, Target::Nothing)?;
    let Some(company_id) = viewer.company_id else {
        return Err(ServerFnError::new(
            crate::domain::access::Refusal::Forbidden.message(),
        ));
    };
    let store = crate::state::store()?;
    let (recipients, kinds) = tokio::try_join!(
        store.extra_recipients(company_id),
        store.notification_preferences(viewer.user_id, "operateur")
    )
    .map_err(crate::state::internal)?;
    Ok(ExtraRecipients {
        recipients,
        kinds: kinds
            .kinds
            .into_iter()
            .map(|kind| NotificationKind {
                code: kind.code,
                label: kind.label,
                action_required: kind.action_required,
            })
            .collect(),
    })
}
