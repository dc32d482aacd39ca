//! The requests of people the customs account signed in without naming their company: opened
//! at the sign-in, completed with the SIRET they declare, decided by the company's
//! administrator (see [`crate::domain::access_request`]).

use chrono::{DateTime, Utc};

use super::{on_pool, on_tx, Store, StoreError, Tx};
use crate::domain::access_request::{AccessRequest, AccessRequestState, WaitingRequest};

#[derive(sqlx::FromRow)]
struct RequestRow {
    id: i64,
    full_name: String,
    email: String,
    state: String,
    siret: Option<String>,
    company_name: Option<String>,
    reason: Option<String>,
    created_at: DateTime<Utc>,
}

impl TryFrom<RequestRow> for AccessRequest {
    type Error = StoreError;
    fn try_from(row: RequestRow) -> Result<Self, StoreError> {
        Ok(AccessRequest {
            id: row.id,
            full_name: row.full_name,
            email: row.email,
            state: AccessRequestState::from_code(&row.state).ok_or_else(|| {
                StoreError::Corrupt(format!("état de demande inconnu : {}", row.state))
            })?,
            siret: row.siret,
            company_name: row.company_name,
            reason: row.reason,
            created_at: row.created_at,
        })
    }
}

/// A request waiting for its company's administrator, as the decision needs it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct PendingRequest {
    pub id: i64,
    pub company_id: i64,
    pub provider: String,
    pub subject: String,
    pub email: String,
    pub full_name: String,
    /// The name of the company it asks to join, for the letter that answers it.
    pub company_name: String,
}

/// An open request, as its declaration needs it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct OpenRequest {
    pub id: i64,
    /// The company it waits for, once declared.
    pub company_id: Option<i64>,
    pub full_name: String,
    pub email: String,
}

impl Store {
    /// The request whose cookie's token has this hash, whatever its state.
    #[tracing::instrument(skip_all)]
    pub async fn access_request_by_token(
        &self,
        token_hash: &str,
    ) -> Result<Option<AccessRequest>, StoreError> {
        let row: Option<RequestRow> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT r.id, r.full_name, r.email, r.state, r.siret, c.name AS company_name,
                        r.reason, r.created_at
                 FROM access_request r LEFT JOIN company c ON c.id = r.company_id
                 WHERE r.token_hash = $1",
            )
            .bind(token_hash)
            .fetch_optional(pool)
            .await
        })?;
        row.map(AccessRequest::try_from).transpose()
    }

    /// The requests waiting for a company's administrator, the oldest first.
    #[tracing::instrument(skip_all)]
    pub async fn waiting_requests(
        &self,
        company_id: i64,
    ) -> Result<Vec<WaitingRequest>, StoreError> {
        let rows: Vec<(i64, String, String, DateTime<Utc>)> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT id, full_name, email, declared_at FROM access_request
                 WHERE company_id = $1 AND state = 'en_attente' ORDER BY declared_at, id",
            )
            .bind(company_id)
            .fetch_all(pool)
            .await
        })?;
        Ok(rows
            .into_iter()
            .map(|(id, full_name, email, declared_at)| WaitingRequest {
                id,
                full_name,
                email,
                declared_at,
            })
            .collect())
    }
}

impl Tx {
    /// A request still waiting for its company's administrator, by its number, its row locked
    /// until the decision is written (a second click, or another administrator, then finds it
    /// decided).
    #[tracing::instrument(skip_all)]
    pub async fn lock_waiting_request(
        &mut self,
        id: i64,
    ) -> Result<Option<PendingRequest>, StoreError> {
        let lock = match self.open {
            super::OpenTx::Postgres(_) => " FOR UPDATE",
            super::OpenTx::Sqlite(_) => "",
        };
        let sql = format!(
            "SELECT id, company_id, provider, subject, email, full_name,
                    (SELECT name FROM company WHERE company.id = company_id) AS company_name
             FROM access_request WHERE id = $1 AND state = 'en_attente'{lock}"
        );
        Ok(on_tx!(self, conn => {
            sqlx::query_as(&sql).bind(id).fetch_optional(conn).await
        })?)
    }

