//! Maintenance, as every instance applies it: the state of the service (see
//! [`app::domain::service`]) read from the database every few seconds, so that a maintenance
//! scheduled, started or ended on one instance holds on all within that time, without a query per
//! request. During a maintenance, pages answer 503 with a French page saying why, until when, and
//! each site's procédure de secours; the partner interface answers 503 with `Retry-After`; the
//! health probes, the page « État du service », sign-in and the site's files still answer, and
//! the technical administrators keep the whole platform (to end it). Before one, every page shows
//! its banner (see [`app::ui::pages::service::MaintenanceBanner`]).

use std::sync::{Arc, RwLock};
use std::time::Duration;

use app::assets::Stylesheets;
use app::domain::directory::Role;
use app::domain::service::{Interruption, ServiceNotice, ServiceState};
use app::state::Caller;
use app::store::Store;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::Utc;

/// The state of the service as this instance last read it.
pub struct Maintenance {
    state: RwLock<ServiceState>,
    stylesheets: Stylesheets,
}

impl Maintenance {
    pub fn new(stylesheets: Stylesheets) -> Arc<Maintenance> {
        Arc::new(Maintenance {
            state: RwLock::new(ServiceState::default()),
            stylesheets,
        })
    }

    /// Reads the state again now.
    pub async fn refresh(&self, store: &Store) {
        match store.service_state(Utc::now()).await {
            Ok(state) => {
                if let Ok(mut held) = self.state.write() {
                    *held = state;
                }
            }
            Err(error) => {
                tracing::warn!(%error, "maintenance : état du service non relu, l'état précédent reste appliqué")
            }
        }
    }

    /// Reads the state at start, then every `every`, as long as the store is open.
    pub fn start(self: &Arc<Self>, store: Store, every: Duration) {
        let maintenance = Arc::clone(self);
        tokio::spawn(async move {
            let mut interval = tokio::time::interval(every);
            interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                interval.tick().await;
                if store.is_closed() {
                    return;
                }
                maintenance.refresh(&store).await;
            }
        });
    }

    fn state(&self) -> ServiceState {
        self.state
            .read()
            .map(|state| state.clone())
            .unwrap_or_default()
    }

    /// The maintenance under way now, if any: read under the lock, on every request, without
    /// copying the state.
    pub fn under_way(&self) -> Option<Interruption> {
        let state = self.state.read().ok()?;
        state.maintenance_at(Utc::now()).cloned()
    }

    /// What every page's banner says now.
    pub fn notice(&self) -> ServiceNotice {
        let now = Utc::now();
        let Ok(state) = self.state.read() else {
            return ServiceNotice::default();
        };
        if let Some(under_way) = state.maintenance_at(now) {
            return ServiceNotice(Some((under_way.clone(), true)));
        }
        ServiceNotice(state.announced_at(now).cloned().map(|next| (next, false)))
    }
}

/// What still answers during a maintenance, for everyone.
fn open_during(path: &str) -> bool {
    const OPEN: [&str; 9] = [
        "/healthz",
        "/readyz",
        crate::metrics::PATH,
        app::ui::pages::service::PATH,
        "/api/etat-du-service",
        "/connexion",
        "/deconnexion",
        "/favicon.svg",
        "/favicon.ico",
    ];
    OPEN.iter().any(|open| {
        path == *open
            || path.starts_with(&format!("{open}/"))
            || path.starts_with(&format!("{open}?"))
    }) || path.starts_with("/pkg/")
        || path.starts_with("/dsfr/")
        || path.starts_with("/style/")
}

