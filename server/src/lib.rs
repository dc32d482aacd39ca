//! The host of France Sésame: configuration, telemetry, the HTTP router (Leptos pages and server
//! functions, health probes, static files), demo data and the process's life cycle. The domain,
//! pages and server functions live in the `app` crate.

pub mod client;
pub mod config;
pub mod demo;
pub mod denylist;
pub mod perimeter;
pub mod probes;
pub mod rate_limit;
pub mod telemetry;

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use app::state::AppState;
use app::store::{Store, StoreError};
use app::ui::Branding;
use app::{shell, App};
use axum::http::{HeaderName, Request};
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::get;
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use secrecy::ExposeSecret;
use tokio::net::TcpListener;
use tower::ServiceBuilder;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};

use config::Config;
use denylist::Denylist;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("impossible d'écouter sur {addr} : {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("échec du chargement des données de démonstration : {0}")]
    Demo(#[source] StoreError),
}

/// The Leptos options, from our configuration rather than from variables cargo-leptos sets at
/// build time, so that the same binary runs wherever its site folder is.
pub fn leptos_options(config: &Config) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("sesame")
        .site_root(config.site_root.as_str())
        .site_pkg_dir("pkg")
        .site_addr(config.site_addr)
        .env(leptos::config::Env::PROD)
        .build()
}

/// What the perimeter needs besides the application state.
pub struct Guards {
    /// Production: plain HTTP only redirects to HTTPS.
    pub production: bool,
    pub trusted_proxies: std::sync::Arc<client::IpSet>,
    pub denylist: std::sync::Arc<Denylist>,
    pub rate_limiter: std::sync::Arc<rate_limit::RateLimiter>,
}

/// The whole HTTP application over a migrated store.
pub fn router(state: AppState, guards: Guards) -> Router {
    let routes = generate_route_list(App);
    let branding = state.branding;
    let context = move || provide_context(branding);
    Router::new()
        .route("/healthz", get(probes::healthz))
        .route("/readyz", get(probes::readyz))
        .leptos_routes_with_context(&state, routes, context, {
            let options = state.leptos_options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<AppState, _>(context, shell))
        // Innermost first. Outermost, the client is identified; the security headers wrap every
        // refusal below them (denylist, CSRF, rate limit, body cap), all before any handler.
        .layer(RequestBodyLimitLayer::new(perimeter::MAX_BODY_BYTES))
        .layer(from_fn_with_state(guards.rate_limiter, rate_limit::limit_submissions))
        .layer(from_fn(perimeter::same_origin_writes))
        .layer(from_fn_with_state(guards.denylist, denylist::refuse_listed))
        .layer(from_fn(perimeter::security_headers))
        .layer(from_fn_with_state(guards.production, perimeter::https_only))
        .layer(from_fn_with_state(guards.trusted_proxies, perimeter::identify_client))
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
                .layer(TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
                    let id = request
                        .headers()
                        .get(&REQUEST_ID)
                        .and_then(|value| value.to_str().ok())
                        .unwrap_or_default();
                    tracing::info_span!("requête", method = %request.method(), uri = %request.uri(), request_id = %id)
                }).on_response(DefaultOnResponse::new().level(tracing::Level::INFO)))
                .layer(PropagateRequestIdLayer::new(REQUEST_ID)),
        )
        .with_state(state)
}

/// Connects to the store, migrates it, and seeds demo data when asked and the store is empty.
pub async fn prepare_store(config: &Config) -> Result<Store, StartError> {
    let store = Store::connect(config.database_url.expose_secret()).await?;
    store.migrate().await?;
    if config.demo && store.is_empty().await? {
        demo::seed(&store, config).await.map_err(StartError::Demo)?;
        tracing::info!("données de démonstration chargées");
    }
    Ok(store)
}

/// A server that has bound its address and is ready to be run.
pub struct Server {
    pub addr: SocketAddr,
    pub store: Store,
    listener: TcpListener,
    router: Router,
    grace: Duration,
}

impl Server {
    pub async fn build(config: &Config) -> Result<Server, StartError> {
        let store = prepare_store(config).await?;
        let listener = TcpListener::bind(config.site_addr)
            .await
            .map_err(|source| StartError::Bind {
                addr: config.site_addr,
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| StartError::Bind {
            addr: config.site_addr,
            source,
        })?;
        let mut options = leptos_options(config);
        options.site_addr = addr;
        let state = AppState {
            leptos_options: options,
            store: store.clone(),
            branding: Branding {
                state: config.state_deployment,
            },
        };
        let (trusted_proxies, problems) = client::IpSet::parse_list(&config.trusted_proxies);
        for problem in problems {
            tracing::warn!("SESAME_TRUSTED_PROXIES, {problem}");
        }
        let denylist = Denylist::load(config.denylist_file.clone());
        denylist.watch(Duration::from_secs(config.denylist_poll_seconds.max(1)));
        let guards = Guards {
            production: config.environment == config::Environment::Production,
            trusted_proxies: std::sync::Arc::new(trusted_proxies),
            denylist,
            rate_limiter: rate_limit::RateLimiter::new(
                config.submissions_per_minute,
                config.submissions_burst,
            ),
        };
        Ok(Server {
            addr,
            store,
            listener,
            router: router(state, guards),
            grace: Duration::from_secs(config.shutdown_grace_seconds),
        })
    }

    /// Serves until `shutdown` completes, then stops accepting connections, lets in-flight
    /// requests finish (within the grace period) and closes the store.
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let grace = self.grace;
        let serving = axum::serve(
            self.listener,
            self.router
                .into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move {
            shutdown.await;
            tracing::info!("arrêt demandé : fin des requêtes en cours");
            let _ = stop_tx.send(());
        });
        let draining = async move {
            let _ = stop_rx.await;
            tokio::time::sleep(grace).await;
        };
        tokio::select! {
            result = serving => result?,
            _ = draining => tracing::warn!("délai de grâce écoulé : arrêt sans attendre les dernières requêtes"),
        }
        self.store.close().await;
        Ok(())
    }
}

/// Completes on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = terminate => {}
    }
}
