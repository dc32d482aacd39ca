//! Invitations to join a company (an operator, invited by its administrator) or an
//! administration (an agent, invited by a head of service): kept apart from accounts, so that
//! inviting an address holds nothing. The account is opened only when the invitee accepts, in the
//! transaction that takes the invitation.

use chrono::{DateTime, Utc};

use super::{on_pool, on_tx, Store, StoreError, Tx};
use crate::domain::account::PendingInvitation;
use crate::domain::administration::StateAccount;
use crate::domain::directory::Administration;
use crate::domain::references::PostCode;

/// What an invitation brings its invitee into.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InvitationTo {
    /// An operator company: the invitee becomes one of its operators.
    Company(i64),
    /// An administration: the invitee becomes one of its agents, with no habilitation.
    Administration(Administration),
    /// A technical administrator's invitation for an account of the State (a head of service of
    /// a post, a supervisor, the DGITM).
    State(StateAccount),
}

/// An invitation's columns, as stored.
struct Columns {
    company_id: Option<i64>,
    administration: Option<&'static str>,
    role: Option<&'static str>,
    post_code: Option<String>,
}

impl InvitationTo {
    fn columns(&self) -> Columns {
        match self {
            InvitationTo::Company(id) => Columns {
                company_id: Some(*id),
                administration: None,
                role: None,
                post_code: None,
            },
            InvitationTo::Administration(administration) => Columns {
                company_id: None,
                administration: Some(administration.code()),
                role: None,
                post_code: None,
            },
            InvitationTo::State(account) => Columns {
                company_id: None,
                administration: account.administration().map(Administration::code),
                role: Some(account.role().code()),
                post_code: account.post().map(|post| post.as_str().to_owned()),
            },
        }
    }

