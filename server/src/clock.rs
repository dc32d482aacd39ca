//! What changes with time alone, looked at once a minute by each instance: the steps that have
//! waited too long are marked blocked (see `Store::refresh_blocked`). Each change is made in its
//! own transaction and only once, whichever instance makes it.

use std::time::Duration;

use app::store::Store;
use chrono::Utc;

/// How often the clock looks.
pub const EVERY: Duration = Duration::from_secs(60);

/// Starts the clock of this instance; it runs as long as the store's pool is open.
pub fn start(store: Store, every: Duration) {
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(every);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            interval.tick().await;
            if store.is_closed() {
                return;
            }
            match store.refresh_blocked(Utc::now()).await {
                Ok(0) => {}
                Ok(blocked) => tracing::info!(blocked, "horloge : étapes désormais bloquées"),
                Err(error) => {
                    tracing::warn!(%error, "horloge : étapes bloquées non mises à jour, nouvel essai dans une minute")
                }
            }
        }
    });
}
