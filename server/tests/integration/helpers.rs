//! What every integration test needs: a fresh database of either store, a configuration for
//! it, and the real server running on port 0.

use std::net::SocketAddr;

use app::store::{Backend, Store};
use secrecy::SecretString;
use server::config::Config;
use server::Server;
use tokio::sync::oneshot;

pub const DEMO_API_KEY: &str = "cle-de-test-partenaire";

/// A fresh, empty database of the given kind, or `None` when PostgreSQL is not available
/// outside CI (the test script says so loudly; under CI it is a failure).
pub async fn fresh_database(backend: Backend) -> Option<String> {
    match backend {
        Backend::Sqlite => {
            let folder = std::env::temp_dir().join(format!("sesame-test-{}", uuid::Uuid::new_v4()));
            Some(format!("sqlite://{}/sesame.db", folder.display()))
        }
        Backend::Postgres => {
            let Ok(admin_url) = std::env::var("TEST_DATABASE_URL") else {
                if std::env::var("CI").as_deref() == Ok("true") {
                    panic!("TEST_DATABASE_URL manquant : sous CI, les tests PostgreSQL ne peuvent pas être sautés");
                }
                eprintln!("!!! TEST_DATABASE_URL absent : test PostgreSQL SAUTÉ");
                return None;
            };
            let name = format!("sesame_test_{}", uuid::Uuid::new_v4().simple());
            let admin = Store::connect(&admin_url)
                .await
                .expect("PostgreSQL de test joignable");
            let Store::Postgres(pool) = &admin else {
                panic!("TEST_DATABASE_URL doit viser PostgreSQL")
            };
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(pool)
                .await
                .expect("création de la base de test");
            admin.close().await;
            let (base, query) = match admin_url.split_once('?') {
                Some((base, query)) => (base, format!("?{query}")),
                None => (admin_url.as_str(), String::new()),
            };
            let server = base
                .rsplit_once('/')
                .map(|(server, _)| server)
                .unwrap_or(base);
            Some(format!("{server}/{name}{query}"))
        }
    }
}

pub fn config(database_url: String) -> Config {
    let mut config = Config::defaults();
    config.database_url = SecretString::from(database_url);
    config.site_addr = "127.0.0.1:0".parse().unwrap();
    config.demo = true;
    config.demo_api_key = Some(SecretString::from(DEMO_API_KEY));
    config.shutdown_grace_seconds = 5;
    // Mails a test does not read go to a folder of its own, not into the working tree.
    config.mail_folder =
        std::env::temp_dir().join(format!("sesame-test-mails-{}", uuid::Uuid::new_v4()));
    config
}

pub struct Running {
    pub addr: SocketAddr,
    pub store: Store,
    stop: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Running {
    pub async fn start(config: &Config) -> Running {
        let server = Server::build(config).await.expect("le serveur démarre");
        let (addr, store) = (server.addr, server.store.clone());
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(server.run(async move {
            let _ = stopped.await;
        }));
        Running {
            addr,
            store,
            stop,
            task,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub async fn get(&self, path: &str) -> (u16, String) {
        let response = reqwest::get(self.url(path)).await.expect("requête HTTP");
        let status = response.status().as_u16();
        (status, response.text().await.expect("corps de la réponse"))
    }

    pub async fn stop(self) {
        let _ = self.stop.send(());
        self.task
            .await
            .expect("tâche du serveur")
            .expect("arrêt propre");
    }
}

/// Runs one statement straight on the database, as someone holding its keys would (to age a
/// session, or to tamper with the audit trail).
pub async fn execute(store: &Store, statement: &str) -> Result<(), sqlx::Error> {
    match store {
        Store::Sqlite(pool) => sqlx::query(statement).execute(pool).await.map(|_| ()),
        Store::Postgres(pool) => sqlx::query(statement).execute(pool).await.map(|_| ()),
    }
}

/// Runs each named scenario `fn(Backend)` once on SQLite and once on PostgreSQL.
macro_rules! on_both_stores {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test] async fn $name() { super::$name(app::store::Backend::Sqlite).await })*
        }
        mod postgres {
            $(#[tokio::test] async fn $name() { super::$name(app::store::Backend::Postgres).await })*
        }
    };
}
pub(crate) use on_both_stores;

/// A valid container number of this owner, at or after this serial (the check digit computed).
pub fn container(owner: &str, serial: u32) -> String {
    (serial..)
        .find_map(|serial| {
            app::domain::references::ContainerNumber::from_parts(owner, 'U', serial).ok()
        })
        .unwrap()
        .to_string()
}
