//! Accounts: sessions, single-use links, terms-of-use acceptances, habilitations and the viewer
//! every request is decided for.

use chrono::{DateTime, Duration, NaiveDate, Utc};

use super::directory::{UserRow, USER_COLUMNS};
use super::{decode, on_pool, on_reader, on_tx, Store, StoreError, Tx};
use crate::domain::access::Viewer;
use crate::domain::account::AccountState;
pub use crate::domain::account::SessionInfo;
use crate::domain::directory::{Administration, Habilitation, Role, User};
use crate::domain::references::Locode;

/// What a single-use link is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenPurpose {
    /// Verifies a new address (`new_email`) of an existing account.
    Verification,
    /// Chooses a new password.
    Reset,
    /// Signs in once, when the account's budget of failed sign-ins is spent.
    SignIn,
}

impl TokenPurpose {
    fn code(self) -> &'static str {
        match self {
            TokenPurpose::Verification => "verification",
            TokenPurpose::Reset => "reinitialisation",
            TokenPurpose::SignIn => "connexion",
        }
    }
}

/// Since when [`Store::sign_in_standing`] counts.
pub struct SignInWindows {
    /// Failures that slow a client down.
    pub recent: DateTime<Utc>,
    /// Failures that spend the account's budget.
    pub day: DateTime<Utc>,
    /// Sign-ins that make a client known to the account.
    pub known: DateTime<Utc>,
}

/// What the audit trail says about a sign-in about to be tried.
#[derive(Clone, Copy, Debug)]
pub struct SignInStanding {
    /// This client's recent failures on this account: how many, and the last one.
    pub this_client: (i64, Option<DateTime<Utc>>),
    /// This client's recent failures on any account.
    pub any_account: (i64, Option<DateTime<Utc>>),
    /// The account's failures from anywhere, over the longer window.
    pub account_failures: i64,
    /// Whether this client signed in to the account before.
    pub known_client: bool,
}

/// A session to open; the token itself stays with the browser, only its hash is stored.
pub struct NewSession<'a> {
    pub token_hash: &'a str,
    pub user_id: i64,
    /// `mot_de_passe` or `oidc:<provider>`.
    pub method: &'a str,
    pub id_token: Option<&'a str>,
    pub ip: &'a str,
    pub user_agent: &'a str,
    pub expires_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    id: i64,
    user_id: i64,
    method: String,
    created_at: DateTime<Utc>,
    last_seen_at: DateTime<Utc>,
    ip: String,
    user_agent: String,
}

impl From<SessionRow> for SessionInfo {
    fn from(row: SessionRow) -> Self {
        SessionInfo {
            id: row.id,
            user_id: row.user_id,
            method: row.method,
            created_at: row.created_at,
            last_seen_at: row.last_seen_at,
            ip: row.ip,
            user_agent: row.user_agent,
        }
    }
}

const SESSION_COLUMNS: &str = "id, user_id, method, created_at, last_seen_at, ip, user_agent";

/// A session found by its token, with what sign-out needs.
pub struct ActiveSession {
    pub info: SessionInfo,
    pub id_token: Option<String>,
}

#[derive(sqlx::FromRow)]
struct HabilitationRow {
    id: i64,
    user_id: i64,
    agent_name: String,
    agent_email: String,
    site_code: String,
    site_name: String,
    administration: String,
    starts_on: NaiveDate,
    ends_on: Option<NaiveDate>,
    granted_by: Option<String>,
    withdrawn_at: Option<DateTime<Utc>>,
}

impl TryFrom<HabilitationRow> for Habilitation {
    type Error = StoreError;
    fn try_from(row: HabilitationRow) -> Result<Self, StoreError> {
        Ok(Habilitation {
            id: row.id,
            user_id: row.user_id,
            agent_name: row.agent_name,
            agent_email: row.agent_email,
            site: Locode::parse(&row.site_code).map_err(|e| StoreError::Corrupt(e.to_string()))?,
            site_name: row.site_name,
            administration: decode(
                "administration",
                &row.administration,
                Administration::from_code,
            )?,
            starts_on: row.starts_on,
            ends_on: row.ends_on,
            granted_by: row.granted_by,
            withdrawn: row.withdrawn_at.is_some(),
        })
    }
}

const HABILITATION_QUERY: &str =
    "SELECT h.id, h.user_id, u.full_name AS agent_name, u.email AS agent_email,
        h.site_code, s.name AS site_name, h.administration, h.starts_on, h.ends_on,
        g.full_name AS granted_by, h.withdrawn_at
 FROM habilitation h
 JOIN app_user u ON u.id = h.user_id
 JOIN site s ON s.code = h.site_code
 LEFT JOIN app_user g ON g.id = h.granted_by";

/// A habilitation to grant.
pub struct NewHabilitation {
    pub user_id: i64,
    /// Whether the agent may also set the calendars of the site's posts.
    pub manages_calendars: bool,
    pub site: Locode,
    pub administration: Administration,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub granted_by: Option<i64>,
}

