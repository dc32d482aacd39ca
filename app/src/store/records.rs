//! What a person's record holds beyond what their personal space already reads: when the
//! account was made and last signed in, the versions of the terms of use they accepted, and the
//! messages they wrote (the copy of their personal data, GDPR art. 15).

use chrono::{DateTime, Utc};

use super::{on_pool, Store, StoreError};

/// A message, note or change a person wrote in the messaging.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct WrittenEntry {
    pub exchange_id: i64,
    pub exchange_title: String,
    pub kind: String,
    pub at: DateTime<Utc>,
    pub text: String,
}

/// An acceptance of the terms of use: which version, when, from which address.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Acceptance {
    pub version: String,
    pub accepted_at: DateTime<Utc>,
    pub ip: String,
}

/// The parts of a person's record read here.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PersonalRows {
    pub created_at: DateTime<Utc>,
    pub last_sign_in_at: Option<DateTime<Utc>>,
    pub acceptances: Vec<Acceptance>,
    pub written: Vec<WrittenEntry>,
}

impl Store {
    /// The parts of account `user_id`'s record read here; `None` for an account that does not
    /// exist.
    #[tracing::instrument(skip_all)]
    pub async fn personal_rows(&self, user_id: i64) -> Result<Option<PersonalRows>, StoreError> {
        let dates: Option<(DateTime<Utc>, Option<DateTime<Utc>>)> = on_pool!(self, pool => {
            sqlx::query_as("SELECT created_at, last_sign_in_at FROM app_user WHERE id = $1")
                .bind(user_id)
                .fetch_optional(pool)
                .await
        })?;
        let Some((created_at, last_sign_in_at)) = dates else {
            return Ok(None);
        };
        let acceptances: Vec<Acceptance> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT version, accepted_at, ip FROM cgu_acceptance WHERE user_id = $1 ORDER BY accepted_at",
            )
            .bind(user_id)
            .fetch_all(pool)
            .await
        })?;
        let written: Vec<WrittenEntry> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT e.exchange_id, x.title AS exchange_title, e.kind, e.at, e.text
                 FROM exchange_entry e JOIN exchange x ON x.id = e.exchange_id
                 WHERE e.author_user_id = $1 ORDER BY e.id",
            )
            .bind(user_id)
            .fetch_all(pool)
            .await
        })?;
        Ok(Some(PersonalRows {
            created_at,
            last_sign_in_at,
            acceptances,
            written,
        }))
    }
}
