//! The gate offline: the credential made for a day (a gate pass, see the `gate_pass` table) and
//! the presences and absences a device recorded without network, each recorded once.

use chrono::{DateTime, NaiveDate, Utc};

use super::{on_pool, on_tx, Store, StoreError, Tx};
use crate::domain::gate::{CheckinOutcome, GatePass};
use crate::domain::references::Locode;

/// An open pass, found by its token: whose, for which day and sites.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenPass {
    pub id: i64,
    pub user_id: i64,
    pub session_id: Option<i64>,
    pub day: NaiveDate,
    pub sites: Vec<Locode>,
}

/// A presence or absence as the server kept it, to be written once.
pub struct CheckinReceipt {
    pub user_id: i64,
    pub client_id: String,
    pub appointment_id: i64,
    pub kind: &'static str,
    pub reason: Option<String>,
    pub scanned_at: DateTime<Utc>,
    pub sent_at: DateTime<Utc>,
    /// [`crate::domain::gate::RECORDED`], or the conflict's code.
    pub outcome: &'static str,
    pub message: String,
}

fn sites_text(sites: &[Locode]) -> String {
    sites
        .iter()
        .map(Locode::as_str)
        .collect::<Vec<_>>()
        .join(",")
}

impl Store {
    /// The pass a device's token opens, if it was not ended (its day is the caller's to check,
    /// to say why it is refused).
    #[tracing::instrument(skip_all)]
    pub async fn gate_pass(&self, token_hash: &str) -> Result<Option<OpenPass>, StoreError> {
        let row: Option<(i64, i64, Option<i64>, NaiveDate, String)> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT id, user_id, session_id, day, sites FROM gate_pass
                 WHERE token_hash = $1 AND ended_at IS NULL",
            )
            .bind(token_hash)
            .fetch_optional(pool)
            .await
        })?;
        row.map(|(id, user_id, session_id, day, sites)| {
            Ok(OpenPass {
                id,
                user_id,
                session_id,
                day,
                sites: sites
                    .split(',')
                    .filter(|code| !code.is_empty())
                    .map(|code| Locode::parse(code).map_err(|e| StoreError::Corrupt(e.to_string())))
                    .collect::<Result<_, _>>()?,
            })
        })
        .transpose()
    }

    /// A person's passes of `day` not ended, the most recently used first.
    #[tracing::instrument(skip_all)]
    pub async fn gate_passes_of(
        &self,
        user_id: i64,
        day: NaiveDate,
    ) -> Result<Vec<GatePass>, StoreError> {
        #[derive(sqlx::FromRow)]
        struct Row {
            id: i64,
            day: NaiveDate,
            device: String,
            created_at: DateTime<Utc>,
            last_used_at: DateTime<Utc>,
        }
        let rows: Vec<Row> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT id, day, device, created_at, last_used_at FROM gate_pass
                 WHERE user_id = $1 AND day = $2 AND ended_at IS NULL
                 ORDER BY last_used_at DESC, id DESC",
            )
            .bind(user_id)
            .bind(day)
            .fetch_all(pool)
            .await
        })?;
        Ok(rows
            .into_iter()
            .map(|row| GatePass {
                id: row.id,
                day: row.day,
                device: row.device,
                created_at: row.created_at,
                last_used_at: row.last_used_at,
            })
            .collect())
    }

    /// What the server kept of a presence or absence a person's device sent before, by the id
    /// the device made.
    #[tracing::instrument(skip_all)]
    pub async fn offline_checkin(
        &self,
        user_id: i64,
        client_id: &str,
    ) -> Result<Option<CheckinOutcome>, StoreError> {
        let row: Option<(String, String)> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT outcome, message FROM offline_checkin WHERE user_id = $1 AND client_id = $2",
            )
            .bind(user_id)
            .bind(client_id)
            .fetch_optional(pool)
            .await
        })?;
        Ok(row.map(|(outcome, message)| CheckinOutcome {
            id: client_id.to_owned(),
            recorded: outcome == crate::domain::gate::RECORDED,
            outcome,
            message,
        }))
    }

    /// Writes what the server kept of a presence or absence it did not record (a conflict),
    /// unless a sending of the same one was written first.
    #[tracing::instrument(skip_all)]
    pub async fn keep_offline_checkin(&self, receipt: &CheckinReceipt) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        tx.keep_offline_checkin(receipt).await?;
        tx.commit().await
    }
}