/// The person and what every request needs to know about them besides their account: whether
/// they accepted the terms in force, their unread notifications (up to one more than the bell
/// shows), whether their company holds a mandate not revoked (the mandates themselves are then
/// read, for the few companies that represent others) and whether they answer rights requests.
#[derive(sqlx::FromRow)]
struct ViewerRow {
    #[sqlx(flatten)]
    user: UserRow,
    accepted: bool,
    unread: i64,
    representative: bool,
    rights_desk: bool,
}
super::readers::from_reader!(ViewerRow { accepted, unread, representative, rights_desk; user });

/// The columns of [`ViewerRow`], for a query on `app_user u` whose parameter `cgu` is the
/// version of the terms in force.
fn viewer_columns(cgu: usize) -> String {
    format!(
        "{USER_COLUMNS},
         EXISTS (SELECT 1 FROM cgu_acceptance c WHERE c.user_id = u.id AND c.version = ${cgu}) AS accepted,
         (SELECT COUNT(*) FROM (SELECT 1 FROM notification n
                                WHERE n.user_id = u.id AND n.read_at IS NULL
                                LIMIT {}) unread) AS unread,
         EXISTS (SELECT 1 FROM mandate m WHERE m.representative_id = u.company_id
                                           AND m.revoked_at IS NULL) AS representative,
         EXISTS (SELECT 1 FROM rights_desk_member r WHERE r.user_id = u.id) AS rights_desk",
        crate::domain::notification::UNREAD_SHOWN + 1
    )
}

/// What a request's session token stands for.
pub enum SignedIn {
    /// No session, or one ended, expired or idle: the person signs in again.
    Stale,
    /// The session's account was suspended or closed since: every page says so.
    AccountEnded(AccountState),
    /// An open session of an active account, and the person it is decided for.
    Open(Box<(ActiveSession, Viewer)>),
}

fn parse_sites(codes: Vec<String>) -> Result<Vec<Locode>, StoreError> {
    codes
        .iter()
        .map(|code| Locode::parse(code).map_err(|e| StoreError::Corrupt(e.to_string())))
        .collect()
}

impl Store {
    /// The person a request is decided for: their account, the sites they may see today and
    /// whether they accepted the terms of use `cgu_version`. `None` for a disabled account.
    #[tracing::instrument(skip_all)]
    pub async fn viewer(
        &self,
        user_id: i64,
        today: NaiveDate,
        cgu_version: &str,
    ) -> Result<Option<Viewer>, StoreError> {
        let sql = format!(
            "SELECT {} FROM app_user u WHERE u.id = $1 AND {}",
            viewer_columns(2),
            super::ACTIVE_USER
        );
        let row: Option<ViewerRow> = on_pool!(self, pool => {
            sqlx::query_as(&sql)
                .bind(user_id)
                .bind(cgu_version)
                .fetch_optional(pool)
                .await
        })?;
        match row {
            Some(row) => self.complete_viewer(row, today).await.map(Some),
            None => Ok(None),
        }
    }

    /// What a request's session token stands for: the session and the person it is decided
    /// for, in one reading (it is done on every request), then what their role needs (the
    /// sites of an agent's habilitations, the companies an operator's represents).
    #[tracing::instrument(skip_all)]
    pub async fn signed_in(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
        idle: Duration,
        today: NaiveDate,
        cgu_version: &str,
    ) -> Result<SignedIn, StoreError> {
        #[derive(sqlx::FromRow)]
        struct Row {
            session_id: i64,
            session_method: String,
            session_created_at: DateTime<Utc>,
            session_last_seen_at: DateTime<Utc>,
            session_ip: String,
            session_user_agent: String,
            id_token: Option<String>,
            /// Neither ended nor expired nor idle.
            session_open: bool,
            closed: bool,
            suspended: bool,
            session_user_id: i64,
            #[sqlx(flatten)]
            viewer: ViewerRow,
        }
        let sql = format!(
            "SELECT se.id AS session_id, se.method AS session_method,
                    se.created_at AS session_created_at, se.last_seen_at AS session_last_seen_at,
                    se.ip AS session_ip, se.user_agent AS session_user_agent, se.id_token,
                    (se.ended_at IS NULL AND se.expires_at > $2 AND se.last_seen_at > $3) AS session_open,
                    u.disabled_at IS NOT NULL AS closed, u.suspended_at IS NOT NULL AS suspended,
                    se.user_id AS session_user_id, {}
             FROM session se JOIN app_user u ON u.id = se.user_id
             WHERE se.token_hash = $1",
            viewer_columns(4)
        );
        super::readers::from_reader!(Row {
            session_id, session_method, session_created_at, session_last_seen_at, session_ip,
            session_user_agent, id_token, session_open, closed, suspended, session_user_id;
            viewer
        });
        let (now_text, idle_text) = (
            super::readers::instant(now),
            super::readers::instant(now - idle),
        );
        let params: [&(dyn rusqlite::ToSql + Sync); 4] =
            [&token_hash, &now_text, &idle_text, &cgu_version];
        let row: Option<Row> = on_reader!(self, &sql, &params, pool => {
            sqlx::query_as(&sql)
                .bind(token_hash)
                .bind(now)
                .bind(now - idle)
                .bind(cgu_version)
                .fetch_optional(pool)
                .await
        })?;
        let Some(row) = row else {
            return Ok(SignedIn::Stale);
        };
        // A suspended or closed account: every page says so (the browser keeps its cookie
        // until it signs out), rather than asking to sign in.
        if row.closed {
            return Ok(SignedIn::AccountEnded(AccountState::Closed));
        }
        if row.suspended {
            return Ok(SignedIn::AccountEnded(AccountState::Suspended));
        }
        if !row.session_open {
            return Ok(SignedIn::Stale);
        }
        let session = ActiveSession {
            info: SessionInfo {
                id: row.session_id,
                user_id: row.session_user_id,
                method: row.session_method,
                created_at: row.session_created_at,
                last_seen_at: row.session_last_seen_at,
                ip: row.session_ip,
                user_agent: row.session_user_agent,
            },
            id_token: row.id_token,
        };
        let viewer = self.complete_viewer(row.viewer, today).await?;
        Ok(SignedIn::Open(Box::new((session, viewer))))
    }

