//! The host of France Sésame: configuration, telemetry, the HTTP router (Leptos pages and server
//! functions, health probes, static files), demo data and the process's life cycle. The domain,
//! pages and server functions live in the `app` crate.

pub mod antivirus;
pub mod assets;
pub mod client;
pub mod clock;
pub mod config;
pub mod denylist;
pub mod files;
pub mod live;
pub mod mail;
pub mod maintenance;
pub mod metrics;
pub mod notifications;
pub mod oidc;
pub mod openapi;
pub mod partner;
pub mod perimeter;
pub mod probes;
pub mod rate_limit;
pub mod retention;
pub mod sessions;
pub mod stopping;
pub mod telemetry;
pub mod tools;
pub mod webhooks;

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use app::branding::{Branding, Publication};
use app::forms::Forms;
use app::state::AppState;
use app::store::{Store, StoreError};
use app::{shell, App};
use axum::handler::Handler;
use axum::http::{HeaderName, Request};
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::get;
use axum::serve::ListenerExt;
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use secrecy::ExposeSecret;
use tokio::net::TcpListener;
use tower::ServiceBuilder;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::services::ServeDir;
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
    #[error("configuration invalide : {0}")]
    Config(String),
    #[error("configuration du courriel invalide : {0}")]
    Mail(#[source] mail::MailError),
    #[error("échec du chargement des données de démonstration : {0}")]
    Demo(#[source] StoreError),
    #[error("HTTPS direct impossible : {0}")]
    Tls(String),
}

/// The Leptos options, from our configuration rather than from variables cargo-leptos sets at
/// build time, so that the same binary runs wherever its site folder is.
pub fn leptos_options(config: &Config) -> LeptosOptions {
    let hash_file = assets::hash_file(&config.site_root);
    LeptosOptions::builder()
        .output_name("sesame")
        .site_root(config.site_root.as_str())
        .site_pkg_dir("pkg")
        .site_addr(config.site_addr)
        .env(leptos::config::Env::PROD)
        // The script and the WASM under their fingerprinted names: Leptos reads the list
        // (an absolute path replaces the folder of the executable it would look in).
        .hash_files(hash_file.is_some())
        .hash_file(
            hash_file
                .map(|path| path.to_string_lossy().into_owned())
                .unwrap_or_else(|| "hash.txt".into())
                .into(),
        )
        .build()
}

/// What the perimeter needs besides the application state.
pub struct Guards {
    /// Production: plain HTTP only redirects to HTTPS, at the public address.
    pub https_only: perimeter::HttpsOnly,
    pub trusted_proxies: std::sync::Arc<client::IpSet>,
    /// The server terminates TLS itself: every request counts as HTTPS.
    pub direct_tls: bool,
    pub denylist: std::sync::Arc<Denylist>,
    pub rate_limiter: std::sync::Arc<rate_limit::RateLimiter>,
    /// Resolves each request's session into the caller pages and handlers decide for.
    pub sessions: std::sync::Arc<sessions::Sessions>,
    /// Origins forms may end at besides this site: the identity providers' (sign-out).
    pub form_targets: std::sync::Arc<Vec<String>>,
    /// The most a document may weigh, in bytes (the requests sending one get this much).
    pub document_bytes: usize,
    /// The state of the service: maintenance closes the platform, and its banner announces it.
    pub maintenance: std::sync::Arc<maintenance::Maintenance>,
    /// Who may read `/metrics`.
    pub metrics: std::sync::Arc<metrics::Access>,
}

/// The pages' routes, generated once per process. Generating them renders the application with
/// resource loading suppressed through a process-wide flag of `leptos_server`: a page rendering at
/// that moment in another server of the same process (the integration tests run many) would wait
/// for its data forever (leptos-rs/leptos#4773). Generated once, before any server of the process
/// serves, there is no such moment.
fn page_routes() -> Vec<leptos_axum::AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<leptos_axum::AxumRouteListing>> =
        std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// The whole HTTP application over a migrated store.
pub fn router(
    state: AppState,
    guards: Guards,
    forms: Forms,
    partners: partner::Partners,
) -> Router {
    let routes = page_routes();
    let branding = state.branding;
    let publication = state.publication.clone();
    let providers = app::ui::IdentityProviders(forms.providers.list());
    let idle = app::state::SessionIdle(forms.lifetimes.idle);
    let operator_accounts = app::state::LocalOperatorAccounts(forms.local_operator_accounts);
    let stylesheets = assets::stylesheets(&state.leptos_options.site_root);
    let counted = partners.metrics.clone();
    let service = guards.maintenance.clone();
    let context = move || {
        provide_context(service.notice());
        provide_context(branding);
        provide_context(Publication::clone(&publication));
        provide_context(providers.clone());
        provide_context(idle);
        provide_context(operator_accounts);
        provide_context(stylesheets.clone());
    };
    // The site folder's files, precompressed by the build; any other path is the 404 page.
    let not_found =
        leptos_axum::file_and_error_handler_with_context::<AppState, _>(context.clone(), shell)
            .with_state(state.clone());
    let site_files = ServiceBuilder::new()
        .layer(from_fn(assets::cache_for))
        .service(
            ServeDir::new(state.leptos_options.site_root.as_ref())
                .precompressed_br()
                .precompressed_gzip()
                .fallback(not_found),
        );
    Router::new()
        .route("/healthz", get(probes::healthz))
        .route("/readyz", get(probes::readyz))
        .merge(
            Router::new()
                .route(metrics::PATH, get(metrics::scrape))
                .with_state(metrics::Scrape {
                    metrics: partners.metrics.clone(),
                    access: guards.metrics.clone(),
                    store: state.store.clone(),
                    live: partners.live.clone(),
                }),
        )
        .merge(app::forms::routes(forms))
        .merge(live::routes(partners.live.clone()))
        .merge(partner::routes(partners))
        .leptos_routes_with_context(&state, routes, context.clone(), {
            let options = state.leptos_options.clone();
            move || shell(options.clone())
        })
        .fallback_service(site_files)
        // One stack, outermost first, wrapped once around each route: layered one by one, each
        // layer boxes the route again, and every middleware, at every request, clones every box
        // below it.
        // Outermost, the client is identified; the security headers wrap every refusal below
        // them (denylist, CSRF, rate limit, body cap), all before any handler. Sessions are
        // resolved once the request is known to come from this site, so that the rate limit can
        // count per account and pages can send strangers to sign-in. Innermost, the framework's
        // own refusals, said again in French.
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
                .layer(TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
                    // A live stream lasts hours and carries thousands of messages: no span
                    // entered at each one (its opening is still logged).
                    if request.uri().path() == app::ui::live::STREAM_PATH {
                        return tracing::Span::none();
                    }
                    let id = request
                        .headers()
                        .get(&REQUEST_ID)
                        .and_then(|value| value.to_str().ok())
                        .unwrap_or_default();
                    tracing::info_span!("requête", method = %request.method(), uri = %perimeter::loggable(request.uri()), request_id = %id)
                }).on_response(DefaultOnResponse::new().level(tracing::Level::INFO)))
                .layer(PropagateRequestIdLayer::new(REQUEST_ID))
                .layer(from_fn_with_state(counted, metrics::count))
                // Whatever refused for the moment says when to come back; counted as answered.
                .layer(from_fn(probes::say_when_to_retry))
                .layer(from_fn(compress))
                .layer(from_fn_with_state(
                    perimeter::Transport {
                        trusted_proxies: guards.trusted_proxies,
                        direct_tls: guards.direct_tls,
                    },
                    perimeter::identify_client,
                ))
                .layer(from_fn_with_state(
                    std::sync::Arc::new(guards.https_only),
                    perimeter::https_only,
                ))
                .layer(from_fn_with_state(guards.form_targets, perimeter::security_headers))
                .layer(from_fn_with_state(guards.denylist, denylist::refuse_listed))
                .layer(from_fn(perimeter::same_origin_writes))
                .layer(from_fn_with_state(guards.sessions, sessions::resolve))
                // Once the session is known (the administrators keep the platform), before a
                // page sends a stranger to sign in.
                .layer(from_fn_with_state(
                    guards.maintenance.clone(),
                    maintenance::guard,
                ))
                .layer(from_fn(sessions::guard_pages))
                .layer(from_fn_with_state(guards.rate_limiter, rate_limit::limit_submissions))
                .layer(from_fn_with_state(guards.document_bytes, partner::problems_for_refusals))
                .layer(from_fn_with_state(guards.document_bytes, perimeter::cap_bodies))
                .layer(from_fn(perimeter::french_refusals)),
        )
        .with_state(state)
}

