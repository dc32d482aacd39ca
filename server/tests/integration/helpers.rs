//! What every integration test needs: a fresh database of either store, a configuration for
//! it, and the real server running on port 0.

use std::net::SocketAddr;

use app::store::{Backend, Engine, Store};
use secrecy::SecretString;
use server::config::Config;
use server::Server;
use tokio::sync::oneshot;

pub const DEMO_API_KEY: &str = "cle-de-test-partenaire";

/// The roles a PostgreSQL test database is used with, as in a real deployment: the schema's
/// owner migrates; the application connects as a role that may only append to the audit trail;
/// the purge's role may only erase the trail's personal values. Cluster-wide, created once.
pub const OWNER_ROLE: &str = "sesame_owner";
pub const APP_ROLE: &str = "sesame_app";
pub const PURGE_ROLE: &str = "sesame_purge";
const ROLE_PASSWORD: &str = "sesame-test";

/// `url` with the user `role` (and its test password) instead of its own.
pub fn as_role(url: &str, role: &str) -> String {
    let mut url = reqwest::Url::parse(url).expect("adresse PostgreSQL lisible");
    url.set_username(role).unwrap();
    url.set_password(Some(ROLE_PASSWORD)).unwrap();
    url.to_string()
}

/// A fresh, empty database of the given kind, or `None` when PostgreSQL is not available
/// outside CI (the test script says so loudly; under CI it is a failure). For PostgreSQL, the
/// address is the application role's (see [`APP_ROLE`]); [`config`] adds the owner's and the
/// purge's.
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
            Some(database_on(&admin_url).await)
        }
    }
}

/// A new database on the PostgreSQL server at `admin_url`, with the platform's three roles; its
/// address as the platform's role.
pub async fn database_on(admin_url: &str) -> String {
    let name = format!("sesame_test_{}", uuid::Uuid::new_v4().simple());
    let admin = Store::connect(admin_url)
        .await
        .expect("PostgreSQL de test joignable");
    let app::store::Engine::Postgres(pool) = admin.engine() else {
        panic!("TEST_DATABASE_URL doit viser PostgreSQL")
    };
    for role in [OWNER_ROLE, APP_ROLE, PURGE_ROLE] {
        // Tests running at once may create it together: the loser finds it there.
        let create = format!(
            "DO $$ BEGIN CREATE ROLE {role} LOGIN PASSWORD '{ROLE_PASSWORD}'; \
             EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
        );
        sqlx::query(&create)
            .execute(pool)
            .await
            .expect("création des rôles de test");
    }
    sqlx::query(&format!("CREATE DATABASE {name} OWNER {OWNER_ROLE}"))
        .execute(pool)
        .await
        .expect("création de la base de test");
    admin.close().await;
    let mut url = reqwest::Url::parse(admin_url).expect("TEST_DATABASE_URL lisible");
    url.set_path(&name);
    as_role(url.as_str(), APP_ROLE)
}

/// The configuration of a test server on `database_url`; on PostgreSQL, with the owner's and the
/// purge's addresses beside the application's, as a deployment has them.
pub fn config(database_url: String) -> Config {
    let mut config = Config::defaults();
    if database_url.starts_with("postgres") {
        config.owner_database_url = Some(SecretString::from(as_role(&database_url, OWNER_ROLE)));
        config.purge_database_url = Some(SecretString::from(as_role(&database_url, PURGE_ROLE)));
    }
    config.database_url = SecretString::from(database_url);
    config.site_addr = "127.0.0.1:0".parse().unwrap();
    config.demo = true;
    config.demo_api_key = Some(SecretString::from(DEMO_API_KEY));
    config.shutdown_grace_seconds = 5;
    // Tests move time themselves (`Store::refresh_blocked`, `Store::evaluate_alerts`): the
    // clock's own ticks would mix the present in.
    config.clock_seconds = 0;
    // Mails a test does not read go to a folder of its own, not into the working tree.
    config.mail_folder =
        std::env::temp_dir().join(format!("sesame-test-mails-{}", uuid::Uuid::new_v4()));
    // Documents too.
    config.documents_folder =
        std::env::temp_dir().join(format!("sesame-test-documents-{}", uuid::Uuid::new_v4()));
    config
}

