//! The security policies pages and the HTTP perimeter share, in one place: what a page may load
//! and run, and what every other response may.

use std::sync::Arc;

/// The nonce of one response, minted by the HTTP perimeter and kept in the request's extensions
/// for the page to put on its scripts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageNonce(pub Arc<str>);

/// The Content-Security-Policy of an HTML page rendered by the platform. Scripts need the
/// response's nonce ('strict-dynamic' lets the hydration module import the WASM glue);
/// 'wasm-unsafe-eval' allows compiling the WASM, not `eval`. The State design system draws
/// some icons as `data:` images. Forms post to the platform only, and may end at the identity
/// providers' origins (`form_targets`): signing out of the platform signs out of the provider.
pub fn page_policy(nonce: &str, form_targets: &[String]) -> String {
    let mut form_action = String::from("'self'");
    for origin in form_targets {
        form_action.push(' ');
        form_action.push_str(origin);
    }
    format!(
        "default-src 'self'; script-src 'nonce-{nonce}' 'strict-dynamic' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; \
         worker-src 'self'; manifest-src 'self'; object-src 'none'; base-uri 'self'; form-action {form_action}; frame-ancestors 'none'"
    )
}

/// The service worker of the gate (`public/sw-arrivee.js`): it keeps the gate's page for
/// offline use.
pub const WORKER_PATH: &str = "/sw-arrivee.js";

/// The Content-Security-Policy of the service worker's script, which governs what the worker
/// itself may fetch: this site's addresses, nothing else.
pub const WORKER_POLICY: &str =
    "default-src 'none'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The Content-Security-Policy of every other response (files, JSON, errors): nothing to run,
/// nothing to frame.
pub const DEFAULT_POLICY: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_allow_scripts_only_by_nonce() {
        let policy = page_policy("abc123", &["https://auth.example.fr".into()]);
        assert!(policy.contains("form-action 'self' https://auth.example.fr;"));
        assert!(policy.contains("script-src 'nonce-abc123'"));
        assert!(!policy.contains("unsafe-inline"));
        assert!(!policy.contains("'unsafe-eval'"));
        assert!(policy.contains("frame-ancestors 'none'"));
    }
}
