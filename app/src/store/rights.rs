//! The rights desk: who holds it (accounts of the DGDDI, opened by the technical administrator),
//! the requests of the persons concerned (from their space, or recorded by the desk), their
//! deadline and its extension, the answer kept with them and what a granted one changes on the
//! account. Everything is audited in the transaction that does it; an entry about a person's
//! account is filed under `utilisateur:<n>`, so that their copy of their data says when their
//! request was handled.

use chrono::{DateTime, NaiveDate, Utc};

use super::audit::Actor;
use super::{on_pool, on_tx, Store, StoreError, Tx};
use crate::domain::account::AccountDecision;
use crate::domain::directory::Role;
use crate::domain::rights::{
    due_on, extended_due_on, Channel, Decision, Desk, DossierHold, Effect, Hold, PersonAccount,
    RequestFile, RightKind, RightsRequest, ANSWERED_SHOWN,
};

/// A request to record.
pub struct NewRightsRequest<'a> {
    pub user_id: Option<i64>,
    pub full_name: &'a str,
    pub email: &'a str,
    pub kind: RightKind,
    pub channel: Channel,
    pub details: &'a str,
    pub received_on: NaiveDate,
    /// At most this many requests of the account open at once (a person's own requests); a
    /// request recorded by the desk has none.
    pub open_limit: Option<i64>,
}

/// What answering a request did.
#[derive(Debug)]
pub enum Answered {
    Done(RightsRequest),
    /// Answered already (by someone else in between): nothing written.
    Already,
    /// An erasure cannot be granted while a hold keeps the account's data (on the account, or
    /// on a dossier the person acted in).
    Held,
    /// What a granted request changes is not the desk's to do on this account: the desk member's
    /// own, a technical administrator's, or another holder of the desk.
    Protected,
}

#[derive(sqlx::FromRow)]
struct RequestRow {
    id: i64,
    user_id: Option<i64>,
    full_name: String,
    email: String,
    kind: String,
    channel: String,
    details: String,
    received_on: NaiveDate,
    due_on: NaiveDate,
    created_at: DateTime<Utc>,
    extended_at: Option<DateTime<Utc>>,
    extension_reason: Option<String>,
    decision: Option<String>,
    answer: Option<String>,
    answered_at: Option<DateTime<Utc>>,
    answer_mailed_at: Option<DateTime<Utc>>,
}

const REQUEST_COLUMNS: &str = "id, user_id, full_name, email, kind, channel, details, received_on,
    due_on, created_at, extended_at, extension_reason, decision, answer, answered_at,
    answer_mailed_at";

impl TryFrom<RequestRow> for RightsRequest {
    type Error = StoreError;
    fn try_from(row: RequestRow) -> Result<Self, StoreError> {
        Ok(RightsRequest {
            id: row.id,
            user_id: row.user_id,
            full_name: row.full_name,
            email: row.email,
            kind: super::decode("nature de demande", &row.kind, RightKind::from_code)?,
            channel: super::decode("canal de demande", &row.channel, Channel::from_code)?,
            details: row.details,
            received_on: row.received_on,
            due_on: row.due_on,
            created_at: row.created_at,
            extension: row.extended_at.zip(row.extension_reason),
            decision: row
                .decision
                .as_deref()
                .map(|code| super::decode("décision", code, Decision::from_code))
                .transpose()?,
            answer: row.answer,
            answered_at: row.answered_at,
            answer_mailed: row.answer_mailed_at.is_some(),
        })
    }
}

fn requests(rows: Vec<RequestRow>) -> Result<Vec<RightsRequest>, StoreError> {
    rows.into_iter().map(RightsRequest::try_from).collect()
}

/// The audit object of a request: the person's account when known (their copy then shows it),
/// the request otherwise.
fn object_of(request_id: i64, user_id: Option<i64>) -> String {
    match user_id {
        Some(user) => format!("utilisateur:{user}"),
        None => format!("demande-droits:{request_id}"),
    }
}