impl Tx {
    /// Issues a pass to a device (its token's hash), for `day` and `sites`.
    #[tracing::instrument(skip_all)]
    #[allow(clippy::too_many_arguments)]
    pub async fn open_gate_pass(
        &mut self,
        token_hash: &str,
        user_id: i64,
        session_id: Option<i64>,
        day: NaiveDate,
        sites: &[Locode],
        device: &str,
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let sites = sites_text(sites);
        Ok(on_tx!(self, conn => {
            sqlx::query_scalar(
                "INSERT INTO gate_pass (token_hash, user_id, session_id, day, sites, device,
                                        created_at, last_used_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
            )
            .bind(token_hash)
            .bind(user_id)
            .bind(session_id)
            .bind(day)
            .bind(&sites)
            .bind(device)
            .bind(now)
            .fetch_one(conn)
            .await
        })?)
    }

    /// The gate opened again on a device holding a pass of the day: it now covers `sites` (the
    /// habilitations of the moment) and the session that opened it again.
    #[tracing::instrument(skip_all)]
    pub async fn renew_gate_pass(
        &mut self,
        id: i64,
        session_id: Option<i64>,
        sites: &[Locode],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let sites = sites_text(sites);
        on_tx!(self, conn => {
            sqlx::query(
                "UPDATE gate_pass SET sites = $2, session_id = $3, last_used_at = $4 WHERE id = $1",
            )
            .bind(id)
            .bind(&sites)
            .bind(session_id)
            .bind(now)
            .execute(conn)
            .await
            .map(|_| ())
        })?;
        Ok(())
    }

    /// Notes that a pass was just used to send.
    #[tracing::instrument(skip_all)]
    pub async fn touch_gate_pass(&mut self, id: i64, now: DateTime<Utc>) -> Result<(), StoreError> {
        on_tx!(self, conn => {
            sqlx::query("UPDATE gate_pass SET last_used_at = $2 WHERE id = $1")
                .bind(id)
                .bind(now)
                .execute(conn)
                .await
                .map(|_| ())
        })?;
        Ok(())
    }

    /// Ends a person's pass (from their personal space); false when it is not theirs or was
    /// already ended.
    #[tracing::instrument(skip_all)]
    pub async fn revoke_gate_pass(
        &mut self,
        user_id: i64,
        id: i64,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let done = on_tx!(self, conn => {
            sqlx::query(
                "UPDATE gate_pass SET ended_at = $3, ended_reason = 'revocation'
                 WHERE id = $1 AND user_id = $2 AND ended_at IS NULL",
            )
            .bind(id)
            .bind(user_id)
            .bind(now)
            .execute(conn)
            .await
            .map(|done| done.rows_affected())
        })?;
        Ok(done == 1)
    }

    /// Writes what the server kept of a presence or absence; false when a sending of the same
    /// one (same person, same id) was written first, which then stands.
    #[tracing::instrument(skip_all)]
    pub async fn keep_offline_checkin(
        &mut self,
        receipt: &CheckinReceipt,
    ) -> Result<bool, StoreError> {
        let done = on_tx!(self, conn => {
            sqlx::query(
                "INSERT INTO offline_checkin (user_id, client_id, appointment_id, kind, reason,
                                              scanned_at, sent_at, outcome, message)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                 ON CONFLICT (user_id, client_id) DO NOTHING",
            )
            .bind(receipt.user_id)
            .bind(&receipt.client_id)
            .bind(receipt.appointment_id)
            .bind(receipt.kind)
            .bind(&receipt.reason)
            .bind(receipt.scanned_at)
            .bind(receipt.sent_at)
            .bind(receipt.outcome)
            .bind(&receipt.message)
            .execute(conn)
            .await
            .map(|done| done.rows_affected())
        })?;
        Ok(done == 1)
    }
}
