//! Invitations to join a company (an operator, invited by its administrator) or an
//! administration (an agent, invited by a head of service): kept apart from accounts, so that
//! inviting an address holds nothing. The account is opened only when the invitee accepts, in the
//! transaction that takes the invitation.

use chrono::{DateTime, Utc};

use super::{on_pool, on_tx, Store, StoreError, Tx};
use crate::domain::account::PendingInvitation;
use crate::domain::directory::Administration;

/// What an invitation brings its invitee into: exactly one of the two.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InvitationTo {
    /// An operator company: the invitee becomes one of its operators.
    Company(i64),
    /// An administration: the invitee becomes one of its agents, with no habilitation.
    Administration(Administration),
}

impl InvitationTo {
    /// The two columns, one of them empty, to bind as `$company, $administration` in
    /// `(company_id = $company OR administration = $administration)`: a comparison with an empty
    /// value is never true, so this matches exactly the invitations of this holder.
    fn columns(self) -> (Option<i64>, Option<&'static str>) {
        match self {
            InvitationTo::Company(id) => (Some(id), None),
            InvitationTo::Administration(administration) => (None, Some(administration.code())),
        }
    }

    fn from_columns(
        company_id: Option<i64>,
        administration: Option<&str>,
    ) -> Result<InvitationTo, StoreError> {
        match (company_id, administration) {
            (Some(id), None) => Ok(InvitationTo::Company(id)),
            (None, Some(code)) => Administration::from_code(code)
                .map(InvitationTo::Administration)
                .ok_or_else(|| StoreError::Corrupt(format!("administration inconnue : {code}"))),
            _ => Err(StoreError::Corrupt(
                "invitation sans entreprise ni administration".into(),
            )),
        }
    }
}

/// An invitation to record (or to refresh, when the same holder already invited that address).
pub struct NewInvitation<'a> {
    pub to: InvitationTo,
    /// Lower case, as `parse_email` gives it.
    pub email: &'a str,
    /// Checked by `parse_full_name`: it goes into the mail.
    pub full_name: &'a str,
    pub invited_by: i64,
    pub token_hash: &'a str,
    pub expires_at: DateTime<Utc>,
}

/// An invitation just taken by its invitee, to open the account it promises.
#[derive(Debug)]
pub struct TakenInvitation {
    pub id: i64,
    pub to: InvitationTo,
    pub email: String,
    pub full_name: String,
}

#[derive(sqlx::FromRow)]
struct TakenRow {
    id: i64,
    company_id: Option<i64>,
    administration: Option<String>,
    email: String,
    full_name: String,
}

#[derive(sqlx::FromRow)]
struct PendingRow {
    id: i64,
    email: String,
    full_name: String,
    created_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
}

/// Neither accepted nor withdrawn (it may have expired).
const PENDING: &str = "accepted_at IS NULL AND withdrawn_at IS NULL";

impl Store {
    /// A company's or an administration's invitations not accepted nor withdrawn, newest first
    /// (expired ones too: whoever sent them sees that they need sending again).
    #[tracing::instrument(skip_all)]
    pub async fn pending_invitations(
        &self,
        to: InvitationTo,
        now: DateTime<Utc>,
    ) -> Result<Vec<PendingInvitation>, StoreError> {
        let sql = format!(
            "SELECT id, email, full_name, created_at, expires_at FROM invitation
             WHERE (company_id = $1 OR administration = $2) AND {PENDING}
             ORDER BY created_at DESC, id DESC"
        );
        let (company_id, administration) = to.columns();
        let rows: Vec<PendingRow> = on_pool!(self, pool => {
            sqlx::query_as(&sql).bind(company_id).bind(administration).fetch_all(pool).await
        })?;
        Ok(rows
            .into_iter()
            .map(|row| PendingInvitation {
                id: row.id,
                email: row.email,
                full_name: row.full_name,
                created_at: row.created_at,
                expires_at: row.expires_at,
                expired: row.expires_at <= now,
            })
            .collect())
    }

    /// What a pending invitation is to (its company or administration), to check who may
    /// withdraw it.
    #[tracing::instrument(skip_all)]
    pub async fn invitation_to(&self, id: i64) -> Result<Option<InvitationTo>, StoreError> {
        let sql = format!(
            "SELECT company_id, administration FROM invitation WHERE id = $1 AND {PENDING}"
        );
        let row: Option<(Option<i64>, Option<String>)> = on_pool!(self, pool => {
            sqlx::query_as(&sql).bind(id).fetch_optional(pool).await
        })?;
        row.map(|(company_id, administration)| {
            InvitationTo::from_columns(company_id, administration.as_deref())
        })
        .transpose()
    }