/// Pages, WASM, scripts and styles travel compressed (brotli, else gzip) to phones on mobile
/// networks (images and `text/event-stream` are left alone by the default predicate). The live
/// streams do not even pass through the compressor: a compressed response's body keeps room for
/// every encoder's state (5,824 bytes, measured with heaptrack) for as long as it lasts, even when
/// it compresses nothing — the largest part of what an open stream cost.
async fn compress(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    use tower::{Layer, ServiceExt};
    if request.uri().path() == app::ui::live::STREAM_PATH {
        return next.run(request).await;
    }
    match CompressionLayer::new()
        .br(true)
        .gzip(true)
        .layer(next)
        .oneshot(request)
        .await
    {
        Ok(response) => response.into_response(),
        Err(never) => match never {},
    }
}

/// Who publishes the deployment and whom people write to, from the configuration. In production,
/// a value left at its default is said at start: the host's default says only that it is missing,
/// and the default addresses receive nothing.
fn publication(config: &Config) -> Publication {
    let publication = Publication {
        publisher: config.publisher.trim().to_owned(),
        publication_director: config.publication_director.trim().to_owned(),
        host_provider: config.host_provider.trim().to_owned(),
        contact_email: config.contact_email.trim().to_owned(),
        rights_email: config.rights_email.trim().to_owned(),
    };
    if config.environment == config::Environment::Production {
        let defaults = Publication::default();
        for (variable, value, default) in [
            (
                "SESAME_HOST_PROVIDER",
                &publication.host_provider,
                &defaults.host_provider,
            ),
            (
                "SESAME_CONTACT_EMAIL",
                &publication.contact_email,
                &defaults.contact_email,
            ),
            (
                "SESAME_RIGHTS_EMAIL",
                &publication.rights_email,
                &defaults.rights_email,
            ),
        ] {
            if value == default {
                tracing::warn!(
                    "{variable} absent en production : les mentions légales et la page de contact \
                     montrent une valeur par défaut ; indiquez celle du déploiement"
                );
            }
        }
    }
    publication
}