impl Store {
    /// Opens or closes the rights desk to an account of the DGDDI (agent, head of service or
    /// supervisor, not closed); true when something changed.
    #[tracing::instrument(skip_all)]
    pub async fn set_rights_desk(
        &self,
        user_id: i64,
        member: bool,
        actor: &Actor<'_>,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin().await?;
        let changed = on_tx!(&mut tx, conn => {
            if member {
                sqlx::query(
                    "INSERT INTO rights_desk_member (user_id, granted_by, granted_at)
                     SELECT u.id, $2, $3 FROM app_user u
                     WHERE u.id = $1 AND u.administration = 'dgddi' AND u.disabled_at IS NULL
                       AND u.role IN ('agent_dgddi', 'chef_service', 'superviseur')
                     ON CONFLICT (user_id) DO NOTHING",
                )
                .bind(user_id)
                .bind(actor.user_id)
                .bind(now)
                .execute(conn)
                .await
                .map(|done| done.rows_affected())
            } else {
                sqlx::query("DELETE FROM rights_desk_member WHERE user_id = $1")
                    .bind(user_id)
                    .execute(conn)
                    .await
                    .map(|done| done.rows_affected())
            }
        })?;
        if changed == 0 {
            return Ok(false);
        }
        let action = if member {
            "guichet_droits_ouvert"
        } else {
            "guichet_droits_retire"
        };
        tx.audit(
            &actor.audit_event(action, &format!("utilisateur:{user_id}"), ""),
            now,
        )
        .await?;
        tx.announce_access(user_id).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Whether an account holds the rights desk.
    #[tracing::instrument(skip_all)]
    pub async fn holds_rights_desk(&self, user_id: i64) -> Result<bool, StoreError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_scalar(
                "SELECT EXISTS (SELECT 1 FROM rights_desk_member WHERE user_id = $1)",
            )
            .bind(user_id)
            .fetch_one(pool)
            .await
        })?)
    }

    /// The addresses of the desk's active members, told of each new request.
    #[tracing::instrument(skip_all)]
    pub async fn rights_desk_addresses(&self) -> Result<Vec<String>, StoreError> {
        let sql = format!(
            "SELECT u.email FROM rights_desk_member r JOIN app_user u ON u.id = r.user_id
             WHERE {} AND u.administration = 'dgddi' ORDER BY u.id",
            super::ACTIVE_USER
        );
        Ok(on_pool!(self, pool => {
            sqlx::query_scalar(&sql).fetch_all(pool).await
        })?)
    }

    /// Records a request, due a month after its receipt; a person's same request still open
    /// (a form sent twice) is given back instead of a second one. The request, and whether it
    /// is new; `None` when the account has [`NewRightsRequest::open_limit`] requests open
    /// already. Two requests of one account at once are filed one after the other, so the
    /// limit and the sameness hold.
    #[tracing::instrument(skip_all)]
    pub async fn file_rights_request(
        &self,
        new: &NewRightsRequest<'_>,
        actor: &Actor<'_>,
        now: DateTime<Utc>,
    ) -> Result<Option<(RightsRequest, bool)>, StoreError> {
        let mut tx = self.begin().await?;
        if let (Some(user_id), super::OpenTx::Postgres(open)) = (new.user_id, &mut tx.open) {
            sqlx::query("SELECT id FROM app_user WHERE id = $1 FOR UPDATE")
                .bind(user_id)
                .fetch_all(&mut **open)
                .await?;
        }
        let same: Option<RequestRow> = on_tx!(&mut tx, conn => {
            sqlx::query_as(&format!(
                "SELECT {REQUEST_COLUMNS} FROM rights_request
                 WHERE email = $1 AND kind = $2 AND details = $3 AND answered_at IS NULL
                 ORDER BY id LIMIT 1"
            ))
            .bind(new.email)
            .bind(new.kind.code())
            .bind(new.details)
            .fetch_optional(conn)
            .await
        })?;
        if let Some(row) = same {
            return Ok(Some((row.try_into()?, false)));
        }
        if let (Some(user_id), Some(limit)) = (new.user_id, new.open_limit) {
            let open: i64 = on_tx!(&mut tx, conn => {
                sqlx::query_scalar(
                    "SELECT COUNT(*) FROM rights_request WHERE user_id = $1 AND answered_at IS NULL",
                )
                .bind(user_id)
                .fetch_one(conn)
                .await
            })?;
            if open >= limit {
                return Ok(None);
            }
        }
        let row: RequestRow = on_tx!(&mut tx, conn => {
            sqlx::query_as(&format!(
                "INSERT INTO rights_request (user_id, full_name, email, kind, channel, details,
                                             received_on, due_on, recorded_by, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                 RETURNING {REQUEST_COLUMNS}"
            ))
            .bind(new.user_id)
            .bind(new.full_name)
            .bind(new.email)
            .bind(new.kind.code())
            .bind(new.channel.code())
            .bind(new.details)
            .bind(new.received_on)
            .bind(due_on(new.received_on))
            .bind(actor.user_id)
            .bind(now)
            .fetch_one(conn)
            .await
        })?;
        let request = RightsRequest::try_from(row)?;
        let detail = format!(
            "demande n° {} : {} ({})",
            request.id,
            request.kind.code(),
            request.channel.code()
        );
        tx.audit(
            &actor
                .audit_event(
                    "demande_droits_recue",
                    &object_of(request.id, request.user_id),
                    &detail,
                )
                .about(new.email),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(Some((request, true)))
    }

    /// A person's requests, the latest first.
    #[tracing::instrument(skip_all)]
    pub async fn rights_requests_of(&self, user_id: i64) -> Result<Vec<RightsRequest>, StoreError> {
        let rows: Vec<RequestRow> = on_pool!(self, pool => {
            sqlx::query_as(&format!(
                "SELECT {REQUEST_COLUMNS} FROM rights_request WHERE user_id = $1 ORDER BY id DESC"
            ))
            .bind(user_id)
            .fetch_all(pool)
            .await
        })?;
        requests(rows)
    }

    /// The desk's list: every open request by deadline, the latest answered.
    #[tracing::instrument(skip_all)]
    pub async fn rights_desk(&self) -> Result<Desk, StoreError> {
        let open: Vec<RequestRow> = on_pool!(self, pool => {
            sqlx::query_as(&format!(
                "SELECT {REQUEST_COLUMNS} FROM rights_request WHERE answered_at IS NULL
                 ORDER BY due_on, id"
            ))
            .fetch_all(pool)
            .await
        })?;
        let answered: Vec<RequestRow> = on_pool!(self, pool => {
            sqlx::query_as(&format!(
                "SELECT {REQUEST_COLUMNS} FROM rights_request WHERE answered_at IS NOT NULL
                 ORDER BY answered_at DESC, id DESC LIMIT {ANSWERED_SHOWN}"
            ))
            .fetch_all(pool)
            .await
        })?;
        let holds: Vec<(i64, i64, String, String, DateTime<Utc>)> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT h.id, h.dossier_id, d.site_code, h.reason, h.placed_at
                 FROM legal_hold h JOIN dossier d ON d.id = h.dossier_id
                 WHERE h.lifted_at IS NULL ORDER BY h.id DESC",
            )
            .fetch_all(pool)
            .await
        })?;
        Ok(Desk {
            open: requests(open)?,
            answered: requests(answered)?,
            dossier_holds: holds
                .into_iter()
                .map(|(id, dossier_id, site, reason, placed_at)| DossierHold {
                    id,
                    dossier_id,
                    site,
                    reason,
                    placed_at,
                })
                .collect(),
        })
    }

    /// One request.
    #[tracing::instrument(skip_all)]
    pub async fn rights_request(&self, id: i64) -> Result<Option<RightsRequest>, StoreError> {
        let row: Option<RequestRow> = on_pool!(self, pool => {
            sqlx::query_as(&format!("SELECT {REQUEST_COLUMNS} FROM rights_request WHERE id = $1"))
                .bind(id)
                .fetch_optional(pool)
                .await
        })?;
        row.map(RightsRequest::try_from).transpose()
    }

    /// One request with the account it is about, its state and the holds on it.
    #[tracing::instrument(skip_all)]
    pub async fn rights_request_file(&self, id: i64) -> Result<Option<RequestFile>, StoreError> {
        let Some(request) = self.rights_request(id).await? else {
            return Ok(None);
        };
        let Some(user_id) = request.user_id else {
            return Ok(Some(RequestFile {
                request,
                account: None,
            }));
        };
        #[derive(sqlx::FromRow)]
        struct Row {
            role: String,
            company: Option<String>,
            sole_trader: Option<bool>,
            last_sign_in_at: Option<DateTime<Utc>>,
            closed: bool,
            erased: bool,
            limited: bool,
            erasure_granted: bool,
        }
        let row: Option<Row> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT u.role, c.name AS company, c.sole_trader, u.last_sign_in_at,
                        u.disabled_at IS NOT NULL AS closed, u.erased_at IS NOT NULL AS erased,
                        u.limited_at IS NOT NULL AS limited,
                        u.erasure_granted_at IS NOT NULL AS erasure_granted
                 FROM app_user u LEFT JOIN company c ON c.id = u.company_id WHERE u.id = $1",
            )
            .bind(user_id)
            .fetch_optional(pool)
            .await
        })?;
        let holds: Vec<(i64, String, DateTime<Utc>)> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT id, reason, placed_at FROM legal_hold
                 WHERE user_id = $1 AND lifted_at IS NULL ORDER BY id",
            )
            .bind(user_id)
            .fetch_all(pool)
            .await
        })?;
        let account = row
            .map(|row| {
                let role = super::decode("rôle", &row.role, Role::from_code)?;
                Ok::<_, StoreError>(PersonAccount {
                    id: user_id,
                    role_label: role.label().to_owned(),
                    company: row.company,
                    sole_trader: row.sole_trader.unwrap_or(false),
                    last_sign_in_at: row.last_sign_in_at,
                    closed: row.closed,
                    erased: row.erased,
                    limited: row.limited,
                    erasure_granted: row.erasure_granted,
                    holds: holds
                        .into_iter()
                        .map(|(id, reason, placed_at)| Hold {
                            id,
                            reason,
                            placed_at,
                        })
                        .collect(),
                })
            })
            .transpose()?;
        Ok(Some(RequestFile { request, account }))
    }

    /// Extends an open request's deadline by two months, once; the request as extended, or
    /// `None` when it was answered or extended already.
    #[tracing::instrument(skip_all)]
    pub async fn extend_rights_request(
        &self,
        id: i64,
        reason: &str,
        actor: &Actor<'_>,
        now: DateTime<Utc>,
    ) -> Result<Option<RightsRequest>, StoreError> {
        let Some(request) = self.rights_request(id).await? else {
            return Ok(None);
        };
        let mut tx = self.begin().await?;
        // Within the first month only: the person must hear of it before the answer is due.
        let row: Option<RequestRow> = on_tx!(&mut tx, conn => {
            sqlx::query_as(&format!(
                "UPDATE rights_request SET due_on = $2, extended_at = $3, extension_reason = $4
                 WHERE id = $1 AND answered_at IS NULL AND extended_at IS NULL AND due_on >= $5
                 RETURNING {REQUEST_COLUMNS}"
            ))
            .bind(id)
            .bind(extended_due_on(request.received_on))
            .bind(now)
            .bind(reason)
            .bind(crate::domain::access::local_day(now))
            .fetch_optional(conn)
            .await
        })?;
        let Some(row) = row else {
            return Ok(None);
        };
        let extended = RightsRequest::try_from(row)?;
        tx.audit(
            &actor.audit_event(
                "demande_droits_prolongee",
                &object_of(id, extended.user_id),
                &format!("demande n° {id} : réponse due le {}", extended.due_on),
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(Some(extended))
    }

    /// Answers a request and does what a granted one changes on the account (see
    /// [`Effect`]), in one transaction.
    #[tracing::instrument(skip_all)]
    pub async fn answer_rights_request(
        &self,
        id: i64,
        decision: Decision,
        answer: &str,
        actor: &Actor<'_>,
        now: DateTime<Utc>,
    ) -> Result<Answered, StoreError> {
        let Some(request) = self.rights_request(id).await? else {
            return Ok(Answered::Already);
        };
        let mut tx = self.begin().await?;
        let effect = Effect::of(request.kind, decision);
        if let (Effect::Erasure | Effect::Limitation, Some(user_id)) = (effect, request.user_id) {
            let protected: bool = on_tx!(&mut tx, conn => {
                sqlx::query_scalar(
                    "SELECT EXISTS (SELECT 1 FROM app_user u
                                    WHERE u.id = $1
                                      AND (u.id = $2 OR u.role = 'administrateur'
                                           OR EXISTS (SELECT 1 FROM rights_desk_member m
                                                      WHERE m.user_id = u.id)))",
                )
                .bind(user_id)
                .bind(actor.user_id)
                .fetch_one(conn)
                .await
            })?;
            if protected {
                return Ok(Answered::Protected);
            }
        }
        if let (Effect::Erasure, Some(user_id)) = (effect, request.user_id) {
            let held: bool = on_tx!(&mut tx, conn => {
                sqlx::query_scalar(&format!(
                    "SELECT EXISTS (SELECT 1 FROM app_user u
                                    WHERE u.id = $1 AND NOT ({}))",
                    super::retention::NOT_HELD_SQL
                ))
                .bind(user_id)
                .fetch_one(conn)
                .await
            })?;
            if held {
                return Ok(Answered::Held);
            }
        }
        let row: Option<RequestRow> = on_tx!(&mut tx, conn => {
            sqlx::query_as(&format!(
                "UPDATE rights_request SET decision = $2, answer = $3, answered_by = $4,
                                           answered_at = $5
                 WHERE id = $1 AND answered_at IS NULL
                 RETURNING {REQUEST_COLUMNS}"
            ))
            .bind(id)
            .bind(decision.code())
            .bind(answer)
            .bind(actor.user_id)
            .bind(now)
            .fetch_optional(conn)
            .await
        })?;
        let Some(row) = row else {
            return Ok(Answered::Already);
        };
        let answered = RightsRequest::try_from(row)?;
        if let Some(user_id) = answered.user_id {
            match effect {
                Effect::Erasure => {
                    let reason = format!("Effacement accordé (demande n° {id})");
                    let closed = tx
                        .decide_account(
                            user_id,
                            AccountDecision::Closing,
                            &reason,
                            actor.user_id,
                            now,
                        )
                        .await?;
                    if let Some(closed) = closed {
                        let detail = format!(
                            "{reason} : {} session(s) fermée(s), {} rendez-vous annulé(s)",
                            closed.sessions, closed.appointments
                        );
                        tx.audit(
                            &actor.audit_event(
                                AccountDecision::Closing.action(),
                                &format!("utilisateur:{user_id}"),
                                &detail,
                            ),
                            now,
                        )
                        .await?;
                    }
                    on_tx!(&mut tx, conn => {
                        sqlx::query(
                            "UPDATE app_user SET erasure_granted_at = $2
                             WHERE id = $1 AND erased_at IS NULL AND erasure_granted_at IS NULL",
                        )
                        .bind(user_id)
                        .bind(now)
                        .execute(conn)
                        .await
                        .map(|done| done.rows_affected())
                    })?;
                }
                Effect::Limitation => {
                    on_tx!(&mut tx, conn => {
                        sqlx::query(
                            "UPDATE app_user SET limited_at = $2 WHERE id = $1 AND limited_at IS NULL",
                        )
                        .bind(user_id)
                        .bind(now)
                        .execute(conn)
                        .await
                        .map(|done| done.rows_affected())
                    })?;
                }
                Effect::Nothing => {}
            }
        }
        tx.audit(
            &actor.audit_event(
                "demande_droits_repondue",
                &object_of(id, answered.user_id),
                &format!("demande n° {id} : {}", decision.code()),
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(Answered::Done(answered))
    }

    /// Records that a request's answer left by mail.
    #[tracing::instrument(skip_all)]
    pub async fn rights_answer_mailed(
        &self,
        id: i64,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            sqlx::query(
                "UPDATE rights_request SET answer_mailed_at = $2
                 WHERE id = $1 AND answered_at IS NOT NULL",
            )
            .bind(id)
            .bind(now)
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
        })?;
        Ok(())
    }

    /// The account a request recorded by the desk is about: the one with this address, not yet
    /// erased (a closed account too: its holder may write by post to have it erased).
    #[tracing::instrument(skip_all)]
    pub async fn account_of_address(&self, email: &str) -> Result<Option<i64>, StoreError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_scalar("SELECT id FROM app_user WHERE email = $1 AND erased_at IS NULL")
                .bind(email)
                .fetch_optional(pool)
                .await
        })?)
    }

    /// Where a request's mails go: its account's address while the account is not erased (the
    /// person may have changed it since), the address recorded with it otherwise.
    #[tracing::instrument(skip_all)]
    pub async fn rights_mail_address(&self, request: &RightsRequest) -> Result<String, StoreError> {
        let Some(user_id) = request.user_id else {
            return Ok(request.email.clone());
        };
        let current: Option<String> = on_pool!(self, pool => {
            sqlx::query_scalar("SELECT email FROM app_user WHERE id = $1 AND erased_at IS NULL")
                .bind(user_id)
                .fetch_optional(pool)
                .await
        })?;
        Ok(current.unwrap_or_else(|| request.email.clone()))
    }

    /// Lifts the limitation granted on the account of request `id` (GDPR art. 18(3): the person
    /// is told, by the caller, with the reason). The account's address and name to tell them,
    /// or `None` when the account is not limited (lifted already, or no account).
    #[tracing::instrument(skip_all)]
    pub async fn lift_limitation(
        &self,
        id: i64,
        reason: &str,
        actor: &Actor<'_>,
        now: DateTime<Utc>,
    ) -> Result<Option<(String, String)>, StoreError> {
        let mut tx = self.begin().await?;
        let lifted: Option<(i64, String, String)> = on_tx!(&mut tx, conn => {
            sqlx::query_as(
                "UPDATE app_user SET limited_at = NULL
                 WHERE id = (SELECT user_id FROM rights_request WHERE id = $1)
                   AND limited_at IS NOT NULL AND erased_at IS NULL
                 RETURNING id, email, full_name",
            )
            .bind(id)
            .fetch_optional(conn)
            .await
        })?;
        let Some((user_id, email, name)) = lifted else {
            return Ok(None);
        };
        tx.audit(
            &actor
                .audit_event(
                    "limitation_levee",
                    &format!("utilisateur:{user_id}"),
                    &format!("demande n° {id}"),
                )
                .about(reason),
            now,
        )
        .await?;
        tx.announce_access(user_id).await?;
        tx.commit().await?;
        Ok(Some((email, name)))
    }

    /// Marks (or unmarks) the company of the account of request `id` as a sole trader's: its
    /// name and address then follow the retention of personal data. True when it changed.
    #[tracing::instrument(skip_all)]
    pub async fn set_sole_trader_of_request(
        &self,
        id: i64,
        sole_trader: bool,
        actor: &Actor<'_>,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin().await?;
        let company: Option<i64> = on_tx!(&mut tx, conn => {
            sqlx::query_scalar(
                "UPDATE company SET sole_trader = $2
                 WHERE id = (SELECT u.company_id FROM rights_request r
                             JOIN app_user u ON u.id = r.user_id WHERE r.id = $1)
                   AND sole_trader <> $2 AND erased_at IS NULL
                 RETURNING id",
            )
            .bind(id)
            .bind(sole_trader)
            .fetch_optional(conn)
            .await
        })?;
        let Some(company) = company else {
            return Ok(false);
        };
        tx.audit(
            &actor.audit_event(
                "entreprise_individuelle",
                &format!("entreprise:{company}"),
                &format!(
                    "demande n° {id} : {}",
                    if sole_trader {
                        "marquée"
                    } else {
                        "marque retirée"
                    }
                ),
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Whether a dossier exists (the desk holds it by its number).
    #[tracing::instrument(skip_all)]
    pub async fn dossier_exists(&self, id: i64) -> Result<bool, StoreError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM dossier WHERE id = $1)")
                .bind(id)
                .fetch_one(pool)
                .await
        })?)
    }

    /// Whether `hold` is a hold on a dossier, in force.
    #[tracing::instrument(skip_all)]
    pub async fn is_dossier_hold(&self, hold: i64) -> Result<bool, StoreError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_scalar(
                "SELECT EXISTS (SELECT 1 FROM legal_hold
                                WHERE id = $1 AND dossier_id IS NOT NULL AND lifted_at IS NULL)",
            )
            .bind(hold)
            .fetch_one(pool)
            .await
        })?)
    }

    /// The hold `hold` on the account of request `request`, if it is in force: the desk lifts
    /// only holds of the requests it handles.
    #[tracing::instrument(skip_all)]
    pub async fn hold_of_request(&self, request: i64, hold: i64) -> Result<bool, StoreError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_scalar(
                "SELECT EXISTS (SELECT 1 FROM legal_hold h JOIN rights_request r ON r.user_id = h.user_id
                                WHERE r.id = $1 AND h.id = $2 AND h.lifted_at IS NULL)",
            )
            .bind(request)
            .bind(hold)
            .fetch_one(pool)
            .await
        })?)
    }
}

impl Tx {
    /// Opens the rights desk to an account being set up (the demonstration's customs agent).
    pub async fn insert_rights_desk_member(
        &mut self,
        user_id: i64,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        on_tx!(self, conn => {
            sqlx::query(
                "INSERT INTO rights_desk_member (user_id, granted_at) VALUES ($1, $2)
                 ON CONFLICT (user_id) DO NOTHING",
            )
            .bind(user_id)
            .bind(now)
            .execute(conn)
            .await
            .map(|done| done.rows_affected())
        })?;
        Ok(())
    }
}