    /// The address an invitation link is for, while it can still be accepted.
    #[tracing::instrument(skip_all)]
    pub async fn invitation_email(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<String>, StoreError> {
        let sql = format!(
            "SELECT email FROM invitation WHERE token_hash = $1 AND {PENDING} AND expires_at > $2"
        );
        Ok(on_pool!(self, pool => {
            sqlx::query_scalar(&sql).bind(token_hash).bind(now).fetch_optional(pool).await
        })?)
    }
}

impl Tx {
    /// Records an invitation; the same holder's pending invitation of the same address, if any,
    /// is refreshed instead (new link, new expiry, the earlier link stops working). Gives its id.
    #[tracing::instrument(skip_all)]
    pub async fn invite(
        &mut self,
        invitation: &NewInvitation<'_>,
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let holder = match invitation.to {
            InvitationTo::Company(_) => "company_id",
            InvitationTo::Administration(_) => "administration",
        };
        let (company_id, administration) = invitation.to.columns();
        let sql = format!(
            "INSERT INTO invitation (company_id, administration, email, full_name, invited_by, token_hash, created_at, expires_at)
             VALUES ($1, $8, $2, $3, $4, $5, $6, $7)
             ON CONFLICT ({holder}, email) WHERE {PENDING}
             DO UPDATE SET full_name = excluded.full_name, invited_by = excluded.invited_by,
                           token_hash = excluded.token_hash, created_at = excluded.created_at,
                           expires_at = excluded.expires_at
             RETURNING id"
        );
        let id = on_tx!(self, conn => {
            sqlx::query_scalar(&sql)
                .bind(company_id)
                .bind(invitation.email)
                .bind(invitation.full_name)
                .bind(invitation.invited_by)
                .bind(invitation.token_hash)
                .bind(now)
                .bind(invitation.expires_at)
                .bind(administration)
                .fetch_one(conn)
                .await
        })?;
        Ok(id)
    }

    /// Takes an invitation by its link, once, if it is neither expired, accepted nor withdrawn.
    /// Two acceptances of one link cannot both take it: the second waits for the first's
    /// transaction, then finds it accepted.
    #[tracing::instrument(skip_all)]
    pub async fn take_invitation(
        &mut self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<TakenInvitation>, StoreError> {
        let sql = format!(
            "UPDATE invitation SET accepted_at = $2
             WHERE token_hash = $1 AND {PENDING} AND expires_at > $2
             RETURNING id, company_id, administration, email, full_name"
        );
        let row: Option<TakenRow> = on_tx!(self, conn => {
            sqlx::query_as(&sql).bind(token_hash).bind(now).fetch_optional(conn).await
        })?;
        row.map(|row| {
            Ok(TakenInvitation {
                id: row.id,
                to: InvitationTo::from_columns(row.company_id, row.administration.as_deref())?,
                email: row.email,
                full_name: row.full_name,
            })
        })
        .transpose()
    }

    /// Notes the account an accepted invitation opened.
    #[tracing::instrument(skip_all)]
    pub async fn invitation_opened(
        &mut self,
        invitation_id: i64,
        user_id: i64,
    ) -> Result<(), StoreError> {
        on_tx!(self, conn => {
            sqlx::query("UPDATE invitation SET user_id = $2 WHERE id = $1")
                .bind(invitation_id)
                .bind(user_id)
                .execute(conn)
                .await
                .map(|done| done.rows_affected())
        })?;
        Ok(())
    }

    /// Withdraws a pending invitation of `to` (a company or an administration); gives its
    /// address, or `None` when there is no such pending invitation (of that holder).
    #[tracing::instrument(skip_all)]
    pub async fn withdraw_invitation(
        &mut self,
        id: i64,
        to: InvitationTo,
        by: i64,
        now: DateTime<Utc>,
    ) -> Result<Option<String>, StoreError> {
        let sql = format!(
            "UPDATE invitation SET withdrawn_at = $3, withdrawn_by = $4
             WHERE id = $1 AND (company_id = $2 OR administration = $5) AND {PENDING}
             RETURNING email"
        );
        let (company_id, administration) = to.columns();
        Ok(on_tx!(self, conn => {
            sqlx::query_scalar(&sql)
                .bind(id)
                .bind(company_id)
                .bind(now)
                .bind(by)
                .bind(administration)
                .fetch_optional(conn)
                .await
        })?)
    }
}
