//! The accounts as the technical administration manages them: listed by name and address,
//! suspended, reactivated or closed with a reason. A decision that ends an account's access
//! does everything in the transaction that records it: its sessions end, the appointments it
//! booked and that are still to come are cancelled (their posts told), and its open streams
//! hear of it once committed.

use chrono::{DateTime, NaiveDate, Utc};

use super::{on_pool, on_tx, Store, StoreError, Tx};
use crate::domain::account::{
    AccountDecision, AccountLine, AccountState, DecisionLine, ACCOUNTS_SHOWN,
};
use crate::domain::appointment::AppointmentState;
use crate::domain::directory::{Administration, Role};
use crate::domain::references::Locode;

#[derive(sqlx::FromRow)]
struct AccountRow {
    id: i64,
    full_name: String,
    email: String,
    role: String,
    administration: Option<String>,
    company_name: Option<String>,
    suspended: bool,
    closed: bool,
}

const ACCOUNT_SQL: &str = "SELECT u.id, u.full_name, u.email, u.role, u.administration,
        c.name AS company_name, u.suspended_at IS NOT NULL AS suspended,
        u.disabled_at IS NOT NULL AS closed
    FROM app_user u LEFT JOIN company c ON c.id = u.company_id";

impl AccountRow {
    fn line(self, posts: &[(i64, String)]) -> Result<AccountLine, StoreError> {
        let role = Role::from_code(&self.role)
            .ok_or_else(|| StoreError::Corrupt(format!("rôle inconnu : {}", self.role)))?;
        let administration = self
            .administration
            .as_deref()
            .and_then(Administration::from_code);
        let posts = posts
            .iter()
            .filter(|(user_id, _)| *user_id == self.id)
            .map(|(_, post)| post.clone())
            .collect();
        Ok(AccountLine {
            id: self.id,
            full_name: self.full_name,
            email: self.email,
            role,
            company: self.company_name,
            administration,
            posts,
            state: if self.closed {
                AccountState::Closed
            } else if self.suspended {
                AccountState::Suspended
            } else {
                AccountState::Active
            },
        })
    }
}

impl Store {
    /// The accounts whose name or address holds `search` (any case; every one when empty), of
    /// `role` if given, by name: at most [`ACCOUNTS_SHOWN`] and whether there were more.
    #[tracing::instrument(skip_all)]
    pub async fn accounts(
        &self,
        search: &str,
        role: Option<Role>,
    ) -> Result<(Vec<AccountLine>, bool), StoreError> {
        let pattern = format!(
            "%{}%",
            search.trim().to_lowercase().replace(['\\', '%', '_'], "")
        );
        let sql = format!(
            "{ACCOUNT_SQL}
             WHERE (LOWER(u.full_name) LIKE $1 OR u.email LIKE $1) AND ($2 = '' OR u.role = $2)
             ORDER BY u.full_name, u.id LIMIT {}",
            ACCOUNTS_SHOWN + 1
        );
        let rows: Vec<AccountRow> = on_pool!(self, pool => {
            sqlx::query_as(&sql)
                .bind(&pattern)
                .bind(role.map(Role::code).unwrap_or(""))
                .fetch_all(pool)
                .await
        })?;
        let more = rows.len() > ACCOUNTS_SHOWN;
        let posts = self.post_heads().await?;
        let lines = rows
            .into_iter()
            .take(ACCOUNTS_SHOWN)
            .map(|row| row.line(&posts))
            .collect::<Result<_, _>>()?;
        Ok((lines, more))
    }

    /// One account, whatever its state.
    #[tracing::instrument(skip_all)]
    pub async fn account(&self, id: i64) -> Result<Option<AccountLine>, StoreError> {
        let sql = format!("{ACCOUNT_SQL} WHERE u.id = $1");
        let row: Option<AccountRow> = on_pool!(self, pool => {
            sqlx::query_as(&sql).bind(id).fetch_optional(pool).await
        })?;
        let Some(row) = row else { return Ok(None) };
        let headed: Vec<(i64, String)> = self
            .headed_posts(id)
            .await?
            .into_iter()
            .map(|(code, _)| (id, code))
            .collect();
        Ok(Some(row.line(&headed)?))
    }

