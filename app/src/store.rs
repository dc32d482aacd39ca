//! The one seam between the domain and storage. `Store` wraps either an SQLite or a PostgreSQL
//! pool, chosen by the URL scheme at start-up; every query is written once, as runtime SQL that
//! both dialects accept, and dispatched to the right pool by [`on_pool!`] / [`on_tx!`] (the reads
//! every request makes by [`on_reader!`], which on an SQLite file makes them on the request's own
//! thread, see [`readers`]). Nothing outside this module writes SQL.

mod access_requests;
mod accounts;
mod alerts;
mod appointments;
mod audit;
pub mod dashboards;
mod decisions;
mod directory;
mod documents;
mod dossiers;
mod exchanges;
mod extra_recipients;
mod feed;
mod forecasts;
mod gate;
mod ingest;
mod invitations;
mod mandates;
mod notifications;
mod operators;
mod readers;
mod records;
mod retention;
mod rights;
mod service;
mod turns;
mod webhooks;

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Postgres, Sqlite, Transaction};

pub use access_requests::{ExtractFile, PendingRequest, PendingVerification, RegistryExtract};
pub use accounts::{
    ActiveSession, NewHabilitation, NewSession, SessionInfo, SignInStanding, SignInWindows,
    SignedIn, TokenPurpose,
};
pub use alerts::{
    AlertHistoryLine, DeskAlert, DeskQuery, Evaluated, PostAlertSettings, ThresholdKey,
};
pub use appointments::{
    gate_code_hash, AppointmentFilter, Booking, CalendarRefusal, Change, NewAppointment,
    GATE_CODE_FAILURE,
};
pub use audit::{
    sealed_entry_hash, Actor, AuditEntry, AuditEvent, AuditReport, Erasure,
    CONNECTION_RETENTION_MONTHS, IDENTITY_RETENTION_MONTHS,
};
pub use decisions::Decided;
pub use directory::{NewUser, PartnerKey, PartnerKeyListing};
pub use documents::{Added, NewDocument, Received, StoredDocument, ToScan};
pub use dossiers::{NewDossier, NewEvent};
pub use exchanges::{
    Author, EntryRecord, ExchangeQuery, ExchangeRecord, ExchangeWrite, Handling, NewExchange,
};
pub use extra_recipients::{AddRefusal, LeasedExtraMail};
pub use feed::{Committed, FeedMessage, CHANNEL};
pub use forecasts::place as forecast_place;
pub use gate::{CheckinReceipt, OpenPass};
pub use ingest::{Ingested, LiveEvent};
pub use invitations::{InvitationTo, NewInvitation, TakenInvitation};
pub use mandates::LockedMandate;
pub use notifications::{LeasedMail, MailItem, MailQueue, PAGE as NOTIFICATION_PAGE};
pub use operators::CardScope;
pub use records::{Acceptance, PersonalRows, WrittenEntry};
pub use retention::{
    erased_label, ConnectionsErased, DueAccount, Limits as RetentionLimits, RetentionPlan,
};
pub use rights::{Answered as RightsAnswered, NewRightsRequest};
pub use service::Ended as InterruptionEnded;
pub use webhooks::{DeliveryOutcome, LeasedDelivery, PausedEndpoint, PAUSE_AFTER};

/// Runs the same expression against whichever pool the store holds.
macro_rules! on_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        match &$store.engine {
            $crate::store::Engine::Sqlite($pool) => $body,
            $crate::store::Engine::Postgres($pool) => $body,
        }
    };
}

/// Runs the same expression against whichever transaction is open; `$conn` is the connection.
macro_rules! on_tx {
    ($tx:expr, $conn:ident => $body:expr) => {
        match &mut $tx.open {
            $crate::store::OpenTx::Sqlite(tx) => {
                let $conn = &mut **tx;
                $body
            }
            $crate::store::OpenTx::Postgres(tx) => {
                let $conn = &mut **tx;
                $body
            }
        }
    };
}

