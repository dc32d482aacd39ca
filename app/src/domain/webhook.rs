//! Webhooks of operator companies: an HTTPS address a company administrator registers to receive
//! chosen kinds of notification as signed JSON documents. What a document holds, which
//! addresses may receive one (never the platform's own network: server-side request forgery),
//! and what the administrator reads of its endpoints.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The header that signs a delivery: `t=<Unix time of the attempt>,v1=<hex HMAC-SHA256 of
/// "<t>.<body>" with the endpoint's secret>`.
pub const SIGNATURE_HEADER: &str = "Sesame-Signature";
/// The header that names the document (its `id`), the same at every attempt and re-sending.
pub const DELIVERY_HEADER: &str = "Sesame-Delivery";
/// How far from the receiver's clock a signature's time may be, in seconds, for the receiver
/// to accept it (a replayed old delivery is refused; an attempt is signed when it is made).
pub const REPLAY_WINDOW_SECONDS: i64 = 300;
/// The kind of the document sent by « Envoyer un test ».
pub const TEST_KIND: &str = "test";
/// How many of an endpoint's last attempts are kept and shown.
pub const ATTEMPTS_KEPT: i64 = 50;
/// The longest address accepted.
pub const MAX_URL_CHARS: usize = 2000;

/// The document delivered: only what the company's own operators read in their notification.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookPayload {
    /// The notification's identifier: the same at every attempt and re-sending (receivers keep
    /// the ones they processed and ignore a second arrival).
    pub id: String,
    /// The kind of notification (`controle_a_planifier`…), or `test`.
    #[serde(rename = "type")]
    pub kind: String,
    /// When the platform wrote it: never the time of an attempt, so that documents arriving out
    /// of order can be put back in order.
    pub created_at: DateTime<Utc>,
    pub action_required: bool,
    /// The notification's title and text, as the company's operators read them.
    pub title: String,
    pub text: String,
    /// The dossier it is about; none for a test.
    pub dossier: Option<WebhookDossier>,
}

/// The dossier a document is about, as the company's operators see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookDossier {
    pub id: i64,
    /// The container, air waybill, DSCE, bill of lading or MRN the dossier is known by.
    pub reference: String,
    /// The site's UN/LOCODE, and the border control post's code once designated.
    pub site: String,
    pub post: Option<String>,
    /// Where to act on the platform: a path when written, the full address when delivered.
    pub url: String,
}

/// One of a company's endpoints, as its administrator reads it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookEndpoint {
    pub id: i64,
    pub url: String,
    /// The labels of the kinds it receives.
    pub kinds: Vec<String>,
    pub created_at: DateTime<Utc>,
    /// Every attempt has failed since then.
    pub failing_since: Option<DateTime<Utc>>,
    /// Paused after a day of failures: it receives nothing until resumed.
    pub paused_at: Option<DateTime<Utc>>,
    /// The last attempts, newest first.
    pub attempts: Vec<WebhookAttempt>,
}

/// One attempt at delivering a document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookAttempt {
    pub delivery_id: i64,
    pub kind_label: String,
    pub at: DateTime<Utc>,
    /// The HTTP status answered; none when nothing answered.
    pub status: Option<u16>,
    pub duration_ms: i64,
    /// What went wrong, in French; none for a success.
    pub error: Option<String>,
    /// Where the document stands now.
    pub state: DeliveryState,
}

/// Where a delivery stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DeliveryState {
    Delivered,
    /// To be tried again.
    Pending,
    /// Abandoned: a day of failures, the endpoint paused, or the company no longer allowed.
    GivenUp,
}

impl DeliveryState {
    pub fn label(self) -> &'static str {
        match self {
            DeliveryState::Delivered => "Livrée",
            DeliveryState::Pending => "Nouvel essai prévu",
            DeliveryState::GivenUp => "Abandonnée",
        }
    }
}

/// What is wrong with an address typed for an endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UrlProblem {
    Empty,
    TooLong,
    /// Not `https://` (plain `http://` only where the test setting allows local addresses).
    NotHttps,
    /// `user:password@` in the address: the signature authenticates, not the address.
    Credentials,
    /// No server name, or one that is not a name.
    Host,
    /// Not 443 nor from 1024 on: the well-known ports of other services are not called.
    Port,
    /// Spaces, or a `#fragment`, which is never sent.
    Malformed,
    /// The platform's own network (loopback, private, link-local…): refused.
    Private,
}

/// An endpoint's address once checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EndpointUrl {
    /// The address as it will be called (scheme and server name in lower case).
    pub url: String,
    /// The server's name or address (without the brackets of an IPv6 address).
    pub host: String,
    pub port: u16,
}