/// Answers 503 during a maintenance, except what stays open and the technical administrators.
pub async fn guard(
    State(maintenance): State<Arc<Maintenance>>,
    request: Request,
    next: Next,
) -> Response {
    let Some(under_way) = maintenance.under_way() else {
        return next.run(request).await;
    };
    let path = request.uri().path().to_owned();
    let administrator = request
        .extensions()
        .get::<Caller>()
        .and_then(|caller| caller.viewer.as_ref())
        .is_some_and(|viewer| viewer.role == Role::Administrateur);
    if administrator || open_during(&path) {
        return next.run(request).await;
    }
    let retry = under_way.retry_after(Utc::now());
    let retry_after =
        HeaderValue::from_str(&retry.to_string()).unwrap_or(HeaderValue::from_static("3600"));
    if path.starts_with("/api/v1/") {
        let mut response = crate::partner::problem(
            StatusCode::SERVICE_UNAVAILABLE,
            "Service en maintenance",
            format!(
                "France Sésame est en maintenance jusqu'au {} : {} Réessayez après cette heure ; rien n'a été enregistré.",
                app::ui::format::date_time(under_way.ends_at),
                under_way.message
            ),
            &[],
        );
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, retry_after);
        return response;
    }
    let state = maintenance.state();
    let page = page(&under_way, &state, &maintenance.stylesheets);
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            ),
            (header::RETRY_AFTER, retry_after),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        page,
    )
        .into_response()
}

/// Text for HTML.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn paragraphs(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(|line| format!("<p>{}</p>", escape(line)))
        .collect()
}

/// The page a person gets during a maintenance.
fn page(under_way: &Interruption, state: &ServiceState, sheets: &Stylesheets) -> String {
    let procedures: String = if state.procedures.is_empty() {
        paragraphs(app::domain::service::GENERAL_PROCEDURE)
    } else {
        state
            .procedures
            .iter()
            .map(|procedure| {
                format!(
                    "<h3 class=\"fr-h6 fr-mb-1w\">{}</h3>{}",
                    escape(&procedure.name),
                    paragraphs(procedure.text())
                )
            })
            .collect()
    };
    format!(
        r#"<!DOCTYPE html>
<html lang="fr" data-fr-scheme="light">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Maintenance en cours — France Sésame</title>
<link rel="stylesheet" href="{design}">
<link rel="stylesheet" href="{own}">
</head>
<body>
<main id="contenu" class="fr-container fr-my-6w">
<h1>France Sésame est en maintenance</h1>
<p class="fr-text--lead">{message}</p>
<p>La plateforme est indisponible jusqu'au {until} (heure de Paris). Réessayez après cette heure : ce que vous aviez commencé n'a pas été enregistré. Les rendez-vous fixés sont maintenus.</p>
<p><a href="/etat-du-service">Suivre l'état du service</a></p>
<h2>Procédure de secours</h2>
<p>Pendant la maintenance, les formalités continuent : TRACES NT et le système de dédouanement restent les références, et chaque site a sa procédure.</p>
{procedures}
</main>
</body>
</html>
"#,
        design = escape(&sheets.design_system),
        own = escape(&sheets.own),
        message = escape(&under_way.message),
        until = app::ui::format::date_time(under_way.ends_at),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_stays_open_during_a_maintenance() {
        for open in [
            "/healthz",
            "/readyz",
            "/metrics",
            "/etat-du-service",
            "/connexion",
            "/connexion/oidc/douane/retour",
            "/pkg/sesame.wasm",
            "/dsfr/dsfr.min.css",
        ] {
            assert!(open_during(open), "{open}");
        }
        for closed in [
            "/",
            "/dossiers",
            "/api/v1/events",
            "/connexionx",
            "/api/dossiers",
        ] {
            assert!(!open_during(closed), "{closed}");
        }
    }

    #[test]
    fn the_page_says_why_until_when_and_each_site_s_procedure_escaped() {
        let now = Utc::now();
        let under_way = Interruption {
            id: 1,
            planned: true,
            starts_at: now,
            ends_at: now + chrono::Duration::hours(2),
            message: "Mise à jour <majeure>".into(),
            cancelled: false,
        };
        let state = ServiceState {
            procedures: vec![app::domain::service::SiteProcedure {
                code: "FRLEH".into(),
                name: "Le Havre".into(),
                written: "Appelez le 02 35 00 00 00\nPuis présentez-vous au poste".into(),
            }],
            ..Default::default()
        };
        let page = page(&under_way, &state, &Stylesheets::default());
        assert!(page.contains("lang=\"fr\""));
        assert!(page.contains("Mise à jour &lt;majeure&gt;"));
        assert!(page.contains(&app::ui::format::date_time(under_way.ends_at)));
        assert!(page.contains("<h3 class=\"fr-h6 fr-mb-1w\">Le Havre</h3><p>Appelez le 02 35 00 00 00</p><p>Puis présentez-vous au poste</p>"));
    }
}