/// [`on_pool!`] for one read that every request, or a burst of them, makes: on SQLite, the first
/// row of `$sql` with `$params` (bound to `$1`, `$2`…), read on the request's own thread by
/// [`readers`] into a row that implements [`readers::FromReader`]; on PostgreSQL, or when that
/// read could not be made, `$body` on the pool (`$body` uses `$conn` once and gives a
/// `Result<Option<_>, sqlx::Error>`).
macro_rules! on_reader {
    ($store:expr, $sql:expr, $params:expr, $conn:ident => $body:expr) => {
        match $store
            .readers
            .as_ref()
            .and_then(|readers| readers.first($sql, $params))
        {
            Some(row) => Ok(row),
            None => $crate::store::on_pool!($store, $conn => $body),
        }
    };
}

pub(crate) use {on_pool, on_reader, on_tx};

/// An account that may sign in and be reached, on `app_user u`: neither closed nor suspended.
const ACTIVE_USER: &str = "u.disabled_at IS NULL AND u.suspended_at IS NULL";
/// Active accounts whose data may be used to notify them: not those whose processing the rights
/// desk limited (a limitation or an objection granted).
const NOTIFIED_USER: &str =
    "u.disabled_at IS NULL AND u.suspended_at IS NULL AND u.limited_at IS NULL";

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "adresse de base de données non reconnue : « {0} » (attendu : sqlite://… ou postgres://…)"
    )]
    UnknownScheme(String),
    #[error("erreur de base de données")]
    Database(#[from] sqlx::Error),
    #[error("échec de la migration du schéma")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A stored value breaks the domain's rules: the database was written by something else.
    #[error("donnée enregistrée invalide : {0}")]
    Corrupt(String),
    /// The system gave no randomness (a salt could not be drawn).
    #[error("aléa indisponible : {0}")]
    Randomness(String),
    /// The audit trail was found altered when it was to be re-chained: it is left as it is.
    #[error("journal d'audit altéré, migration refusée : {0}")]
    AlteredTrail(String),
    #[error("les rôles de base de données (adresse du propriétaire, de la purge) n'existent que sur PostgreSQL")]
    RolesNeedPostgres,
    #[error("les plans des requêtes ne sont montrés que pour PostgreSQL")]
    PlansNeedPostgres,
}

/// Which engine a store runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The engine's name, as the tools' tables print it.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        }
    }
}

/// The pool of the engine the store runs on. Only this module matches on it; tests and tools
/// that must reach the database itself (to tamper with it, to read a query plan) get it through
/// [`Store::engine`].
#[derive(Clone, Debug)]
pub enum Engine {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// The connections an instance keeps to PostgreSQL at most, unless configured otherwise. Few:
/// the database works no faster with more queries at once than it has cores to run them, and
/// each one more is a process competing for them. On a 2-core machine running the database too,
/// 500 bookings at once were served in a p99 of 163–183 ms with 4 connections, 177 with 8,
/// 218–259 with 10 or 12, 266–288 with 20 and 393–397 with 40 (`server bench`).
pub const DEFAULT_CONNECTIONS: u32 = 8;

/// Storage, on either engine, with its change feed (see [`Store::changes`]).
#[derive(Clone)]
pub struct Store {
    engine: Engine,
    feed: Arc<feed::Hub>,
    /// The slots being booked in this instance (see [`turns`]).
    turns: Arc<turns::Turns>,
    /// The reads every request makes, on the request's own thread (see [`readers`]): on an
    /// SQLite file only.
    readers: Option<Arc<readers::Readers>>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Store").field(&self.engine).finish()
    }
}

/// An open transaction on either engine; dropped without `commit`, it rolls back, and what it
/// changed is never published.
pub struct Tx {
    open: OpenTx,
    feed: Arc<feed::Hub>,
    /// On SQLite, what to publish once the commit has succeeded.
    changes: Vec<feed::Committed>,
    /// What a transaction that records many events and changes none of it reads once and keeps
    /// until its commit, when it asked for it (see [`Tx::remember`]).
    remembered: Option<Remembered>,
    /// The dashboards' summaries' moves of the dossiers this transaction changed, applied just
    /// before the commit (see [`dashboards::Moves`]).
    moves: dashboards::Moves,
}

