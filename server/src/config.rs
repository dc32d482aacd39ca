//! Configuration, in layers: defaults, then an optional TOML file (`SESAME_CONFIG`, or
//! `sesame.toml` when present), then the conventional unprefixed variables (`DATABASE_URL`,
//! `LEPTOS_SITE_ADDR`, `LEPTOS_SITE_ROOT`), then `SESAME_*` variables. Secrets are wrapped so
//! that they never print.

use std::net::SocketAddr;
use std::path::PathBuf;

use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use secrecy::SecretString;
use serde::{Deserialize, Deserializer, Serialize};

/// The documented demo password, used when `SESAME_DEMO_PASSWORD` is not set.
pub const DEFAULT_DEMO_PASSWORD: &str = "sesame-demo-2026";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Environment {
    /// Readable logs.
    Development,
    /// JSON logs, one object a line.
    Production,
}

#[derive(Debug, Deserialize)]
pub struct Config {
    /// The application's database. On PostgreSQL with `owner_database_url` set, its role is
    /// granted only what the application needs: it may append to the audit trail, never rewrite it.
    pub database_url: SecretString,
    /// PostgreSQL: the schema owner's address (`SESAME_OWNER_DATABASE_URL`). When set, migrations
    /// run with it, then the roles of `database_url` and `purge_database_url` are granted their
    /// rights; the platform itself then connects as `database_url`.
    pub owner_database_url: Option<SecretString>,
    /// PostgreSQL: the address of the role `server audit purge` runs as
    /// (`SESAME_PURGE_DATABASE_URL`), which may only erase the trail's personal values.
    pub purge_database_url: Option<SecretString>,
    /// PostgreSQL: the connections this instance keeps at most (`SESAME_DATABASE_CONNECTIONS`,
    /// at least 1). About twice the database's cores, shared among the instances.
    #[serde(deserialize_with = "at_least_one")]
    pub database_connections: u32,
    pub environment: Environment,
    /// A `tracing` filter, e.g. `info,sqlx=warn`.
    pub log: String,
    /// Seed demo data into an empty database.
    #[serde(deserialize_with = "flag")]
    pub demo: bool,
    pub demo_password: SecretString,
    /// When set, becomes a partner API key allowed for every source and site.
    pub demo_api_key: Option<SecretString>,
    /// Show the State's brand block: only for deployments run by the State.
    #[serde(deserialize_with = "flag")]
    pub state_deployment: bool,
    /// Whether operators may also have local accounts (a password, by invitation only). A State
    /// deployment, whose terms of use require a douane.gouv.fr account, turns them off
    /// (`SESAME_LOCAL_OPERATOR_ACCOUNTS=0`): operators then come in through the identity
    /// provider that opens their accounts (`opens_operator_accounts`), which must be configured.
    #[serde(deserialize_with = "flag")]
    pub local_operator_accounts: bool,
    /// A State deployment's Marianne font files, for the documents it hands out: a folder
    /// holding `Marianne-Regular` and `Marianne-Bold` (`.otf` or `.ttf`). Without it, or outside
    /// the State, documents are set in the bundled Liberation Sans.
    pub marianne_folder: Option<PathBuf>,
    pub site_addr: SocketAddr,
    /// Where `cargo leptos build` put the site (WASM, JS, CSS, assets).
    pub site_root: String,
    /// How long in-flight requests may take to finish after SIGTERM.
    pub shutdown_grace_seconds: u64,
    /// Addresses and ranges refused as anonymisation networks (Tor bulk exit list format + CIDR).
    pub denylist_file: Option<PathBuf>,
    /// How often the denylist file is checked for changes.
    pub denylist_poll_seconds: u64,
    /// Comma-separated CIDRs of the reverse proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: String,
    /// Networks (comma-separated CIDRs or addresses) whose clients may read `/metrics`.
    pub metrics_networks: String,
    /// Whoever sends `Authorization: Bearer <this>` may read `/metrics` from anywhere.
    pub metrics_token: Option<SecretString>,
    /// State-changing requests a client may send a minute, on average…
    pub submissions_per_minute: u32,
    /// …and at once.
    pub submissions_burst: u32,
    /// Partner interface: events a key may send a minute, on average…
    pub partner_events_per_minute: u32,
    /// …and at once (a batch of 1,000 events costs 1,000).
    pub partner_events_burst: u32,
    /// Partner interface: requests a client address may send a minute, on average, counted
    /// before its key is even looked up…
    pub partner_requests_per_minute: u32,
    /// …and at once.
    pub partner_requests_burst: u32,
    /// Sign-ins, password recoveries and account creations a client or an account may send a
    /// minute, on average…
    pub sensitive_per_minute: u32,
    /// …and at once.
    pub sensitive_burst: u32,
    /// The address people reach the platform at, for links in mails (e.g.
    /// `https://sesame.example.gouv.fr`); by default `http://` + `site_addr`.
    pub public_url: Option<String>,
    /// The sender of every mail.
    pub mail_from: String,
    /// SMTP server, as `smtp://user:password@host:587` (STARTTLS), `smtps://…:465` (TLS) or
    /// `smtp://host:25?tls=none`; without it, mails are written to `mail_folder`.
    pub smtp_url: Option<SecretString>,
    /// Where mails are written when no SMTP server is configured (development).
    pub mail_folder: PathBuf,
    /// A session ends after this long without a request…
    pub session_idle_minutes: u32,
    /// …and after this long in any case.
    pub session_absolute_hours: u32,
    /// How often every live stream gets a keep-alive comment.
    pub live_keep_alive_seconds: u64,
    /// A live stream is renewed after about this long: the browser reconnects at once, without a
    /// gap, and the server checks again who is asking (a session ended, a habilitation withdrawn).
    pub live_renewal_seconds: u64,
    /// How many live streams one signed-in person may keep open at once on an instance (their
    /// tabs and browsers); the next one is refused with 429 until one closes.
    pub live_streams_per_person: u32,
    /// How often each instance looks for notification mails to send (besides when a
    /// notification is written), in milliseconds.
    pub notification_poll_millis: u64,
    /// The first wait before a notification mail that failed is tried again, in milliseconds;
    /// it doubles at each failure, up to five minutes, for a day.
    pub notification_retry_millis: u64,
    /// How often the clock looks at what changes with time alone (blocked steps, alerts), in
    /// seconds; 0 stops it (steps and alerts are then looked at when events arrive only: for
    /// tests that move time themselves).
    pub clock_seconds: u64,
    /// For tests only, refused in production: webhooks may be registered on `http://` and on
    /// the loopback or private networks (otherwise refused, against server-side request forgery).
    #[serde(deserialize_with = "flag")]
    pub webhooks_allow_local: bool,
    /// Serve HTTPS directly (rustls) with this certificate chain (PEM) and key (PEM).
    pub tls_cert_file: Option<PathBuf>,
    pub tls_key_file: Option<PathBuf>,
    /// Refresh the denylist from this address too (e.g. the Tor bulk exit list); the last good
    /// copy is kept when a download fails.
    pub denylist_url: Option<String>,
    pub denylist_refresh_seconds: u64,
    /// Where the last good download of `denylist_url` is kept, to survive a restart while the
    /// address is unreachable.
    pub denylist_cache_file: PathBuf,
    /// External identity providers (OpenID Connect).
    pub oidc: Vec<OidcProviderConfig>,
    /// Where the bytes of the dossiers' documents are kept, on this machine (and where uploads
    /// are received, whatever keeps them).
    pub documents_folder: PathBuf,
    /// S3-compatible object storage for the documents instead of `documents_folder`, for
    /// several instances: `s3://KEY:SECRET@host[:port]/bucket[?region=…][&tls=none]`.
    pub documents_storage: Option<SecretString>,
    /// The most a document may weigh, in mebibytes (uploads and partner documents only: every
    /// other request keeps its 1 MiB cap).
    pub documents_max_mib: u64,
    /// The antivirus daemon (clamd) every document passes through: `tcp://host:port` or
    /// `unix:/path/to/clamd.ctl`. In production, documents are refused while it does not answer;
    /// in development without it, they are kept unscanned.
    pub antivirus: Option<String>,
    /// How often each instance looks for documents awaiting the antivirus (besides when one is
    /// received), in milliseconds.
    pub antivirus_poll_millis: u64,
    /// How often each instance reads the state of the service again (a maintenance scheduled,
    /// started or ended on another instance holds here within this time), in milliseconds.
    pub maintenance_poll_millis: u64,
    /// The legal notice's publisher: its name and postal address (`SESAME_PUBLISHER`).
    pub publisher: String,
    /// The legal notice's publication director (`SESAME_PUBLICATION_DIRECTOR`).
    pub publication_director: String,
    /// The legal notice's host: name, address, telephone (`SESAME_HOST_PROVIDER`).
    pub host_provider: String,
    /// The incident and suggestion service's address, on the contact page and the accessibility
    /// statement (`SESAME_CONTACT_EMAIL`).
    pub contact_email: String,
    /// Where requests about personal data may be sent by e-mail: the DGDDI's bureau Comint 2
    /// (`SESAME_RIGHTS_EMAIL`).
    pub rights_email: String,
}

