//! The HTTP perimeter every request and response passes through, before any handler runs:
//! security headers on every response, refusal of cross-site state-changing requests (CSRF), and
//! a cap on request bodies.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use app::http::{refusal, OverHttps};
use app::security::{page_policy, PageNonce, DEFAULT_POLICY, WORKER_POLICY};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::uri::Authority;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Extension;

/// The largest request body accepted, in bytes, except where documents are sent.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// What a request sending a document may carry beyond the document itself (its other parts).
pub const DOCUMENT_PARTS_BYTES: usize = 1024 * 1024;

/// Whether a request sends a document: a partner's `POST /api/v1/documents`, or a person's
/// `POST /dossiers/{id}/documents`. Only these get the documents' limit.
pub fn sends_document(method: &Method, path: &str) -> bool {
    if method != Method::POST {
        return false;
    }
    if path == "/api/v1/documents" {
        return true;
    }
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    matches!(segments.as_slice(), ["dossiers", id, "documents"] if !id.is_empty() && id.chars().all(|c| c.is_ascii_digit()))
}

/// Caps request bodies: [`MAX_BODY_BYTES`], or for a request sending a document, the
/// documents' limit and [`DOCUMENT_PARTS_BYTES`] (the handler itself holds the document to its
/// limit, with a message saying so). A declared length beyond is refused at once; a body that
/// grows beyond is cut off.
pub async fn cap_bodies(
    State(document_bytes): State<usize>,
    request: Request,
    next: Next,
) -> Response {
    let limit = if sends_document(request.method(), request.uri().path()) {
        document_bytes + DOCUMENT_PARTS_BYTES
    } else {
        MAX_BODY_BYTES
    };
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<usize>().ok());
    if declared.is_some_and(|length| length > limit) {
        return refusal(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "Envoi trop volumineux : au plus {} Mio.",
                limit.div_ceil(1024 * 1024)
            ),
        );
    }
    let (parts, body) = request.into_parts();
    let body = axum::body::Body::new(http_body_util::Limited::new(body, limit));
    next.run(Request::from_parts(parts, body)).await
}

const PERMISSIONS_POLICY: &str =
    "camera=(self), microphone=(), geolocation=(), payment=(), usb=(), display-capture=()";

/// The address of the client a request comes from, resolved once by [`identify_client`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

impl ClientIp {
    /// The key a client's budgets are counted under (requests, failed sign-ins, recovery,
    /// invitations): its address, and for IPv6 its /64, since one subscriber line or one host
    /// routinely holds a whole /64 and would otherwise get billions of budgets.
    pub fn budget_key(self) -> String {
        match self.0 {
            IpAddr::V4(address) => address.to_string(),
            IpAddr::V6(address) => match address.to_ipv4_mapped() {
                Some(v4) => v4.to_string(),
                None => {
                    let s = address.segments();
                    format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
                }
            },
        }
    }
}

/// How requests reach the platform, as [`identify_client`] needs to know it.
#[derive(Clone, Debug)]
pub struct Transport {
    /// The reverse proxies whose `X-Forwarded-For` and `X-Forwarded-Proto` are believed.
    pub trusted_proxies: Arc<crate::client::IpSet>,
    /// The platform terminates TLS itself: every request came over HTTPS.
    pub direct_tls: bool,
}

/// HSTS: two years, subdomains included, as the State's security guidelines recommend.
const STRICT_TRANSPORT_SECURITY: &str = "max-age=63072000; includeSubDomains";

/// Works out who is asking: the peer, or the client a trusted proxy forwards for (see
/// [`crate::client::client_address`]), and whether over HTTPS, for every later check to read.
pub async fn identify_client(
    State(transport): State<Transport>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    mut request: Request,
    next: Next,
) -> Response {
    let trusted_proxies = &transport.trusted_proxies;
    let client = crate::client::client_address(peer.ip(), request.headers(), trusted_proxies);
    let over_https = transport.direct_tls
        || (trusted_proxies.contains(peer.ip())
            && request
                .headers()
                .get("x-forwarded-proto")
                .and_then(|value| value.to_str().ok())
                .and_then(|value| value.split(',').next_back())
                .is_some_and(|scheme| scheme.trim().eq_ignore_ascii_case("https")));
    request.extensions_mut().insert(ClientIp(client));
    request.extensions_mut().insert(OverHttps(over_https));
    next.run(request).await
}

