//! Refusal of anonymisation networks (Tor and the like), as the terms of use promise.
//!
//! The list in force is the union of two parts:
//! - `SESAME_DENYLIST_FILE`: the Tor bulk exit list format (one address a line, `#` comments)
//!   plus any CIDR ranges. The file is read again whenever it changes; a file that cannot be read
//!   keeps the last good list.
//! - `SESAME_DENYLIST_URL`: the same format, downloaded at start and every
//!   `SESAME_DENYLIST_REFRESH_SECONDS`. A failed download (unreachable, not 2xx, or a body with no
//!   valid entry, such as an error page) keeps the last good copy, which is also written to
//!   `SESAME_DENYLIST_CACHE_FILE` so that a restart while the address is unreachable still refuses.
//!
//! Who the client is comes from [`crate::client`].

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock, Weak};
use std::time::{Duration, SystemTime};

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Extension;

use crate::client::IpSet;
use crate::perimeter::ClientIp;

/// How long a download of the list may take.
const DOWNLOAD_TIMEOUT: Duration = Duration::from_secs(30);

/// The largest list accepted from the address (the Tor bulk exit list is well under 1 MiB).
const MAX_DOWNLOAD_BYTES: usize = 16 * 1024 * 1024;

/// A part of the list downloaded from an address.
#[derive(Clone, Debug)]
pub struct UrlSource {
    pub url: String,
    /// How long to wait between two downloads.
    pub refresh: Duration,
    /// Where the last good download is kept.
    pub cache_file: PathBuf,
}

/// The list in force and where it comes from.
pub struct Denylist {
    file: Option<PathBuf>,
    url: Option<UrlSource>,
    /// The last good reading of `file`.
    from_file: RwLock<Arc<IpSet>>,
    /// The last good download of `url` (or, until the first one, its cached copy).
    from_url: RwLock<Arc<IpSet>>,
}

impl Denylist {
    /// Reads the file now (a missing or unreadable file at start-up is an empty list, logged), and
    /// the cached copy of the address's list, if any. Downloads start with [`Denylist::watch`].
    pub fn load(file: Option<PathBuf>, url: Option<UrlSource>) -> Arc<Denylist> {
        let denylist = Arc::new(Denylist {
            file,
            url,
            from_file: RwLock::new(Arc::new(IpSet::default())),
            from_url: RwLock::new(Arc::new(IpSet::default())),
        });
        denylist.reload();
        denylist.load_cache();
        denylist
    }

    /// Whether the address is on the file's list or on the downloaded one.
    pub fn contains(&self, address: IpAddr) -> bool {
        [&self.from_file, &self.from_url].into_iter().any(|part| {
            part.read()
                .map(|set| set.contains(address))
                .unwrap_or_default()
        })
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
                replace(&self.from_file, set);
            }
            Err(error) => tracing::warn!(
                file = %file.display(), %error,
                "liste de refus illisible : la précédente reste en vigueur"
            ),
        }
    }

    /// Takes the last good download kept on disk as the downloaded part, until the next download.
    fn load_cache(&self) {
        let Some(source) = &self.url else { return };
        let cache = &source.cache_file;
        match std::fs::read_to_string(cache) {
            Ok(text) => {
                let (set, _) = IpSet::parse(&text);
                tracing::info!(
                    file = %cache.display(), entries = set.len(),
                    "liste de refus : dernière copie téléchargée chargée"
                );
                replace(&self.from_url, set);
            }
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => tracing::info!(
                file = %cache.display(),
                "liste de refus : pas encore de copie téléchargée"
            ),
            Err(error) => tracing::warn!(
                file = %cache.display(), %error,
                "copie de la liste de refus téléchargée illisible"
            ),
        }
    }

    /// Downloads the address's list; on success, puts it in force and keeps a copy on disk, on
    /// failure keeps the last good copy.
    async fn refresh(&self, source: &UrlSource, client: &reqwest::Client) {
        match download(client, &source.url).await {
            Ok((set, text)) => {
                tracing::info!(url = %source.url, entries = set.len(), "liste de refus téléchargée");
                replace(&self.from_url, set);
                let cache = source.cache_file.clone();
                let written =
                    tokio::task::spawn_blocking(move || write_atomically(&cache, &text)).await;
                if let Err(error) = written
                    .map_err(std::io::Error::other)
                    .and_then(|result| result)
                {
                    tracing::warn!(
                        file = %source.cache_file.display(), %error,
                        "copie de la liste de refus téléchargée non enregistrée"
                    );
                }
            }
            Err(reason) => tracing::warn!(
                url = %source.url,
                "téléchargement de la liste de refus en échec ({reason}) : la dernière copie valide reste en vigueur"
            ),
        }
    }

    /// Watches the file and reloads it when its modification time or size changes, and downloads
    /// the address's list now and at every refresh. Both stop once the list is no longer used.
    pub fn watch(self: &Arc<Self>, every: Duration) {
        if let Some(file) = self.file.clone() {
            let denylist = Arc::downgrade(self);
            tokio::spawn(async move {
                let stamp = |file: &PathBuf| -> Option<(SystemTime, u64)> {
                    let metadata = std::fs::metadata(file).ok()?;
                    Some((metadata.modified().ok()?, metadata.len()))
                };
                let mut seen = stamp(&file);
                loop {
                    tokio::time::sleep(every).await;
                    let Some(denylist) = denylist.upgrade() else {
                        return;
                    };
                    let now = stamp(&file);
                    if now != seen && now.is_some() {
                        denylist.reload();
                        seen = now;
                    }
                }
            });
        }
        if let Some(source) = self.url.clone() {
            tokio::spawn(keep_downloading(Arc::downgrade(self), source));
        }
    }
}