    /// The viewer from their row, with what their role adds.
    async fn complete_viewer(
        &self,
        row: ViewerRow,
        today: NaiveDate,
    ) -> Result<Viewer, StoreError> {
        let ViewerRow {
            user,
            accepted,
            unread,
            representative,
            rights_desk,
        } = row;
        let user = crate::domain::directory::User::try_from(user)?;
        let user_id = user.id;
        // Agents: the sites of their habilitations valid today, and among them those whose posts'
        // calendars they may set. Heads of service: the sites of the posts they head, for both.
        let (site_codes, calendar_codes): (Vec<String>, Vec<String>) = match user.role {
            Role::AgentDgddi | Role::AgentSivep => {
                let administration = user.role.administration().map(Administration::code);
                let rows: Vec<(String, bool)> = on_pool!(self, pool => {
                    sqlx::query_as(
                        "SELECT site_code, manages_calendars FROM habilitation
                         WHERE user_id = $1 AND administration = $2 AND withdrawn_at IS NULL
                           AND starts_on <= $3 AND (ends_on IS NULL OR ends_on >= $3)
                         ORDER BY site_code",
                    )
                    .bind(user_id)
                    .bind(administration)
                    .bind(today)
                    .fetch_all(pool)
                    .await
                })?;
                let mut sites: Vec<String> = rows.iter().map(|(site, _)| site.clone()).collect();
                let mut calendars: Vec<String> = rows
                    .into_iter()
                    .filter_map(|(site, manages)| manages.then_some(site))
                    .collect();
                sites.dedup();
                calendars.dedup();
                (sites, calendars)
            }
            Role::ChefService => {
                let sites = self.headed_site_codes(user_id).await?;
                (sites.clone(), sites)
            }
            _ => (Vec::new(), Vec::new()),
        };
        // Operators: the companies theirs represents today, at the sites of its mandates.
        let represented = match (user.role, user.company_id) {
            (Role::Operateur, Some(company)) if representative => {
                self.represented(company, today).await?
            }
            _ => Vec::new(),
        };
        Ok(Viewer {
            user_id: user.id,
            email: user.email,
            full_name: user.full_name,
            role: user.role,
            company_id: user.company_id,
            company_admin: user.company_admin,
            administration: user.administration,
            sites: parse_sites(site_codes)?,
            calendar_sites: parse_sites(calendar_codes)?,
            represented,
            cgu_accepted: accepted,
            rights_desk,
            unread_notifications: unread,
        })
    }

