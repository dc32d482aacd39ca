//! The sending of notification mails. Notifications and their mails are written by the store in
//! the transaction of the change that causes them (an outbox, see `app::store`); this worker, one
//! per instance, leases the mails that are due, sends them and marks them sent. With several
//! instances on PostgreSQL each mail is leased by one of them (`FOR UPDATE SKIP LOCKED`); a lease
//! lapses if its instance stops while sending, and another takes the mail again.
//!
//! The webhooks' deliveries are sent by a worker of their own, alike (see [`crate::webhooks`]).
//!
//! Each round also writes the reminders of the appointments that start soon (the day before, two
//! hours before), once each whichever instance does it; once a minute, it tells the operators of
//! the steps that have waited far beyond their forecast.
//!
//! A mail that fails (the SMTP server down, refusing, silent) is tried again after a delay that
//! doubles from `retry` up to [`MAX_RETRY`], for [`GIVE_UP_AFTER`], then given up and logged. Its
//! `Message-ID` is made of its row's id: a mail sent again after a failure that hid a success is
//! the same message. Whether its recipient may still read it is checked at every attempt: a
//! disabled account, or a person moved out of the dossier's company, gets nothing more.

use std::time::Duration;

use app::domain::notification::{digest_text, mail_text};
use app::store::{Committed, FeedMessage, LeasedExtraMail, LeasedMail, MailQueue, Store};
use chrono::Utc;
use tokio::sync::broadcast::error::RecvError;

use crate::mail::{Mail, Mailer};

/// The longest wait between two attempts at one mail.
pub const MAX_RETRY: Duration = Duration::from_secs(5 * 60);
/// How long a mail is tried before it is given up.
pub const GIVE_UP_AFTER: chrono::Duration = chrono::Duration::hours(24);
/// How often the steps under way are checked against their forecasts.
const LATE_STEPS_EVERY: Duration = Duration::from_secs(60);
/// How many mails an instance leases at once.
const BATCH: i64 = 20;
/// How long a lease holds: longer than one sending may take (see [`crate::mail::SEND_DEADLINE`]).
const LEASE: Duration = Duration::from_secs(60);

/// The rhythm of the worker.
#[derive(Clone, Copy, Debug)]
pub struct Timing {
    /// How often the mails due are looked for, besides when a notification is announced.
    pub poll: Duration,
    /// The first delay before a failed mail is tried again; it doubles at each failure.
    pub retry: Duration,
}

/// Starts the worker of this instance (`instance` names its leases); it runs as long as the
/// store's pool is open. The webhooks' deliveries have their own (see
/// [`crate::webhooks::start`]): a slow endpoint never holds the mails back.
pub fn start(store: Store, mailer: Mailer, base_url: String, instance: String, timing: Timing) {
    let mut changes = store.changes();
    tokio::spawn(async move {
        let sender = Sender {
            store,
            mailer,
            base_url,
            instance,
            timing,
        };
        let mut interval = tokio::time::interval(timing.poll);
        // The first check a minute after the start, as every later one.
        let mut late_checked = tokio::time::Instant::now();
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = interval.tick() => {}
                change = changes.recv() => match change {
                    Ok(FeedMessage::Changed(Committed::Notification(_)))
                    | Ok(FeedMessage::Lost)
                    | Err(RecvError::Lagged(_)) => {}
                    Ok(FeedMessage::Changed(_)) => continue,
                    Err(RecvError::Closed) => return,
                },
            }
            if sender.store.is_closed() {
                return;
            }
            // Reminders first: their mails go in the same round. Late steps once a minute.
            if let Err(error) = sender.store.send_reminders(Utc::now()).await {
                tracing::warn!(%error, "notifications : rappels de rendez-vous non envoyés, nouvel essai plus tard");
            }
            if late_checked.elapsed() >= LATE_STEPS_EVERY {
                late_checked = tokio::time::Instant::now();
                if let Err(error) = sender.store.notify_late_steps(Utc::now()).await {
                    tracing::warn!(%error, "notifications : étapes en retard non signalées, nouvel essai plus tard");
                }
            }
            sender.send_due().await;
        }
    });
}

struct Sender {
    store: Store,
    mailer: Mailer,
    base_url: String,
    instance: String,
    timing: Timing,
}

impl Sender {
    /// Sends every mail due now, a batch at a time: the people's, then the extra recipients'.
    async fn send_due(&self) {
        loop {
            let now = Utc::now();
            let until = now + chrono::Duration::from_std(LEASE).unwrap_or_default();
            let leased = tokio::try_join!(
                self.store.lease_mails(&self.instance, now, until, BATCH),
                self.store
                    .lease_extra_mails(&self.instance, now, until, BATCH)
            );
            let (mails, extra) = match leased {
                Ok(leased) => leased,
                Err(error) => {
                    tracing::warn!(%error, "notifications : courriels à envoyer illisibles, nouvel essai plus tard");
                    return;
                }
            };
            let full = mails.len() as i64 == BATCH || extra.len() as i64 == BATCH;
            for mail in mails {
                self.send(mail).await;
            }
            for mail in extra {
                self.send_extra(mail).await;
            }
            if !full {
                return;
            }
        }
    }