/// Whether plain HTTP is only redirected, and where to.
#[derive(Clone, Debug)]
pub struct HttpsOnly {
    /// Production: plain HTTP only redirects to HTTPS.
    pub production: bool,
    /// `https://host[:port]`, what the redirect puts before the path (see [`https_origin`]).
    pub origin: String,
}

/// The origin plain HTTP is redirected to: the public address's host over HTTPS (its port kept
/// only when the public address is HTTPS already), or, without a public address, the address the
/// server listens on. Never the request's `Host`, which the client writes: a forged one would
/// send people, with the path they asked for, to someone else's site.
pub fn https_origin(public_url: Option<&str>, listening: SocketAddr) -> String {
    let public = public_url.and_then(|url| reqwest::Url::parse(url.trim()).ok());
    match public.as_ref().and_then(|url| Some((url, url.host_str()?))) {
        Some((url, host)) => match url.port() {
            Some(port) if url.scheme() == "https" => format!("https://{host}:{port}"),
            _ => format!("https://{host}"),
        },
        None => format!("https://{listening}"),
    }
}

/// In production, plain HTTP only redirects to HTTPS (308, so that the method is kept), except for
/// the health probes that load balancers call over HTTP. Over HTTPS, responses carry HSTS.
pub async fn https_only(
    State(https_only): State<Arc<HttpsOnly>>,
    Extension(OverHttps(over_https)): Extension<OverHttps>,
    request: Request,
    next: Next,
) -> Response {
    // The scrape too: the operations network reads it as it reads the probes.
    let probe = matches!(
        request.uri().path(),
        "/healthz" | "/readyz" | crate::metrics::PATH
    );
    if https_only.production && !over_https && !probe {
        let path = request
            .uri()
            .path_and_query()
            .map(|path| path.as_str())
            .unwrap_or("/");
        if let Ok(location) = HeaderValue::from_str(&format!("{}{path}", https_only.origin)) {
            return (
                StatusCode::PERMANENT_REDIRECT,
                [(header::LOCATION, location)],
            )
                .into_response();
        }
        return refusal(StatusCode::BAD_REQUEST, "Adresse de requête invalide.");
    }
    let mut response = next.run(request).await;
    if over_https {
        response.headers_mut().insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(STRICT_TRANSPORT_SECURITY),
        );
    }
    response
}

/// Adds the security headers to every response. Each request gets a fresh nonce, which the page
/// puts on its scripts (see `app::ui::shell`); an HTML page's Content-Security-Policy allows only
/// those scripts. A response that set its own policy keeps it; any other gets the strict default.
pub async fn security_headers(
    State(form_targets): State<Arc<Vec<String>>>,
    mut request: Request,
    next: Next,
) -> Response {
    let nonce = leptos::nonce::Nonce::new();
    request
        .extensions_mut()
        .insert(PageNonce(nonce.as_inner().clone()));
    let worker = request.uri().path() == app::security::WORKER_PATH;
    let mut response = next.run(request).await;
    let is_page = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("text/html"));
    let headers = response.headers_mut();
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        let policy = if worker {
            HeaderValue::from_static(WORKER_POLICY)
        } else if is_page {
            HeaderValue::from_str(&page_policy(&nonce, &form_targets))
                .unwrap_or(HeaderValue::from_static(DEFAULT_POLICY))
        } else {
            HeaderValue::from_static(DEFAULT_POLICY)
        };
        headers.insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    headers.insert(
        "permissions-policy",
        HeaderValue::from_static(PERMISSIONS_POLICY),
    );
    response
}

/// Query parameters that carry a secret: single-use links (password, address), the convocation's
/// check-in code, the identity provider's answer.
const SECRET_PARAMETERS: [&str; 4] = ["jeton", "code", "state", "webhook_adresse"];

/// An address as the logs may keep it: secrets replaced by "…" (the calendar address's token,
/// the values of [`SECRET_PARAMETERS`]), so that reading the logs gives no way in.
pub fn loggable(uri: &axum::http::Uri) -> String {
    let path = uri.path();
    let mut shown = match path.strip_prefix("/calendrier/") {
        Some(_) => "/calendrier/…".to_owned(),
        None => path.to_owned(),
    };
    if let Some(query) = uri.query() {
        let pairs: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((name, _)) if SECRET_PARAMETERS.contains(&name) => format!("{name}=…"),
                _ => pair.to_owned(),
            })
            .collect();
        shown.push('?');
        shown.push_str(&pairs.join("&"));
    }
    shown
}