    #[tracing::instrument(skip_all)]
    async fn headed_site_codes(&self, user_id: i64) -> Result<Vec<String>, StoreError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_scalar(
                "SELECT DISTINCT p.site_code FROM post_head h JOIN post p ON p.code = h.post_code
                 WHERE h.user_id = $1 ORDER BY p.site_code",
            )
            .bind(user_id)
            .fetch_all(pool)
            .await
        })?)
    }

    /// The sites of the posts a head of service heads.
    #[tracing::instrument(skip_all)]
    pub async fn headed_sites(&self, user_id: i64) -> Result<Vec<Locode>, StoreError> {
        parse_sites(self.headed_site_codes(user_id).await?)
    }

    /// Notes that a session was just used (for the idle timeout).
    #[tracing::instrument(skip_all)]
    pub async fn touch_session(&self, id: i64, now: DateTime<Utc>) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            sqlx::query("UPDATE session SET last_seen_at = $2 WHERE id = $1")
                .bind(id)
                .bind(now)
                .execute(pool)
                .await
                .map(|done| done.rows_affected())
        })?;
        Ok(())
    }

    /// The open sessions of a user, most recently used first.
    #[tracing::instrument(skip_all)]
    pub async fn sessions_of(
        &self,
        user_id: i64,
        now: DateTime<Utc>,
        idle: Duration,
    ) -> Result<Vec<SessionInfo>, StoreError> {
        let sql = format!(
            "SELECT {SESSION_COLUMNS} FROM session
             WHERE user_id = $1 AND ended_at IS NULL AND expires_at > $2 AND last_seen_at > $3
             ORDER BY last_seen_at DESC"
        );
        let rows: Vec<SessionRow> = on_pool!(self, pool => {
            sqlx::query_as(&sql)
                .bind(user_id)
                .bind(now)
                .bind(now - idle)
                .fetch_all(pool)
                .await
        })?;
        Ok(rows.into_iter().map(SessionInfo::from).collect())
    }

    /// A session by id, open or not, to check whose it is before ending it.
    #[tracing::instrument(skip_all)]
    pub async fn session(&self, id: i64) -> Result<Option<SessionInfo>, StoreError> {
        let sql = format!("SELECT {SESSION_COLUMNS} FROM session WHERE id = $1");
        let row: Option<SessionRow> = on_pool!(self, pool => {
            sqlx::query_as(&sql).bind(id).fetch_optional(pool).await
        })?;
        Ok(row.map(SessionInfo::from))
    }

    /// Whether a single-use link is still good (for showing its form); gives the account's
    /// address, or the new address being verified. Only address verifications are good for an
    /// account tied to an identity provider: it signs in there, with neither password nor link.
    #[tracing::instrument(skip_all)]
    pub async fn token_email(
        &self,
        token_hash: &str,
        purpose: TokenPurpose,
        now: DateTime<Utc>,
    ) -> Result<Option<String>, StoreError> {
        let email: Option<String> = on_pool!(self, pool => {
            sqlx::query_scalar(
                "SELECT COALESCE(t.new_email, u.email) FROM account_token t
                 JOIN app_user u ON u.id = t.user_id
                 WHERE t.token_hash = $1 AND t.purpose = $2 AND t.used_at IS NULL AND t.expires_at > $3
                   AND u.disabled_at IS NULL
                   AND (t.purpose = 'verification'
                        OR NOT EXISTS (SELECT 1 FROM oidc_link l WHERE l.user_id = t.user_id))",
            )
            .bind(token_hash)
            .bind(purpose.code())
            .bind(now)
            .fetch_optional(pool)
            .await
        })?;
        Ok(email)
    }

    /// The users of an operator company, by name.
    #[tracing::instrument(skip_all)]
    pub async fn company_users(&self, company_id: i64) -> Result<Vec<User>, StoreError> {
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM app_user u
             WHERE u.company_id = $1 AND u.disabled_at IS NULL ORDER BY u.full_name"
        );
        let rows: Vec<UserRow> = on_pool!(self, pool => {
            sqlx::query_as(&sql).bind(company_id).fetch_all(pool).await
        })?;
        rows.into_iter().map(User::try_from).collect()
    }

    /// The agents of an administration, by name.
    #[tracing::instrument(skip_all)]
    pub async fn agents(&self, administration: Administration) -> Result<Vec<User>, StoreError> {
        let role = match administration {
            Administration::Dgddi => Role::AgentDgddi,
            Administration::Dgal => Role::AgentSivep,
        };
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM app_user u
             WHERE u.role = $1 AND u.disabled_at IS NULL ORDER BY u.full_name"
        );
        let rows: Vec<UserRow> = on_pool!(self, pool => {
            sqlx::query_as(&sql).bind(role.code()).fetch_all(pool).await
        })?;
        rows.into_iter().map(User::try_from).collect()
    }

    /// Every habilitation of an agent, current or not, newest first.
    #[tracing::instrument(skip_all)]
    pub async fn habilitations_of(&self, user_id: i64) -> Result<Vec<Habilitation>, StoreError> {
        let sql = format!(
            "{HABILITATION_QUERY} WHERE h.user_id = $1 ORDER BY h.starts_on DESC, h.id DESC"
        );
        let rows: Vec<HabilitationRow> = on_pool!(self, pool => {
            sqlx::query_as(&sql).bind(user_id).fetch_all(pool).await
        })?;
        rows.into_iter().map(Habilitation::try_from).collect()
    }

    /// The habilitations of an administration on some sites, not withdrawn, by agent.
    #[tracing::instrument(skip_all)]
    pub async fn habilitations_on(
        &self,
        administration: Administration,
        sites: &[Locode],
    ) -> Result<Vec<Habilitation>, StoreError> {
        let sql = format!(
            "{HABILITATION_QUERY} WHERE h.administration = $1 AND h.withdrawn_at IS NULL
             ORDER BY u.full_name, h.site_code, h.starts_on"
        );
        let rows: Vec<HabilitationRow> = on_pool!(self, pool => {
            sqlx::query_as(&sql).bind(administration.code()).fetch_all(pool).await
        })?;
        let all: Vec<Habilitation> = rows
            .into_iter()
            .map(Habilitation::try_from)
            .collect::<Result<_, _>>()?;
        Ok(all
            .into_iter()
            .filter(|h| sites.contains(&h.site))
            .collect())
    }

    #[tracing::instrument(skip_all)]
    pub async fn habilitation(&self, id: i64) -> Result<Option<Habilitation>, StoreError> {
        let sql = format!("{HABILITATION_QUERY} WHERE h.id = $1");
        let row: Option<HabilitationRow> = on_pool!(self, pool => {
            sqlx::query_as(&sql).bind(id).fetch_optional(pool).await
        })?;
        row.map(Habilitation::try_from).transpose()
    }

    /// What the audit trail says about signing in to the account `email` from the client
    /// `client_key` (the key its budgets count under; `ip` its full address): failures of this
    /// client on this account and of this client on any account since `windows.recent`, failures
    /// on the account from anywhere since `windows.day` (for the account, none before its last
    /// password change), and whether this client signed in to it since `windows.known`.
    #[tracing::instrument(skip_all)]
    pub async fn sign_in_standing(
        &self,
        email: &str,
        client_key: &str,
        ip: &str,
        windows: &SignInWindows,
    ) -> Result<SignInStanding, StoreError> {
        let email = email.to_lowercase();
        let changed = "COALESCE((SELECT password_changed_at FROM app_user WHERE email = $1), $2)";
        let sql = format!(
            "SELECT COUNT(*), MAX(at) FROM audit_entry
             WHERE action = 'connexion_refusee' AND personal_detail = $1 AND at > $2 AND at > {changed}
               AND client_key = $3"
        );
        let this_client: (i64, Option<DateTime<Utc>>) = on_pool!(self, pool => {
            sqlx::query_as(&sql)
                .bind(&email)
                .bind(windows.recent)
                .bind(client_key)
                .fetch_one(pool)
                .await
        })?;
        let any_account: (i64, Option<DateTime<Utc>>) = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT COUNT(*), MAX(at) FROM audit_entry
                 WHERE action = 'connexion_refusee' AND client_key = $1 AND at > $2",
            )
            .bind(client_key)
            .bind(windows.recent)
            .fetch_one(pool)
            .await
        })?;
        let sql = format!(
            "SELECT COUNT(*) FROM audit_entry
             WHERE action = 'connexion_refusee' AND personal_detail = $1 AND at > $2 AND at > {changed}"
        );
        let account_failures: i64 = on_pool!(self, pool => {
            sqlx::query_scalar(&sql)
                .bind(&email)
                .bind(windows.day)
                .fetch_one(pool)
                .await
        })?;
        // Entries written before client keys were kept match by their full address.
        let known: i64 = on_pool!(self, pool => {
            sqlx::query_scalar(
                "SELECT COUNT(*) FROM audit_entry
                 WHERE action = 'connexion' AND personal_detail = $1 AND at > $2
                   AND (client_key = $3 OR (client_key IS NULL AND address = $4))",
            )
            .bind(&email)
            .bind(windows.known)
            .bind(client_key)
            .bind(ip)
            .fetch_one(pool)
            .await
        })?;
        Ok(SignInStanding {
            this_client,
            any_account,
            account_failures,
            known_client: known > 0,
        })
    }

    /// Whether an account signs in through an identity provider (it is tied to a subject).
    #[tracing::instrument(skip_all)]
    pub async fn tied_to_provider(&self, user_id: i64) -> Result<bool, StoreError> {
        let count: i64 = on_pool!(self, pool => {
            sqlx::query_scalar("SELECT COUNT(*) FROM oidc_link WHERE user_id = $1")
                .bind(user_id)
                .fetch_one(pool)
                .await
        })?;
        Ok(count > 0)
    }

    /// Takes a pending identity-provider sign-in by its state (single use): its pending data,
    /// where to return, and the hash of the browser cookie it was begun with.
    #[tracing::instrument(skip_all)]
    pub async fn take_oidc_login(
        &self,
        state_hash: &str,
        since: DateTime<Utc>,
    ) -> Result<Option<(String, String, String)>, StoreError> {
        let row: Option<(String, String, String)> = on_pool!(self, pool => {
            sqlx::query_as(
                "DELETE FROM oidc_login WHERE state_hash = $1 AND created_at > $2
                 RETURNING pending, return_to, browser_hash",
            )
            .bind(state_hash)
            .bind(since)
            .fetch_optional(pool)
            .await
        })?;
        Ok(row)
    }

    #[tracing::instrument(skip_all)]
    pub async fn save_oidc_login(
        &self,
        state_hash: &str,
        browser_hash: &str,
        pending: &str,
        return_to: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            sqlx::query("DELETE FROM oidc_login WHERE created_at < $1")
                .bind(now - Duration::hours(1))
                .execute(pool)
                .await
                .map(|done| done.rows_affected())
        })?;
        on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO oidc_login (state_hash, browser_hash, pending, return_to, created_at)
                 VALUES ($1, $2, $3, $4, $5)",
            )
                .bind(state_hash)
                .bind(browser_hash)
                .bind(pending)
                .bind(return_to)
                .bind(now)
                .execute(pool)
                .await
                .map(|done| done.rows_affected())
        })?;
        Ok(())
    }
}

