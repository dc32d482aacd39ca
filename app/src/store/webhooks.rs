//! Webhooks of operator companies. A delivery is written with the notification that causes it
//! (see [`Tx::notify`](super::Tx)), for each endpoint of the dossier's company that receives its
//! kind, leased and sent like the mails (see [`Store::lease`]). Whether the company may still
//! receive it is checked again at every attempt; each attempt is logged for the administrator;
//! an endpoint whose attempts have all failed for a day is paused and its administrators told.

use chrono::{DateTime, Utc};

use super::notifications::MailQueue;
use super::{feed::Committed, on_pool, on_tx, Store, StoreError, Tx};
use crate::domain::webhook::{
    DeliveryState, WebhookAttempt, WebhookEndpoint, WebhookPayload, ATTEMPTS_KEPT, TEST_KIND,
};

/// How long an endpoint may fail before it is paused.
pub const PAUSE_AFTER: chrono::Duration = chrono::Duration::hours(24);

/// A new document's identifier: 128 random bits, in hexadecimal.
pub(crate) fn new_payload_id() -> String {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).expect("the system's random source answers");
    crate::domain::hex(&bytes)
}

/// A delivery leased for sending; `allowed` when its endpoint is still kept and active, still
/// receives its kind, and its dossier is still the endpoint's company's.
#[derive(Clone, sqlx::FromRow)]
pub struct LeasedDelivery {
    pub id: i64,
    pub attempts: i32,
    /// Its first failed attempt since it was written or re-sent: tried for a day from then.
    pub failing_since: Option<DateTime<Utc>>,
    pub url: String,
    pub secret: String,
    pub payload: String,
    pub allowed: bool,
}

impl std::fmt::Debug for LeasedDelivery {
    /// Never the secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LeasedDelivery")
            .field("id", &self.id)
            .field("attempts", &self.attempts)
            .field("failing_since", &self.failing_since)
            .field("allowed", &self.allowed)
            .finish_non_exhaustive()
    }
}

/// What came of one attempt.
#[derive(Clone, Debug)]
pub struct DeliveryOutcome {
    /// The HTTP status answered; none when nothing answered.
    pub status: Option<u16>,
    pub duration_ms: i64,
    /// What went wrong (French, for the administrator); none for a success.
    pub error: Option<String>,
    /// When to try again after a failure; none to give up.
    pub retry_at: Option<DateTime<Utc>>,
    /// Whether the endpoint was called (a delivery the company may no longer receive is given
    /// up without calling it: that says nothing of the endpoint's health).
    pub called: bool,
}

/// An endpoint just paused, whose administrators were told.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PausedEndpoint {
    pub id: i64,
    pub url: String,
}

