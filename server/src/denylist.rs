//! Refusal of anonymisation networks (Tor and the like), as the terms of use promise.
//!
//! The list comes from `SESAME_DENYLIST_FILE`: the Tor bulk exit list format (one address a line,
//! `#` comments) plus any CIDR ranges. The file is read again whenever it changes; a file that
//! cannot be read keeps the last good list. Who the client is comes from [`crate::client`].

use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime};

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Extension;

use crate::client::IpSet;
use crate::perimeter::ClientIp;

/// The list in force and where it comes from.
pub struct Denylist {
    file: Option<PathBuf>,
    current: RwLock<Arc<IpSet>>,
}

impl Denylist {
    /// Reads the file now (a missing or unreadable file at start-up is an empty list, logged).
    pub fn load(file: Option<PathBuf>) -> Arc<Denylist> {
        let denylist = Arc::new(Denylist {
            file,
            current: RwLock::new(Arc::new(IpSet::default())),
        });
        denylist.reload();
        denylist
    }

    pub fn current(&self) -> Arc<IpSet> {
        self.current
            .read()
            .map(|set| Arc::clone(&set))
            .unwrap_or_default()
    }

    /// Reads the file again; keeps the list in force when the file cannot be read.
    fn reload(&self) {
        let Some(file) = &self.file else { return };
        match std::fs::read_to_string(file) {
            Ok(text) => {
                let (set, problems) = IpSet::parse(&text);
                for problem in &problems {
                    tracing::warn!(file = %file.display(), "liste de refus, {problem}");
                }
                tracing::info!(file = %file.display(), entries = set.len(), "liste de refus chargée");
                if let Ok(mut current) = self.current.write() {
                    *current = Arc::new(set);
                }
            }
            Err(error) => tracing::warn!(
                file = %file.display(), %error,
                "liste de refus illisible : la précédente reste en vigueur"
            ),
        }
    }

    /// Watches the file and reloads it when its modification time or size changes.
    pub fn watch(self: &Arc<Self>, every: Duration) {
        let Some(file) = self.file.clone() else {
            return;
        };
        let denylist = Arc::clone(self);
        tokio::spawn(async move {
            let stamp = |file: &PathBuf| -> Option<(SystemTime, u64)> {
                let metadata = std::fs::metadata(file).ok()?;
                Some((metadata.modified().ok()?, metadata.len()))
            };
            let mut seen = stamp(&file);
            loop {
                tokio::time::sleep(every).await;
                let now = stamp(&file);
                if now != seen && now.is_some() {
                    denylist.reload();
                    seen = now;
                }
            }
        });
    }
}

const REFUSAL_PAGE: &str = r#"<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Accès refusé — France Sésame</title>
<link rel="stylesheet" href="/dsfr/dsfr.min.css">
</head>
<body>
<main class="fr-container fr-my-6w">
<h1>Accès refusé</h1>
<p class="fr-text--lead">L'accès à France Sésame par un réseau d'anonymisation, tel que Tor, n'est pas autorisé.</p>
<p>Pour des raisons de sécurité, la plateforme n'accepte que les connexions directes. Connectez-vous sans passer par ce réseau. Si vous pensez qu'il s'agit d'une erreur, adressez-vous au poste de contrôle frontalier de votre site ; vos formalités peuvent se poursuivre selon la procédure de secours.</p>
</main>
</body>
</html>
"#;

/// Refuses clients on the list, with a page that says why.
pub async fn refuse_listed(
    State(denylist): State<Arc<Denylist>>,
    Extension(ClientIp(client)): Extension<ClientIp>,
    request: Request,
    next: Next,
) -> Response {
    if denylist.current().contains(client) {
        tracing::warn!(%client, uri = %request.uri(), "accès refusé : réseau d'anonymisation");
        return (
            StatusCode::FORBIDDEN,
            [
                (header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8")),
                (
                    header::CONTENT_SECURITY_POLICY,
                    HeaderValue::from_static(
                        "default-src 'none'; style-src 'self'; font-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
                    ),
                ),
            ],
            REFUSAL_PAGE,
        )
            .into_response();
    }
    next.run(request).await
}