/// Reference data a transaction recording events reads once, not once per event (see
/// [`Tx::remember`]).
#[derive(Default)]
struct Remembered {
    /// The reference data of the alert rules, by post.
    references: std::collections::HashMap<String, Arc<alerts::References>>,
    /// The recent durations of each forecast basis refreshed, kept up to date with what the
    /// transaction adds.
    windows: forecasts::Windows,
    /// The notification kinds' templates, by code.
    kinds: std::collections::HashMap<String, notifications::KindRow>,
    /// The goods categories each post is approved for.
    approvals: std::collections::HashMap<String, Vec<crate::domain::dossier::GoodsCategory>>,
    /// The partner sources heard from, by site and source: when last, and their usual interval,
    /// written at the commit (see [`Tx::source_heard`]).
    heard: std::collections::BTreeMap<(String, String), (DateTime<Utc>, Option<i64>)>,
    /// The facts of the dossiers last worked out again (a chunk of events, or a document's
    /// dossier), for the check of their order that follows: taken by it.
    facts: std::collections::HashMap<i64, Vec<crate::domain::timeline::Fact>>,
}

impl Tx {
    /// Keeps the reference data read until the commit — the alert rules' thresholds,
    /// responsibilities and names by post, the notification kinds, the posts' approvals — and
    /// the recent durations of each forecast basis, followed as the transaction adds to them:
    /// for a transaction that records events and changes none of that data, each is read once,
    /// not once per event (a batch of a hundred events finishing the same step read the last
    /// thousand durations a hundred times).
    pub(crate) fn remember(&mut self) {
        self.remembered.get_or_insert_with(Remembered::default);
    }
}

/// A dossier as the dashboards and the forecasts count it, as it stands in a transaction that
/// just wrote it: what [`Tx::record_durations`] and [`Tx::record_indicators`] are given rather
/// than read again.
pub(crate) struct Standing<'a> {
    pub opened_at: DateTime<Utc>,
    pub site: String,
    pub post: Option<String>,
    pub goods: String,
    pub company: Option<i64>,
    pub steps: &'a [crate::domain::journey::Step],
    /// Opened in this transaction: it counts for nothing yet, nothing is read to know it.
    pub fresh: bool,
}

