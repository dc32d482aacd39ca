//! The change feed: what a committed write changed, published by the store itself so that no
//! writer can forget it. On PostgreSQL the transaction sends `NOTIFY` (delivered at commit, to
//! every instance, this one included) and one listener per process relays what arrives; on
//! SQLite (one instance) the transaction keeps its changes and publishes them once its commit
//! has succeeded. Either way, subscribers get each change once committed, never before, and are
//! told when something may have been missed.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use sqlx::postgres::{PgListener, PgPool};
use tokio::sync::broadcast;

/// The PostgreSQL channel the transactions notify.
pub const CHANNEL: &str = "sesame_evenements";
/// What prefixes an appointment's id in a notification (an event's id goes bare).
pub const APPOINTMENT_NOTICE_PREFIX: &str = "rendez-vous:";
/// What prefixes a person's id when their notifications changed.
pub const NOTIFICATION_NOTICE_PREFIX: &str = "notification:";
/// What prefixes an alert's id when it opened or changed.
pub const ALERT_NOTICE_PREFIX: &str = "alerte:";
/// What prefixes an exchange's id when it changed (a message, a change of hands or status).
pub const EXCHANGE_NOTICE_PREFIX: &str = "echange:";
/// What prefixes an exchange's id when only the administrations may hear of the change (an
/// internal note).
pub const INTERNAL_EXCHANGE_NOTICE_PREFIX: &str = "echange-interne:";
/// What prefixes a person's id when their access ended (suspended, closed).
pub const ACCESS_NOTICE_PREFIX: &str = "acces:";
/// The text that announces a webhook delivery due.
pub const DELIVERY_NOTICE: &str = "livraison";

/// How many changes a slow subscriber may fall behind before it is told it lost some.
const BACKLOG: usize = 4096;

/// What a committed write changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Committed {
    /// A partner event was recorded (its id): its dossier changed.
    Event(i64),
    /// An appointment was booked or changed (its id).
    Appointment(i64),
    /// A person's notifications changed (their id): one arrived, or was read.
    Notification(i64),
    /// A webhook delivery is due (written, or asked again by an administrator).
    Delivery,
    /// An alert opened or changed (its id).
    Alert(i64),
    /// An exchange of the messaging changed (its id); `internal` when the operator may not hear
    /// of it (an internal note was added).
    Exchange { id: i64, internal: bool },
    /// A person's access ended (their account suspended or closed, their id): their open
    /// streams close.
    Access(i64),
}

impl Committed {
    /// The text of its notification.
    pub(crate) fn payload(self) -> String {
        match self {
            Committed::Event(id) => id.to_string(),
            Committed::Appointment(id) => format!("{APPOINTMENT_NOTICE_PREFIX}{id}"),
            Committed::Notification(id) => format!("{NOTIFICATION_NOTICE_PREFIX}{id}"),
            Committed::Delivery => DELIVERY_NOTICE.to_owned(),
            Committed::Alert(id) => format!("{ALERT_NOTICE_PREFIX}{id}"),
            Committed::Exchange {
                id,
                internal: false,
            } => format!("{EXCHANGE_NOTICE_PREFIX}{id}"),
            Committed::Exchange { id, internal: true } => {
                format!("{INTERNAL_EXCHANGE_NOTICE_PREFIX}{id}")
            }
            Committed::Access(id) => format!("{ACCESS_NOTICE_PREFIX}{id}"),
        }
    }