/// Checks an address typed for an endpoint: `https://`, a server name or a public address, no
/// credentials. `allow_local`, for tests only, also accepts `http://` and the platform's own
/// network. Names are resolved later, at registration and at every attempt.
pub fn check_endpoint_url(typed: &str, allow_local: bool) -> Result<EndpointUrl, UrlProblem> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Err(UrlProblem::Empty);
    }
    if typed.chars().count() > MAX_URL_CHARS {
        return Err(UrlProblem::TooLong);
    }
    if typed.chars().any(|c| c.is_whitespace() || c.is_control()) || typed.contains('#') {
        return Err(UrlProblem::Malformed);
    }
    let lower = typed.to_ascii_lowercase();
    let (scheme, rest, default_port) = if lower.starts_with("https://") {
        ("https", &typed["https://".len()..], 443)
    } else if allow_local && lower.starts_with("http://") {
        ("http", &typed["http://".len()..], 80)
    } else {
        return Err(UrlProblem::NotHttps);
    };
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(end);
    if authority.contains('@') {
        return Err(UrlProblem::Credentials);
    }
    let (host, port) = if let Some(inner) = authority.strip_prefix('[') {
        let close = inner.find(']').ok_or(UrlProblem::Host)?;
        let host = &inner[..close];
        host.parse::<Ipv6Addr>().map_err(|_| UrlProblem::Host)?;
        (host.to_owned(), &inner[close + 1..])
    } else {
        match authority.rfind(':') {
            Some(colon) => (authority[..colon].to_ascii_lowercase(), &authority[colon..]),
            None => (authority.to_ascii_lowercase(), ""),
        }
    };
    let port = match port {
        "" => default_port,
        port => port
            .strip_prefix(':')
            .and_then(|digits| digits.parse::<u16>().ok())
            .filter(|port| *port > 0 && (allow_local || *port == 443 || *port >= 1024))
            .ok_or(UrlProblem::Port)?,
    };
    let literal = host.parse::<IpAddr>().ok();
    if literal.is_none() {
        let labels_ok = !host.is_empty()
            && host.len() <= 253
            && host.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            });
        if !labels_ok {
            return Err(UrlProblem::Host);
        }
    }
    if !allow_local {
        let local_name = host == "localhost" || host.ends_with(".localhost");
        if local_name || literal.is_some_and(|ip| !is_public(ip)) {
            return Err(UrlProblem::Private);
        }
    }
    let shown_host = if literal.is_some_and(|ip| ip.is_ipv6()) {
        format!("[{host}]")
    } else {
        host.clone()
    };
    let port_part = if port == default_port {
        String::new()
    } else {
        format!(":{port}")
    };
    let path = if path.is_empty() { "/" } else { path };
    Ok(EndpointUrl {
        url: format!("{scheme}://{shown_host}{port_part}{path}"),
        host,
        port,
    })
}

/// An address as it may be shown outside its administrator's page (the audit trail, a mail):
/// without its query, which may carry the receiver's own token.
pub fn without_query(url: &str) -> String {
    match url.split_once('?') {
        Some((base, _)) => format!("{base}?…"),
        None => url.to_owned(),
    }
}

