//! Logging, set up once: readable lines in development, JSON in production. Each HTTP request
//! gets an id (`x-request-id`, generated when absent) that tags its log lines and its response.

use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::EnvFilter;

use crate::config::{Config, Environment};

pub fn init(config: &Config) {
    let filter = EnvFilter::try_new(&config.log).unwrap_or_else(|_| EnvFilter::new("info"));
    let registry = tracing_subscriber::registry().with(filter);
    // `try_init`: a second call (tests) keeps the first subscriber instead of panicking.
    let _ = match config.environment {
        Environment::Production => registry
            .with(tracing_subscriber::fmt::layer().json().flatten_event(true))
            .try_init(),
        Environment::Development => registry
            .with(tracing_subscriber::fmt::layer().compact())
            .try_init(),
    };
}