/// One OpenID Connect identity provider, e.g. in `sesame.toml`:
///
/// ```toml
/// [[oidc]]
/// id = "douane"
/// label = "Compte douane"
/// issuer = "https://auth.example.gouv.fr"
/// client_id = "sesame"
/// client_secret = "…"
/// roles = ["operateur"]
/// opens_operator_accounts = true
/// siret_claim = "siret"          # the default
/// eori_claim = "eori"            # the default
/// company_claim = "raison_sociale" # the default
///
/// [[oidc]]
/// id = "agents"
/// label = "Compte agent de l'État"
/// issuer = "https://agents.example.gouv.fr"
/// client_id = "sesame"
/// client_secret = "…"
/// provisions = ["superviseur", "dgitm"]
/// role_claim = "sesame_role"                     # the default
/// administration_claim = "sesame_administration" # the default
/// ```
#[derive(Clone, Debug, Deserialize)]
pub struct OidcProviderConfig {
    /// Short name used in addresses (`/connexion/oidc/{id}`).
    pub id: String,
    /// What the sign-in button says: "Se connecter avec {label}".
    pub label: String,
    pub issuer: String,
    pub client_id: String,
    pub client_secret: SecretString,
    /// The roles whose accounts this provider may open (`operateur`, `agent_dgddi`…); all when
    /// empty. The customs account, say, opens operators' accounts only.
    #[serde(default)]
    pub roles: Vec<String>,
    /// The first sign-in of someone without an account opens an operator's account, in the
    /// company the provider asserts (the customs account): `true` for one provider at most.
    #[serde(default)]
    pub opens_operator_accounts: bool,
    /// The names of the claims (read from UserInfo) that assert the person's company: its SIRET,
    /// its EORI, its name.
    #[serde(default = "default_siret_claim")]
    pub siret_claim: String,
    #[serde(default = "default_eori_claim")]
    pub eori_claim: String,
    #[serde(default = "default_company_claim")]
    pub company_claim: String,
    /// The State's accounts whose first sign-in this provider opens (an agents' provider), from
    /// the role it asserts under `role_claim` — and, for a supervisor, the administration under
    /// `administration_claim` (`dgal` or `dgddi`): among `superviseur`, `dgitm`, `agent_sivep`
    /// and `agent_dgddi`. None by default. An agent's account opened so has no habilitation:
    /// only a head of service grants one.
    #[serde(default)]
    pub provisions: Vec<String>,
    #[serde(default = "default_role_claim")]
    pub role_claim: String,
    #[serde(default = "default_administration_claim")]
    pub administration_claim: String,
}