impl Tx {
    /// Registers an endpoint for the company; its id.
    #[tracing::instrument(skip_all)]
    pub async fn add_webhook_endpoint(
        &mut self,
        company_id: i64,
        url: &str,
        secret: &str,
        kinds: &[String],
        created_by: i64,
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        Ok(on_tx!(self, conn => {
            sqlx::query_scalar(
                "INSERT INTO webhook_endpoint (company_id, url, secret, kinds, created_by, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(company_id)
            .bind(url)
            .bind(secret)
            .bind(kinds.join(","))
            .bind(created_by)
            .bind(now)
            .fetch_one(conn)
            .await
        })?)
    }

    /// Removes one of the company's endpoints: nothing more is sent to it, even what was written
    /// and not sent yet. Its address, or `None` when the company has no such endpoint.
    #[tracing::instrument(skip_all)]
    pub async fn remove_webhook_endpoint(
        &mut self,
        company_id: i64,
        id: i64,
        now: DateTime<Utc>,
    ) -> Result<Option<String>, StoreError> {
        Ok(on_tx!(self, conn => {
            sqlx::query_scalar(
                "UPDATE webhook_endpoint SET removed_at = $3
                 WHERE id = $1 AND company_id = $2 AND removed_at IS NULL RETURNING url",
            )
            .bind(id)
            .bind(company_id)
            .bind(now)
            .fetch_optional(conn)
            .await
        })?)
    }

    /// Resumes one of the company's paused endpoints: it receives what happens from now on.
    /// Its address, or `None` when the company has no such endpoint paused.
    #[tracing::instrument(skip_all)]
    pub async fn resume_webhook_endpoint(
        &mut self,
        company_id: i64,
        id: i64,
    ) -> Result<Option<String>, StoreError> {
        Ok(on_tx!(self, conn => {
            sqlx::query_scalar(
                "UPDATE webhook_endpoint SET paused_at = NULL, failing_since = NULL
                 WHERE id = $1 AND company_id = $2 AND removed_at IS NULL AND paused_at IS NOT NULL
                 RETURNING url",
            )
            .bind(id)
            .bind(company_id)
            .fetch_optional(conn)
            .await
        })?)
    }

    /// Writes a test document for one of the company's active endpoints; its delivery's id, or
    /// `None` when the company has no such endpoint active.
    #[tracing::instrument(skip_all)]
    pub async fn queue_test_delivery(
        &mut self,
        company_id: i64,
        endpoint_id: i64,
        now: DateTime<Utc>,
    ) -> Result<Option<i64>, StoreError> {
        let payload = WebhookPayload {
            id: new_payload_id(),
            kind: TEST_KIND.to_owned(),
            created_at: now,
            action_required: false,
            title: "Livraison de test".to_owned(),
            text: "Ce document de test a été envoyé à votre demande depuis France Sésame : s'il \
                   vous parvient avec une signature valide, votre webhook est prêt."
                .to_owned(),
            dossier: None,
        };
        let json = serde_json::to_string(&payload)
            .map_err(|error| StoreError::Corrupt(error.to_string()))?;
        let id: Option<i64> = on_tx!(self, conn => {
            sqlx::query_scalar(
                "INSERT INTO webhook_delivery (endpoint_id, cause, kind, payload, created_at, next_attempt_at)
                 SELECT e.id, $3, $4, $5, $6, $6 FROM webhook_endpoint e
                 WHERE e.id = $1 AND e.company_id = $2 AND e.removed_at IS NULL AND e.paused_at IS NULL
                 RETURNING id",
            )
            .bind(endpoint_id)
            .bind(company_id)
            .bind(format!("test:{}", payload.id))
            .bind(TEST_KIND)
            .bind(&json)
            .bind(now)
            .fetch_optional(conn)
            .await
        })?;
        if id.is_some() {
            self.announce(Committed::Delivery).await?;
        }
        Ok(id)
    }

    /// Sends one of the company's deliveries again, the same document (its original time
    /// included), to an active endpoint, tried again for a day; its endpoint's address, or
    /// `None` when the company has no such delivery, it is still being tried (sent again by
    /// itself), or its endpoint is paused or removed.
    #[tracing::instrument(skip_all)]
    pub async fn resend_delivery(
        &mut self,
        company_id: i64,
        delivery_id: i64,
        now: DateTime<Utc>,
    ) -> Result<Option<String>, StoreError> {
        let url: Option<String> = on_tx!(self, conn => {
            sqlx::query_scalar(
                "SELECT e.url FROM webhook_delivery w JOIN webhook_endpoint e ON e.id = w.endpoint_id
                 WHERE w.id = $1 AND e.company_id = $2 AND e.removed_at IS NULL AND e.paused_at IS NULL
                   AND (w.sent_at IS NOT NULL OR w.given_up_at IS NOT NULL)
                   AND (w.leased_until IS NULL OR w.leased_until < $3)",
            )
            .bind(delivery_id)
            .bind(company_id)
            .bind(now)
            .fetch_optional(conn)
            .await
        })?;
        if url.is_none() {
            return Ok(None);
        }
        on_tx!(self, conn => {
            sqlx::query(
                "UPDATE webhook_delivery SET sent_at = NULL, given_up_at = NULL, last_error = NULL,
                        leased_until = NULL, leased_by = NULL, failing_since = NULL, next_attempt_at = $2
                 WHERE id = $1",
            )
            .bind(delivery_id)
            .bind(now)
            .execute(conn)
            .await
            .map(|_| ())
        })?;
        self.announce(Committed::Delivery).await?;
        Ok(url)
    }

    /// Writes the document of a notification for each active endpoint that receives its kind
    /// of the dossier's company and of the companies representing it there today (once per
    /// endpoint, cause and kind). How many.
    #[tracing::instrument(skip_all)]
    pub(crate) async fn queue_webhooks(
        &mut self,
        dossier_id: i64,
        cause: &str,
        payload: &WebhookPayload,
    ) -> Result<u64, StoreError> {
        let json = serde_json::to_string(payload)
            .map_err(|error| StoreError::Corrupt(error.to_string()))?;
        // The document holds only what the dossier's page shows its company's people, which a
        // representative's people see while its mandate is in force: checked as it is queued.
        // Two selects, each reaching endpoints by their company's index: the importer's own,
        // then those of its representatives at the dossier's site that day.
        let sql = "INSERT INTO webhook_delivery (endpoint_id, dossier_id, cause, kind, payload,
                                                 created_at, next_attempt_at)
             SELECT e.id, d.id, $2, $3, $4, $5, $5
             FROM dossier d JOIN webhook_endpoint e ON e.company_id = d.company_id
             WHERE d.id = $1 AND e.removed_at IS NULL AND e.paused_at IS NULL
               AND (',' || e.kinds || ',') LIKE $6
             UNION ALL
             SELECT e.id, d.id, $2, $3, $4, $5, $5
             FROM dossier d
             JOIN mandate m ON m.importer_id = d.company_id
             JOIN mandate_site ms ON ms.mandate_id = m.id AND ms.site_code = d.site_code
             JOIN webhook_endpoint e ON e.company_id = m.representative_id
             WHERE d.id = $1 AND m.revoked_at IS NULL
               AND m.starts_on <= $7 AND (m.ends_on IS NULL OR m.ends_on >= $7)
               AND e.removed_at IS NULL AND e.paused_at IS NULL
               AND (',' || e.kinds || ',') LIKE $6
             ON CONFLICT DO NOTHING";
        let written = on_tx!(self, conn => {
            sqlx::query(sql)
            .bind(dossier_id)
            .bind(cause)
            .bind(&payload.kind)
            .bind(&json)
            .bind(payload.created_at)
            .bind(format!("%,{},%", payload.kind))
            .bind(crate::domain::access::local_day(payload.created_at))
            .execute(conn)
            .await
            .map(|done| done.rows_affected())
        })?;
        if written > 0 {
            self.announce(Committed::Delivery).await?;
        }
        Ok(written)
    }
}