/// Refuses a state-changing request that a browser sent on behalf of another site. SameSite
/// cookies already stop most of them; this check does not depend on the cookie settings.
pub async fn same_origin_writes(request: Request, next: Next) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    );
    if safe || comes_from_this_site(request.headers(), request.uri().authority()) {
        next.run(request).await
    } else {
        tracing::warn!(
            method = %request.method(),
            uri = %loggable(request.uri()),
            origin = ?request.headers().get(header::ORIGIN),
            "requête intersites refusée"
        );
        refusal(
            StatusCode::FORBIDDEN,
            "Requête refusée : elle a été envoyée depuis un autre site que France Sésame \
             (protection contre la falsification de requêtes intersites).",
        )
    }
}

/// Whether the browser says the request comes from this site. Modern browsers send
/// `Sec-Fetch-Site`; older ones send `Origin` on every POST. A request with neither comes from a
/// program, not a browser, and carries no one's cookies by surprise, so it is let through (the
/// partner interface authenticates such programs with keys). The site's own name is the `Host`
/// header over HTTP/1.1 and the request's authority over HTTP/2 (which has no `Host`).
fn comes_from_this_site(headers: &HeaderMap, authority: Option<&Authority>) -> bool {
    if let Some(site) = headers.get("sec-fetch-site") {
        return matches!(site.to_str(), Ok("same-origin") | Ok("none"));
    }
    match headers.get(header::ORIGIN) {
        None => true,
        Some(origin) => {
            let (Ok(origin), Some(host)) = (
                origin.to_str(),
                headers
                    .get(header::HOST)
                    .and_then(|host| host.to_str().ok())
                    .or(authority.map(Authority::as_str)),
            ) else {
                return false;
            };
            origin
                .strip_prefix("https://")
                .or_else(|| origin.strip_prefix("http://"))
                .is_some_and(|origin_host| origin_host.eq_ignore_ascii_case(host))
        }
    }
}

/// How refusals of the web framework itself begin: said before any handler runs (a form missing
/// a field, a path parameter that is no number, a body that is no form), in English and in its
/// own words. None is shown to a person (see [`french_refusals`]).
const FRAMEWORK_REFUSALS: [&str; 12] = [
    "Failed to deserialize",
    "Failed to parse",
    "Failed to buffer",
    "Invalid URL",
    "Invalid `boundary`",
    "Error parsing",
    "Form requests must have",
    "Expected request with",
    "Wrong number of path arguments",
    "No paths parameters found",
    "Missing request extension",
    "Length Required",
];

/// What the French refusal says for a framework's refusal of this status.
fn french_for(status: StatusCode) -> &'static str {
    match status {
        StatusCode::UNPROCESSABLE_ENTITY => {
            "Le formulaire est incomplet, ou un de ses champs n'a pas la forme attendue : revenez \
             à la page précédente, complétez-le et envoyez-le de nouveau."
        }
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            "Cette demande doit être envoyée depuis le formulaire du site : revenez à la page \
             précédente et envoyez-le de nouveau."
        }
        StatusCode::PAYLOAD_TOO_LARGE => {
            "L'envoi est trop volumineux : allégez-le (un document trop lourd, un texte trop long) \
             et envoyez-le de nouveau."
        }
        _ => {
            "La demande n'a pas pu être lue : l'adresse ou un champ n'a pas la forme attendue. \
             Revenez à la page précédente et réessayez depuis le site."
        }
    }
}