impl Standing<'_> {
    /// The dossiers among these that were not opened in this transaction: those whose rows
    /// (durations, indicators) are to be read before they are written again.
    pub(crate) fn stored(dossiers: &[(i64, &Standing<'_>)]) -> Vec<i64> {
        dossiers
            .iter()
            .filter(|(_, standing)| !standing.fresh)
            .map(|(id, _)| *id)
            .collect()
    }
}

/// An instant as the stores keep it (to the microsecond, PostgreSQL's precision): what is
/// compared with rows read back is worked out from the same.
pub(crate) fn stored_instant(at: DateTime<Utc>) -> DateTime<Utc> {
    use chrono::SubsecRound;
    at.trunc_subsecs(6)
}

pub(crate) enum OpenTx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

impl Store {
    /// Connects to the store the URL names (`sqlite://path` or `postgres://…`). An SQLite file
    /// and its folder are created when missing: the embedded store needs no installation.
    #[tracing::instrument(skip_all)]
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        Store::connect_with(url, DEFAULT_CONNECTIONS).await
    }

    /// [`Store::connect`], with at most `connections` connections to PostgreSQL (the embedded
    /// store keeps its own few).
    #[tracing::instrument(skip_all)]
    pub async fn connect_with(url: &str, connections: u32) -> Result<Store, StoreError> {
        if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
                // Pages read the file through the operating system's cache, mapped, rather than
                // copied into each connection's small cache (2 MiB by default): with years of
                // history, a dossier page otherwise spends its time in system calls.
                .pragma("mmap_size", "1073741824")
                .pragma("cache_size", "-16384");
            if let Some(folder) = options.get_filename().parent() {
                if !folder.as_os_str().is_empty() {
                    std::fs::create_dir_all(folder).map_err(sqlx::Error::Io)?;
                }
            }
            let pool = SqlitePoolOptions::new()
                .max_connections(8)
                .acquire_timeout(Duration::from_secs(10))
                // A file opened in this process does not drop like a network link: no ping
                // before each use (a round trip to the connection's thread on every query,
                // which a burst of requests pays in the pool's queue).
                .test_before_acquire(false)
                .connect_with(options.clone())
                .await?;
            let mut store = Store::on(Engine::Sqlite(pool));
            // A file, which the pool has just created if it was missing (a database in
            // memory is only sqlx's connections' own).
            let file = options.get_filename();
            if file.is_file() {
                store.readers = Some(Arc::new(readers::Readers::new(file.to_path_buf())));
            }
            Ok(store)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let pool = PgPoolOptions::new()
                .max_connections(connections.max(1))
                .acquire_timeout(Duration::from_secs(10))
                .connect(url)
                .await?;
            Ok(Store::on(Engine::Postgres(pool)))
        } else {
            let scheme = url.split(':').next().unwrap_or_default().to_owned();
            Err(StoreError::UnknownScheme(scheme))
        }
    }

    fn on(engine: Engine) -> Store {
        Store {
            engine,
            feed: feed::Hub::new(),
            turns: Arc::default(),
            readers: None,
        }
    }

    pub fn backend(&self) -> Backend {
        match self.engine {
            Engine::Sqlite(_) => Backend::Sqlite,
            Engine::Postgres(_) => Backend::Postgres,
        }
    }

    /// SQL comparing the time `at` plus `seconds` (an SQL expression) with the time `than` (a
    /// parameter), with `op`, in this store's dialect: the one place time arithmetic is written.
    pub(crate) fn later(&self, at: &str, seconds: &str, op: &str, than: &str) -> String {
        match self.backend() {
            Backend::Postgres => format!("{at} + ({seconds}) * INTERVAL '1 second' {op} {than}"),
            Backend::Sqlite => format!("unixepoch({at}) + ({seconds}) {op} unixepoch({than})"),
        }
    }

    /// The engine's pool itself, for tests and tools that must go around the store (tamper
    /// with the audit trail, read a query plan, create a database). The platform never does.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Runs one statement as it is, outside any transaction: for tests and tools (see
    /// [`Store::engine`]).
    #[tracing::instrument(skip_all)]
    pub async fn execute_unchecked(&self, statement: &str) -> Result<(), sqlx::Error> {
        on_pool!(self, pool => sqlx::query(statement).execute(pool).await.map(|_| ()))
    }

    /// Every change a committed write makes from now on, once committed, from any instance on
    /// PostgreSQL (through `NOTIFY`), from this process on SQLite; [`FeedMessage::Lost`] when
    /// some may have been missed.
    pub fn changes(&self) -> tokio::sync::broadcast::Receiver<FeedMessage> {
        let receiver = self.feed.subscribe();
        if let Engine::Postgres(pool) = &self.engine {
            self.feed.listen_to(pool);
        }
        receiver
    }

    /// Brings the schema up to date; each store has its own migrations folder.
    #[tracing::instrument(skip_all)]
    pub async fn migrate(&self) -> Result<(), StoreError> {
        match &self.engine {
            Engine::Sqlite(pool) => sqlx::migrate!("../migrations/sqlite").run(pool).await?,
            Engine::Postgres(pool) => sqlx::migrate!("../migrations/postgres").run(pool).await?,
        }
        self.rechain_format_1_audit().await?;
        self.settle_stored_facts().await?;
        self.settle_correlation_alerts().await?;
        self.settle_forecasts().await?;
        self.settle_indicators().await
    }

    /// PostgreSQL, run as the schema's owner after migrating: gives the application's role (the
    /// user of `app_url`) what the platform needs and no more — it reads and writes the tables
    /// but may only append to the audit trail, never update, delete or truncate it, nor change
    /// the schema — and the purge's role (the user of `purge_url`) only the erasure of the trail's
    /// personal values. Idempotent: granted again at every start, so new tables are covered.
    #[tracing::instrument(skip_all)]
    pub async fn grant_roles(
        &self,
        app_url: &str,
        purge_url: Option<&str>,
    ) -> Result<(), StoreError> {
        let Engine::Postgres(pool) = &self.engine else {
            return Err(StoreError::RolesNeedPostgres);
        };
        let role = |url: &str| -> Result<String, StoreError> {
            let options: sqlx::postgres::PgConnectOptions = url.parse()?;
            // A quoted identifier: any name is taken literally.
            Ok(format!(
                "\"{}\"",
                options.get_username().replace('"', "\"\"")
            ))
        };
        let owner: String = sqlx::query_scalar("SELECT current_user::text")
            .fetch_one(pool)
            .await?;
        let owner = format!("\"{}\"", owner.replace('"', "\"\""));
        let app = role(app_url)?;
        let mut statements = Vec::new();
        if app != owner {
            statements.extend([
                format!("GRANT USAGE ON SCHEMA public TO {app}"),
                format!(
                    "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {app}"
                ),
                format!("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {app}"),
                format!("REVOKE UPDATE, DELETE, TRUNCATE ON audit_entry FROM {app}"),
                // The messaging's record: messages are added, never changed nor deleted.
                format!("REVOKE UPDATE, DELETE, TRUNCATE ON exchange_entry FROM {app}"),
                format!("REVOKE INSERT, UPDATE, DELETE ON _sqlx_migrations FROM {app}"),
            ]);
        }
        if let Some(purge) = purge_url.map(role).transpose()? {
            if purge != owner && purge != app {
                statements.extend([
                    format!("GRANT USAGE ON SCHEMA public TO {purge}"),
                    format!("GRANT SELECT, INSERT ON audit_entry TO {purge}"),
                    format!(
                        "GRANT UPDATE (actor, personal_detail, identity_salt, address, client_key, connection_salt) \
                         ON audit_entry TO {purge}"
                    ),
                    format!("GRANT SELECT, UPDATE ON audit_head TO {purge}"),
                    // An erased author's name gives way to a neutral label, never the text.
                    format!("GRANT SELECT ON exchange_entry TO {purge}"),
                    format!("GRANT UPDATE (author_label, author_user_id) ON exchange_entry TO {purge}"),
                ]);
            }
        }
        let mut tx = pool.begin().await?;
        for statement in statements {
            sqlx::query(&statement).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Whether the database answers, for the readiness probe.
    #[tracing::instrument(skip_all)]
    pub async fn ping(&self) -> Result<(), StoreError> {
        on_pool!(self, pool => sqlx::query("SELECT 1").execute(pool).await.map(|_| ()))?;
        Ok(())
    }

    /// Opens a transaction for writing. On SQLite it takes the write lock at once (`BEGIN
    /// IMMEDIATE`): a transaction that reads then writes would otherwise fail, not wait, when
    /// another connection wrote in between.
    #[tracing::instrument(skip_all)]
    pub async fn begin(&self) -> Result<Tx, StoreError> {
        let open = match &self.engine {
            Engine::Sqlite(pool) => OpenTx::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?),
            Engine::Postgres(pool) => OpenTx::Postgres(pool.begin().await?),
        };
        Ok(Tx {
            open,
            feed: Arc::clone(&self.feed),
            changes: Vec::new(),
            remembered: None,
            moves: dashboards::Moves::default(),
        })
    }

    /// Whether [`Store::close`] was called: background workers stop.
    pub fn is_closed(&self) -> bool {
        on_pool!(self, pool => pool.is_closed())
    }

    #[tracing::instrument(skip_all)]
    pub async fn close(&self) {
        if let Some(readers) = &self.readers {
            readers.close();
        }
        on_pool!(self, pool => pool.close().await)
    }
}

