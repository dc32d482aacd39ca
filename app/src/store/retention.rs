//! The retention the terms of use promise: a person's data go two years after their last sign-in
//! (told a month before), connection data six months after the connection. An erased account
//! keeps its number and its place in the administrative records under a neutral label; what it
//! wrote stays with its dossier. A record the rights desk holds is not purged while the hold
//! lasts.
//!
//! The work is split by who may do it. The platform's role pseudonymises the accounts and
//! deletes the connection data ([`Store::erase_account`], [`Store::erase_connections`]); on
//! PostgreSQL only the purge's role may touch the audit trail and the messaging's record
//! ([`Store::erase_account_traces`], [`Store::erase_personal_values`]). Each step is idempotent:
//! a run stopped half-way is finished by the next.

use chrono::{DateTime, Months, NaiveDate, Utc};

use super::audit::{Actor, AuditEvent, CONNECTION_RETENTION_MONTHS, IDENTITY_RETENTION_MONTHS};
use super::{on_pool, on_tx, Store, StoreError, Tx};

/// How many days before its erasure a person is told their account will go.
pub const WARNING_DAYS: i64 = 30;

/// How many accounts one run erases at most (the others at the next run).
const ACCOUNTS_PER_RUN: i64 = 500;

/// The neutral label an erased account is named by, everywhere it is named.
pub fn erased_label(user_id: i64) -> String {
    format!("Utilisateur n° {user_id}, supprimé")
}

/// The address an erased account keeps (unique, and never deliverable: `.invalid`).
fn erased_address(user_id: i64) -> String {
    format!("utilisateur-{user_id}@supprime.invalid")
}

/// The limits a run at `now` applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    pub now: DateTime<Utc>,
    /// Accounts whose last sign-in is before this go.
    pub accounts_before: DateTime<Utc>,
    /// Accounts whose last sign-in is before this are told (a month before they go).
    pub warn_before: DateTime<Utc>,
    /// Connection data before this go.
    pub connections_before: DateTime<Utc>,
}

impl Limits {
    pub fn at(now: DateTime<Utc>) -> Limits {
        let months_ago = |months| now.checked_sub_months(Months::new(months)).unwrap_or(now);
        let accounts_before = months_ago(IDENTITY_RETENTION_MONTHS);
        Limits {
            now,
            accounts_before,
            warn_before: accounts_before + chrono::Duration::days(WARNING_DAYS),
            connections_before: months_ago(CONNECTION_RETENTION_MONTHS),
        }
    }

    /// The day an account last signed in at `last` goes.
    pub fn erasure_day(last: DateTime<Utc>) -> NaiveDate {
        let at = last
            .checked_add_months(Months::new(IDENTITY_RETENTION_MONTHS))
            .unwrap_or(last);
        crate::domain::access::local_day(at)
    }
}

/// An account the retention reaches.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct DueAccount {
    pub id: i64,
    pub email: String,
    pub full_name: String,
    pub role: String,
    pub last_sign_in_at: DateTime<Utc>,
    /// Erased at the person's request (granted by the rights desk), not for lack of sign-in.
    pub erasure_granted: bool,
}

/// What a run would do, or did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RetentionPlan {
    /// Accounts to tell, a month before.
    pub to_warn: Vec<DueAccount>,
    /// Accounts to erase.
    pub to_erase: Vec<DueAccount>,
    /// Accounts past their time kept by a hold of the rights desk.
    pub held: i64,
    /// Sessions (with their address and browser) past six months.
    pub sessions: i64,
    /// Links (sign-in, reset, invitation) expired six months ago.
    pub links: i64,
    /// Acceptances of the terms whose address is past six months.
    pub acceptance_addresses: i64,
    /// Invitations and access requests past two years, with the name and address they hold.
    pub requests: i64,
    /// Sole traders' companies whose time is over (see [`OLD_SOLE_TRADERS`]).
    pub sole_traders: i64,
    /// Audit entries whose connection data are past six months.
    pub trail_connections: i64,
    /// Audit entries whose identity is past two years.
    pub trail_identities: i64,
}