fn default_siret_claim() -> String {
    "siret".to_owned()
}

fn default_eori_claim() -> String {
    "eori".to_owned()
}

fn default_company_claim() -> String {
    "raison_sociale".to_owned()
}

fn default_role_claim() -> String {
    "sesame_role".to_owned()
}

fn default_administration_claim() -> String {
    "sesame_administration".to_owned()
}

/// The defaults, as the first layer.
#[derive(Serialize)]
struct Defaults {
    database_url: &'static str,
    database_connections: u32,
    environment: Environment,
    log: &'static str,
    demo: bool,
    demo_password: &'static str,
    state_deployment: bool,
    local_operator_accounts: bool,
    site_addr: &'static str,
    site_root: &'static str,
    shutdown_grace_seconds: u64,
    denylist_poll_seconds: u64,
    trusted_proxies: &'static str,
    metrics_networks: &'static str,
    submissions_per_minute: u32,
    submissions_burst: u32,
    sensitive_per_minute: u32,
    sensitive_burst: u32,
    partner_events_per_minute: u32,
    partner_events_burst: u32,
    partner_requests_per_minute: u32,
    partner_requests_burst: u32,
    mail_from: &'static str,
    mail_folder: &'static str,
    session_idle_minutes: u32,
    session_absolute_hours: u32,
    live_keep_alive_seconds: u64,
    live_renewal_seconds: u64,
    live_streams_per_person: u32,
    notification_poll_millis: u64,
    notification_retry_millis: u64,
    clock_seconds: u64,
    webhooks_allow_local: bool,
    denylist_refresh_seconds: u64,
    denylist_cache_file: &'static str,
    oidc: [(); 0],
    documents_folder: &'static str,
    documents_max_mib: u64,
    antivirus_poll_millis: u64,
    maintenance_poll_millis: u64,
    publisher: &'static str,
    publication_director: &'static str,
    host_provider: &'static str,
    contact_email: &'static str,
    rights_email: &'static str,
}

