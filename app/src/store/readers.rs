//! On the embedded store, the reads every request makes (the session's, the booking form's
//! dossier and slot) made on the request's own thread.
//!
//! sqlx runs each SQLite connection on a thread of its own and hands it every query, then hands
//! the rows back: two hand-overs between threads a read, which cost far more than the read. The
//! session's read took 60–66 µs through sqlx and 4.7–4.8 µs here, one after the other on the
//! same file (and, with 500 requests at once on two cores, those hand-overs were most of what
//! refused bookings cost the instance). These reads are made with rusqlite, on the very SQLite
//! library sqlx links (one `libsqlite3-sys`), on connections kept here: each only reads, one
//! statement at a time outside any transaction (the statement is reset once its row is read, so
//! no snapshot is held between two reads). A read that fails here (the file busy, a statement
//! the connection cannot prepare) closes its connection and is made again through sqlx by the
//! caller ([`super::on_reader!`]), which waits for the file and reports a real failure.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{Connection, OpenFlags, ToSql};

/// A row read here, built from its columns by name as sqlx's `FromRow` builds it.
pub(crate) trait FromReader: Sized {
    fn from_reader(row: &rusqlite::Row<'_>, columns: &Columns<'_>) -> rusqlite::Result<Self>;
}

/// The names of the row's columns, read from SQLite once a row: found by name field by field,
/// rusqlite asks SQLite every column's name again for each field (about a twentieth of a refused
/// booking's CPU in a profile).
pub(crate) struct Columns<'a>(Vec<&'a str>);

impl Columns<'_> {
    /// The position of the column `name`, compared as SQLite compares them (ASCII case aside).
    pub(crate) fn index(&self, name: &str) -> rusqlite::Result<usize> {
        self.0
            .iter()
            .position(|column| column.eq_ignore_ascii_case(name))
            .ok_or_else(|| rusqlite::Error::InvalidColumnName(name.to_owned()))
    }
}

/// [`FromReader`] for a struct that derives `sqlx::FromRow`, from the names of its fields (its
/// columns), then after `;` those it flattens: the compiler checks that none is missing.
macro_rules! from_reader {
    ($row:ident { $($field:ident),* $(,)? $(; $($flattened:ident),* $(,)?)? }) => {
        impl $crate::store::readers::FromReader for $row {
            fn from_reader(
                row: &rusqlite::Row<'_>,
                columns: &$crate::store::readers::Columns<'_>,
            ) -> rusqlite::Result<Self> {
                Ok($row {
                    $($field: row.get(columns.index(stringify!($field))?)?,)*
                    $($($flattened: $crate::store::readers::FromReader::from_reader(row, columns)?,)*)?
                })
            }
        }
    };
}
pub(crate) use from_reader;

/// An instant as sqlx writes it into SQLite, for the parameters of the reads made here: stored
/// instants are compared as text, so the two must write them alike.
pub(crate) fn instant(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::AutoSi, false)
}

pub(crate) struct Readers {
    path: PathBuf,
    /// The connections not reading: as many were opened as reads ran at once, at most one a
    /// thread running requests, since a read here never waits.
    idle: Mutex<Vec<Connection>>,
    closed: AtomicBool,
}

impl Readers {
    pub(crate) fn new(path: PathBuf) -> Readers {
        Readers {
            path,
            idle: Mutex::new(Vec::new()),
            closed: AtomicBool::new(false),
        }
    }

