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
    pub database_url: SecretString,
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
    /// State-changing requests a client may send a minute, on average…
    pub submissions_per_minute: u32,
    /// …and at once.
    pub submissions_burst: u32,
}

/// The defaults, as the first layer.
#[derive(Serialize)]
struct Defaults {
    database_url: &'static str,
    environment: Environment,
    log: &'static str,
    demo: bool,
    demo_password: &'static str,
    state_deployment: bool,
    site_addr: &'static str,
    site_root: &'static str,
    shutdown_grace_seconds: u64,
    denylist_poll_seconds: u64,
    trusted_proxies: &'static str,
    submissions_per_minute: u32,
    submissions_burst: u32,
}

const DEFAULTS: Defaults = Defaults {
    database_url: "sqlite://data/sesame.db",
    environment: Environment::Development,
    log: "info,sqlx=warn",
    demo: false,
    demo_password: DEFAULT_DEMO_PASSWORD,
    state_deployment: false,
    site_addr: "127.0.0.1:3000",
    site_root: "target/site",
    shutdown_grace_seconds: 20,
    denylist_poll_seconds: 10,
    trusted_proxies: "",
    submissions_per_minute: 120,
    submissions_burst: 40,
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

    /// The defaults alone, for tests and tools that set what they need explicitly.
    pub fn defaults() -> Config {
        Figment::from(Serialized::defaults(DEFAULTS))
            .extract()
            .expect("the built-in defaults are valid")
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