    fn from_columns(
        company_id: Option<i64>,
        administration: Option<&str>,
        role: Option<&str>,
        post_code: Option<&str>,
    ) -> Result<InvitationTo, StoreError> {
        let corrupt = || StoreError::Corrupt("invitation sans destination lisible".into());
        let administration = administration
            .map(|code| Administration::from_code(code).ok_or_else(corrupt))
            .transpose()?;
        Ok(match (role, company_id, administration, post_code) {
            (None, Some(id), None, None) => InvitationTo::Company(id),
            (None, None, Some(administration), None) => {
                InvitationTo::Administration(administration)
            }
            (Some("chef_service"), None, Some(administration), Some(post)) => {
                InvitationTo::State(StateAccount::Head(
                    administration,
                    PostCode::parse(post).map_err(|_| corrupt())?,
                ))
            }
            (Some("superviseur"), None, Some(administration), None) => {
                InvitationTo::State(StateAccount::Supervisor(administration))
            }
            (Some("dgitm"), None, None, None) => InvitationTo::State(StateAccount::Dgitm),
            _ => return Err(corrupt()),
        })
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
    role: Option<String>,
    post_code: Option<String>,
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

/// The invitations of one holder, bound as `$1` company, `$2` administration, `$3` role: a
/// company's or an administration's own (no role), or the technical administrators' (every one
/// with a role, whatever it is). A comparison with an empty value is never true.
const HOLDER: &str = "((role IS NULL AND $3 IS NULL AND (company_id = $1 OR administration = $2))
                       OR (role IS NOT NULL AND $3 IS NOT NULL))";

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
             WHERE {HOLDER} AND {PENDING}
             ORDER BY created_at DESC, id DESC"
        );
        let columns = to.columns();
        let rows: Vec<PendingRow> = on_pool!(self, pool => {
            sqlx::query_as(&sql)
                .bind(columns.company_id)
                .bind(columns.administration)
                .bind(columns.role)
                .fetch_all(pool)
                .await
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

    /// The technical administrators' invitations not accepted nor withdrawn, with the account
    /// each opens, newest first.
    #[tracing::instrument(skip_all)]
    pub async fn state_invitations(
        &self,
        now: DateTime<Utc>,
    ) -> Result<Vec<(PendingInvitation, StateAccount)>, StoreError> {
        #[derive(sqlx::FromRow)]
        struct Row {
            #[sqlx(flatten)]
            pending: PendingRow,
            administration: Option<String>,
            role: Option<String>,
            post_code: Option<String>,
        }
        let sql = format!(
            "SELECT id, email, full_name, created_at, expires_at, administration, role, post_code
             FROM invitation WHERE role IS NOT NULL AND {PENDING}
             ORDER BY created_at DESC, id DESC"
        );
        let rows: Vec<Row> = on_pool!(self, pool => {
            sqlx::query_as(&sql).fetch_all(pool).await
        })?;
        rows.into_iter()
            .map(|row| {
                let InvitationTo::State(account) = InvitationTo::from_columns(
                    None,
                    row.administration.as_deref(),
                    row.role.as_deref(),
                    row.post_code.as_deref(),
                )?
                else {
                    return Err(StoreError::Corrupt("invitation de l'État illisible".into()));
                };
                let pending = row.pending;
                Ok((
                    PendingInvitation {
                        id: pending.id,
                        email: pending.email,
                        full_name: pending.full_name,
                        created_at: pending.created_at,
                        expires_at: pending.expires_at,
                        expired: pending.expires_at <= now,
                    },
                    account,
                ))
            })
            .collect()
    }

    /// What a pending invitation is to (its company or administration), to check who may
    /// withdraw it.
    #[tracing::instrument(skip_all)]
    pub async fn invitation_to(&self, id: i64) -> Result<Option<InvitationTo>, StoreError> {
        let sql = format!(
            "SELECT company_id, administration, role, post_code FROM invitation
             WHERE id = $1 AND {PENDING}"
        );
        type Row = (Option<i64>, Option<String>, Option<String>, Option<String>);
        let row: Option<Row> = on_pool!(self, pool => {
            sqlx::query_as(&sql).bind(id).fetch_optional(pool).await
        })?;
        row.map(|(company_id, administration, role, post)| {
            InvitationTo::from_columns(
                company_id,
                administration.as_deref(),
                role.as_deref(),
                post.as_deref(),
            )
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
        // Each conflict target says its partial index's predicate as the index does.
        let (target, refreshed) = match invitation.to {
            InvitationTo::Company(_) => {
                ("(company_id, email) WHERE {PENDING} AND role IS NULL", "")
            }
            InvitationTo::Administration(_) => (
                "(administration, email) WHERE {PENDING} AND role IS NULL",
                "",
            ),
            // One pending invitation of the technical administrators per address: asking again
            // for another account replaces it.
            InvitationTo::State(_) => (
                "(email) WHERE {PENDING} AND role IS NOT NULL",
                ", role = excluded.role, administration = excluded.administration,
                   post_code = excluded.post_code",
            ),
        };
        let target = target.replace("{PENDING}", PENDING);
        let columns = invitation.to.columns();
        let sql = format!(
            "INSERT INTO invitation (company_id, administration, email, full_name, invited_by, token_hash,
                                     created_at, expires_at, role, post_code)
             VALUES ($1, $8, $2, $3, $4, $5, $6, $7, $9, $10)
             ON CONFLICT {target}
             DO UPDATE SET full_name = excluded.full_name, invited_by = excluded.invited_by,
                           token_hash = excluded.token_hash, created_at = excluded.created_at,
                           expires_at = excluded.expires_at{refreshed}
             RETURNING id"
        );
        let id = on_tx!(self, conn => {
            sqlx::query_scalar(&sql)
                .bind(columns.company_id)
                .bind(invitation.email)
                .bind(invitation.full_name)
                .bind(invitation.invited_by)
                .bind(invitation.token_hash)
                .bind(now)
                .bind(invitation.expires_at)
                .bind(columns.administration)
                .bind(columns.role)
                .bind(columns.post_code.as_deref())
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
             RETURNING id, company_id, administration, role, post_code, email, full_name"
        );
        let row: Option<TakenRow> = on_tx!(self, conn => {
            sqlx::query_as(&sql).bind(token_hash).bind(now).fetch_optional(conn).await
        })?;
        row.map(|row| {
            Ok(TakenInvitation {
                id: row.id,
                to: InvitationTo::from_columns(
                    row.company_id,
                    row.administration.as_deref(),
                    row.role.as_deref(),
                    row.post_code.as_deref(),
                )?,
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
            "UPDATE invitation SET withdrawn_at = $5, withdrawn_by = $6
             WHERE id = $4 AND {HOLDER} AND {PENDING}
             RETURNING email"
        );
        let columns = to.columns();
        Ok(on_tx!(self, conn => {
            sqlx::query_scalar(&sql)
                .bind(columns.company_id)
                .bind(columns.administration)
                .bind(columns.role)
                .bind(id)
                .bind(now)
                .bind(by)
                .fetch_optional(conn)
                .await
        })?)
    }
}
