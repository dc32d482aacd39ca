//! The notification centre: a person's own notifications, newest first, with filters. Each
//! person reads only theirs: the store is asked for the caller's, never for an id the browser
//! sends.

#[cfg(feature = "ssr")]
pub mod preferences;
#[cfg(feature = "ssr")]
pub mod read;
#[cfg(feature = "ssr")]
pub mod recipients;
#[cfg(feature = "ssr")]
pub mod webhooks;

/// The cookie that carries a webhook's secret just created to the page that shows it, once.
pub const FRESH_WEBHOOK_COOKIE: &str = "sesame_secret_webhook";

/// How many of an endpoint's last attempts its page shows.
pub const ATTEMPTS_SHOWN: i64 = 10;

/// The names of the webhooks' forms' fields.
pub mod webhooks_fields {
    pub const URL_FIELD: &str = "adresse";
    /// A kind checked: `type_<code>`.
    pub const KIND_FIELD: &str = "type_";
}

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
use crate::domain::webhook::WebhookEndpoint;

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
    let (recipients, kinds) =
        tokio::try_join!(store.extra_recipients(company_id), store.company_kinds())
            .map_err(crate::state::internal)?;
    Ok(ExtraRecipients { recipients, kinds })
}

/// The company's webhooks, the kinds they may receive, and the secret of the one just created.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Webhooks {
    pub endpoints: Vec<WebhookEndpoint>,
    pub kinds: Vec<NotificationKind>,
    /// The endpoint created a moment ago and its secret: shown this once.
    pub fresh: Option<(i64, String)>,
}

/// For a company administrator: their company's webhooks, with their last attempts.
#[server(endpoint = "webhooks")]
pub async fn list_webhooks() -> Result<Webhooks, ServerFnError> {
    use crate::domain::access::{EntryPoint, Target};
    let caller = crate::state::caller();
    let viewer = crate::state::signed_in(&caller, EntryPoint::ManageWebhooks, Target::Nothing)?;
    let Some(company_id) = viewer.company_id else {
        return Err(ServerFnError::new(
            crate::domain::access::Refusal::Forbidden.message(),
        ));
    };
    let store = crate::state::store()?;
    let (endpoints, kinds) = tokio::try_join!(
        store.webhook_endpoints(company_id, ATTEMPTS_SHOWN),
        store.company_kinds()
    )
    .map_err(crate::state::internal)?;
    // Read once, then forgotten by the browser; only for an endpoint of this company.
    let fresh = crate::state::take_fresh_secret(FRESH_WEBHOOK_COOKIE)
        .and_then(|value| {
            let (id, secret) = value.split_once(':')?;
            Some((id.parse::<i64>().ok()?, secret.to_owned()))
        })
        .filter(|(id, _)| endpoints.iter().any(|endpoint| endpoint.id == *id));
    Ok(Webhooks {
        endpoints,
        kinds,
        fresh,
    })
}
