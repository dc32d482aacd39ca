//! Refusal of abusive submissions: every state-changing request counts against its client's
//! budget (a token bucket per address, per /64 for IPv6 — see
//! [`ClientIp::budget_key`]: a burst, then a steady rate). Past it, the client gets
//! 429 with `Retry-After` and a French message. Reading is never limited here.
//!
//! A signed-in person has a budget of their own too, wherever they send from. Sign-in, password
//! recovery and account creation have a tighter budget (see `crate::accounts`), and failed
//! sign-ins slow down further attempts on the account and from the address.
//!
//! Budgets are kept per instance: behind a load balancer of N instances a client may send up to N
//! times the rate, which still stops floods and automation; the sign-in slowdown is read from the
//! database, so it holds across instances.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use axum::Extension;

use crate::perimeter::{refusal, ClientIp};

/// Above this many tracked clients, buckets that have refilled are forgotten.
const TRACKED_CLIENTS: usize = 10_000;

#[derive(Clone, Copy, Debug)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

pub struct RateLimiter {
    burst: f64,
    per_second: f64,
    buckets: Mutex<HashMap<String, Bucket>>,
}

impl RateLimiter {
    /// `per_minute` submissions a minute on average, `burst` at once.
    pub fn new(per_minute: u32, burst: u32) -> Arc<RateLimiter> {
        Arc::new(RateLimiter {
            burst: f64::from(burst.max(1)),
            per_second: f64::from(per_minute.max(1)) / 60.0,
            buckets: Mutex::new(HashMap::new()),
        })
    }

    /// Takes one token for `client` (its /64 for IPv6), or says how long until one is available.
    pub fn check(&self, client: IpAddr, now: Instant) -> Result<(), Duration> {
        self.check_key(&ClientIp(client).budget_key(), now)
    }

    /// Takes one token for any key (an address, `compte:42`…).
    pub fn check_key(&self, key: &str, now: Instant) -> Result<(), Duration> {
        self.take(key, 1.0, now)
    }

    /// Takes `cost` tokens for `key` (at most the burst, so that a cost larger than the burst
    /// still passes once the budget is full), or says how long until they are available.
    pub fn take(&self, key: &str, cost: f64, now: Instant) -> Result<(), Duration> {
        let cost = cost.clamp(1.0, self.burst);
        let Ok(mut buckets) = self.buckets.lock() else {
            return Ok(());
        };
        if buckets.len() >= TRACKED_CLIENTS {
            let (burst, rate) = (self.burst, self.per_second);
            buckets.retain(|_, bucket| refilled(bucket, now, rate, burst) < burst);
        }
        let bucket = buckets.entry(key.to_owned()).or_insert(Bucket {
            tokens: self.burst,
            updated: now,
        });
        bucket.tokens = refilled(bucket, now, self.per_second, self.burst);
        bucket.updated = now;
        if bucket.tokens >= cost {
            bucket.tokens -= cost;
            Ok(())
        } else {
            Err(Duration::from_secs_f64(
                (cost - bucket.tokens) / self.per_second,
            ))
        }
    }
}

fn refilled(bucket: &Bucket, now: Instant, per_second: f64, burst: f64) -> f64 {
    let elapsed = now.saturating_duration_since(bucket.updated).as_secs_f64();
    (bucket.tokens + elapsed * per_second).min(burst)
}

/// Counts state-changing requests against the client's budget, and the signed-in person's.
pub async fn limit_submissions(
    State(limiter): State<Arc<RateLimiter>>,
    Extension(ClientIp(client)): Extension<ClientIp>,
    caller: Option<Extension<app::state::Caller>>,
    request: Request,
    next: Next,
) -> Response {
    let reading = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    // Partner systems have a budget per key (see `crate::partner`): one gateway may carry the
    // traffic of a whole port.
    let partner = request.uri().path().starts_with("/api/v1/");
    if reading || partner {
        return next.run(request).await;
    }
    let now = Instant::now();
    let account = caller
        .and_then(|Extension(caller)| caller.viewer)
        .map(|viewer| format!("compte:{}", viewer.user_id));
    let verdict = limiter.check(client, now).and_then(|()| match &account {
        Some(account) => limiter.check_key(account, now),
        None => Ok(()),
    });
    match verdict {
        Ok(()) => next.run(request).await,
        Err(wait) => {
            let seconds = wait.as_secs_f64().ceil().max(1.0) as u64;
            tracing::warn!(%client, uri = %crate::perimeter::loggable(request.uri()), seconds, "trop de soumissions : requête refusée");
            let mut response = refusal(
                StatusCode::TOO_MANY_REQUESTS,
                format!(
                    "Trop de demandes envoyées en peu de temps. Réessayez dans {seconds} seconde{}.",
                    if seconds > 1 { "s" } else { "" }
                ),
            );
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
            response
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_the_steady_rate() {
        let limiter = RateLimiter::new(60, 3);
        let client: IpAddr = "192.0.2.1".parse().unwrap();
        let other: IpAddr = "192.0.2.2".parse().unwrap();
        let start = Instant::now();
        for _ in 0..3 {
            assert!(limiter.check(client, start).is_ok());
        }
        let wait = limiter.check(client, start).unwrap_err();
        assert!((wait.as_secs_f64() - 1.0).abs() < 0.01, "{wait:?}");
        assert!(
            limiter.check(other, start).is_ok(),
            "chaque client a son propre budget"
        );
        assert!(limiter
            .check(client, start + Duration::from_millis(500))
            .is_err());
        assert!(limiter
            .check(client, start + Duration::from_millis(1600))
            .is_ok());
        // A long pause refills up to the burst, not beyond.
        let later = start + Duration::from_secs(3600);
        for _ in 0..3 {
            assert!(limiter.check(client, later).is_ok());
        }
        assert!(limiter.check(client, later).is_err());
    }

    #[test]
    fn memory_stays_bounded() {
        let limiter = RateLimiter::new(60, 2);
        let start = Instant::now();
        for n in 0..(TRACKED_CLIENTS as u32 + 10) {
            let client = IpAddr::from(std::net::Ipv4Addr::from(0x0A00_0000 + n));
            let _ = limiter.check(client, start);
        }
        let later = start + Duration::from_secs(10);
        let _ = limiter.check("192.0.2.9".parse().unwrap(), later);
        assert!(limiter.buckets.lock().unwrap().len() < 100);
    }
}