impl Store {
    /// The account a provider's subject is linked to, if any.
    #[tracing::instrument(skip_all)]
    pub async fn oidc_linked_user(
        &self,
        provider: &str,
        subject: &str,
    ) -> Result<Option<i64>, StoreError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_scalar("SELECT user_id FROM oidc_link WHERE provider = $1 AND subject = $2")
                .bind(provider)
                .bind(subject)
                .fetch_optional(pool)
                .await
        })?)
    }

    /// Whether an account is already linked to another subject of this provider.
    #[tracing::instrument(skip_all)]
    pub async fn oidc_link_of(
        &self,
        provider: &str,
        user_id: i64,
    ) -> Result<Option<String>, StoreError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_scalar("SELECT subject FROM oidc_link WHERE provider = $1 AND user_id = $2")
                .bind(provider)
                .bind(user_id)
                .fetch_optional(pool)
                .await
        })?)
    }
}

impl Tx {
    #[tracing::instrument(skip_all)]
    pub async fn insert_oidc_link(
        &mut self,
        provider: &str,
        subject: &str,
        user_id: i64,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        on_tx!(self, conn => {
            sqlx::query("INSERT INTO oidc_link (provider, subject, user_id, created_at) VALUES ($1, $2, $3, $4)")
                .bind(provider)
                .bind(subject)
                .bind(user_id)
                .bind(now)
                .execute(conn)
                .await
                .map(|done| done.rows_affected())
        })?;
        Ok(())
    }