impl Tx {
    /// Commits; on SQLite, then publishes what the transaction changed (PostgreSQL delivers its
    /// notifications at commit by itself).
    #[tracing::instrument(skip_all)]
    pub async fn commit(mut self) -> Result<(), StoreError> {
        self.apply_heard().await?;
        self.apply_moves().await?;
        match self.open {
            OpenTx::Sqlite(tx) => {
                tx.commit().await?;
                for change in self.changes {
                    self.feed.publish(FeedMessage::Changed(change));
                }
            }
            OpenTx::Postgres(tx) => tx.commit().await?,
        }
        Ok(())
    }

    /// Records that this transaction changes `change`, for the change feed: published once
    /// committed, never if rolled back.
    #[tracing::instrument(skip_all)]
    pub(crate) async fn announce(&mut self, change: feed::Committed) -> Result<(), StoreError> {
        match &mut self.open {
            OpenTx::Postgres(tx) => {
                sqlx::query("SELECT pg_notify($1, $2)")
                    .bind(CHANNEL)
                    .bind(change.payload())
                    .execute(&mut **tx)
                    .await?;
            }
            OpenTx::Sqlite(_) => self.changes.push(change),
        }
        Ok(())
    }

    /// [`Tx::announce`] for many changes, in one statement.
    pub(crate) async fn announce_all(
        &mut self,
        changes: &[feed::Committed],
    ) -> Result<(), StoreError> {
        match &mut self.open {
            OpenTx::Postgres(tx) => {
                if changes.is_empty() {
                    return Ok(());
                }
                let payloads: Vec<String> = changes
                    .iter()
                    .copied()
                    .map(feed::Committed::payload)
                    .collect();
                sqlx::query(
                    "SELECT pg_notify($1, given.payload)
                     FROM unnest($2::text[]) WITH ORDINALITY AS given(payload, n) ORDER BY given.n",
                )
                .bind(CHANNEL)
                .bind(payloads)
                .execute(&mut **tx)
                .await?;
            }
            OpenTx::Sqlite(_) => self.changes.extend(changes.iter().copied()),
        }
        Ok(())
    }