    /// Which head of service heads which post.
    async fn post_heads(&self) -> Result<Vec<(i64, String)>, StoreError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_as("SELECT user_id, post_code FROM post_head ORDER BY post_code")
                .fetch_all(pool)
                .await
        })?)
    }

    /// The sites an account is of, for the heads of service who may decide about it: an agent's
    /// habilitations not withdrawn nor over by `today`, the sites where an operator's company
    /// has dossiers, a head's posts' sites.
    #[tracing::instrument(skip_all)]
    pub async fn account_sites(
        &self,
        account: &AccountLine,
        today: NaiveDate,
    ) -> Result<Vec<Locode>, StoreError> {
        let codes: Vec<String> = match account.role {
            Role::AgentDgddi | Role::AgentSivep => on_pool!(self, pool => {
                sqlx::query_scalar(
                    "SELECT DISTINCT site_code FROM habilitation
                     WHERE user_id = $1 AND withdrawn_at IS NULL AND (ends_on IS NULL OR ends_on >= $2)",
                )
                .bind(account.id)
                .bind(today)
                .fetch_all(pool)
                .await
            })?,
            Role::Operateur => {
                let company: Option<Option<i64>> = on_pool!(self, pool => {
                    sqlx::query_scalar("SELECT company_id FROM app_user WHERE id = $1")
                        .bind(account.id)
                        .fetch_optional(pool)
                        .await
                })?;
                return match company.flatten() {
                    Some(company_id) => self.operator_sites(company_id).await,
                    None => Ok(Vec::new()),
                };
            }
            Role::ChefService => on_pool!(self, pool => {
                sqlx::query_scalar(
                    "SELECT DISTINCT p.site_code FROM post_head h JOIN post p ON p.code = h.post_code
                     WHERE h.user_id = $1",
                )
                .bind(account.id)
                .fetch_all(pool)
                .await
            })?,
            _ => Vec::new(),
        };
        codes
            .iter()
            .map(|code| {
                Locode::parse(code)
                    .map_err(|_| StoreError::Corrupt(format!("site illisible : {code}")))
            })
            .collect()
    }

    /// The decisions about an account, the latest first.
    #[tracing::instrument(skip_all)]
    pub async fn decisions_of(&self, user_id: i64) -> Result<Vec<DecisionLine>, StoreError> {
        let rows: Vec<(String, String, Option<String>, DateTime<Utc>)> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT d.decision, d.reason, u.full_name, d.decided_at
                 FROM account_decision d LEFT JOIN app_user u ON u.id = d.decided_by
                 WHERE d.user_id = $1 ORDER BY d.decided_at DESC, d.id DESC",
            )
            .bind(user_id)
            .fetch_all(pool)
            .await
        })?;
        rows.into_iter()
            .map(|(decision, reason, by, at)| {
                Ok(DecisionLine {
                    decision: AccountDecision::from_code(&decision).ok_or_else(|| {
                        StoreError::Corrupt(format!("décision inconnue : {decision}"))
                    })?,
                    reason,
                    by: by.unwrap_or_else(|| "ligne de commande".to_owned()),
                    at,
                })
            })
            .collect()
    }
}

/// What a decision did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decided {
    /// The sessions it ended.
    pub sessions: u64,
    /// The appointments it cancelled.
    pub appointments: usize,
}

impl Tx {
    /// Records a decision about an account in the state it applies to (`None`, nothing written,
    /// when the account is no longer in it), with what follows: for a suspension or a closing,
    /// its sessions end, the appointments it booked that are still to come are cancelled and
    /// their posts' inspection told, and its open streams close once committed.
    #[tracing::instrument(skip_all)]
    pub async fn decide_account(
        &mut self,
        user_id: i64,
        decision: AccountDecision,
        reason: &str,
        by: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<Option<Decided>, StoreError> {
        let update = match decision {
            AccountDecision::Suspension => {
                "UPDATE app_user SET suspended_at = $2
                 WHERE id = $1 AND suspended_at IS NULL AND disabled_at IS NULL"
            }
            AccountDecision::Reactivation => {
                "UPDATE app_user SET suspended_at = NULL
                 WHERE id = $1 AND suspended_at IS NOT NULL AND disabled_at IS NULL"
            }
            AccountDecision::Closing => {
                "UPDATE app_user SET disabled_at = $2, suspended_at = NULL
                 WHERE id = $1 AND disabled_at IS NULL"
            }
        };
        let changed = on_tx!(self, conn => {
            let update = sqlx::query(update).bind(user_id);
            match decision {
                AccountDecision::Reactivation => update,
                _ => update.bind(now),
            }
            .execute(conn)
                .await
                .map(|done| done.rows_affected())
        })?;
        if changed == 0 {
            return Ok(None);
        }
        on_tx!(self, conn => {
            sqlx::query(
                "INSERT INTO account_decision (user_id, decision, reason, decided_by, decided_at)
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(user_id)
            .bind(decision.code())
            .bind(reason)
            .bind(by)
            .bind(now)
            .execute(conn)
            .await
            .map(|done| done.rows_affected())
        })?;
        if !decision.ends_access() {
            return Ok(Some(Decided {
                sessions: 0,
                appointments: 0,
            }));
        }
        let sessions = self.end_sessions_of(user_id, now).await?;
        let appointments = self.cancel_booked_by(user_id, now).await?;
        self.announce_access(user_id).await?;
        Ok(Some(Decided {
            sessions,
            appointments,
        }))
    }

    /// Cancels the appointments a person booked that are still active and to come, each place
    /// given back and the inspection of its post told; how many.
    async fn cancel_booked_by(
        &mut self,
        user_id: i64,
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        use AppointmentState as S;
        let booked: Vec<(i64, i64, i64, String, DateTime<Utc>)> = on_tx!(self, conn => {
            sqlx::query_as(
                "SELECT a.id, a.slot_id, a.dossier_id, a.check_kind, s.starts_at
                 FROM appointment a JOIN slot s ON s.id = a.slot_id
                 WHERE a.booked_by = $1 AND a.state IN ('demande', 'confirme', 'reporte')
                   AND s.starts_at > $2",
            )
            .bind(user_id)
            .bind(now)
            .fetch_all(conn)
            .await
        })?;
        let active = [S::Demande, S::Confirme, S::Reporte];
        let mut cancelled = 0;
        for (id, slot_id, dossier_id, check, starts_at) in &booked {
            if !self
                .change_appointment(*id, *slot_id, &active, S::Annule, None, None, now)
                .await?
            {
                continue;
            }
            self.release_place(*slot_id).await?;
            self.notify(
                &super::notifications::Notice {
                    kind: "rendez_vous_annule",
                    dossier_id: *dossier_id,
                    cause: format!("rendez-vous:{id}:rendez_vous_annule"),
                    fields: super::notifications::appointment_fields(check, *starts_at, None),
                    link: "/planning".to_owned(),
                },
                now,
            )
            .await?;
            self.notify_appointment(*id).await?;
            cancelled += 1;
        }
        Ok(cancelled)
    }
}
