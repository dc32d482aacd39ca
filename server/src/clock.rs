//! What changes with time alone, looked at once a minute: the steps that have waited too long
//! are marked blocked (see `Store::refresh_blocked`), the alerts time can change are
//! evaluated (see `Store::evaluate_alerts`), and once a day the retention runs (see
//! [`crate::retention`]). With several instances, the one holding the clock's
//! lease does it (renewed at each tick, taken over by another within two minutes if its holder
//! stops); every change is made in its own transaction and only once, whichever instance makes it.

use std::time::Duration;

use std::sync::Arc;

use app::documents::files::FileStore;
use app::store::Store;
use chrono::Utc;

/// The name of the clock's lease.
pub const JOB: &str = "horloge";

/// Starts the clock of this instance (`instance` names its lease); it runs as long as the
/// store's pool is open. `purge` is the store the retention erases the audit trail with (the
/// purge's role on PostgreSQL), `files` where it takes erased registry extracts out of.
pub fn start(
    store: Store,
    purge: Store,
    files: Arc<dyn FileStore>,
    instance: String,
    every: Duration,
    metrics: Arc<crate::metrics::Metrics>,
) {
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(every);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            interval.tick().await;
            if store.is_closed() {
                return;
            }
            if tick(&store, &purge, files.as_ref(), &instance, every).await {
                metrics.alert_evaluation();
            }
        }
    });
}

/// One look of the clock, if this instance holds its lease: whether it evaluated the alerts.
pub async fn tick(
    store: &Store,
    purge: &Store,
    files: &dyn FileStore,
    instance: &str,
    every: Duration,
) -> bool {
    let now = Utc::now();
    let lease = chrono::Duration::from_std(every * 2).unwrap_or(chrono::Duration::minutes(2));
    match store.take_job(JOB, instance, now, now + lease).await {
        Ok(true) => {}
        Ok(false) => return false,
        Err(error) => {
            tracing::warn!(%error, "horloge : bail non obtenu, nouvel essai au prochain tour");
            return false;
        }
    }
    match store.refresh_blocked(now).await {
        Ok(0) => {}
        Ok(blocked) => tracing::info!(blocked, "horloge : étapes désormais bloquées"),
        Err(error) => {
            tracing::warn!(%error, "horloge : étapes bloquées non mises à jour, nouvel essai au prochain tour")
        }
    }
    let evaluated = match store.evaluate_alerts(now).await {
        Ok(evaluated) => {
            if evaluated != Default::default() {
                tracing::info!(
                    opened = evaluated.opened,
                    cleared = evaluated.cleared,
                    returned = evaluated.returned,
                    closed = evaluated.closed,
                    "horloge : alertes évaluées"
                );
            }
            true
        }
        Err(error) => {
            tracing::warn!(%error, "horloge : alertes non évaluées, nouvel essai au prochain tour");
            false
        }
    };
    crate::retention::daily(store, purge, files, now).await;
    evaluated
}