/// Whether an address is on the public Internet: not the loopback, a private, shared,
/// link-local, unique-local, multicast, documentation, benchmarking or reserved range, nor an
/// IPv4 address hidden in an IPv6 one that is.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public_v4(v4);
            }
            let segments = v6.segments();
            let embeds_v4 = |prefix: &[u16]| segments.starts_with(prefix);
            if embeds_v4(&[0x64, 0xff9b, 0, 0, 0, 0])
                || embeds_v4(&[0, 0, 0, 0, 0, 0])
                || embeds_v4(&[0, 0, 0, 0, 0xffff, 0])
            {
                // NAT64 (64:ff9b::/96), the deprecated IPv4-compatible form, IPv4-translated.
                let [.., a, b] = segments;
                return is_public_v4(Ipv4Addr::new(
                    (a >> 8) as u8,
                    a as u8,
                    (b >> 8) as u8,
                    b as u8,
                ));
            }
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (segments[0] & 0xfe00) == 0xfc00 // unique local fc00::/7
                || (segments[0] & 0xffc0) == 0xfe80 // link-local fe80::/10
                || (segments[0] & 0xffc0) == 0xfec0 // site-local fec0::/10
                || (segments[0] == 0x2001 && segments[1] == 0x0db8) // documentation
                || (segments[0] == 0x2001 && segments[1] == 0) // Teredo, which may reach private IPv4
                || (segments[0] == 0x64 && segments[1] == 0xff9b && segments[2] == 1) // local NAT64
                || (segments[0] == 0x2002)) // 6to4, which may reach private IPv4
        }
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_documentation()
        || ip.is_unspecified()
        || ip.is_multicast()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // shared address space
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 198 && (18..20).contains(&b)) // benchmarking
        || a >= 240) // reserved
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_https_address_is_kept_with_its_path() {
        let url = check_endpoint_url(" https://API.Exemple.fr/sesame?x=1 ", false).unwrap();
        assert_eq!(url.url, "https://api.exemple.fr/sesame?x=1");
        assert_eq!(url.host, "api.exemple.fr");
        assert_eq!(url.port, 443);
        let url = check_endpoint_url("https://exemple.fr:8443", false).unwrap();
        assert_eq!(url.url, "https://exemple.fr:8443/");
        assert_eq!(url.port, 8443);
    }

    #[test]
    fn what_is_not_a_public_https_address_is_refused_with_its_reason() {
        for (typed, problem) in [
            ("", UrlProblem::Empty),
            ("http://exemple.fr/", UrlProblem::NotHttps),
            ("ftp://exemple.fr/", UrlProblem::NotHttps),
            ("https://moi:secret@exemple.fr/", UrlProblem::Credentials),
            ("https://exemple.fr:0/", UrlProblem::Port),
            ("https://exemple.fr:22/", UrlProblem::Port),
            ("https://exemple.fr:99999/", UrlProblem::Port),
            ("https://exem ple.fr/", UrlProblem::Malformed),
            ("https://exemple.fr/#ancre", UrlProblem::Malformed),
            ("https://-exemple.fr/", UrlProblem::Host),
            ("https:///chemin", UrlProblem::Host),
            ("https://127.0.0.1/", UrlProblem::Private),
            ("https://10.1.2.3/", UrlProblem::Private),
            ("https://192.168.0.10:8443/", UrlProblem::Private),
            (
                "https://169.254.169.254/latest/meta-data",
                UrlProblem::Private,
            ),
            ("https://[::1]/", UrlProblem::Private),
            ("https://[fd00::1]/", UrlProblem::Private),
            ("https://[::ffff:10.0.0.1]/", UrlProblem::Private),
            ("https://localhost/", UrlProblem::Private),
            ("https://api.localhost/", UrlProblem::Private),
        ] {
            assert_eq!(check_endpoint_url(typed, false), Err(problem), "{typed}");
        }
    }

    #[test]
    fn the_test_setting_allows_plain_http_on_the_loopback() {
        let url = check_endpoint_url("http://127.0.0.1:4000/recu", true).unwrap();
        assert_eq!(url.url, "http://127.0.0.1:4000/recu");
        assert_eq!(url.port, 4000);
    }

    #[test]
    fn an_address_shown_elsewhere_loses_its_query() {
        assert_eq!(
            without_query("https://exemple.fr/recu?jeton=abc"),
            "https://exemple.fr/recu?…"
        );
        assert_eq!(
            without_query("https://exemple.fr/recu"),
            "https://exemple.fr/recu"
        );
    }

    #[test]
    fn public_and_private_ranges() {
        for public in ["8.8.8.8", "2a00:1450:4007::1", "193.51.24.1"] {
            assert!(is_public(public.parse().unwrap()), "{public}");
        }
        for private in [
            "127.0.0.1",
            "0.0.0.0",
            "10.0.0.1",
            "172.16.0.1",
            "192.168.1.1",
            "100.64.0.1",
            "169.254.169.254",
            "224.0.0.1",
            "255.255.255.255",
            "198.18.0.1",
            "::",
            "::1",
            "fe80::1",
            "fc00::1",
            "::ffff:127.0.0.1",
            "64:ff9b::a00:1",
            "64:ff9b:1::1",
            "2001::1",
            "::ffff:0:a00:1",
            "2001:db8::1",
            "ff02::1",
        ] {
            assert!(!is_public(private.parse().unwrap()), "{private}");
        }
    }

    #[test]
    fn the_document_names_its_fields_as_published() {
        let payload = WebhookPayload {
            id: "abc".into(),
            kind: "mainlevee".into(),
            created_at: "2026-12-03T10:00:00Z".parse().unwrap(),
            action_required: false,
            title: "t".into(),
            text: "x".into(),
            dossier: None,
        };
        let json = serde_json::to_value(&payload).unwrap();
        assert_eq!(json["type"], "mainlevee");
        assert_eq!(json["created_at"], "2026-12-03T10:00:00Z");
        assert!(json["dossier"].is_null());
    }
}
