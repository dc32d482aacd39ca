//! On the embedded store, connections of their own for the reads every request makes (the
//! session's, the booking form's dossier), kept outside sqlx's pool.
//!
//! sqlx's pool tests each connection given back to it with a round trip to the connection's
//! thread (a ping), and makes the next request waiting for a connection wait for it. On SQLite
//! that round trip is a hand-over between threads like the query itself: in a burst of requests
//! it doubles what the reads cost. These connections only ever read, one statement at a time and
//! outside any transaction, so one whose request was dropped mid-read is as good as before (its
//! thread finishes or abandons the statement before taking the next); one that failed is closed.

use std::sync::Mutex;

use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::ConnectOptions;
use tokio::sync::{Semaphore, SemaphorePermit};

/// How many reads run at once on the embedded store: SQLite reads in parallel in WAL mode, but
/// not faster than the machine has cores.
const READERS: usize = 4;

pub(crate) struct Readers {
    options: SqliteConnectOptions,
    idle: Mutex<Vec<SqliteConnection>>,
    permits: Semaphore,
}

/// A connection lent for one read; given back when dropped, unless [`Reader::discard`]ed.
pub(crate) struct Reader<'a> {
    connection: Option<SqliteConnection>,
    readers: &'a Readers,
    _permit: SemaphorePermit<'a>,
}

impl Readers {
    pub(crate) fn new(options: SqliteConnectOptions) -> Readers {
        Readers {
            options,
            idle: Mutex::new(Vec::new()),
            permits: Semaphore::new(READERS),
        }
    }

    /// A connection, opened when none is idle.
    pub(crate) async fn get(&self) -> Result<Reader<'_>, sqlx::Error> {
        let permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| sqlx::Error::PoolClosed)?;
        let idle = self.idle().pop();
        let connection = match idle {
            Some(connection) => connection,
            None => self.options.connect().await?,
        };
        Ok(Reader {
            connection: Some(connection),
            readers: self,
            _permit: permit,
        })
    }

    /// Closes the idle connections and refuses any further read.
    pub(crate) async fn close(&self) {
        self.permits.close();
        let idle = std::mem::take(&mut *self.idle());
        for connection in idle {
            let _ = sqlx::Connection::close(connection).await;
        }
    }

    fn idle(&self) -> std::sync::MutexGuard<'_, Vec<SqliteConnection>> {
        self.idle
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Reader<'_> {
    /// Closes the connection rather than giving it back (after a failed read).
    pub(crate) fn discard(mut self) {
        self.connection = None;
    }
}

impl std::ops::Deref for Reader<'_> {
    type Target = SqliteConnection;
    fn deref(&self) -> &SqliteConnection {
        self.connection
            .as_ref()
            .expect("connection lent until dropped")
    }
}

impl std::ops::DerefMut for Reader<'_> {
    fn deref_mut(&mut self) -> &mut SqliteConnection {
        self.connection
            .as_mut()
            .expect("connection lent until dropped")
    }
}

impl Drop for Reader<'_> {
    fn drop(&mut self) {
        if let Some(connection) = self.connection.take() {
            if !self.readers.permits.is_closed() {
                self.readers.idle().push(connection);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    fn readers(name: &str) -> (Readers, std::path::PathBuf) {
        let folder =
            std::env::temp_dir().join(format!("sesame-lecteurs-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&folder);
        std::fs::create_dir_all(&folder).unwrap();
        let options =
            SqliteConnectOptions::from_str(&format!("sqlite://{}/lecteurs.db", folder.display()))
                .unwrap()
                .create_if_missing(true);
        (Readers::new(options), folder)
    }

    async fn one(readers: &Readers) -> Result<i64, sqlx::Error> {
        let mut reader = readers.get().await?;
        sqlx::query_scalar("SELECT 1").fetch_one(&mut *reader).await
    }

    #[tokio::test]
    async fn a_burst_of_reads_shares_a_few_connections_kept_open() {
        let (readers, folder) = readers("rafale");
        let readers = std::sync::Arc::new(readers);
        let reads: Vec<_> = (0..50)
            .map(|_| {
                let readers = std::sync::Arc::clone(&readers);
                tokio::spawn(async move { one(&readers).await })
            })
            .collect();
        for read in reads {
            assert_eq!(read.await.unwrap().unwrap(), 1);
        }
        let kept = readers.idle().len();
        assert!(
            (1..=READERS).contains(&kept),
            "50 reads at once opened {kept} connections, at most {READERS} expected"
        );
        // Given back, not reopened: the next read takes one of them.
        one(&readers).await.unwrap();
        assert_eq!(readers.idle().len(), kept);
        readers.close().await;
        std::fs::remove_dir_all(folder).unwrap();
    }

    #[tokio::test]
    async fn a_discarded_connection_is_not_lent_again_and_closed_readers_refuse() {
        let (readers, folder) = readers("ecartee");
        readers.get().await.unwrap().discard();
        assert_eq!(readers.idle().len(), 0, "a discarded connection is closed");
        one(&readers).await.unwrap();
        assert_eq!(readers.idle().len(), 1);
        readers.close().await;
        assert_eq!(
            readers.idle().len(),
            0,
            "closing closes the idle connections"
        );
        assert!(matches!(one(&readers).await, Err(sqlx::Error::PoolClosed)));
        std::fs::remove_dir_all(folder).unwrap();
    }
}
