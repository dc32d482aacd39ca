//! Extra recipients: outside addresses an operator company's administrator sends chosen kinds of
//! notification to, each confirmed by a link before it receives anything. Their mails are written
//! with the notifications (see [`Tx::notify`](super::Tx)) and sent by the same worker.

use chrono::{DateTime, Utc};

use super::notifications::MailQueue;
use super::{on_pool, on_tx, Store, StoreError, Tx};
use crate::domain::notification::ExtraRecipient;

/// Why an address was not added.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AddRefusal {
    /// The company already sends to this address.
    AlreadyThere,
}

/// A mail to an extra recipient, leased for sending; `allowed` when the address is still
/// confirmed, kept, subscribed to the kind, and the dossier still the company's.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct LeasedExtraMail {
    pub id: i64,
    pub attempts: i32,
    pub created_at: DateTime<Utc>,
    pub email: String,
    pub subject: String,
    pub text: String,
    pub allowed: bool,
}

impl Tx {
    /// Adds an address for the company, not confirmed yet; `token_hash` is the hash of the
    /// confirmation link's token.
    #[tracing::instrument(skip_all)]
    pub async fn add_extra_recipient(
        &mut self,
        company_id: i64,
        email: &str,
        kinds: &[String],
        token_hash: &str,
        created_by: i64,
        now: DateTime<Utc>,
    ) -> Result<Result<i64, AddRefusal>, StoreError> {
        let there: Option<i64> = on_tx!(self, conn => {
            sqlx::query_scalar(
                "SELECT id FROM extra_recipient WHERE company_id = $1 AND email = $2 AND removed_at IS NULL",
            )
            .bind(company_id)
            .bind(email)
            .fetch_optional(conn)
            .await
        })?;
        if there.is_some() {
            return Ok(Err(AddRefusal::AlreadyThere));
        }
        let id = on_tx!(self, conn => {
            sqlx::query_scalar(
                "INSERT INTO extra_recipient (company_id, email, kinds, token_hash, created_by, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(company_id)
            .bind(email)
            .bind(kinds.join(","))
            .bind(token_hash)
            .bind(created_by)
            .bind(now)
            .fetch_one(conn)
            .await
        })?;
        Ok(Ok(id))
    }

    /// Removes one of the company's addresses: nothing more is sent to it, even what was
    /// written and not sent yet. Its address, or `None` when the company has no such address.
    #[tracing::instrument(skip_all)]
    pub async fn remove_extra_recipient(
        &mut self,
        company_id: i64,
        id: i64,
        now: DateTime<Utc>,
    ) -> Result<Option<String>, StoreError> {
        Ok(on_tx!(self, conn => {
            sqlx::query_scalar(
                "UPDATE extra_recipient SET removed_at = $3
                 WHERE id = $1 AND company_id = $2 AND removed_at IS NULL RETURNING email",
            )
            .bind(id)
            .bind(company_id)
            .bind(now)
            .fetch_optional(conn)
            .await
        })?)
    }

    /// Confirms the address whose link token hashes to `token_hash` (again: nothing changes);
    /// the address and the company's name, or `None` for a link that is unknown or removed.
    #[tracing::instrument(skip_all)]
    pub async fn confirm_extra_recipient(
        &mut self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<(String, String)>, StoreError> {
        Ok(on_tx!(self, conn => {
            sqlx::query_as(
                "UPDATE extra_recipient SET confirmed_at = COALESCE(confirmed_at, $2)
                 WHERE token_hash = $1 AND removed_at IS NULL
                 RETURNING email, (SELECT name FROM company c WHERE c.id = extra_recipient.company_id)",
            )
            .bind(token_hash)
            .bind(now)
            .fetch_optional(conn)
            .await
        })?)
    }

    /// Writes the mails of a notification for the confirmed addresses of the dossier's company
    /// that receive its kind. How many.
    #[tracing::instrument(skip_all)]
    pub(crate) async fn mail_extra_recipients(
        &mut self,
        dossier_id: i64,
        cause: &str,
        kind: &str,
        subject: &str,
        text: &str,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        Ok(on_tx!(self, conn => {
            sqlx::query(
                "INSERT INTO extra_recipient_mail (extra_recipient_id, dossier_id, cause, kind, subject, text,
                                                   created_at, next_attempt_at)
                 SELECT r.id, d.id, $2, $3, $4, $5, $6, $6
                 FROM dossier d JOIN extra_recipient r ON r.company_id = d.company_id
                 WHERE d.id = $1 AND r.confirmed_at IS NOT NULL AND r.removed_at IS NULL
                   AND (',' || r.kinds || ',') LIKE $7
                 ON CONFLICT DO NOTHING",
            )
            .bind(dossier_id)
            .bind(cause)
            .bind(kind)
            .bind(subject)
            .bind(text)
            .bind(now)
            .bind(format!("%,{kind},%"))
            .execute(conn)
            .await
            .map(|done| done.rows_affected())
        })?)
    }
}

impl Store {
    /// The company's addresses, in the order they were added, with the labels of their kinds.
    #[tracing::instrument(skip_all)]
    pub async fn extra_recipients(
        &self,
        company_id: i64,
    ) -> Result<Vec<ExtraRecipient>, StoreError> {
        let rows: Vec<(i64, String, String, Option<DateTime<Utc>>)> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT id, email, kinds, confirmed_at FROM extra_recipient
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
        Ok(rows
            .into_iter()
            .map(|(id, email, kinds, confirmed_at)| {
                let chosen: Vec<&str> = kinds.split(',').collect();
                ExtraRecipient {
                    id,
                    email,
                    kinds: labels
                        .iter()
                        .filter(|(code, _)| chosen.contains(&code.as_str()))
                        .map(|(_, label)| label.clone())
                        .collect(),
                    confirmed: confirmed_at.is_some(),
                }
            })
            .collect())
    }

    /// Leases up to `limit` mails to extra recipients due at `now` (see [`Store::lease`]).
    #[tracing::instrument(skip_all)]
    pub async fn lease_extra_mails(
        &self,
        instance: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<LeasedExtraMail>, StoreError> {
        let leased = self
            .lease(MailQueue::ExtraRecipient, instance, now, until, limit)
            .await?;
        let mut mails = Vec::with_capacity(leased.len());
        for id in leased {
            let mail: Option<LeasedExtraMail> = on_pool!(self, pool => {
                sqlx::query_as(
                    "SELECT m.id, m.attempts, m.created_at, r.email, m.subject, m.text,
                            CASE WHEN r.confirmed_at IS NOT NULL AND r.removed_at IS NULL
                                      AND d.company_id = r.company_id
                                      AND (',' || r.kinds || ',') LIKE '%,' || m.kind || ',%'
                                 THEN TRUE ELSE FALSE END AS allowed
                     FROM extra_recipient_mail m
                     JOIN extra_recipient r ON r.id = m.extra_recipient_id
                     JOIN dossier d ON d.id = m.dossier_id
                     WHERE m.id = $1",
                )
                .bind(id)
                .fetch_optional(pool)
                .await
            })?;
            mails.extend(mail);
        }
        Ok(mails)
    }
}