const DEFAULTS: Defaults = Defaults {
    database_url: "sqlite://data/sesame.db",
    database_connections: app::store::DEFAULT_CONNECTIONS,
    environment: Environment::Development,
    log: "info,sqlx=warn",
    demo: false,
    demo_password: DEFAULT_DEMO_PASSWORD,
    state_deployment: false,
    local_operator_accounts: true,
    site_addr: "127.0.0.1:3000",
    site_root: "target/site",
    shutdown_grace_seconds: 20,
    denylist_poll_seconds: 10,
    trusted_proxies: "",
    // The machine itself: a deployment names its operations network.
    metrics_networks: "127.0.0.0/8,::1",
    submissions_per_minute: 120,
    submissions_burst: 40,
    sensitive_per_minute: 10,
    sensitive_burst: 10,
    // 200 events a second steadily, and three full batches at once: a port's gateway sends its
    // backlog in full batches; a flood of a thousand batches a minute is not a gateway.
    partner_events_per_minute: 12_000,
    partner_events_burst: 3_000,
    partner_requests_per_minute: 600,
    partner_requests_burst: 200,
    mail_from: "France Sésame <ne-pas-repondre@sesame.localhost>",
    mail_folder: "data/mails",
    session_idle_minutes: 30,
    session_absolute_hours: 12,
    live_keep_alive_seconds: 15,
    live_renewal_seconds: 300,
    live_streams_per_person: 8,
    notification_poll_millis: 5_000,
    notification_retry_millis: 30_000,
    clock_seconds: 60,
    webhooks_allow_local: false,
    denylist_refresh_seconds: 3600,
    denylist_cache_file: "data/denylist-url.txt",
    oidc: [],
    documents_folder: "data/documents",
    documents_max_mib: 20,
    antivirus_poll_millis: 5_000,
    maintenance_poll_millis: 5_000,
    publisher: app::branding::DEFAULT_PUBLISHER,
    publication_director: app::branding::DEFAULT_PUBLICATION_DIRECTOR,
    host_provider: app::branding::DEFAULT_HOST_PROVIDER,
    contact_email: app::branding::DEFAULT_CONTACT_EMAIL,
    rights_email: app::branding::DEFAULT_RIGHTS_EMAIL,
};