/// What the connection data's step deleted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ConnectionsErased {
    pub sessions: u64,
    pub links: u64,
    pub acceptance_addresses: u64,
    pub requests: u64,
    /// Sole traders' companies whose name and address went.
    pub companies: u64,
}

/// Accounts past `{before}`, or whose erasure the rights desk granted once the answer saying so
/// has left (it goes to the account's address, which the erasure replaces) (on `app_user u`).
const DUE_SQL: &str = "u.erased_at IS NULL
    AND (u.last_sign_in_at < $1
         OR (u.erasure_granted_at IS NOT NULL
             AND NOT EXISTS (SELECT 1 FROM rights_request r
                             WHERE r.user_id = u.id AND r.answered_at IS NOT NULL
                               AND r.answer_mailed_at IS NULL)))";
/// Accounts no hold keeps: none on the account, none on a dossier the person acted in (wrote in
/// its exchanges, added one of its documents, booked one of its appointments), whose records
/// must keep naming them while the dispute lasts.
pub(super) const NOT_HELD_SQL: &str = "NOT EXISTS (SELECT 1 FROM legal_hold h
    WHERE h.lifted_at IS NULL
      AND (h.user_id = u.id
           OR (h.dossier_id IS NOT NULL
               AND (EXISTS (SELECT 1 FROM document k
                            WHERE k.dossier_id = h.dossier_id AND k.author_user_id = u.id)
                    OR EXISTS (SELECT 1 FROM exchange x JOIN exchange_entry e ON e.exchange_id = x.id
                               WHERE x.dossier_id = h.dossier_id AND e.author_user_id = u.id)
                    OR EXISTS (SELECT 1 FROM appointment a
                               WHERE a.dossier_id = h.dossier_id AND a.booked_by = u.id)))))";

impl Store {
    /// What a run at `limits.now` would do, without doing it.
    #[tracing::instrument(skip_all)]
    pub async fn retention_plan(&self, limits: &Limits) -> Result<RetentionPlan, StoreError> {
        let accounts = |before: DateTime<Utc>, warned: bool| {
            let sql = format!(
                "SELECT u.id, u.email, u.full_name, u.role, u.last_sign_in_at,
                        u.erasure_granted_at IS NOT NULL AS erasure_granted FROM app_user u
                 WHERE {DUE_SQL} AND {NOT_HELD_SQL}{}
                 ORDER BY (u.erasure_granted_at IS NULL), u.last_sign_in_at, u.id
                 LIMIT {ACCOUNTS_PER_RUN}",
                if warned {
                    " AND u.retention_warned_at IS NULL AND u.erasure_granted_at IS NULL"
                } else {
                    ""
                }
            );
            async move {
                let rows: Vec<DueAccount> = on_pool!(self, pool => {
                    sqlx::query_as(&sql).bind(before).fetch_all(pool).await
                })?;
                Ok::<_, StoreError>(rows)
            }
        };
        let to_erase = accounts(limits.accounts_before, false).await?;
        let to_warn = accounts(limits.warn_before, true)
            .await?
            .into_iter()
            .filter(|account| account.last_sign_in_at >= limits.accounts_before)
            .collect();
        let count = |sql: String, at: DateTime<Utc>| async move {
            let n: i64 = on_pool!(self, pool => {
                sqlx::query_scalar(&sql).bind(at).fetch_one(pool).await
            })?;
            Ok::<_, StoreError>(n)
        };
        let held = count(
            format!("SELECT COUNT(*) FROM app_user u WHERE {DUE_SQL} AND NOT ({NOT_HELD_SQL})"),
            limits.accounts_before,
        )
        .await?;
        let before = limits.connections_before;
        let old = limits.accounts_before;
        Ok(RetentionPlan {
            to_warn,
            to_erase,
            held,
            sessions: count(
                "SELECT COUNT(*) FROM session WHERE expires_at < $1".into(),
                before,
            )
            .await?,
            links: count(
                "SELECT COUNT(*) FROM account_token WHERE expires_at < $1".into(),
                before,
            )
            .await?,
            acceptance_addresses: count(
                "SELECT COUNT(*) FROM cgu_acceptance WHERE accepted_at < $1 AND ip <> ''".into(),
                before,
            )
            .await?,
            requests: count(
                format!(
                    "SELECT ({}) + ({}) + ({})",
                    OLD_INVITATIONS, OLD_REQUESTS, OLD_RIGHTS_REQUESTS
                ),
                old,
            )
            .await?,
            sole_traders: count(OLD_SOLE_TRADERS.into(), old).await?,
            trail_connections: count(
                "SELECT COUNT(*) FROM audit_entry WHERE at < $1 AND connection_salt IS NOT NULL"
                    .into(),
                before,
            )
            .await?,
            trail_identities: count(
                "SELECT COUNT(*) FROM audit_entry WHERE at < $1 AND identity_salt IS NOT NULL"
                    .into(),
                old,
            )
            .await?,
        })
    }