    /// Links row `id` to `sites` in `table` (`owner` names its column, beside `site_code`), in
    /// one statement: the sites a mandate covers, those a new company declares.
    pub(crate) async fn link_sites(
        &mut self,
        table: &'static str,
        owner: &'static str,
        id: i64,
        sites: &[crate::domain::references::Locode],
    ) -> Result<(), StoreError> {
        if sites.is_empty() {
            return Ok(());
        }
        let rows = (0..sites.len())
            .map(|n| format!("($1, ${})", n + 2))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!("INSERT INTO {table} ({owner}, site_code) VALUES {rows}");
        on_tx!(self, conn => {
            let mut query = sqlx::query(&sql).bind(id);
            for site in sites {
                query = query.bind(site.as_str());
            }
            query.execute(conn).await.map(|_| ())
        })?;
        Ok(())
    }

    /// Rows one statement of a set writes (or ids one read names) at most, for rows of
    /// `values_per_row` values: on PostgreSQL, as many as a statement takes (65,535 values, at
    /// most 1,000 rows), one round trip for many; on SQLite, in-process, a few hundred values,
    /// as sqlx looks each value's name up among all the statement's (a time that grows with the
    /// square of their number: a statement of 9,000 values cost more than the rows it wrote).
    pub(crate) fn rows_a_statement(&self, values_per_row: usize) -> usize {
        let values = match self.open {
            OpenTx::Postgres(_) => 65_535,
            OpenTx::Sqlite(_) => SQLITE_VALUES_A_STATEMENT,
        };
        (values / values_per_row.max(1)).clamp(1, 1_000)
    }

