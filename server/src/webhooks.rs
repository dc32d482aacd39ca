//! The sending of webhook deliveries, by a worker of each instance beside the mails' (see
//! [`crate::notifications`]). A delivery is leased like a mail (one instance at a time), its
//! document POSTed to the endpoint, signed, and the attempt logged. A failure is tried again with
//! growing delays for a day from its first failure; an endpoint whose attempts have all failed for
//! a day is paused, what waited for it given up, and its company's administrators told (by the
//! store). One delivery per endpoint is under way at a time, twenty at most per instance.
//!
//! **Signature.** `Sesame-Signature: t=<Unix time of the attempt>,v1=<hex HMAC-SHA256 of
//! "<t>.<body>" keyed with the endpoint's secret>`; `Sesame-Delivery` names the document (its
//! `id`). The body is the same bytes at every attempt: its `created_at` is the time it was
//! written, not the attempt's.
//!
//! **Server-side request forgery.** Names are resolved by [`PublicOnly`], which keeps only public
//! addresses, and an address written as an IP is checked the same way; no redirect is followed
//! and no proxy used. Only the explicit test setting (`webhooks_allow_local`) lifts this.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use app::domain::webhook::{
    check_endpoint_url, is_public, WebhookPayload, DELIVERY_HEADER, SIGNATURE_HEADER,
};
use app::store::{DeliveryOutcome, LeasedDelivery, Store};
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use sha2::Sha256;

use crate::notifications::{retry_delay, GIVE_UP_AFTER};

/// How long an endpoint has to answer.
pub const ANSWER_DEADLINE: Duration = Duration::from_secs(10);
/// How many deliveries an instance sends at once (to as many endpoints).
const IN_FLIGHT: i64 = 20;
/// How long a lease holds: longer than an attempt may take.
const LEASE: Duration = Duration::from_secs(60);

/// The value of the `Sesame-Signature` header of `body` sent at `t` (Unix seconds).
pub fn signature(secret: &str, t: i64, body: &str) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC accepts keys of any size");
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    let digest = app::domain::hex(&mac.finalize().into_bytes());
    format!("t={t},v1={digest}")
}

/// A resolver that keeps only the public addresses of a name (all of them under the test
/// setting), so that a name pointing into the platform's network reaches nothing.
struct PublicOnly {
    allow_local: bool,
}

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        let allow_local = self.allow_local;
        Box::pin(async move {
            let found = tokio::net::lookup_host((name.as_str(), 0)).await?;
            let kept: Vec<SocketAddr> = found
                .filter(|address| allow_local || is_public(address.ip()))
                .collect();
            if kept.is_empty() {
                return Err("adresse non publique".into());
            }
            Ok(Box::new(kept.into_iter()) as Addrs)
        })
    }
}

/// Starts the worker of this instance: it wakes when a delivery is written, and every `poll`
/// otherwise; it runs as long as the store's pool is open.
pub fn start(deliveries: Deliveries, poll: Duration) {
    use app::store::{Committed, FeedMessage};
    use tokio::sync::broadcast::error::RecvError;
    let mut changes = deliveries.store.changes();
    let deliveries = Arc::new(deliveries);
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(poll);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = interval.tick() => {}
                change = changes.recv() => match change {
                    Ok(FeedMessage::Changed(Committed::Delivery))
                    | Ok(FeedMessage::Lost)
                    | Err(RecvError::Lagged(_)) => {}
                    Ok(FeedMessage::Changed(_)) => continue,
                    Err(RecvError::Closed) => return,
                },
            }
            if deliveries.store.is_closed() {
                return;
            }
            deliveries.send_due().await;
        }
    });
}

/// Sends the deliveries of this instance.
pub struct Deliveries {
    store: Store,
    client: reqwest::Client,
    base_url: String,
    instance: String,
    retry: Duration,
    allow_local: bool,
}