    /// Tells an account, a month before, that it goes unless the person signs in; once.
    #[tracing::instrument(skip_all)]
    pub async fn warn_account(
        &self,
        account: &DueAccount,
        limits: &Limits,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin().await?;
        let marked = on_tx!(&mut tx, conn => {
            sqlx::query(
                "UPDATE app_user SET retention_warned_at = $2
                 WHERE id = $3 AND retention_warned_at IS NULL
                   AND last_sign_in_at < $1 AND last_sign_in_at >= $4 AND erased_at IS NULL",
            )
            .bind(limits.warn_before)
            .bind(limits.now)
            .bind(account.id)
            .bind(limits.accounts_before)
            .execute(conn)
            .await
            .map(|done| done.rows_affected())
        })?;
        if marked == 0 {
            return Ok(false);
        }
        let kind = if account.role == "operateur" {
            "suppression_compte"
        } else {
            "suppression_compte_agent"
        };
        let fields = [
            (
                "date",
                crate::ui::format::date(Limits::erasure_day(account.last_sign_in_at)),
            ),
            (
                "derniere",
                crate::ui::format::date(crate::domain::access::local_day(account.last_sign_in_at)),
            ),
        ];
        tx.tell_user(
            account.id,
            kind,
            &fields,
            &format!("suppression:{}", account.last_sign_in_at.timestamp()),
            "/mon-espace",
            limits.now,
        )
        .await?;
        tx.audit(
            &AuditEvent::by_purge(
                "suppression_compte_annoncee",
                &format!("utilisateur:{}", account.id),
                "deux ans sans connexion dans trente jours",
            ),
            limits.now,
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// The purge's part of an account's erasure: its identity leaves the audit trail (the
    /// entries it made, those about its account, those naming its address) and its name the
    /// messages it wrote, replaced by the neutral label. Run as the purge's role on PostgreSQL;
    /// idempotent. Whether the account is still due is checked by the caller just before, and
    /// again by [`Store::erase_account`].
    #[tracing::instrument(skip_all)]
    pub async fn erase_account_traces(
        &self,
        account: &DueAccount,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let mut tx = self.begin().await?;
        let object = format!("utilisateur:{}", account.id);
        let trail = on_tx!(&mut tx, conn => {
            sqlx::query(
                "UPDATE audit_entry SET actor = '', personal_detail = '', identity_salt = NULL
                 WHERE identity_salt IS NOT NULL
                   AND (actor_id = $1 OR object = $2 OR personal_detail = $3)",
            )
            .bind(account.id)
            .bind(&object)
            .bind(&account.email)
            .execute(conn)
            .await
            .map(|done| done.rows_affected())
        })?;
        on_tx!(&mut tx, conn => {
            sqlx::query(
                "UPDATE exchange_entry SET author_label = $2
                 WHERE author_user_id = $1 AND author_label <> $2",
            )
            .bind(account.id)
            .bind(erased_label(account.id))
            .execute(conn)
            .await
            .map(|done| done.rows_affected())
        })?;
        if trail > 0 {
            tx.audit(
                &AuditEvent::by_purge(
                    "donnees_personnelles_effacees",
                    &object,
                    &format!("compte supprimé : identité effacée de {trail} entrées"),
                ),
                now,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(trail)
    }

    /// The platform's part of an account's erasure, if it is still due and nothing holds it:
    /// its identity gives way to the neutral label (its number, role, company and the records
    /// that name it stay), it can no longer sign in, and its sessions, links, identity-provider
    /// links, calendar feeds, notifications and choices go; the documents it added and the
    /// invitations and access requests that named it carry the label. True when erased.
    #[tracing::instrument(skip_all)]
    pub async fn erase_account(
        &self,
        account: &DueAccount,
        limits: &Limits,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin().await?;
        let lock = tx.row_lock();
        let due: Option<i64> = on_tx!(&mut tx, conn => {
            sqlx::query_scalar(&format!(
                "SELECT u.id FROM app_user u WHERE u.id = $2 AND {DUE_SQL} AND {NOT_HELD_SQL}{lock}"
            ))
            .bind(limits.accounts_before)
            .bind(account.id)
            .fetch_optional(conn)
            .await
        })?;
        if due.is_none() {
            return Ok(false);
        }
        let id = account.id;
        let label = erased_label(id);
        let address = erased_address(id);
        let statements: [(&str, bool); 12] = [
            (
                "UPDATE document SET author_label = $2 WHERE author_user_id = $1",
                true,
            ),
            ("DELETE FROM gate_pass WHERE user_id = $1", false),
            ("DELETE FROM session WHERE user_id = $1", false),
            ("DELETE FROM account_token WHERE user_id = $1", false),
            ("DELETE FROM oidc_link WHERE user_id = $1", false),
            ("DELETE FROM calendar_feed WHERE user_id = $1", false),
            ("DELETE FROM notification_mail WHERE user_id = $1", false),
            ("DELETE FROM notification WHERE user_id = $1", false),
            (
                "DELETE FROM notification_preference WHERE user_id = $1",
                false,
            ),
            (
                "DELETE FROM notification_digest_hour WHERE user_id = $1",
                false,
            ),
            ("DELETE FROM post_head WHERE user_id = $1", false),
            (
                "UPDATE cgu_acceptance SET ip = '' WHERE user_id = $1",
                false,
            ),
        ];
        for (sql, labelled) in statements {
            on_tx!(&mut tx, conn => {
                let query = sqlx::query(sql).bind(id);
                let query = if labelled { query.bind(&label) } else { query };
                query.execute(conn).await.map(|done| done.rows_affected())
            })?;
        }
        // What others were told of this person (a request to join, a new member, a company to
        // verify) named them: those notifications go.
        on_tx!(&mut tx, conn => {
            sqlx::query(
                "DELETE FROM notification WHERE cause = $2
                    OR (kind IN ('demande_acces', 'entreprise_a_verifier')
                        AND EXISTS (SELECT 1 FROM access_request r
                                    WHERE (r.user_id = $1 OR r.email = $3)
                                      AND (notification.cause LIKE 'demande:' || r.id || ':%'
                                           OR notification.cause LIKE 'inscription:' || r.id || ':%')))",
            )
            .bind(id)
            .bind(format!("membre:{}", account.email))
            .bind(&account.email)
            .execute(conn)
            .await
            .map(|done| done.rows_affected())
        })?;
        on_tx!(&mut tx, conn => {
            sqlx::query(
                "UPDATE invitation SET email = 'invitation-' || id || '@supprime.invalid',
                                       full_name = $2
                 WHERE user_id = $1 OR email = $3",
            )
            .bind(id)
            .bind(&label)
            .bind(&account.email)
            .execute(conn)
            .await
            .map(|done| done.rows_affected())
        })?;
        on_tx!(&mut tx, conn => {
            sqlx::query(&format!(
                "UPDATE access_request SET email = 'demande-' || id || '@supprime.invalid',
                                           full_name = $2, subject = 'supprime-' || id,
                                           extract_name = NULL, {REFUSED_COMPANY_NAME}
                 WHERE user_id = $1 OR email = $3"
            ))
            .bind(id)
            .bind(&label)
            .bind(&account.email)
            .execute(conn)
            .await
            .map(|done| done.rows_affected())
        })?;
        on_tx!(&mut tx, conn => {
            sqlx::query(
                "UPDATE app_user SET email = $2, full_name = $3, password_hash = NULL,
                                     email_verified_at = NULL, retention_warned_at = NULL,
                                     disabled_at = COALESCE(disabled_at, $4), erased_at = $4
                 WHERE id = $1",
            )
            .bind(id)
            .bind(&address)
            .bind(&label)
            .bind(limits.now)
            .execute(conn)
            .await
            .map(|done| done.rows_affected())
        })?;
        on_tx!(&mut tx, conn => {
            sqlx::query(
                "UPDATE rights_request SET full_name = $2, email = $3 WHERE user_id = $1",
            )
            .bind(id)
            .bind(&label)
            .bind(&address)
            .execute(conn)
            .await
            .map(|done| done.rows_affected())
        })?;
        tx.audit(
            &AuditEvent::by_purge(
                "compte_supprime",
                &format!("utilisateur:{id}"),
                if account.erasure_granted {
                    "effacement accordé par le guichet des droits : identité remplacée par un nom neutre"
                } else {
                    "deux ans sans connexion : identité remplacée par un nom neutre"
                },
            ),
            limits.now,
        )
        .await?;
        tx.announce_access(id).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Deletes the connection data past six months (sessions with their address and browser,
    /// the gate's device passes and what devices sent offline, expired links, the address of
    /// old acceptances of the terms) and the names and addresses of invitations and access
    /// requests past two years.
    #[tracing::instrument(skip_all)]
    pub async fn erase_connections(
        &self,
        limits: &Limits,
    ) -> Result<ConnectionsErased, StoreError> {
        let mut tx = self.begin().await?;
        let steps = [
            // A device's pass of the gate names its browser, and lives a day.
            "DELETE FROM gate_pass WHERE created_at < $1",
            // What the server kept of presences sent from devices (the trail keeps the
            // changes themselves).
            "DELETE FROM offline_checkin WHERE sent_at < $1",
            "DELETE FROM session WHERE expires_at < $1",
            "DELETE FROM account_token WHERE expires_at < $1",
            "UPDATE cgu_acceptance SET ip = '' WHERE accepted_at < $1 AND ip <> ''",
        ];
        let mut done = Vec::new();
        for sql in steps {
            done.push(on_tx!(&mut tx, conn => {
                sqlx::query(sql)
                    .bind(limits.connections_before)
                    .execute(conn)
                    .await
                    .map(|done| done.rows_affected())
            })?);
        }
        let invitations = on_tx!(&mut tx, conn => {
            sqlx::query(&format!(
                "UPDATE invitation SET email = 'invitation-' || id || '@supprime.invalid',
                                       full_name = 'Invitation n° ' || id || ', supprimée'
                 WHERE id IN ({})",
                OLD_INVITATIONS.replace("SELECT COUNT(*)", "SELECT id")
            ))
            .bind(limits.accounts_before)
            .execute(conn)
            .await
            .map(|done| done.rows_affected())
        })?;
        let requests = on_tx!(&mut tx, conn => {
            sqlx::query(&format!(
                "UPDATE access_request SET email = 'demande-' || id || '@supprime.invalid',
                                           full_name = 'Demande n° ' || id || ', supprimée',
                                           subject = 'supprime-' || id, extract_name = NULL,
                                           {REFUSED_COMPANY_NAME}
                 WHERE id IN ({})",
                OLD_REQUESTS.replace("SELECT COUNT(*)", "SELECT id")
            ))
            .bind(limits.accounts_before)
            .execute(conn)
            .await
            .map(|done| done.rows_affected())
        })?;
        // The desk's record of a request stays (what was asked, when, the decision); who asked
        // and in which words go.
        let rights = on_tx!(&mut tx, conn => {
            sqlx::query(&format!(
                "UPDATE rights_request SET email = 'demande-droits-' || id || '@supprime.invalid',
                                           full_name = 'Demande n° ' || id || ', supprimée',
                                           details = '', answer = '', extension_reason = ''
                 WHERE id IN ({})",
                OLD_RIGHTS_REQUESTS.replace("SELECT COUNT(*)", "SELECT id")
            ))
            .bind(limits.accounts_before)
            .execute(conn)
            .await
            .map(|done| done.rows_affected())
        })?;
        // A company that is a person: its name and address (and the name its request to be
        // registered declared) give way to a neutral label; its identifiers stay with the
        // customs records.
        let sole_traders: Vec<(i64, String)> = on_tx!(&mut tx, conn => {
            sqlx::query_as(&OLD_SOLE_TRADERS.replace("SELECT COUNT(*)", "SELECT c.id, c.siret"))
                .bind(limits.accounts_before)
                .fetch_all(conn)
                .await
        })?;
        for (id, siret) in &sole_traders {
            let label = format!("Entreprise individuelle n° {id}, supprimée");
            on_tx!(&mut tx, conn => {
                sqlx::query(
                    "UPDATE company SET name = $2, address = NULL, erased_at = $3 WHERE id = $1",
                )
                .bind(id)
                .bind(&label)
                .bind(limits.now)
                .execute(conn)
                .await
                .map(|done| done.rows_affected())
            })?;
            on_tx!(&mut tx, conn => {
                sqlx::query(
                    "UPDATE access_request SET new_company_name = $2
                     WHERE siret = $1 AND new_company_name IS NOT NULL",
                )
                .bind(siret)
                .bind(&label)
                .execute(conn)
                .await
                .map(|done| done.rows_affected())
            })?;
        }
        tx.commit().await?;
        Ok(ConnectionsErased {
            sessions: done[2],
            links: done[3],
            acceptance_addresses: done[4],
            requests: invitations + requests + rights,
            companies: sole_traders.len() as u64,
        })
    }

    /// The registry extracts of requests whose name and address were erased (their account's
    /// or their own two years): request number and SHA-256. An extract names the company's
    /// directors: it leaves the documents' storage with the rest (see [`Store::forget_extract`]).
    #[tracing::instrument(skip_all)]
    pub async fn erased_extracts(&self) -> Result<Vec<(i64, String)>, StoreError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT id, extract_sha256 FROM access_request
                 WHERE extract_sha256 IS NOT NULL AND email LIKE '%@supprime.invalid'
                 ORDER BY id",
            )
            .fetch_all(pool)
            .await
        })?)
    }

    /// Whether the file of hash `sha256` is still needed by anything but request `except`: a
    /// document (not destroyed) or the extract of a request whose data are kept.
    #[tracing::instrument(skip_all)]
    pub async fn extract_still_needed(
        &self,
        sha256: &str,
        except: i64,
    ) -> Result<bool, StoreError> {
        let count: i64 = on_pool!(self, pool => {
            sqlx::query_scalar(
                "SELECT (SELECT COUNT(*) FROM document WHERE sha256 = $1 AND scan <> 'infecte')
                      + (SELECT COUNT(*) FROM access_request
                         WHERE extract_sha256 = $1 AND id <> $2
                           AND email NOT LIKE '%@supprime.invalid')",
            )
            .bind(sha256)
            .bind(except)
            .fetch_one(pool)
            .await
        })?;
        Ok(count > 0)
    }

    /// Forgets request `id`'s extract once its file left the storage: the request keeps its
    /// decision, no longer what the extract was.
    #[tracing::instrument(skip_all)]
    pub async fn forget_extract(&self, id: i64) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            sqlx::query(
                "UPDATE access_request SET extract_sha256 = NULL, extract_name = NULL,
                                           extract_media = NULL, extract_size = NULL,
                                           extract_scan = NULL
                 WHERE id = $1",
            )
            .bind(id)
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
        })?;
        Ok(())
    }

    /// Records that the day's run starts: true for the first instance to record it, which runs
    /// it; the others leave it.
    #[tracing::instrument(skip_all)]
    pub async fn start_retention_run(
        &self,
        day: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let started = on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO retention_run (day, started_at) VALUES ($1, $2)
                 ON CONFLICT (day) DO NOTHING",
            )
            .bind(day)
            .bind(now)
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
        })?;
        Ok(started > 0)
    }

    /// Records what the day's run did.
    #[tracing::instrument(skip_all)]
    pub async fn finish_retention_run(
        &self,
        day: NaiveDate,
        summary: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            sqlx::query("UPDATE retention_run SET finished_at = $2, summary = $3 WHERE day = $1")
                .bind(day)
                .bind(now)
                .bind(summary)
                .execute(pool)
                .await
                .map(|done| done.rows_affected())
        })?;
        Ok(())
    }

    /// Puts a record on hold (an account, or a dossier): its data are not purged while the hold
    /// lasts. Its number.
    #[tracing::instrument(skip_all)]
    pub async fn place_hold(
        &self,
        user_id: Option<i64>,
        dossier_id: Option<i64>,
        reason: &str,
        actor: &Actor<'_>,
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let placed_by = actor.user_id;
        let mut tx = self.begin().await?;
        // The same hold sent twice (a form submitted again) is the one in force.
        let same: Option<i64> = on_tx!(&mut tx, conn => {
            sqlx::query_scalar(
                "SELECT id FROM legal_hold
                 WHERE (user_id = $1 OR dossier_id = $2) AND reason = $3 AND lifted_at IS NULL",
            )
            .bind(user_id)
            .bind(dossier_id)
            .bind(reason)
            .fetch_optional(conn)
            .await
        })?;
        if let Some(id) = same {
            return Ok(id);
        }
        let id: i64 = on_tx!(&mut tx, conn => {
            sqlx::query_scalar(
                "INSERT INTO legal_hold (user_id, dossier_id, reason, placed_by, placed_at)
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(user_id)
            .bind(dossier_id)
            .bind(reason)
            .bind(placed_by)
            .bind(now)
            .fetch_one(conn)
            .await
        })?;
        let object = match (user_id, dossier_id) {
            (Some(user), _) => format!("utilisateur:{user}"),
            (_, Some(dossier)) => format!("dossier:{dossier}"),
            _ => String::new(),
        };
        let detail = format!("gel n° {id}");
        tx.audit(
            &actor.audit_event("conservation_suspendue", &object, &detail),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Lifts a hold; true when it was in force.
    #[tracing::instrument(skip_all)]
    pub async fn lift_hold(
        &self,
        id: i64,
        actor: &Actor<'_>,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin().await?;
        let lifted = on_tx!(&mut tx, conn => {
            sqlx::query(
                "UPDATE legal_hold SET lifted_at = $2, lifted_by = $3
                 WHERE id = $1 AND lifted_at IS NULL",
            )
            .bind(id)
            .bind(now)
            .bind(actor.user_id)
            .execute(conn)
            .await
            .map(|done| done.rows_affected())
        })?;
        if lifted == 0 {
            return Ok(false);
        }
        let object = format!("gel:{id}");
        tx.audit(&actor.audit_event("conservation_reprise", &object, ""), now)
            .await?;
        tx.commit().await?;
        Ok(true)
    }
}

/// Invitations past two years (`$1`) that still hold a name and an address: accepted,
/// withdrawn or expired before then.
const OLD_INVITATIONS: &str = "SELECT COUNT(*) FROM invitation
     WHERE email NOT LIKE '%@supprime.invalid'
       AND COALESCE(accepted_at, withdrawn_at, expires_at) < $1";

/// Access requests decided (or left) two years ago (`$1`) that still hold a name and an
/// address.
const OLD_REQUESTS: &str = "SELECT COUNT(*) FROM access_request
     WHERE email NOT LIKE '%@supprime.invalid' AND COALESCE(decided_at, created_at) < $1";

/// The name a refused request declared for its company may be a person's (a sole trader): it
/// goes with the request's name and address. An accepted request's company keeps its own.
const REFUSED_COMPANY_NAME: &str = "new_company_name = CASE
        WHEN new_company_name IS NOT NULL AND company_id IS NULL
        THEN 'Entreprise déclarée, supprimée' ELSE new_company_name END";

/// Sole traders' companies (a company that is a person) whose time is over at `$1` (two years
/// ago): none of their people's accounts left unerased, no dossier of theirs moved since, none
/// held.
const OLD_SOLE_TRADERS: &str = "SELECT COUNT(*) FROM company c
     WHERE c.sole_trader AND c.erased_at IS NULL
       AND NOT EXISTS (SELECT 1 FROM app_user u WHERE u.company_id = c.id AND u.erased_at IS NULL)
       AND NOT EXISTS (SELECT 1 FROM dossier d WHERE d.company_id = c.id AND d.updated_at >= $1)
       AND NOT EXISTS (SELECT 1 FROM legal_hold h JOIN dossier d ON d.id = h.dossier_id
                       WHERE d.company_id = c.id AND h.lifted_at IS NULL)";

/// Requests to the rights desk answered two years ago (`$1`) that still hold a name, an
/// address and the person's words.
const OLD_RIGHTS_REQUESTS: &str = "SELECT COUNT(*) FROM rights_request
     WHERE details <> '' AND answered_at < $1";

impl Tx {
    /// Marks a company as a sole trader's (a company that is a person): its name and address
    /// then follow the retention of personal data.
    pub async fn mark_sole_trader(&mut self, company_id: i64) -> Result<(), StoreError> {
        on_tx!(self, conn => {
            sqlx::query("UPDATE company SET sole_trader = $2 WHERE id = $1")
                .bind(company_id)
                .bind(true)
                .execute(conn)
                .await
                .map(|done| done.rows_affected())
        })?;
        Ok(())
    }

    /// Records a sign-in's day on the account: the retention counts from it, and a warning
    /// that the account would go is answered.
    pub(crate) async fn record_sign_in(
        &mut self,
        user_id: i64,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        on_tx!(self, conn => {
            sqlx::query(
                "UPDATE app_user SET last_sign_in_at = $2, retention_warned_at = NULL WHERE id = $1",
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

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn accounts_go_two_years_after_their_last_sign_in_and_are_told_thirty_days_before() {
        let now = Utc.with_ymd_and_hms(2028, 12, 5, 10, 0, 0).unwrap();
        let limits = Limits::at(now);
        assert_eq!(
            limits.accounts_before,
            Utc.with_ymd_and_hms(2026, 12, 5, 10, 0, 0).unwrap()
        );
        assert_eq!(
            limits.warn_before,
            Utc.with_ymd_and_hms(2027, 1, 4, 10, 0, 0).unwrap()
        );
        assert_eq!(
            limits.connections_before,
            Utc.with_ymd_and_hms(2028, 6, 5, 10, 0, 0).unwrap()
        );
        // The day said in the warning is the one the run erases on (Paris time).
        let last = Utc.with_ymd_and_hms(2026, 2, 28, 23, 30, 0).unwrap();
        assert_eq!(
            Limits::erasure_day(last),
            NaiveDate::from_ymd_opt(2028, 2, 29).unwrap()
        );
        assert_eq!(erased_label(123), "Utilisateur n° 123, supprimé");
        assert!(erased_address(123).ends_with(".invalid"));
    }
}