async fn keep_downloading(denylist: Weak<Denylist>, source: UrlSource) {
    let client = match reqwest::Client::builder()
        .timeout(DOWNLOAD_TIMEOUT)
        .user_agent(concat!("France-Sesame/", env!("CARGO_PKG_VERSION")))
        .build()
    {
        Ok(client) => client,
        Err(error) => {
            tracing::warn!(%error, "liste de refus : client HTTP impossible à créer, pas de téléchargement");
            return;
        }
    };
    loop {
        let Some(denylist) = denylist.upgrade() else {
            return;
        };
        denylist.refresh(&source, &client).await;
        drop(denylist);
        tokio::time::sleep(source.refresh).await;
    }
}

fn replace(part: &RwLock<Arc<IpSet>>, set: IpSet) {
    if let Ok(mut current) = part.write() {
        *current = Arc::new(set);
    }
}

/// Downloads a list: the answer must be 2xx and hold at least one valid entry, so that an error
/// page never empties the list. Returns the list and the text it was read from.
async fn download(client: &reqwest::Client, url: &str) -> Result<(IpSet, String), String> {
    let mut response = client
        .get(url)
        .send()
        .await
        .map_err(|error| format!("requête impossible : {error}"))?;
    let status = response.status();
    if !status.is_success() {
        return Err(format!("réponse HTTP {status}"));
    }
    let too_big = || format!("réponse de plus de {MAX_DOWNLOAD_BYTES} octets");
    if response
        .content_length()
        .is_some_and(|length| length > MAX_DOWNLOAD_BYTES as u64)
    {
        return Err(too_big());
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|error| format!("lecture de la réponse interrompue : {error}"))?
    {
        if body.len() + chunk.len() > MAX_DOWNLOAD_BYTES {
            return Err(too_big());
        }
        body.extend_from_slice(&chunk);
    }
    let text =
        String::from_utf8(body).map_err(|_| "la réponse n'est pas du texte UTF-8".to_owned())?;
    let (set, problems) = IpSet::parse(&text);
    if set.is_empty() {
        return Err(format!(
            "aucune adresse ni plage valide dans la réponse ({} lignes invalides)",
            problems.len()
        ));
    }
    if let Some(first) = problems.first() {
        tracing::warn!(
            url,
            ignored = problems.len(),
            "liste de refus téléchargée : lignes ignorées, dont la {first}"
        );
    }
    Ok((set, text))
}

/// Writes the file through a temporary file in the same folder and a rename, so that a reader
/// never sees half a list; creates the folder if needed.
fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let folder = path
        .parent()
        .filter(|folder| !folder.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(folder)?;
    let name = path.file_name().ok_or_else(|| {
        std::io::Error::new(std::io::ErrorKind::InvalidInput, "nom de fichier manquant")
    })?;
    let mut temporary_name = std::ffi::OsString::from(".");
    temporary_name.push(name);
    temporary_name.push(format!(".{}.tmp", uuid::Uuid::new_v4().simple()));
    let temporary = folder.join(temporary_name);
    let result = (|| {
        let mut file = std::fs::File::create(&temporary)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        std::fs::rename(&temporary, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    result
}

// No stylesheet: the design system's files would be refused to this client like the rest.
const REFUSAL_PAGE: &str = r#"<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Accès refusé — France Sésame</title>
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
    if denylist.contains(client) {
        tracing::warn!(%client, uri = %crate::perimeter::loggable(request.uri()), "accès refusé : réseau d'anonymisation");
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