#[derive(Debug, thiserror::Error)]
#[error("configuration invalide : {0}")]
pub struct ConfigError(#[from] Box<figment::Error>);

impl Config {
    /// Reads the configuration from the layers described in the module documentation.
    pub fn load() -> Result<Config, ConfigError> {
        let file = std::env::var_os("SESAME_CONFIG")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("sesame.toml"));
        Self::figment(file)
            .extract()
            .map_err(|e| ConfigError(Box::new(e)))
    }

    fn figment(file: PathBuf) -> Figment {
        let conventional =
            Env::raw().filter_map(|key| match key.as_str().to_ascii_lowercase().as_str() {
                "database_url" => Some("database_url".into()),
                "leptos_site_addr" => Some("site_addr".into()),
                "leptos_site_root" => Some("site_root".into()),
                _ => None,
            });
        Figment::from(Serialized::defaults(DEFAULTS))
            .merge(Toml::file(file))
            .merge(conventional)
            .merge(Env::prefixed("SESAME_").ignore(&["config"]))
    }

    /// The address links in mails start with, without a trailing slash.
    pub fn base_url(&self) -> String {
        match &self.public_url {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None if self.tls_cert_file.is_some() => format!("https://{}", self.site_addr),
            None => format!("http://{}", self.site_addr),
        }
    }

    /// The defaults alone, for tests and tools that set what they need explicitly.
    pub fn defaults() -> Config {
        Figment::from(Serialized::defaults(DEFAULTS))
            .extract()
            .expect("the built-in defaults are valid")
    }
}

/// A count that cannot be zero, said in French when it is.
fn at_least_one<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u32, D::Error> {
    match u32::deserialize(deserializer)? {
        0 => Err(serde::de::Error::custom(
            "valeur 0 refusée : il faut au moins 1",
        )),
        count => Ok(count),
    }
}

/// Accepts the ways people write a yes/no in an environment variable: `1`, `true`, `oui`, `yes`…
fn flag<'de, D: Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Bool(bool),
        Int(i64),
        Text(String),
    }
    match Raw::deserialize(deserializer)? {
        Raw::Bool(value) => Ok(value),
        Raw::Int(value) => Ok(value != 0),
        Raw::Text(text) => match text.trim().to_lowercase().as_str() {
            "1" | "true" | "oui" | "yes" | "on" => Ok(true),
            "0" | "false" | "non" | "no" | "off" | "" => Ok(false),
            other => Err(serde::de::Error::custom(format!(
                "valeur « {other} » non reconnue : attendu 1 ou 0, true ou false"
            ))),
        },
    }
}