    /// The first row `sql` gives with `params` bound to `$1`, `$2`…, or `None` when the read
    /// could not be made here (the caller makes it through sqlx).
    pub(crate) fn first<T: FromReader>(
        &self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Option<Option<T>> {
        if self.closed.load(Ordering::Acquire) {
            return None;
        }
        let idle = self.idle().pop();
        let connection = match idle.map(Ok).unwrap_or_else(|| open(&self.path)) {
            Ok(connection) => connection,
            Err(error) => {
                tracing::warn!(%error, "lecture SQLite directe impossible, faite par le pool");
                return None;
            }
        };
        match first(&connection, sql, params) {
            Ok(row) => {
                if !self.closed.load(Ordering::Acquire) {
                    self.idle().push(connection);
                }
                Some(row)
            }
            Err(error) => {
                tracing::warn!(%error, "lecture SQLite directe impossible, faite par le pool");
                None
            }
        }
    }

    /// Closes the idle connections; reads are then made through sqlx (which refuses them once
    /// its pool is closed).
    pub(crate) fn close(&self) {
        self.closed.store(true, Ordering::Release);
        self.idle().clear();
    }

    fn idle(&self) -> std::sync::MutexGuard<'_, Vec<Connection>> {
        self.idle
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

fn open(path: &std::path::Path) -> rusqlite::Result<Connection> {
    let connection = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    // Never wait for the file on a thread that runs requests: sqlx waits, on its own.
    connection.busy_timeout(Duration::ZERO)?;
    // As the store's own connections: pages read through the operating system's cache.
    connection.pragma_update(None, "mmap_size", 1_073_741_824_i64)?;
    Ok(connection)
}

/// The parameters' names, `$1`, `$2`…, as the store's SQL writes them: written once here, not
/// formatted at each read (a read with more is left to sqlx).
const PARAMETERS: [&str; 8] = ["$1", "$2", "$3", "$4", "$5", "$6", "$7", "$8"];

fn first<T: FromReader>(
    connection: &Connection,
    sql: &str,
    params: &[&(dyn ToSql + Sync)],
) -> rusqlite::Result<Option<T>> {
    let mut statement = connection.prepare_cached(sql)?;
    for (n, value) in params.iter().enumerate() {
        let name = PARAMETERS
            .get(n)
            .ok_or(rusqlite::Error::InvalidParameterCount(
                params.len(),
                PARAMETERS.len(),
            ))?;
        let index = statement
            .parameter_index(name)?
            .ok_or_else(|| rusqlite::Error::InvalidParameterName((*name).to_owned()))?;
        statement.raw_bind_parameter(index, value)?;
    }
    let mut rows = statement.raw_query();
    let row = match rows.next()? {
        Some(row) => {
            let columns = Columns(row.as_ref().column_names());
            T::from_reader(row, &columns).map(Some)
        }
        None => Ok(None),
    };
    row
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use sqlx::sqlite::SqliteConnectOptions;
    use sqlx::ConnectOptions;

    use super::*;

    struct Pair {
        id: i64,
        at: DateTime<Utc>,
        late: bool,
    }
    from_reader!(Pair { id, at, late });

    const READ: &str = "SELECT id, at, at > $1 AS late FROM pair WHERE id = $2";

    async fn database(name: &str) -> (sqlx::SqliteConnection, Readers, PathBuf) {
        let folder =
            std::env::temp_dir().join(format!("sesame-lecteurs-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&folder);
        std::fs::create_dir_all(&folder).unwrap();
        let file = folder.join("lecteurs.db");
        let mut writer = SqliteConnectOptions::from_str(&format!("sqlite://{}", file.display()))
            .unwrap()
            .create_if_missing(true)
            .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
            .connect()
            .await
            .unwrap();
        sqlx::query("CREATE TABLE pair (id INTEGER PRIMARY KEY, at TEXT NOT NULL)")
            .execute(&mut writer)
            .await
            .unwrap();
        (writer, Readers::new(file), folder)
    }

    fn read(readers: &Readers, id: i64, after: DateTime<Utc>) -> Option<Option<Pair>> {
        readers.first(READ, &[&instant(after), &id])
    }

    #[tokio::test]
    async fn reads_what_sqlx_wrote_as_sqlx_reads_it_and_sees_every_later_write() {
        let (mut writer, readers, folder) = database("ecrit").await;
        let at = DateTime::parse_from_rfc3339("2026-12-07T18:30:00.123456789+01:00")
            .unwrap()
            .with_timezone(&Utc);
        sqlx::query("INSERT INTO pair (id, at) VALUES (1, $1)")
            .bind(at)
            .execute(&mut writer)
            .await
            .unwrap();
        let stored: String = sqlx::query_scalar("SELECT at FROM pair WHERE id = 1")
            .fetch_one(&mut writer)
            .await
            .unwrap();
        assert_eq!(instant(at), stored, "parameters written as sqlx writes");
        let pair = read(&readers, 1, at - chrono::Duration::nanoseconds(1))
            .expect("read here")
            .expect("the row");
        assert_eq!((pair.id, pair.at, pair.late), (1, at, true));
        let pair = read(&readers, 1, at).unwrap().unwrap();
        assert!(!pair.late, "compared as sqlx compares");
        assert!(read(&readers, 2, at).unwrap().is_none(), "no row: none");
        // The connection kept does not keep what it read before: a row written since is seen.
        sqlx::query("INSERT INTO pair (id, at) VALUES (2, $1)")
            .bind(at)
            .execute(&mut writer)
            .await
            .unwrap();
        assert_eq!(read(&readers, 2, at).unwrap().unwrap().id, 2);
        assert_eq!(readers.idle().len(), 1, "one connection, kept");
        readers.close();
        std::fs::remove_dir_all(folder).unwrap();
    }

    #[tokio::test]
    async fn a_store_on_a_file_reads_here_and_one_in_memory_has_no_readers() {
        let folder =
            std::env::temp_dir().join(format!("sesame-lecteurs-magasin-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&folder);
        let store = crate::store::Store::connect(&format!("sqlite://{}/m.db", folder.display()))
            .await
            .unwrap();
        store.migrate().await.unwrap();
        let readers = store.readers.as_ref().expect("readers on a file");
        assert!(store.dossier_for_booking(1, None).await.unwrap().is_none());
        assert_eq!(readers.idle().len(), 1, "read here, its connection kept");
        store.close().await;
        let memory = crate::store::Store::connect("sqlite::memory:")
            .await
            .unwrap();
        assert!(
            memory.readers.is_none(),
            "a database in memory is sqlx's own"
        );
        memory.close().await;
        std::fs::remove_dir_all(folder).unwrap();
    }

    #[tokio::test]
    async fn a_read_that_fails_here_is_left_to_sqlx_and_its_connection_closed() {
        let (_writer, readers, folder) = database("echec").await;
        assert!(read(&readers, 1, Utc::now()).unwrap().is_none());
        assert_eq!(readers.idle().len(), 1);
        let unknown: Option<Option<Pair>> = readers.first("SELECT * FROM absente", &[]);
        assert!(unknown.is_none(), "left to sqlx");
        assert_eq!(readers.idle().len(), 0, "the connection is closed");
        readers.close();
        assert!(
            read(&readers, 1, Utc::now()).is_none(),
            "closed: every read left to sqlx"
        );
        assert_eq!(readers.idle().len(), 0);
        std::fs::remove_dir_all(folder).unwrap();
    }

    #[tokio::test]
    async fn columns_are_found_by_name_whatever_their_case_and_a_missing_one_is_left_to_sqlx() {
        let (mut writer, readers, folder) = database("colonnes").await;
        sqlx::query("INSERT INTO pair (id, at) VALUES (1, $1)")
            .bind(Utc::now())
            .execute(&mut writer)
            .await
            .unwrap();
        let upper: Option<Option<Pair>> = readers.first(
            "SELECT at AS AT, id AS Id, 0 AS LATE FROM pair WHERE id = $1",
            &[&1_i64],
        );
        let pair = upper.expect("read here").expect("the row");
        assert_eq!((pair.id, pair.late), (1, false));
        let missing: Option<Option<Pair>> =
            readers.first("SELECT id, at FROM pair WHERE id = $1", &[&1_i64]);
        assert!(missing.is_none(), "a column missing: left to sqlx");
        readers.close();
        std::fs::remove_dir_all(folder).unwrap();
    }
}