    /// Every unused link of a user stops working (after a password reset: a link sent while
    /// someone else held the account must not outlive it).
    #[tracing::instrument(skip_all)]
    pub async fn revoke_tokens(
        &mut self,
        user_id: i64,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        on_tx!(self, conn => {
            sqlx::query("UPDATE account_token SET used_at = $2 WHERE user_id = $1 AND used_at IS NULL")
                .bind(user_id)
                .bind(now)
                .execute(conn)
                .await
                .map(|done| done.rows_affected())
        })?;
        Ok(())
    }

    #[tracing::instrument(skip_all)]
    pub async fn insert_session(
        &mut self,
        session: &NewSession<'_>,
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let id = on_tx!(self, conn => {
            sqlx::query_scalar(
                "INSERT INTO session (token_hash, user_id, method, id_token, created_at, last_seen_at,
                                      expires_at, ip, user_agent)
                 VALUES ($1, $2, $3, $4, $5, $5, $6, $7, $8) RETURNING id",
            )
            .bind(session.token_hash)
            .bind(session.user_id)
            .bind(session.method)
            .bind(session.id_token)
            .bind(now)
            .bind(session.expires_at)
            .bind(session.ip)
            .bind(session.user_agent)
            .fetch_one(conn)
            .await
        })?;
        self.record_sign_in(session.user_id, now).await?;
        Ok(id)
    }

    /// Ends one session; says whether it was open.
    #[tracing::instrument(skip_all)]
    pub async fn end_session(&mut self, id: i64, now: DateTime<Utc>) -> Result<bool, StoreError> {
        Ok(self.end_sessions_where("id", id, now).await? > 0)
    }

    /// Ends the session a browser's token opens, if it is open.
    #[tracing::instrument(skip_all)]
    pub async fn end_session_by_token(
        &mut self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        Ok(self
            .end_sessions_where("token_hash", token_hash.to_owned(), now)
            .await?
            > 0)
    }

    /// Ends every open session of a user (password changed, account removed).
    #[tracing::instrument(skip_all)]
    pub async fn end_sessions_of(
        &mut self,
        user_id: i64,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        self.end_sessions_where("user_id", user_id, now).await
    }

    /// Ends every open session of a user but `keep` (the one changing the password); how many.
    #[tracing::instrument(skip_all)]
    pub async fn end_other_sessions(
        &mut self,
        user_id: i64,
        keep: i64,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        on_tx!(self, conn => {
            sqlx::query(
                "UPDATE gate_pass SET ended_at = $3, ended_reason = 'deconnexion'
                 WHERE ended_at IS NULL AND user_id = $1 AND (session_id IS NULL OR session_id <> $2)",
            )
            .bind(user_id)
            .bind(keep)
            .bind(now)
            .execute(conn)
            .await
            .map(|_| ())
        })?;
        Ok(on_tx!(self, conn => {
            sqlx::query(
                "UPDATE session SET ended_at = $3 WHERE user_id = $1 AND id <> $2 AND ended_at IS NULL",
            )
            .bind(user_id)
            .bind(keep)
            .bind(now)
            .execute(conn)
            .await
            .map(|done| done.rows_affected())
        })?)
    }

    /// Ends the open sessions whose `column` (a name written here, never a person's input)
    /// holds `value`; how many.
    #[tracing::instrument(skip_all)]
    async fn end_sessions_where<V>(
        &mut self,
        column: &'static str,
        value: V,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError>
    where
        V: for<'q> sqlx::Encode<'q, sqlx::Sqlite>
            + sqlx::Type<sqlx::Sqlite>
            + for<'q> sqlx::Encode<'q, sqlx::Postgres>
            + sqlx::Type<sqlx::Postgres>
            + Clone
            + Send,
    {
        // The gate's passes these sessions opened end with them (sign-out, sign-out everywhere,
        // a suspension).
        let passes = format!(
            "UPDATE gate_pass SET ended_at = $2, ended_reason = 'deconnexion'
             WHERE ended_at IS NULL
               AND session_id IN (SELECT id FROM session WHERE {column} = $1 AND ended_at IS NULL)"
        );
        on_tx!(self, conn => {
            sqlx::query(&passes)
                .bind(value.clone())
                .bind(now)
                .execute(conn)
                .await
                .map(|_| ())
        })?;
        let sql =
            format!("UPDATE session SET ended_at = $2 WHERE {column} = $1 AND ended_at IS NULL");
        Ok(on_tx!(self, conn => {
            sqlx::query(&sql)
                .bind(value)
                .bind(now)
                .execute(conn)
                .await
                .map(|done| done.rows_affected())
        })?)
    }

    /// Records a single-use link; earlier unused links of the same purpose stop working.
    #[tracing::instrument(skip_all)]
    pub async fn insert_token(
        &mut self,
        token_hash: &str,
        user_id: i64,
        purpose: TokenPurpose,
        new_email: Option<&str>,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        on_tx!(self, conn => {
            sqlx::query(
                "UPDATE account_token SET used_at = $3 WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL",
            )
            .bind(user_id)
            .bind(purpose.code())
            .bind(now)
            .execute(conn)
            .await
            .map(|done| done.rows_affected())
        })?;
        on_tx!(self, conn => {
            sqlx::query(
                "INSERT INTO account_token (token_hash, user_id, purpose, new_email, created_at, expires_at)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(token_hash)
            .bind(user_id)
            .bind(purpose.code())
            .bind(new_email)
            .bind(now)
            .bind(expires_at)
            .execute(conn)
            .await
            .map(|done| done.rows_affected())
        })?;
        Ok(())
    }

    /// Uses a single-use link: gives its user and new address, once, if it has not expired (and,
    /// but for an address verification, if the account is not tied to an identity provider).
    #[tracing::instrument(skip_all)]
    pub async fn take_token(
        &mut self,
        token_hash: &str,
        purpose: TokenPurpose,
        now: DateTime<Utc>,
    ) -> Result<Option<(i64, Option<String>)>, StoreError> {
        let row: Option<(i64, Option<String>)> = on_tx!(self, conn => {
            sqlx::query_as(
                "UPDATE account_token SET used_at = $3
                 WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3
                   AND (purpose = 'verification'
                        OR NOT EXISTS (SELECT 1 FROM oidc_link l WHERE l.user_id = account_token.user_id))
                 RETURNING user_id, new_email",
            )
            .bind(token_hash)
            .bind(purpose.code())
            .bind(now)
            .fetch_optional(conn)
            .await
        })?;
        Ok(row)
    }

    #[tracing::instrument(skip_all)]
    pub async fn set_password(
        &mut self,
        user_id: i64,
        hash: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        on_tx!(self, conn => {
            sqlx::query("UPDATE app_user SET password_hash = $2, password_changed_at = $3 WHERE id = $1")
                .bind(user_id)
                .bind(hash)
                .bind(now)
                .execute(conn)
                .await
                .map(|done| done.rows_affected())
        })?;
        Ok(())
    }

    /// Verifies the account's address, changing it to `new_email` when given.
    #[tracing::instrument(skip_all)]
    pub async fn verify_email(
        &mut self,
        user_id: i64,
        new_email: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        on_tx!(self, conn => {
            sqlx::query(
                "UPDATE app_user SET email = COALESCE($2, email), email_verified_at = $3 WHERE id = $1",
            )
            .bind(user_id)
            .bind(new_email.map(str::to_lowercase))
            .bind(now)
            .execute(conn)
            .await
            .map(|done| done.rows_affected())
        })?;
        Ok(())
    }

    #[tracing::instrument(skip_all)]
    pub async fn set_full_name(&mut self, user_id: i64, full_name: &str) -> Result<(), StoreError> {
        on_tx!(self, conn => {
            sqlx::query("UPDATE app_user SET full_name = $2 WHERE id = $1")
                .bind(user_id)
                .bind(full_name)
                .execute(conn)
                .await
                .map(|done| done.rows_affected())
        })?;
        Ok(())
    }

    /// How many accounts have a role (disabled ones included).
    #[tracing::instrument(skip_all)]
    pub async fn count_role(&mut self, role: Role) -> Result<i64, StoreError> {
        let count: i64 = on_tx!(self, conn => {
            sqlx::query_scalar("SELECT COUNT(*) FROM app_user WHERE role = $1")
                .bind(role.code())
                .fetch_one(conn)
                .await
        })?;
        Ok(count)
    }

    /// Whether an address is taken by another account (disabled ones included).
    #[tracing::instrument(skip_all)]
    pub async fn email_taken(&mut self, email: &str) -> Result<bool, StoreError> {
        let count: i64 = on_tx!(self, conn => {
            sqlx::query_scalar("SELECT COUNT(*) FROM app_user WHERE email = $1")
                .bind(email.to_lowercase())
                .fetch_one(conn)
                .await
        })?;
        Ok(count > 0)
    }

    /// Disables an account: it can no longer sign in; its history stays.
    #[tracing::instrument(skip_all)]
    pub async fn disable_user(
        &mut self,
        user_id: i64,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        on_tx!(self, conn => {
            sqlx::query("UPDATE app_user SET disabled_at = $2 WHERE id = $1")
                .bind(user_id)
                .bind(now)
                .execute(conn)
                .await
                .map(|done| done.rows_affected())
        })?;
        Ok(())
    }

    #[tracing::instrument(skip_all)]
    pub async fn accept_cgu(
        &mut self,
        user_id: i64,
        version: &str,
        ip: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        on_tx!(self, conn => {
            sqlx::query(
                "INSERT INTO cgu_acceptance (user_id, version, accepted_at, ip) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (user_id, version) DO NOTHING",
            )
            .bind(user_id)
            .bind(version)
            .bind(now)
            .bind(ip)
            .execute(conn)
            .await
            .map(|done| done.rows_affected())
        })?;
        Ok(())
    }

    #[tracing::instrument(skip_all)]
    pub async fn insert_habilitation(
        &mut self,
        habilitation: &NewHabilitation,
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let id = on_tx!(self, conn => {
            sqlx::query_scalar(
                "INSERT INTO habilitation (user_id, site_code, administration, starts_on, ends_on, granted_by, granted_at, manages_calendars)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            )
            .bind(habilitation.user_id)
            .bind(habilitation.site.as_str())
            .bind(habilitation.administration.code())
            .bind(habilitation.starts_on)
            .bind(habilitation.ends_on)
            .bind(habilitation.granted_by)
            .bind(now)
            .bind(habilitation.manages_calendars)
            .fetch_one(conn)
            .await
        })?;
        Ok(id)
    }

    /// Withdraws a habilitation; says whether it was in force.
    #[tracing::instrument(skip_all)]
    pub async fn withdraw_habilitation(
        &mut self,
        id: i64,
        by: i64,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let done = on_tx!(self, conn => {
            sqlx::query(
                "UPDATE habilitation SET withdrawn_at = $3, withdrawn_by = $2 WHERE id = $1 AND withdrawn_at IS NULL",
            )
            .bind(id)
            .bind(by)
            .bind(now)
            .execute(conn)
            .await
            .map(|done| done.rows_affected())
        })?;
        Ok(done > 0)
    }

    #[tracing::instrument(skip_all)]
    pub async fn insert_post_head(&mut self, user_id: i64, post: &str) -> Result<(), StoreError> {
        on_tx!(self, conn => {
            // Naming twice (a second click) names once.
            sqlx::query("INSERT INTO post_head (user_id, post_code) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                .bind(user_id)
                .bind(post)
                .execute(conn)
                .await
                .map(|done| done.rows_affected())
        })?;
        Ok(())
    }

    /// A head of service no longer heads a post, unless it is the last they head: whether it
    /// was withdrawn. Their open streams are renewed once committed, with what they may see now.
    #[tracing::instrument(skip_all)]
    pub async fn withdraw_post_head(
        &mut self,
        user_id: i64,
        post: &str,
    ) -> Result<bool, StoreError> {
        // Two withdrawals at once on PostgreSQL: the second waits for the first, then counts
        // what is left (SQLite's transactions already run one at a time).
        if let super::OpenTx::Postgres(tx) = &mut self.open {
            sqlx::query("SELECT user_id FROM post_head WHERE user_id = $1 FOR UPDATE")
                .bind(user_id)
                .fetch_all(&mut **tx)
                .await?;
        }
        let withdrawn = on_tx!(self, conn => {
            sqlx::query(
                "DELETE FROM post_head WHERE user_id = $1 AND post_code = $2
                   AND (SELECT COUNT(*) FROM post_head h WHERE h.user_id = $1) > 1",
            )
            .bind(user_id)
            .bind(post)
            .execute(conn)
            .await
            .map(|done| done.rows_affected())
        })?;
        if withdrawn > 0 {
            self.announce_access(user_id).await?;
        }
        Ok(withdrawn > 0)
    }

    /// Once committed, a person's open streams are renewed: who asks is checked again, and
    /// follows what they may see now (or is refused).
    pub async fn announce_access(&mut self, user_id: i64) -> Result<(), StoreError> {
        self.announce(super::feed::Committed::Access(user_id)).await
    }
}