#[cfg(test)]
// figment's test jail dictates its closures' error type, which is large; nothing to shrink here.
#[allow(clippy::result_large_err)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    #[test]
    fn layers_apply_in_order_and_secrets_do_not_print() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "sesame.toml",
                "log = \"debug\"\ndemo = true\nsite_root = \"from-file\"",
            )?;
            jail.set_env("DATABASE_URL", "postgres://u:motdepasse@localhost/sesame");
            jail.set_env("LEPTOS_SITE_ROOT", "from-leptos");
            jail.set_env("SESAME_SITE_ROOT", "from-sesame");
            jail.set_env("SESAME_STATE_DEPLOYMENT", "1");
            jail.set_env("SESAME_DEMO_API_KEY", "cle-secrete");
            let config: Config = Config::figment("sesame.toml".into()).extract()?;
            assert_eq!(config.log, "debug");
            assert!(config.demo);
            assert!(config.state_deployment);
            assert_eq!(config.site_root, "from-sesame");
            assert_eq!(
                config.database_url.expose_secret(),
                "postgres://u:motdepasse@localhost/sesame"
            );
            let printed = format!("{config:?}");
            assert!(!printed.contains("motdepasse"), "{printed}");
            assert!(!printed.contains("cle-secrete"), "{printed}");
            assert!(!printed.contains(DEFAULT_DEMO_PASSWORD), "{printed}");
            Ok(())
        });
    }

    #[test]
    fn database_connections_are_at_least_one() {
        figment::Jail::expect_with(|jail| {
            let config: Config = Config::figment("absent.toml".into()).extract()?;
            assert_eq!(config.database_connections, app::store::DEFAULT_CONNECTIONS);
            jail.set_env("SESAME_DATABASE_CONNECTIONS", "12");
            let config: Config = Config::figment("absent.toml".into()).extract()?;
            assert_eq!(config.database_connections, 12);
            jail.set_env("SESAME_DATABASE_CONNECTIONS", "0");
            let refused = Config::figment("absent.toml".into())
                .extract::<Config>()
                .expect_err("0 connexion refusé");
            assert!(
                refused.to_string().contains("il faut au moins 1"),
                "{refused}"
            );
            Ok(())
        });
    }

    #[test]
    fn identity_providers_come_from_the_file_or_one_variable() {
        figment::Jail::expect_with(|jail| {
            jail.set_env(
                "SESAME_OIDC",
                r#"[{id="douane", label="Compte douane", issuer="https://auth.example.fr", client_id="sesame", client_secret="s3cret"}]"#,
            );
            let config: Config = Config::figment("absent.toml".into()).extract()?;
            assert_eq!(config.oidc.len(), 1);
            assert_eq!(config.oidc[0].id, "douane");
            assert_eq!(config.oidc[0].issuer, "https://auth.example.fr");
            assert_eq!(config.oidc[0].client_secret.expose_secret(), "s3cret");
            assert!(!format!("{config:?}").contains("s3cret"));
            Ok(())
        });
    }

    #[test]
    fn the_legal_notice_and_the_contacts_come_from_variables_or_say_what_to_set() {
        figment::Jail::expect_with(|jail| {
            let config: Config = Config::figment("absent.toml".into()).extract()?;
            assert!(config.publisher.contains("DGDDI"), "{}", config.publisher);
            assert!(config.host_provider.contains("SESAME_HOST_PROVIDER"));
            assert_eq!(config.contact_email, "contact@france-sesame.example");
            jail.set_env(
                "SESAME_PUBLISHER",
                "Direction X, 1 rue de la Paix, 75002 Paris",
            );
            jail.set_env("SESAME_PUBLICATION_DIRECTOR", "Madame la directrice");
            jail.set_env(
                "SESAME_HOST_PROVIDER",
                "Hébergeur Y, 2 rue Z, 69000 Lyon, 01 02 03 04 05",
            );
            jail.set_env("SESAME_CONTACT_EMAIL", "incidents@sesame.example.gouv.fr");
            jail.set_env("SESAME_RIGHTS_EMAIL", "comint2@sesame.example.gouv.fr");
            let config: Config = Config::figment("absent.toml".into()).extract()?;
            assert_eq!(
                config.publisher,
                "Direction X, 1 rue de la Paix, 75002 Paris"
            );
            assert_eq!(config.publication_director, "Madame la directrice");
            assert_eq!(
                config.host_provider,
                "Hébergeur Y, 2 rue Z, 69000 Lyon, 01 02 03 04 05"
            );
            assert_eq!(config.contact_email, "incidents@sesame.example.gouv.fr");
            assert_eq!(config.rights_email, "comint2@sesame.example.gouv.fr");
            Ok(())
        });
    }

    #[test]
    fn a_bad_flag_is_refused_with_a_clear_message() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("SESAME_DEMO", "peut-être");
            let error = Config::figment("absent.toml".into())
                .extract::<Config>()
                .unwrap_err();
            assert!(error.to_string().contains("peut-être"), "{error}");
            Ok(())
        });
    }
}