impl Deliveries {
    pub fn new(
        store: Store,
        base_url: String,
        instance: String,
        retry: Duration,
        allow_local: bool,
    ) -> Result<Deliveries, reqwest::Error> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .timeout(ANSWER_DEADLINE)
            .connect_timeout(ANSWER_DEADLINE / 2)
            .dns_resolver(Arc::new(PublicOnly { allow_local }))
            .user_agent("France-Sesame-Webhooks/1.0")
            .build()?;
        Ok(Deliveries {
            store,
            client,
            base_url,
            instance,
            retry,
            allow_local,
        })
    }

    /// Sends every delivery due now, up to [`IN_FLIGHT`] at once, one per endpoint at a time (see
    /// [`Store::lease`]): as soon as one is done, what is due is leased again, so an endpoint slow
    /// to answer holds one place, never the others.
    async fn send_due(self: &Arc<Self>) {
        let mut sending = tokio::task::JoinSet::new();
        loop {
            let room = IN_FLIGHT - sending.len() as i64;
            if room > 0 {
                let now = Utc::now();
                let until = now + chrono::Duration::from_std(LEASE).unwrap_or_default();
                match self
                    .store
                    .lease_deliveries(&self.instance, now, until, room)
                    .await
                {
                    Ok(leased) => {
                        for delivery in leased {
                            let deliveries = Arc::clone(self);
                            sending.spawn(async move { deliveries.send(delivery).await });
                        }
                    }
                    Err(error) => {
                        tracing::warn!(%error, "webhooks : livraisons à envoyer illisibles, nouvel essai plus tard");
                        // Those under way finish (their leases are held).
                        while sending.join_next().await.is_some() {}
                        return;
                    }
                }
            }
            // Nothing under way: nothing was due.
            if sending.join_next().await.is_none() {
                return;
            }
        }
    }

    async fn send(&self, delivery: LeasedDelivery) {
        if !delivery.allowed {
            // Removed, paused, no longer subscribed, or the dossier no longer the company's.
            let outcome = DeliveryOutcome {
                status: None,
                duration_ms: 0,
                error: Some(
                    "Non envoyée : le webhook est suspendu ou retiré, ou votre entreprise n'a plus accès à ce dossier."
                        .to_owned(),
                ),
                retry_at: None,
                called: false,
            };
            return self.record(delivery.id, Utc::now(), &outcome).await;
        }
        let body = match self.body(&delivery.payload) {
            Some(body) => body,
            None => {
                tracing::error!(
                    delivery = delivery.id,
                    "webhooks : document illisible, livraison abandonnée"
                );
                let outcome = DeliveryOutcome {
                    status: None,
                    duration_ms: 0,
                    error: Some("Non envoyée : document illisible.".to_owned()),
                    retry_at: None,
                    called: false,
                };
                return self.record(delivery.id, Utc::now(), &outcome).await;
            }
        };
        let now = Utc::now();
        let started = Instant::now();
        let answer = self.post(&delivery, &body.0, &body.1, now).await;
        let duration_ms = started.elapsed().as_millis().min(i64::MAX as u128) as i64;
        let (status, error) = match answer {
            Ok(status) if (200..300).contains(&status) => (Some(status), None),
            Ok(status) => (
                Some(status),
                Some(format!(
                    "Le serveur a répondu {status} : seule une réponse 2xx vaut réception."
                )),
            ),
            Err(error) => (None, Some(error)),
        };
        let retry_at = match &error {
            None => None,
            // A day of failures since its first: given up (and its endpoint, failing as long,
            // paused by the store).
            Some(_)
                if delivery
                    .failing_since
                    .is_some_and(|since| now - since >= GIVE_UP_AFTER) =>
            {
                None
            }
            Some(_) => Some(
                now + chrono::Duration::from_std(retry_delay(self.retry, delivery.attempts))
                    .unwrap_or_default(),
            ),
        };
        let outcome = DeliveryOutcome {
            status,
            duration_ms,
            error,
            retry_at,
            called: true,
        };
        self.record(delivery.id, now, &outcome).await;
    }

    /// The body to send, with the dossier's full address, and the document's id.
    fn body(&self, stored: &str) -> Option<(String, String)> {
        let mut payload: WebhookPayload = serde_json::from_str(stored).ok()?;
        if let Some(dossier) = &mut payload.dossier {
            if dossier.url.starts_with('/') {
                dossier.url = format!("{}{}", self.base_url, dossier.url);
            }
        }
        Some((serde_json::to_string(&payload).ok()?, payload.id))
    }

    /// POSTs the body; the status answered, or what prevented an answer (in French).
    async fn post(
        &self,
        delivery: &LeasedDelivery,
        body: &str,
        document_id: &str,
        now: DateTime<Utc>,
    ) -> Result<u16, String> {
        // Checked again as when it was registered (https, port, a public address if written as
        // an IP), whatever wrote the row.
        if check_endpoint_url(&delivery.url, self.allow_local).is_err() {
            return Err(
                "Adresse refusée : elle n'est pas une adresse https:// publique acceptée."
                    .to_owned(),
            );
        }
        let url = reqwest::Url::parse(&delivery.url)
            .map_err(|_| "Adresse du webhook illisible.".to_owned())?;
        // An address written as an IP is not resolved: checked here, as the parser reads it.
        let literal = url
            .host_str()
            .map(|host| host.trim_start_matches('[').trim_end_matches(']'))
            .and_then(|host| host.parse::<std::net::IpAddr>().ok());
        if literal.is_some_and(|ip| !self.allow_local && !is_public(ip)) {
            return Err("Adresse refusée : elle désigne un réseau privé ou local.".to_owned());
        }
        let answer = self
            .client
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(DELIVERY_HEADER, document_id)
            .header(
                SIGNATURE_HEADER,
                signature(&delivery.secret, now.timestamp(), body),
            )
            .body(body.to_owned())
            .send()
            .await
            .map_err(|error| describe(&error))?;
        Ok(answer.status().as_u16())
    }

    async fn record(&self, id: i64, now: DateTime<Utc>, outcome: &DeliveryOutcome) {
        match self
            .store
            .delivery_attempted(id, &self.instance, now, outcome)
            .await
        {
            Ok(Some(paused)) => tracing::warn!(
                endpoint = paused.id,
                "webhooks : point de réception en échec depuis 24 heures, suspendu ; ses administrateurs sont prévenus"
            ),
            Ok(None) => {}
            Err(error) => {
                tracing::warn!(%error, delivery = id, "webhooks : essai non enregistré")
            }
        }
    }
}