/// What the documents handed out are set in: Marianne when a State deployment provides its
/// files, the bundled free font otherwise (Marianne is reserved to the State's sites).
fn typeface(config: &Config) -> Result<app::documents::pdf::Typeface, StartError> {
    use app::documents::pdf::Typeface;
    let Some(folder) = &config.marianne_folder else {
        return Ok(Typeface::bundled());
    };
    if !config.state_deployment {
        tracing::warn!(
            "SESAME_MARIANNE_FOLDER ignoré : la police Marianne est réservée aux déploiements de l'État"
        );
        return Ok(Typeface::bundled());
    }
    let find = |name: &str| {
        ["otf", "ttf"]
            .iter()
            .map(|extension| folder.join(format!("{name}.{extension}")))
            .find(|path| path.is_file())
            .ok_or_else(|| {
                StartError::Config(format!(
                    "police introuvable : {name}.otf ou {name}.ttf dans {}",
                    folder.display()
                ))
            })
    };
    let typeface = Typeface::from_files(&find("Marianne-Regular")?, &find("Marianne-Bold")?)
        .map_err(|error| StartError::Config(error.to_string()))?;
    tracing::info!(police = %typeface.family(), "documents composés en Marianne");
    Ok(typeface)
}

/// The roles each identity provider may open accounts of; an unknown role is a start-up error.
/// The State accounts each provider opens at a first sign-in, checked: supervisors, the DGITM
/// and agents only (a head of service is named to posts, a technical administrator from the
/// command line).
fn oidc_provisions(
    config: &Config,
) -> Result<std::collections::HashMap<String, Vec<app::domain::directory::Role>>, StartError> {
    use app::domain::directory::Role;
    config
        .oidc
        .iter()
        .map(|provider| {
            let roles = provider
                .provisions
                .iter()
                .map(|code| {
                    Role::from_code(code.trim())
                        .filter(|role| Role::PROVISIONED.contains(role))
                        .ok_or_else(|| {
                            StartError::Config(format!(
                                "fournisseur d'identité « {} » : provisions = « {code} » ; un \
                                 fournisseur n'ouvre que ces comptes de l'État : {}",
                                provider.id,
                                Role::PROVISIONED.map(Role::code).join(", ")
                            ))
                        })
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok((provider.id.clone(), roles))
        })
        .collect()
}

fn oidc_roles(
    config: &Config,
) -> Result<std::collections::HashMap<String, Vec<app::domain::directory::Role>>, StartError> {
    if !config.local_operator_accounts
        && !config
            .oidc
            .iter()
            .any(|provider| provider.opens_operator_accounts)
    {
        return Err(StartError::Config(
            "SESAME_LOCAL_OPERATOR_ACCOUNTS=0 : aucun fournisseur d'identité n'ouvre les comptes \
             des opérateurs (opens_operator_accounts = true) ; sans comptes locaux, les opérateurs \
             ne pourraient pas entrer. Configurez le compte douane, ou laissez les comptes locaux."
                .to_owned(),
        ));
    }
    config
        .oidc
        .iter()
        .map(|provider| {
            let roles = provider
                .roles
                .iter()
                .map(|code| {
                    app::domain::directory::Role::from_code(code.trim()).ok_or_else(|| {
                        StartError::Config(format!(
                            "fournisseur d'identité « {} » : rôle « {code} » inconnu (attendu : {})",
                            provider.id,
                            app::domain::directory::Role::ALL
                                .map(|role| role.code())
                                .join(", ")
                        ))
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok((provider.id.clone(), roles))
        })
        .collect()
}

/// `scheme://host[:port]` of an address, for a Content-Security-Policy source.
fn origin(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let host = rest.split(['/', '?', '#']).next()?;
    (matches!(scheme, "http" | "https") && !host.is_empty() && !host.contains([' ', ';', '\'']))
        .then(|| format!("{scheme}://{host}"))
}

/// Connects to the store, migrates it, and seeds demo data when asked and the store is empty.
pub async fn prepare_store(config: &Config) -> Result<Store, StartError> {
    let app_url = config.database_url.expose_secret();
    let store = match &config.owner_database_url {
        // The owner migrates, then gives each role its rights; the application never migrates.
        Some(owner_url) => {
            let owner = Store::connect(owner_url.expose_secret()).await?;
            let purge_url = config.purge_database_url.as_ref();
            let prepared = async {
                owner.migrate().await?;
                owner
                    .grant_roles(app_url, purge_url.map(|url| url.expose_secret()))
                    .await
            }
            .await;
            owner.close().await;
            prepared?;
            Store::connect_with(app_url, config.database_connections).await?
        }
        None => {
            let store = Store::connect_with(app_url, config.database_connections).await?;
            store.migrate().await?;
            store
        }
    };
    if config.demo && store.is_empty().await? {
        tools::demo::seed(&store, config)
            .await
            .map_err(StartError::Demo)?;
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
    /// Set when the server terminates TLS itself.
    tls: Option<axum_server::tls_rustls::RustlsConfig>,
}

/// How many connections the system may hold for the site, established but not yet taken by the
/// server (the system caps it at its own limit, `net.core.somaxconn`, 4096 by default on Linux).
/// The runtime's default is 128: a crowd opening more connections in the same instant (a gate's
/// bookings at a slot's opening) saw the others dropped, and their browsers tried again only a
/// second later.
const BACKLOG: u32 = 4096;

/// The site's listening socket on `addr`, with room for [`BACKLOG`] connections waiting.
pub(crate) fn listen(addr: SocketAddr) -> std::io::Result<TcpListener> {
    let socket = if addr.is_ipv4() {
        tokio::net::TcpSocket::new_v4()?
    } else {
        tokio::net::TcpSocket::new_v6()?
    };
    // As the runtime's own binding does: a restarted server takes its address back at once.
    #[cfg(not(windows))]
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(BACKLOG)
}

impl Server {
    pub async fn build(config: &Config) -> Result<Server, StartError> {
        let tls = Server::tls_config(config).await?;
        let store = prepare_store(config).await?;
        let listener = listen(config.site_addr).map_err(|source| StartError::Bind {
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
            publication: std::sync::Arc::new(publication(config)),
            document_max_bytes: config.documents_max_mib.max(1) * 1024 * 1024,
        };
        let (trusted_proxies, problems) = client::IpSet::parse_list(&config.trusted_proxies);
        for problem in problems {
            tracing::warn!("SESAME_TRUSTED_PROXIES, {problem}");
        }
        let download = config
            .denylist_url
            .as_ref()
            .filter(|url| !url.trim().is_empty())
            .map(|url| denylist::UrlSource {
                url: url.trim().to_owned(),
                refresh: Duration::from_secs(config.denylist_refresh_seconds.max(1)),
                cache_file: config.denylist_cache_file.clone(),
            });
        let denylist = Denylist::load(config.denylist_file.clone(), download);
        denylist.watch(Duration::from_secs(config.denylist_poll_seconds.max(1)));
        let lifetimes = app::http::Lifetimes {
            idle: chrono::Duration::minutes(i64::from(config.session_idle_minutes.max(1))),
            absolute: chrono::Duration::hours(i64::from(config.session_absolute_hours.max(1))),
        };
        if config.environment == config::Environment::Production && config.public_url.is_none() {
            tracing::warn!(
                "SESAME_PUBLIC_URL absent en production : HTTP est redirigé vers l'adresse \
                 d'écoute {addr} et les liens des courriels la portent ; indiquez l'adresse publique"
            );
        }
        let guards = Guards {
            https_only: perimeter::HttpsOnly {
                production: config.environment == config::Environment::Production,
                origin: perimeter::https_origin(config.public_url.as_deref(), addr),
            },
            trusted_proxies: std::sync::Arc::new(trusted_proxies),
            direct_tls: tls.is_some(),
            denylist,
            rate_limiter: rate_limit::RateLimiter::new(
                config.submissions_per_minute,
                config.submissions_burst,
            ),
            sessions: std::sync::Arc::new(sessions::Sessions {
                store: store.clone(),
                lifetimes,
            }),
            form_targets: std::sync::Arc::new(
                config
                    .oidc
                    .iter()
                    .filter_map(|provider| origin(&provider.issuer))
                    .collect(),
            ),
            document_bytes: (config.documents_max_mib.max(1) * 1024 * 1024) as usize,
            maintenance: {
                let maintenance = maintenance::Maintenance::new(assets::stylesheets(
                    &state.leptos_options.site_root,
                ));
                // Read once before serving, so that a maintenance under way holds from the
                // first request; then every few seconds.
                maintenance.refresh(&store).await;
                maintenance.start(
                    store.clone(),
                    Duration::from_millis(config.maintenance_poll_millis.max(10)),
                );
                maintenance
            },
            metrics: {
                let (networks, problems) = client::IpSet::parse_list(&config.metrics_networks);
                for problem in problems {
                    tracing::warn!("SESAME_METRICS_NETWORKS, {problem}");
                }
                std::sync::Arc::new(metrics::Access {
                    networks,
                    token: config.metrics_token.clone(),
                })
            },
        };
        let production = config.environment == config::Environment::Production;
        let document_bytes = config.documents_max_mib.max(1) * 1024 * 1024;
        let antivirus: std::sync::Arc<dyn app::documents::files::Antivirus> =
            match config.antivirus.as_deref().map(str::trim) {
                Some(address) if !address.is_empty() => std::sync::Arc::new(
                    antivirus::Clamd::parse(address).map_err(StartError::Config)?,
                ),
                _ => {
                    if production {
                        tracing::warn!(
                            "SESAME_ANTIVIRUS absent en production : aucun document ne sera reçu \
                             tant qu'un antivirus (clamd) n'est pas configuré"
                        );
                    }
                    std::sync::Arc::new(app::documents::files::NoAntivirus)
                }
            };
        let documents = app::documents::files::DocumentServices {
            files: files::of_config(config).map_err(StartError::Config)?,
            antivirus,
            max_bytes: document_bytes,
            scan_required: production,
        };
        tracing::info!(stockage = %documents.files.describe(), "documents des dossiers");
        let scanner = std::sync::Arc::new(tokio::sync::Notify::new());
        let metrics = metrics::Metrics::new();
        let partners = partner::Partners {
            metrics: metrics.clone(),
            documents: documents.clone(),
            scanner: scanner.clone(),
            live: live::Live::start(
                store.clone(),
                live::Timing {
                    keep_alive: Duration::from_secs(config.live_keep_alive_seconds.max(1)),
                    renewal: Duration::from_secs(config.live_renewal_seconds.max(1)),
                },
                config.live_streams_per_person as usize,
            )
            .await,
            store: store.clone(),
            limiter: rate_limit::RateLimiter::new(
                config.partner_events_per_minute,
                config.partner_events_burst,
            ),
            addresses: rate_limit::RateLimiter::new(
                config.partner_requests_per_minute,
                config.partner_requests_burst,
            ),
        };
        let mailer = mail::Mailer::from_config(config).map_err(StartError::Mail)?;
        if config.webhooks_allow_local && config.environment == config::Environment::Production {
            return Err(StartError::Config(
                "SESAME_WEBHOOKS_ALLOW_LOCAL est réservé aux tests : il ouvrirait le réseau \
                 interne aux webhooks (falsification de requêtes côté serveur)"
                    .to_owned(),
            ));
        }
        let timing = notifications::Timing {
            poll: Duration::from_millis(config.notification_poll_millis.max(10)),
            retry: Duration::from_millis(config.notification_retry_millis.max(10)),
        };
        let instance = format!("instance-{}", uuid::Uuid::new_v4().simple());
        let deliveries = webhooks::Deliveries::new(
            store.clone(),
            config.base_url(),
            instance.clone(),
            timing.retry,
            config.webhooks_allow_local,
        )
        .map_err(|error| StartError::Config(format!("client HTTP des webhooks : {error}")))?;
        notifications::start(
            store.clone(),
            mailer.clone(),
            config.base_url(),
            instance.clone(),
            timing,
        );
        webhooks::start(deliveries, timing.poll);
        antivirus::start(
            store.clone(),
            documents.clone(),
            instance.clone(),
            scanner.clone(),
            Duration::from_millis(config.antivirus_poll_millis.max(10)),
        );
        if config.clock_seconds > 0 {
            // The retention erases from the audit trail as the purge's role, when there is one.
            let purge = match &config.purge_database_url {
                Some(url) => Store::connect(url.expose_secret()).await.map_err(|error| {
                    StartError::Config(format!("base de données de la purge : {error}"))
                })?,
                None => store.clone(),
            };
            clock::start(
                store.clone(),
                purge,
                documents.files.clone(),
                instance,
                Duration::from_secs(config.clock_seconds),
                metrics,
            );
        }
        let forms = Forms {
            store: store.clone(),
            outbox: std::sync::Arc::new(mailer),
            providers: std::sync::Arc::new(
                oidc::Providers::discover(&config.oidc, &config.base_url()).await,
            ),
            base_url: config.base_url().into(),
            lifetimes,
            sensitive: rate_limit::RateLimiter::new(
                config.sensitive_per_minute,
                config.sensitive_burst,
            ),
            oidc_roles: std::sync::Arc::new(oidc_roles(config)?),
            oidc_provisions: std::sync::Arc::new(oidc_provisions(config)?),
            typeface: std::sync::Arc::new(typeface(config)?),
            webhooks_allow_local: config.webhooks_allow_local,
            documents,
            scanner,
            local_operator_accounts: config.local_operator_accounts,
        };
        Ok(Server {
            addr,
            store,
            listener,
            router: router(state, guards, forms, partners),
            grace: Duration::from_secs(config.shutdown_grace_seconds),
            tls,
        })
    }

    /// `https` when the server terminates TLS itself, `http` otherwise.
    pub fn scheme(&self) -> &'static str {
        if self.tls.is_some() {
            "https"
        } else {
            "http"
        }
    }

    /// The certificate chain and key to serve HTTPS with, when both files are configured.
    async fn tls_config(
        config: &Config,
    ) -> Result<Option<axum_server::tls_rustls::RustlsConfig>, StartError> {
        let (cert, key) = match (&config.tls_cert_file, &config.tls_key_file) {
            (None, None) => return Ok(None),
            (Some(cert), Some(key)) => (cert, key),
            (Some(_), None) => {
                return Err(StartError::Tls(
                    "SESAME_TLS_CERT_FILE est défini mais pas SESAME_TLS_KEY_FILE : indiquez \
                     aussi le fichier de la clé privée (PEM)"
                        .into(),
                ))
            }
            (None, Some(_)) => {
                return Err(StartError::Tls(
                    "SESAME_TLS_KEY_FILE est défini mais pas SESAME_TLS_CERT_FILE : indiquez \
                     aussi le fichier du certificat (PEM)"
                        .into(),
                ))
            }
        };
        let read = |path: &std::path::Path, what: &str| {
            std::fs::read(path).map_err(|error| {
                StartError::Tls(format!("{what} {} illisible : {error}", path.display()))
            })
        };
        let cert_pem = read(cert, "fichier du certificat")?;
        let key_pem = read(key, "fichier de la clé privée")?;
        let holds = |pem: &[u8], marker: &[u8]| pem.windows(marker.len()).any(|w| w == marker);
        if !holds(&cert_pem, b"-----BEGIN CERTIFICATE-----") {
            return Err(StartError::Tls(format!(
                "certificat {} invalide : aucun certificat au format PEM",
                cert.display()
            )));
        }
        if !holds(&key_pem, b"PRIVATE KEY-----") {
            return Err(StartError::Tls(format!(
                "clé privée {} invalide : aucune clé privée au format PEM",
                key.display()
            )));
        }
        // axum-server builds the rustls configuration with the ring provider itself (its
        // `tls-rustls-ring` feature), whether or not a process-wide default is installed.
        axum_server::tls_rustls::RustlsConfig::from_pem(cert_pem, key_pem)
            .await
            .map(Some)
            .map_err(|error| {
                if error.to_string().to_lowercase().contains("certificate") {
                    StartError::Tls(format!("certificat {} invalide : {error}", cert.display()))
                } else {
                    StartError::Tls(format!(
                        "clé privée {} invalide ou sans rapport avec le certificat {} : {error}",
                        key.display(),
                        cert.display()
                    ))
                }
            })
    }

    /// Serves until `shutdown` completes, then stops accepting connections, lets in-flight
    /// requests finish (within the grace period) and closes the store.
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let (closing_tx, closing) = tokio::sync::watch::channel(false);
        let grace = self.grace;
        let stopping = async move {
            shutdown.await;
            tracing::info!("arrêt demandé : fin des requêtes en cours");
            let _ = stop_tx.send(());
            let _ = closing_tx.send(true);
            // The connections taken last read their request before being told to finish.
            tokio::time::sleep(stopping::LINGER.min(grace)).await;
        };
        let service = self
            .router
            .into_make_service_with_connect_info::<SocketAddr>();
        // Over direct TLS, axum-server serves; its handle stops accepting, then cuts the
        // connections left when the grace period is over.
        let handle = axum_server::Handle::<SocketAddr>::new();
        let serving: std::pin::Pin<Box<dyn Future<Output = std::io::Result<()>> + Send>> =
            match self.tls {
                None => Box::pin(async move {
                    let listener = stopping::Listener::new(self.listener, closing)?;
                    // Through `tap_io`, axum gives the peer's address to `ConnectInfo`.
                    axum::serve(listener.tap_io(|_| {}), service)
                        .with_graceful_shutdown(stopping)
                        .await
                }),
                Some(tls) => {
                    let handle = handle.clone();
                    let server = axum_server::Server::from_listener(self.listener)
                        .acceptor(axum_server::tls_rustls::RustlsAcceptor::new(tls))
                        .handle(handle.clone())
                        .accept_error_handler(
                            |peer, error| tracing::debug!(?peer, %error, "connexion TLS refusée"),
                        );
                    Box::pin(async move {
                        let serve = server.serve(service);
                        tokio::pin!(serve);
                        tokio::select! {
                            result = &mut serve => return result,
                            () = stopping => handle.graceful_shutdown(None),
                        }
                        serve.await
                    })
                }
            };
        let draining = async move {
            let _ = stop_rx.await;
            tokio::time::sleep(grace).await;
        };
        tokio::select! {
            result = serving => result?,
            _ = draining => {
                tracing::warn!("délai de grâce écoulé : arrêt sans attendre les dernières requêtes");
                handle.shutdown();
            }
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

#[cfg(test)]
mod tests {
    use super::{listen, origin};

    /// A crowd connecting in the same instant, before the server has taken any of them (its
    /// workers busy), is held by the system, not dropped: with the runtime's default, the 129th
    /// and later connections got no answer and their browsers tried again a second later.
    #[tokio::test]
    async fn a_crowd_connecting_at_once_is_held_until_the_server_takes_it() {
        const CROWD: usize = 600;
        let listener = listen("127.0.0.1:0".parse().unwrap()).unwrap();
        let addr = listener.local_addr().unwrap();
        let connections: Vec<_> = (0..CROWD)
            .map(|_| {
                tokio::spawn(tokio::time::timeout(
                    std::time::Duration::from_millis(700),
                    tokio::net::TcpStream::connect(addr),
                ))
            })
            .collect();
        let mut held = Vec::with_capacity(CROWD);
        for connection in connections {
            if let Ok(Ok(stream)) = connection.await.unwrap() {
                held.push(stream);
            }
        }
        assert_eq!(held.len(), CROWD, "connections dropped by a full queue");
        // And the server takes them all, in order, once free.
        for _ in 0..CROWD {
            listener.accept().await.unwrap();
        }
    }

    #[test]
    fn only_plain_origins_enter_the_policy() {
        assert_eq!(
            origin("https://auth.example.gouv.fr/realms/agents").as_deref(),
            Some("https://auth.example.gouv.fr")
        );
        assert_eq!(
            origin("http://127.0.0.1:3101").as_deref(),
            Some("http://127.0.0.1:3101")
        );
        assert_eq!(origin("javascript:alert(1)"), None);
        assert_eq!(origin("https://x.example; script-src *"), None);
    }
}