/// A refusal the framework wrote in English before any handler ran is said again in French
/// (for the partner interface, as a problem document): a person, or a partner's developer, reads
/// what to do, never the framework's words. The platform's own refusals pass as they are.
pub async fn french_refusals(request: Request, next: Next) -> Response {
    let partner = request.uri().path().starts_with("/api/v1/");
    let response = next.run(request).await;
    let status = response.status();
    let plain = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes().starts_with(b"text/plain"));
    if !(status.is_client_error() || status.is_server_error()) || !plain {
        return response;
    }
    // The framework's refusals are short texts of a known length; anything else passes.
    use http_body_util::BodyExt;
    let short = axum::body::HttpBody::size_hint(response.body())
        .exact()
        .is_some_and(|length| length <= 4096);
    if !short {
        return response;
    }
    let (parts, body) = response.into_parts();
    let Ok(collected) = body.collect().await else {
        return refusal(status, french_for(status));
    };
    let bytes = collected.to_bytes();
    let text = String::from_utf8_lossy(&bytes);
    if !FRAMEWORK_REFUSALS
        .iter()
        .any(|beginning| text.starts_with(beginning))
    {
        return Response::from_parts(parts, axum::body::Body::from(bytes));
    }
    tracing::info!(%status, refus = %text, "refus du cadre web dit en français");
    // A framework's 5xx is a fault of the platform, not of the request: it still says what to do.
    let status = if status.is_server_error() {
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        status
    };
    if partner {
        let body = serde_json::json!({
            "type": "about:blank",
            "title": "Requête illisible",
            "status": status.as_u16(),
            "detail": french_for(status),
        });
        return (
            status,
            [(header::CONTENT_TYPE, "application/problem+json")],
            body.to_string(),
        )
            .into_response();
    }
    refusal(status, french_for(status))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ipv6_client_is_budgeted_by_its_64() {
        let key = |ip: &str| ClientIp(ip.parse().unwrap()).budget_key();
        assert_eq!(key("192.0.2.7"), "192.0.2.7");
        assert_eq!(key("::ffff:192.0.2.7"), "192.0.2.7");
        assert_eq!(
            key("2001:db8:1:2::1"),
            key("2001:db8:1:2:ffff:ffff:ffff:ffff")
        );
        assert_eq!(key("2001:db8:1:2::1"), "2001:db8:1:2::/64");
        assert_ne!(key("2001:db8:1:2::1"), key("2001:db8:1:3::1"));
    }

    #[test]
    fn plain_http_is_sent_to_the_public_host() {
        let listening: SocketAddr = "0.0.0.0:8080".parse().unwrap();
        let origin = |url: Option<&str>| https_origin(url, listening);
        assert_eq!(
            origin(Some("https://sesame.example.gouv.fr/")),
            "https://sesame.example.gouv.fr"
        );
        assert_eq!(
            origin(Some("https://sesame.example.gouv.fr:8443/base")),
            "https://sesame.example.gouv.fr:8443"
        );
        // A plain HTTP public address: its port is not the HTTPS one.
        assert_eq!(
            origin(Some("http://sesame.example.gouv.fr:8080")),
            "https://sesame.example.gouv.fr"
        );
        assert_eq!(origin(None), "https://0.0.0.0:8080");
        assert_eq!(origin(Some("pas une adresse")), "https://0.0.0.0:8080");
    }

    #[test]
    fn the_logs_keep_no_secret_of_an_address() {
        let shown = |uri: &str| loggable(&uri.parse().unwrap());
        assert_eq!(shown("/calendrier/3f9a0c7d2b.ics"), "/calendrier/…");
        assert_eq!(
            shown("/mot-de-passe/nouveau?jeton=abc123&message=x"),
            "/mot-de-passe/nouveau?jeton=…&message=x"
        );
        assert_eq!(
            shown("/connexion/oidc/agentconnect/retour?code=s3cr3t&state=xyz"),
            "/connexion/oidc/agentconnect/retour?code=…&state=…"
        );
        assert_eq!(
            shown("/dossiers?site=FRLEH&page=2"),
            "/dossiers?site=FRLEH&page=2"
        );
    }

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn the_browser_decides_what_is_this_site() {
        assert!(comes_from_this_site(
            &headers(&[("sec-fetch-site", "same-origin")]),
            None
        ));
        assert!(!comes_from_this_site(
            &headers(&[("sec-fetch-site", "cross-site")]),
            None
        ));
        assert!(!comes_from_this_site(
            &headers(&[("sec-fetch-site", "same-site")]),
            None
        ));
        assert!(comes_from_this_site(
            &headers(&[
                ("origin", "http://127.0.0.1:3000"),
                ("host", "127.0.0.1:3000")
            ]),
            None
        ));
        assert!(!comes_from_this_site(
            &headers(&[
                ("origin", "https://malveillant.example"),
                ("host", "127.0.0.1:3000")
            ]),
            None
        ));
        assert!(!comes_from_this_site(
            &headers(&[("origin", "null"), ("host", "127.0.0.1:3000")]),
            None
        ));
        assert!(
            comes_from_this_site(&headers(&[]), None),
            "un programme sans navigateur"
        );
        // HTTP/2: no `Host`, the request's authority names the site.
        let authority = Authority::from_static("127.0.0.1:3000");
        assert!(comes_from_this_site(
            &headers(&[("origin", "http://127.0.0.1:3000")]),
            Some(&authority)
        ));
        assert!(!comes_from_this_site(
            &headers(&[("origin", "https://malveillant.example")]),
            Some(&authority)
        ));
        assert!(!comes_from_this_site(
            &headers(&[("origin", "http://127.0.0.1:3000")]),
            None
        ));
    }
}