    /// Reads a notification's text back.
    pub(crate) fn from_payload(payload: &str) -> Option<Committed> {
        if let Some(id) = payload.strip_prefix(APPOINTMENT_NOTICE_PREFIX) {
            return id.parse().ok().map(Committed::Appointment);
        }
        if let Some(id) = payload.strip_prefix(ALERT_NOTICE_PREFIX) {
            return id.parse().ok().map(Committed::Alert);
        }
        if let Some(id) = payload.strip_prefix(EXCHANGE_NOTICE_PREFIX) {
            return id.parse().ok().map(|id| Committed::Exchange {
                id,
                internal: false,
            });
        }
        if let Some(id) = payload.strip_prefix(INTERNAL_EXCHANGE_NOTICE_PREFIX) {
            return id
                .parse()
                .ok()
                .map(|id| Committed::Exchange { id, internal: true });
        }
        if let Some(id) = payload.strip_prefix(ACCESS_NOTICE_PREFIX) {
            return id.parse().ok().map(Committed::Access);
        }
        if payload == DELIVERY_NOTICE {
            return Some(Committed::Delivery);
        }
        if let Some(id) = payload.strip_prefix(NOTIFICATION_NOTICE_PREFIX) {
            return id.parse().ok().map(Committed::Notification);
        }
        payload.parse().ok().map(Committed::Event)
    }
}

/// What a subscriber receives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FeedMessage {
    Changed(Committed),
    /// Changes may have been missed (the database connection was lost, or the subscriber fell
    /// too far behind): whoever shows data derived from them should read it again.
    Lost,
}

/// The feed of one store (shared by its clones).
pub(crate) struct Hub {
    sender: broadcast::Sender<FeedMessage>,
    listening: OnceLock<()>,
}

impl Hub {
    pub(crate) fn new() -> Arc<Hub> {
        Arc::new(Hub {
            sender: broadcast::channel(BACKLOG).0,
            listening: OnceLock::new(),
        })
    }

    /// Hands a committed change to every subscriber of this process.
    pub(crate) fn publish(&self, message: FeedMessage) {
        // No subscriber is no error: nobody is watching.
        let _ = self.sender.send(message);
    }

    pub(crate) fn subscribe(&self) -> broadcast::Receiver<FeedMessage> {
        self.sender.subscribe()
    }

    /// On PostgreSQL, starts the one listener of this store, the first time someone subscribes.
    pub(crate) fn listen_to(self: &Arc<Hub>, pool: &PgPool) {
        let hub = Arc::clone(self);
        let pool = pool.clone();
        self.listening.get_or_init(|| {
            tokio::spawn(listen(pool, hub));
        });
    }
}

/// Relays what PostgreSQL notifies, for as long as the pool is open; after a lost connection,
/// subscribers are told that changes may have been missed.
async fn listen(pool: PgPool, hub: Arc<Hub>) {
    let mut delay = Duration::from_millis(200);
    loop {
        match PgListener::connect_with(&pool).await {
            Ok(mut listener) => {
                if let Err(error) = listener.listen(CHANNEL).await {
                    tracing::warn!(%error, "change feed: cannot listen on PostgreSQL");
                } else {
                    delay = Duration::from_millis(200);
                    loop {
                        match listener.try_recv().await {
                            Ok(Some(notification)) => {
                                if let Some(change) =
                                    Committed::from_payload(notification.payload())
                                {
                                    hub.publish(FeedMessage::Changed(change));
                                }
                            }
                            // The connection was lost and re-established: notifications may
                            // have been missed.
                            Ok(None) => {
                                tracing::warn!("change feed: PostgreSQL listening connection lost, subscribers resynchronise");
                                hub.publish(FeedMessage::Lost);
                            }
                            Err(error) => {
                                tracing::warn!(%error, "change feed: PostgreSQL listening interrupted");
                                break;
                            }
                        }
                    }
                }
                hub.publish(FeedMessage::Lost);
            }
            Err(error) => {
                tracing::warn!(%error, "change feed: cannot connect to listen on PostgreSQL")
            }
        }
        if pool.is_closed() {
            return;
        }
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(Duration::from_secs(10));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_read_back() {
        for change in [
            Committed::Event(42),
            Committed::Appointment(7),
            Committed::Notification(3),
            Committed::Delivery,
            Committed::Alert(5),
            Committed::Exchange {
                id: 8,
                internal: false,
            },
            Committed::Exchange {
                id: 9,
                internal: true,
            },
            Committed::Access(4),
        ] {
            assert_eq!(Committed::from_payload(&change.payload()), Some(change));
        }
        assert_eq!(Committed::from_payload("rendez-vous:x"), None);
        assert_eq!(Committed::from_payload(""), None);
    }
}
