//! The site folder's files (the build's `pkg/`, the design system's `dsfr/`, the icon): served as
//! the release build left them, precompressed (brotli, gzip) by `scripts/assets.mjs` so that no
//! request spends CPU compressing a 2 MB WASM, and cached by browsers for a year when their name
//! can never designate other content (see [`app::assets::is_immutable`]); the others are
//! revalidated at each use. A path that names no file gets the application's 404 page.

use std::path::{Path, PathBuf};

use app::assets::Stylesheets;
use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

/// The list of digests a release build writes in the site folder.
const HASH_FILE: &str = "hash.txt";

/// The list of digests of a site folder, when its build fingerprinted the files.
pub fn hash_file(site_root: &str) -> Option<PathBuf> {
    let path = Path::new(site_root).join(HASH_FILE);
    let path = std::path::absolute(path).ok()?;
    path.is_file().then_some(path)
}

/// The stylesheets the pages link, under their fingerprinted names when the build wrote them.
pub fn stylesheets(site_root: &str) -> Stylesheets {
    hash_file(site_root)
        .and_then(|path| std::fs::read_to_string(path).ok())
        .map(|hashes| Stylesheets::fingerprinted(&hashes))
        .unwrap_or_default()
}

const FOR_A_YEAR: HeaderValue = HeaderValue::from_static("public, max-age=31536000, immutable");
const REVALIDATE: HeaderValue = HeaderValue::from_static("no-cache");

/// Says how long the browser may keep a file served from the site folder.
pub async fn cache_for(request: Request, next: Next) -> Response {
    let immutable = app::assets::is_immutable(request.uri().path());
    let mut response = next.run(request).await;
    let served = matches!(response.status(), StatusCode::OK | StatusCode::NOT_MODIFIED);
    if served && !response.headers().contains_key(header::CACHE_CONTROL) {
        let policy = if immutable { FOR_A_YEAR } else { REVALIDATE };
        response.headers_mut().insert(header::CACHE_CONTROL, policy);
        // The same address answers brotli, gzip or plain bytes: a shared cache must tell them apart.
        response
            .headers_mut()
            .append(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    response
}