pub struct Running {
    pub addr: SocketAddr,
    /// The store as the platform uses it (on PostgreSQL, the application's role).
    pub store: Store,
    /// On PostgreSQL, the owner's address: for what only someone holding the database's keys
    /// does (tampering with the audit trail).
    pub owner_url: Option<String>,
    stop: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Running {
    pub async fn start(config: &Config) -> Running {
        let server = Server::build(config).await.expect("le serveur démarre");
        let (addr, store) = (server.addr, server.store.clone());
        let owner_url = config
            .owner_database_url
            .as_ref()
            .map(|url| secrecy::ExposeSecret::expose_secret(url).to_owned());
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(server.run(async move {
            let _ = stopped.await;
        }));
        Running {
            addr,
            store,
            owner_url,
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

    /// Runs one statement as the database's owner (on SQLite, the file's holder): what someone
    /// holding the database's keys can do, beyond the platform's own role.
    pub async fn as_owner(&self, statement: &str) -> Result<(), sqlx::Error> {
        match &self.owner_url {
            Some(url) => {
                let owner = Store::connect(url).await.expect("propriétaire joignable");
                let done = execute(&owner, statement).await;
                owner.close().await;
                done
            }
            None => execute(&self.store, statement).await,
        }
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
    store.execute_unchecked(statement).await
}

/// The one number a counting query gives, straight from the database.
pub async fn count(store: &Store, sql: &str) -> i64 {
    match store.engine() {
        Engine::Sqlite(pool) => sqlx::query_scalar(sql).fetch_one(pool).await.unwrap(),
        Engine::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await.unwrap(),
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

/// The company of the account `email`, and its SIRET.
pub async fn company_and_siret(store: &Store, email: &str) -> (i64, String) {
    let company = store
        .user_by_email(email)
        .await
        .unwrap()
        .unwrap()
        .company_id
        .unwrap();
    let siret = store
        .companies()
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.id == company)
        .unwrap()
        .siret
        .to_string();
    (company, siret)
}

/// A client that shows redirections instead of following them (a form's answer is one).
pub fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// A page as the person with the session `cookie` gets it: its status and body.
pub async fn page_as(server: &Running, cookie: &str, path: &str) -> (reqwest::StatusCode, String) {
    let response = no_redirects()
        .get(server.url(path))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.text().await.unwrap())
}

/// The correlation alerts under way (of rule `rule`: `rapprochement` or `poste_non_agree`), of
/// every site, the most recently opened first: what the desk holds for the partner events put
/// before the agents.
pub async fn correlation_alerts(store: &Store, rule: &str) -> Vec<app::store::DeskAlert> {
    store
        .alert_desk(&app::store::DeskQuery {
            rule: Some(rule.to_owned()),
            limit: 1000,
            ..Default::default()
        })
        .await
        .expect("the desk reads")
}

/// Waits, when Paris midnight is less than `margin` away, until it has passed: for a test that
/// reads "today" at several moments and must see one day.
pub async fn clear_of_paris_midnight(margin: chrono::Duration) {
    use app::domain::appointment::{paris_day, paris_instant};
    let now = chrono::Utc::now();
    let today = paris_day(now);
    if paris_day(now + margin) == today {
        return;
    }
    let Some(tomorrow) = today.succ_opt() else {
        return;
    };
    let midnight = paris_instant(tomorrow, chrono::NaiveTime::MIN);
    let wait = (midnight - now + chrono::Duration::seconds(1))
        .to_std()
        .unwrap_or_default();
    tokio::time::sleep(wait).await;
}
