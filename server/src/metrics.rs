//! What the operations watch: `GET /metrics` in the Prometheus text format (OpenMetrics, through
//! the `prometheus-client` crate). Requests by route and status and their latency, partner events
//! stored, replayed and refused, alert evaluations, and — read at each scrape — live streams open
//! on this instance, mails and webhook deliveries waiting, and the database pool in use. Served
//! only to the operations network (`SESAME_METRICS_NETWORKS`, the machine itself by default) or
//! to whoever holds `SESAME_METRICS_TOKEN`; anyone else gets the 404 page, as for a path that does
//! not exist. Nothing personal is counted: routes are their patterns (`/dossiers/{id}`), never the
//! address asked.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Instant;

use app::state::Caller;
use app::store::{Engine, Store};
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Extension;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;
use secrecy::{ExposeSecret, SecretString};

use crate::client::IpSet;

/// Where the scrape answers.
pub const PATH: &str = "/metrics";

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: String,
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabels {
    outcome: &'static str,
}

/// What a partner event came to.
#[derive(Clone, Copy, Debug)]
pub enum EventOutcome {
    /// Stored.
    Created,
    /// Sent again, identical: nothing stored.
    Duplicate,
    /// Refused: invalid, out of the key's scope, or an id reused for another content.
    Refused,
}

/// The instance's counters and gauges.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram>,
    events: Family<OutcomeLabels, Counter>,
    alert_evaluations: Counter,
    live_streams: Gauge,
    mails_waiting: Gauge,
    webhooks_waiting: Gauge,
    pool_connections: Gauge,
    pool_idle: Gauge,
}

impl Metrics {
    pub fn new() -> Arc<Metrics> {
        let mut registry = Registry::with_prefix("sesame");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "http_requests",
            "Requêtes HTTP reçues, par route et statut de la réponse",
            requests.clone(),
        );
        let latency = Family::<RouteLabels, Histogram>::new_with_constructor(|| {
            // From 1 ms to about 33 s.
            Histogram::new(exponential_buckets(0.001, 2.0, 16))
        });
        registry.register(
            "http_request_duration_seconds",
            "Durée des réponses HTTP, par route",
            latency.clone(),
        );
        let events = Family::<OutcomeLabels, Counter>::default();
        registry.register(
            "partner_events",
            "Événements partenaires : enregistrés, renvoyés à l'identique ou refusés",
            events.clone(),
        );
        let alert_evaluations = Counter::default();
        registry.register(
            "alert_evaluations",
            "Évaluations des alertes par l'horloge",
            alert_evaluations.clone(),
        );
        let gauge = |registry: &mut Registry, name: &str, help: &str| {
            let gauge = Gauge::default();
            registry.register(name, help, gauge.clone());
            gauge
        };
        let live_streams = gauge(
            &mut registry,
            "live_streams",
            "Flux en direct ouverts sur cette instance",
        );
        let mails_waiting = gauge(
            &mut registry,
            "mails_waiting",
            "Courriels de notification pas encore partis (ni abandonnés)",
        );
        let webhooks_waiting = gauge(
            &mut registry,
            "webhook_deliveries_waiting",
            "Livraisons de webhooks pas encore faites (ni abandonnées)",
        );
        let pool_connections = gauge(
            &mut registry,
            "database_pool_connections",
            "Connexions ouvertes du pool de la base de données",
        );
        let pool_idle = gauge(
            &mut registry,
            "database_pool_idle_connections",
            "Connexions inoccupées du pool de la base de données",
        );
        Arc::new(Metrics {
            registry,
            requests,
            latency,
            events,
            alert_evaluations,
            live_streams,
            mails_waiting,
            webhooks_waiting,
            pool_connections,
            pool_idle,
        })
    }

    /// Counts a partner event's outcome.
    pub fn event(&self, outcome: EventOutcome) {
        let outcome = match outcome {
            EventOutcome::Created => "enregistre",
            EventOutcome::Duplicate => "doublon",
            EventOutcome::Refused => "refuse",
        };
        self.events.get_or_create(&OutcomeLabels { outcome }).inc();
    }

    /// Counts one evaluation of the alerts.
    pub fn alert_evaluation(&self) {
        self.alert_evaluations.inc();
    }
}

/// Counts each request under its route's pattern (`autre` for what no route matched: files,
/// unknown paths), with its status and duration.
pub async fn count(State(metrics): State<Arc<Metrics>>, request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|path| path.as_str().to_owned())
        .unwrap_or_else(|| "autre".to_owned());
    let method = request.method().as_str().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    metrics
        .latency
        .get_or_create(&RouteLabels {
            method: method.clone(),
            route: route.clone(),
        })
        .observe(started.elapsed().as_secs_f64());
    metrics
        .requests
        .get_or_create(&RequestLabels {
            method,
            route,
            status: response.status().as_u16(),
        })
        .inc();
    response
}

/// Who may scrape.
pub struct Access {
    pub networks: IpSet,
    pub token: Option<SecretString>,
}

impl Access {
    fn allows(&self, client: Option<IpAddr>, headers: &HeaderMap) -> bool {
        if client.is_some_and(|address| self.networks.contains(address)) {
            return true;
        }
        let Some(token) = self
            .token
            .as_ref()
            .map(|token| token.expose_secret().trim())
            .filter(|token| !token.is_empty())
        else {
            return false;
        };
        let given = headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .unwrap_or_default()
            .trim();
        // Compared by their hashes: the time taken says nothing of the token.
        app::state::token_hash(given) == app::state::token_hash(token)
    }
}

/// What the scrape reads.
#[derive(Clone)]
pub struct Scrape {
    pub metrics: Arc<Metrics>,
    pub access: Arc<Access>,
    pub store: Store,
    pub live: crate::live::Live,
}

/// `GET /metrics`.
pub async fn scrape(
    State(scrape): State<Scrape>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
) -> Response {
    let client = caller.ip.parse::<IpAddr>().ok();
    if !scrape.access.allows(client, &headers) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let metrics = &scrape.metrics;
    metrics
        .live_streams
        .set(i64::try_from(scrape.live.subscribers()).unwrap_or(i64::MAX));
    let (connections, idle) = match scrape.store.engine() {
        Engine::Sqlite(pool) => (pool.size(), pool.num_idle()),
        Engine::Postgres(pool) => (pool.size(), pool.num_idle()),
    };
    metrics.pool_connections.set(i64::from(connections));
    metrics
        .pool_idle
        .set(i64::try_from(idle).unwrap_or(i64::MAX));
    match scrape.store.backlogs().await {
        Ok((mails, webhooks)) => {
            metrics.mails_waiting.set(mails);
            metrics.webhooks_waiting.set(webhooks);
        }
        // The rest still says what it knows; the pool's figures say why.
        Err(error) => tracing::warn!(%error, "métriques : files d'attente illisibles"),
    }
    let mut text = String::new();
    if let Err(error) = prometheus_client::encoding::text::encode(&mut text, &metrics.registry) {
        tracing::error!(%error, "métriques : encodage impossible");
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    }
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/openmetrics-text; version=1.0.0; charset=utf-8"),
        )],
        text,
    )
        .into_response()
}