    /// The open request of a provider's person, its cookie's token renewed and what the provider
    /// says of them refreshed, or a new one to complete: its number.
    #[tracing::instrument(skip_all)]
    pub async fn open_access_request(
        &mut self,
        (provider, subject): (&str, &str),
        (email, full_name): (&str, &str),
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let open: Option<i64> = on_tx!(self, conn => {
            sqlx::query_scalar(
                "UPDATE access_request SET token_hash = $3, email = $4, full_name = $5
                 WHERE provider = $1 AND subject = $2 AND state IN ('a_completer', 'en_attente')
                 RETURNING id",
            )
            .bind(provider)
            .bind(subject)
            .bind(token_hash)
            .bind(email)
            .bind(full_name)
            .fetch_optional(conn)
            .await
        })?;
        if let Some(id) = open {
            return Ok(id);
        }
        Ok(on_tx!(self, conn => {
            sqlx::query_scalar(
                "INSERT INTO access_request (provider, subject, email, full_name, token_hash, state, created_at)
                 VALUES ($1, $2, $3, $4, $5, 'a_completer', $6) RETURNING id",
            )
            .bind(provider)
            .bind(subject)
            .bind(email)
            .bind(full_name)
            .bind(token_hash)
            .bind(now)
            .fetch_one(conn)
            .await
        })?)
    }

    /// The open request (to complete, or waiting) of this cookie's token, locked for its
    /// declaration.
    #[tracing::instrument(skip_all)]
    pub async fn open_request_of_token(
        &mut self,
        token_hash: &str,
    ) -> Result<Option<OpenRequest>, StoreError> {
        let lock = match self.open {
            super::OpenTx::Postgres(_) => " FOR UPDATE",
            super::OpenTx::Sqlite(_) => "",
        };
        let sql = format!(
            "SELECT id, company_id, full_name, email FROM access_request
             WHERE token_hash = $1 AND state IN ('a_completer', 'en_attente'){lock}"
        );
        Ok(on_tx!(self, conn => {
            sqlx::query_as(&sql).bind(token_hash).fetch_optional(conn).await
        })?)
    }

    /// Declares the SIRET of an open request, for the company of that SIRET (declaring again,
    /// while it waits, sends it to that company instead).
    #[tracing::instrument(skip_all)]
    pub async fn declare_siret(
        &mut self,
        id: i64,
        siret: &str,
        company_id: i64,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        on_tx!(self, conn => {
            sqlx::query(
                "UPDATE access_request SET state = 'en_attente', siret = $2, company_id = $3, declared_at = $4
                 WHERE id = $1 AND state IN ('a_completer', 'en_attente')",
            )
            .bind(id)
            .bind(siret)
            .bind(company_id)
            .bind(now)
            .execute(conn)
            .await
            .map(|_| ())
        })?;
        Ok(())
    }

    /// Closes a request still waiting for this company, locked by `lock_waiting_request`:
    /// accepted with the account opened for it, or refused with a reason.
    #[tracing::instrument(skip_all)]
    pub async fn close_access_request(
        &mut self,
        id: i64,
        company_id: i64,
        outcome: Result<i64, &str>,
        by: i64,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let (state, user_id, reason) = match outcome {
            Ok(user_id) => (AccessRequestState::Accepted, Some(user_id), None),
            Err(reason) => (AccessRequestState::Refused, None, Some(reason)),
        };
        on_tx!(self, conn => {
            sqlx::query(
                "UPDATE access_request SET state = $3, user_id = $4, reason = $5, decided_by = $6, decided_at = $7
                 WHERE id = $1 AND company_id = $2 AND state = 'en_attente'",
            )
            .bind(id)
            .bind(company_id)
            .bind(state.code())
            .bind(user_id)
            .bind(reason)
            .bind(by)
            .bind(now)
            .execute(conn)
            .await
            .map(|_| ())
        })?;
        Ok(())
    }
}