    async fn send(&self, leased: LeasedMail) {
        let attempt = Attempt {
            queue: MailQueue::Person,
            id: leased.id,
            attempts: leased.attempts,
            created_at: leased.created_at,
        };
        if leased.items.is_empty() {
            // The account was disabled, or its rights on the dossiers withdrawn, since.
            return self.refused(attempt).await;
        }
        let mail = match (&leased.digest_at, leased.items.as_slice()) {
            (None, [item]) => Mail {
                to: leased.email.clone(),
                subject: format!("France Sésame — {}", item.title),
                text: mail_text(
                    &leased.full_name,
                    &item.title,
                    &item.body,
                    &format!("{}{}", self.base_url, item.link),
                    item.action_required,
                ),
            },
            (_, items) => Mail {
                to: leased.email.clone(),
                subject: format!(
                    "France Sésame — votre récapitulatif : {} notification{}",
                    items.len(),
                    if items.len() > 1 { "s" } else { "" }
                ),
                text: digest_text(
                    &leased.full_name,
                    &items
                        .iter()
                        .map(|item| {
                            (
                                item.title.clone(),
                                item.body.clone(),
                                format!("{}{}", self.base_url, item.link),
                            )
                        })
                        .collect::<Vec<_>>(),
                ),
            },
        };
        self.deliver(attempt, &mail, &format!("notification-{}", leased.id))
            .await;
    }

    async fn send_extra(&self, leased: LeasedExtraMail) {
        let attempt = Attempt {
            queue: MailQueue::ExtraRecipient,
            id: leased.id,
            attempts: leased.attempts,
            created_at: leased.created_at,
        };
        if !leased.allowed {
            // Removed by the company, or the dossier is no longer the company's.
            return self.refused(attempt).await;
        }
        let mail = Mail {
            to: leased.email.clone(),
            subject: format!("France Sésame — {}", leased.subject),
            text: leased.text.clone(),
        };
        self.deliver(attempt, &mail, &format!("destinataire-{}", leased.id))
            .await;
    }

    /// Given up at once: its recipient may no longer read it.
    async fn refused(&self, attempt: Attempt) {
        tracing::info!(
            mail = attempt.id,
            "notifications : rien que le destinataire puisse encore lire, courriel abandonné"
        );
        self.record(
            self.store
                .mail_failed(
                    attempt.queue,
                    attempt.id,
                    &self.instance,
                    Utc::now(),
                    None,
                    "destinataire sans droit au moment de l'envoi",
                )
                .await,
        );
    }

    /// Sends, then marks it sent, or to be tried again later, or given up after a day.
    async fn deliver(&self, attempt: Attempt, mail: &Mail, key: &str) {
        let now = Utc::now();
        match self.mailer.send_keyed(mail, key).await {
            Ok(()) => match self
                .store
                .mail_sent(attempt.queue, attempt.id, &self.instance, now)
                .await
            {
                Ok(true) => {}
                Ok(false) => tracing::warn!(
                    mail = attempt.id,
                    "notifications : bail perdu pendant l'envoi (envoi trop long)"
                ),
                Err(error) => {
                    tracing::warn!(%error, mail = attempt.id, "notifications : envoi non enregistré")
                }
            },
            Err(error) => {
                let error = error.to_string();
                let retry_at = if now - attempt.created_at >= GIVE_UP_AFTER {
                    tracing::error!(
                        mail = attempt.id,
                        %error,
                        "notifications : courriel abandonné après 24 heures d'échecs"
                    );
                    None
                } else {
                    let delay = retry_delay(self.timing.retry, attempt.attempts);
                    Some(now + chrono::Duration::from_std(delay).unwrap_or_default())
                };
                self.record(
                    self.store
                        .mail_failed(
                            attempt.queue,
                            attempt.id,
                            &self.instance,
                            now,
                            retry_at,
                            &error,
                        )
                        .await,
                );
            }
        }
    }

    fn record(&self, outcome: Result<(), app::store::StoreError>) {
        if let Err(error) = outcome {
            tracing::warn!(%error, "notifications : état du courriel non enregistré");
        }
    }
}

/// One attempt at a leased mail.
struct Attempt {
    queue: MailQueue,
    id: i64,
    attempts: i32,
    created_at: chrono::DateTime<Utc>,
}

/// The wait before the next attempt, after `attempts` failed ones: `retry`, doubled at each
/// failure, at most [`MAX_RETRY`].
pub fn retry_delay(retry: Duration, attempts: i32) -> Duration {
    let factor = 2u32.saturating_pow(attempts.clamp(0, 20) as u32);
    retry.saturating_mul(factor).min(MAX_RETRY.max(retry))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_wait_longer_each_time_up_to_a_bound() {
        let first = Duration::from_secs(30);
        assert_eq!(retry_delay(first, 0), first);
        assert_eq!(retry_delay(first, 1), Duration::from_secs(60));
        assert_eq!(retry_delay(first, 3), Duration::from_secs(240));
        assert_eq!(retry_delay(first, 4), MAX_RETRY);
        assert_eq!(retry_delay(first, 1000), MAX_RETRY);
    }
}