    /// The rows `select` gives for these dossiers (`select` ends in `IN`, after the column that
    /// holds a dossier's id: `WHERE dossier_id IN`), as many dossiers a read as the store takes
    /// well.
    pub(crate) async fn read_for_dossiers<R>(
        &mut self,
        select: &str,
        dossiers: &[i64],
    ) -> Result<Vec<R>, StoreError>
    where
        R: Send
            + Unpin
            + for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
            + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>,
    {
        let mut rows = Vec::new();
        let size = self.rows_a_statement(1);
        for ids in dossiers.chunks(size) {
            let sql = format!("{select} ({})", placeholders(1, ids.len()));
            let mut read: Vec<R> = on_tx!(self, conn => {
                let mut query = sqlx::query_as(&sql);
                for id in ids {
                    query = query.bind(id);
                }
                query.fetch_all(conn).await
            })?;
            rows.append(&mut read);
        }
        Ok(rows)
    }

    /// Deletes the rows of `table` of these dossiers, as many dossiers a statement as the store
    /// takes well.
    pub(crate) async fn delete_for_dossiers(
        &mut self,
        table: &'static str,
        dossiers: &[i64],
    ) -> Result<(), StoreError> {
        let size = self.rows_a_statement(1);
        for ids in dossiers.chunks(size) {
            let sql = format!(
                "DELETE FROM {table} WHERE dossier_id IN ({})",
                placeholders(1, ids.len())
            );
            on_tx!(self, conn => {
                let mut query = sqlx::query(&sql);
                for id in ids {
                    query = query.bind(id);
                }
                query.execute(conn).await.map(|_| ())
            })?;
        }
        Ok(())
    }

    /// What ends a `SELECT` that locks the rows it reads until the transaction ends: ` FOR
    /// UPDATE` on PostgreSQL; nothing on SQLite, whose writers are serialised.
    pub(crate) fn row_lock(&self) -> &'static str {
        match self.open {
            OpenTx::Postgres(_) => " FOR UPDATE",
            OpenTx::Sqlite(_) => "",
        }
    }

    /// The open PostgreSQL transaction, for what only PostgreSQL needs (advisory locks, the
    /// stream position); `None` on SQLite, whose writers are serialised.
    pub(crate) fn postgres(&mut self) -> Option<&mut Transaction<'static, Postgres>> {
        match &mut self.open {
            OpenTx::Postgres(tx) => Some(tx),
            OpenTx::Sqlite(_) => None,
        }
    }
}

/// Values one SQLite statement of a set binds at most (see [`Tx::rows_a_statement`]).
const SQLITE_VALUES_A_STATEMENT: usize = 240;

/// `count` numbered parameters from `$first`, as a list: `$2, $3`.
pub(crate) fn placeholders(first: usize, count: usize) -> String {
    (first..first + count)
        .map(|n| format!("${n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `rows` rows of `per_row` numbered parameters each, from `$first`, for a multi-row `VALUES`:
/// `($1, $2), ($3, $4)`.
pub(crate) fn values_sql(rows: usize, per_row: usize, first: usize) -> String {
    (0..rows)
        .map(|n| format!("({})", placeholders(first + n * per_row, per_row)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Parses a stored code through the domain's own parser, so that a bad row is reported, not
/// silently shown.
pub(crate) fn decode<T>(
    what: &str,
    value: &str,
    parse: impl FnOnce(&str) -> Option<T>,
) -> Result<T, StoreError> {
    parse(value).ok_or_else(|| StoreError::Corrupt(format!("{what} « {value} »")))
}

/// Like [`decode`], for a reference whose parser explains what is wrong.
pub(crate) fn decode_reference<T, E: std::fmt::Display>(
    value: Option<String>,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> Result<Option<T>, StoreError> {
    value
        .map(|text| parse(&text).map_err(|error| StoreError::Corrupt(error.to_string())))
        .transpose()
}