/// Why a request got no answer, in French, without the address's secrets (a URL may carry a
/// token in its query: it is never repeated here).
fn describe(error: &reqwest::Error) -> String {
    let mut source: Option<&dyn std::error::Error> = Some(error);
    while let Some(inner) = source {
        if inner.to_string().contains("adresse non publique") {
            return "Adresse refusée : le nom du serveur désigne un réseau privé ou local."
                .to_owned();
        }
        source = inner.source();
    }
    if error.is_timeout() {
        format!("Pas de réponse en {} secondes.", ANSWER_DEADLINE.as_secs())
    } else if error.is_connect() {
        "Connexion impossible au serveur (arrêté, injoignable, ou nom introuvable).".to_owned()
    } else {
        "Échange interrompu avec le serveur.".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[tokio::test]
    async fn names_of_the_platform_s_network_resolve_to_nothing() {
        let refused = PublicOnly { allow_local: false }
            .resolve(Name::from_str("localhost").unwrap())
            .await;
        assert!(refused.is_err());
        let allowed: Vec<SocketAddr> = PublicOnly { allow_local: true }
            .resolve(Name::from_str("localhost").unwrap())
            .await
            .map_err(|error| error.to_string())
            .unwrap()
            .collect();
        assert!(allowed.iter().all(|address| address.ip().is_loopback()));
        assert!(!allowed.is_empty());
    }

    #[test]
    fn the_signature_is_the_hmac_of_the_time_and_the_body() {
        // HMAC-SHA256("secret", "1700000000.{}"), computed independently (openssl dgst).
        assert_eq!(
            signature("secret", 1_700_000_000, "{}"),
            "t=1700000000,v1=b8569b78799ff9e3cbff0fc2d63a33a2b57f3282abd07c37ae5e8e7d79a5f163"
        );
    }
}