impl Store {
    /// The company's endpoints, in the order they were added, with the labels of their kinds
    /// and their last attempts.
    #[tracing::instrument(skip_all)]
    pub async fn webhook_endpoints(
        &self,
        company_id: i64,
        attempts_shown: i64,
    ) -> Result<Vec<WebhookEndpoint>, StoreError> {
        #[allow(clippy::type_complexity)]
        let rows: Vec<(
            i64,
            String,
            String,
            DateTime<Utc>,
            Option<DateTime<Utc>>,
            Option<DateTime<Utc>>,
        )> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT id, url, kinds, created_at, failing_since, paused_at FROM webhook_endpoint
                 WHERE company_id = $1 AND removed_at IS NULL ORDER BY id",
            )
            .bind(company_id)
            .fetch_all(pool)
            .await
        })?;
        let labels: Vec<(String, String)> = on_pool!(self, pool => {
            sqlx::query_as("SELECT code, label FROM notification_kind ORDER BY position")
                .fetch_all(pool)
                .await
        })?;
        let label_of = |code: &str| {
            labels.iter().find(|(kind, _)| kind == code).map_or_else(
                || "Livraison de test".to_owned(),
                |(_, label)| label.clone(),
            )
        };
        let mut endpoints = Vec::with_capacity(rows.len());
        for (id, url, kinds, created_at, failing_since, paused_at) in rows {
            #[derive(sqlx::FromRow)]
            struct Row {
                delivery_id: i64,
                kind: String,
                attempted_at: DateTime<Utc>,
                status: Option<i32>,
                duration_ms: i64,
                error: Option<String>,
                sent_at: Option<DateTime<Utc>>,
                given_up_at: Option<DateTime<Utc>>,
            }
            let attempts: Vec<Row> = on_pool!(self, pool => {
                sqlx::query_as(
                    "SELECT a.delivery_id, w.kind, a.attempted_at, a.status, a.duration_ms, a.error,
                            w.sent_at, w.given_up_at
                     FROM webhook_attempt a JOIN webhook_delivery w ON w.id = a.delivery_id
                     WHERE a.endpoint_id = $1 ORDER BY a.id DESC LIMIT $2",
                )
                .bind(id)
                .bind(attempts_shown)
                .fetch_all(pool)
                .await
            })?;
            let chosen: Vec<&str> = kinds.split(',').collect();
            endpoints.push(WebhookEndpoint {
                id,
                url,
                kinds: labels
                    .iter()
                    .filter(|(code, _)| chosen.contains(&code.as_str()))
                    .map(|(_, label)| label.clone())
                    .collect(),
                created_at,
                failing_since,
                paused_at,
                attempts: attempts
                    .into_iter()
                    .map(|row| WebhookAttempt {
                        delivery_id: row.delivery_id,
                        kind_label: label_of(&row.kind),
                        at: row.attempted_at,
                        status: row.status.and_then(|status| u16::try_from(status).ok()),
                        duration_ms: row.duration_ms,
                        error: row.error,
                        state: if row.sent_at.is_some() {
                            DeliveryState::Delivered
                        } else if row.given_up_at.is_some() {
                            DeliveryState::GivenUp
                        } else {
                            DeliveryState::Pending
                        },
                    })
                    .collect(),
            });
        }
        Ok(endpoints)
    }

    /// Leases up to `limit` deliveries due at `now` (see [`Store::lease`]), with their endpoint's
    /// address and secret and whether the company may still receive them.
    #[tracing::instrument(skip_all)]
    pub async fn lease_deliveries(
        &self,
        instance: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<LeasedDelivery>, StoreError> {
        let leased = self
            .lease(MailQueue::Webhook, instance, now, until, limit)
            .await?;
        let mut deliveries = Vec::with_capacity(leased.len());
        // Need to know holds when it is sent: the dossier is still the company's, or one it
        // represents there today.
        let sql = format!(
            "SELECT w.id, w.attempts, w.failing_since, e.url, e.secret, w.payload,
                    CASE WHEN e.removed_at IS NULL AND e.paused_at IS NULL
                              AND (w.dossier_id IS NULL OR (
                                    EXISTS (SELECT 1 FROM dossier d
                                            WHERE d.id = w.dossier_id
                                              AND (d.company_id = e.company_id OR {represents}))
                                    AND (',' || e.kinds || ',') LIKE '%,' || w.kind || ',%'))
                         THEN TRUE ELSE FALSE END AS allowed
             FROM webhook_delivery w JOIN webhook_endpoint e ON e.id = w.endpoint_id
             JOIN company c ON c.id = e.company_id
             WHERE w.id = $1",
            represents = super::mandates::represents_sql(
                "e.company_id",
                "d.company_id",
                "d.site_code",
                "$2"
            ),
        );
        let today = crate::domain::access::local_day(now);
        for id in leased {
            let delivery: Option<LeasedDelivery> = on_pool!(self, pool => {
                sqlx::query_as(&sql)
                .bind(id)
                .bind(today)
                .fetch_optional(pool)
                .await
            })?;
            deliveries.extend(delivery);
        }
        Ok(deliveries)
    }

    /// Records an attempt at a leased delivery: delivered, to be tried again, or given up; in the
    /// endpoint's log (its latest [`ATTEMPTS_KEPT`]). A failure of an endpoint failing for
    /// [`PAUSE_AFTER`] pauses it and tells its company's administrators (then returned). Nothing
    /// changes when the lease was lost meanwhile.
    #[tracing::instrument(skip_all)]
    pub async fn delivery_attempted(
        &self,
        id: i64,
        instance: &str,
        now: DateTime<Utc>,
        outcome: &DeliveryOutcome,
    ) -> Result<Option<PausedEndpoint>, StoreError> {
        let mut tx = self.begin().await?;
        let delivered = outcome.error.is_none();
        let endpoint_id: Option<i64> = on_tx!(tx, conn => {
            sqlx::query_scalar(
                "UPDATE webhook_delivery SET attempts = attempts + 1, leased_until = NULL,
                        leased_by = CASE WHEN $3 THEN leased_by ELSE NULL END,
                        sent_at = CASE WHEN $3 THEN $4 ELSE NULL END,
                        next_attempt_at = COALESCE($5, next_attempt_at),
                        given_up_at = CASE WHEN $3 OR $5 IS NOT NULL THEN NULL ELSE $4 END,
                        failing_since = CASE WHEN $3 THEN failing_since ELSE COALESCE(failing_since, $4) END,
                        last_error = $6
                 WHERE id = $1 AND leased_by = $2 AND sent_at IS NULL
                 RETURNING endpoint_id",
            )
            .bind(id)
            .bind(instance)
            .bind(delivered)
            .bind(now)
            .bind(outcome.retry_at)
            .bind(outcome.error.as_deref())
            .fetch_optional(conn)
            .await
        })?;
        let Some(endpoint_id) = endpoint_id else {
            return Ok(None);
        };
        on_tx!(tx, conn => {
            sqlx::query(
                "INSERT INTO webhook_attempt (endpoint_id, delivery_id, attempted_at, status, duration_ms, error)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(endpoint_id)
            .bind(id)
            .bind(now)
            .bind(outcome.status.map(i32::from))
            .bind(outcome.duration_ms)
            .bind(outcome.error.as_deref())
            .execute(&mut *conn)
            .await?;
            sqlx::query(
                "DELETE FROM webhook_attempt WHERE endpoint_id = $1 AND id <= (
                     SELECT id FROM webhook_attempt WHERE endpoint_id = $1
                     ORDER BY id DESC LIMIT 1 OFFSET $2)",
            )
            .bind(endpoint_id)
            .bind(ATTEMPTS_KEPT)
            .execute(&mut *conn)
            .await
            .map(|_| ())
        })?;
        let paused = if delivered {
            on_tx!(tx, conn => {
                sqlx::query("UPDATE webhook_endpoint SET failing_since = NULL WHERE id = $1")
                    .bind(endpoint_id)
                    .execute(conn)
                    .await
                    .map(|_| ())
            })?;
            None
        } else if !outcome.called {
            None
        } else {
            let paused: Option<(i64, String, DateTime<Utc>)> = on_tx!(tx, conn => {
                sqlx::query("UPDATE webhook_endpoint SET failing_since = COALESCE(failing_since, $2) WHERE id = $1")
                    .bind(endpoint_id)
                    .bind(now)
                    .execute(&mut *conn)
                    .await?;
                sqlx::query_as(
                    "UPDATE webhook_endpoint SET paused_at = $2
                     WHERE id = $1 AND paused_at IS NULL AND removed_at IS NULL AND failing_since <= $3
                     RETURNING company_id, url, failing_since",
                )
                .bind(endpoint_id)
                .bind(now)
                .bind(now - PAUSE_AFTER)
                .fetch_optional(&mut *conn)
                .await
            })?;
            match paused {
                Some((company_id, url, failing_since)) => {
                    // Nothing waits for it any more: it receives what happens once resumed.
                    on_tx!(tx, conn => {
                        sqlx::query(
                            "UPDATE webhook_delivery SET given_up_at = $2, leased_until = NULL,
                                    last_error = 'Abandonnée : le webhook a été suspendu.'
                             WHERE endpoint_id = $1 AND sent_at IS NULL AND given_up_at IS NULL",
                        )
                        .bind(endpoint_id)
                        .bind(now)
                        .execute(conn)
                        .await
                        .map(|_| ())
                    })?;
                    tx.tell_paused(
                        company_id,
                        endpoint_id,
                        &url,
                        failing_since,
                        outcome.error.as_deref().unwrap_or_default(),
                        now,
                    )
                    .await?;
                    Some(PausedEndpoint {
                        id: endpoint_id,
                        url,
                    })
                }
                None => None,
            }
        };
        tx.commit().await?;
        Ok(paused)
    }
}

impl Tx {
    /// Tells the company's administrators, in the app and by mail at once, that an endpoint was
    /// paused.
    async fn tell_paused(
        &mut self,
        company_id: i64,
        endpoint_id: i64,
        url: &str,
        failing_since: DateTime<Utc>,
        error: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let fields = [
            ("adresse", crate::domain::webhook::without_query(url)),
            ("depuis", crate::ui::format::date_time(failing_since)),
            ("erreur", error.to_owned()),
        ];
        self.tell_company_admins(
            company_id,
            "webhook_suspendu",
            &fields,
            &format!("webhook:{endpoint_id}:{}", now.timestamp()),
            "/notifications/webhooks",
            now,
        )
        .await
    }
}
