//! Refusal of abusive submissions: every state-changing request counts against its client's
//! budget (a token bucket per address, per /64 for IPv6 — see
//! [`ClientIp::budget_key`]: a burst, then a steady rate). Past it, the client gets
//! 429 with `Retry-After` and a French message. Reading is never limited here.
//!
//! A signed-in person has a budget of their own too, wherever they send from. Sign-in, password
//! recovery and account creation have a tighter budget (see `app::forms`), and failed
//! sign-ins slow down further attempts on the account and from the address.
//!
//! Budgets are kept per instance: behind a load balancer of N instances a client may send up to N
//! times the rate, which still stops floods and automation; the sign-in slowdown is read from the
//! database, so it holds across instances.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use axum::Extension;
use governor::clock::{Clock, DefaultClock};
use governor::middleware::NoOpMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::Quota;

use crate::perimeter::ClientIp;
use app::http::refusal;

/// Above this many tracked clients, budgets that have refilled are forgotten.
const TRACKED_CLIENTS: usize = 10_000;

/// Budgets by key (an address, `compte:42`, `partenaire:7`…): a burst, then a steady rate, each
/// key on its own (the generic cell rate algorithm of the `governor` crate, equivalent to a token
/// bucket). The clock is a parameter so that tests can move time by hand.
pub struct RateLimiter<C: Clock + Clone = DefaultClock> {
    burst: NonZeroU32,
    clock: C,
    budgets: governor::RateLimiter<
        String,
        DefaultKeyedStateStore<String>,
        C,
        NoOpMiddleware<C::Instant>,
    >,
}

impl RateLimiter {
    /// `per_minute` submissions a minute on average, `burst` at once.
    pub fn new(per_minute: u32, burst: u32) -> Arc<RateLimiter> {
        Arc::new(RateLimiter::with_clock(
            per_minute,
            burst,
            DefaultClock::default(),
        ))
    }
}

impl<C: Clock + Clone> RateLimiter<C> {
    /// The same budgets, on the given clock.
    pub fn with_clock(per_minute: u32, burst: u32, clock: C) -> RateLimiter<C> {
        let burst = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
        let per_minute = NonZeroU32::new(per_minute).unwrap_or(NonZeroU32::MIN);
        let quota = Quota::per_minute(per_minute).allow_burst(burst);
        RateLimiter {
            burst,
            budgets: governor::RateLimiter::dashmap_with_clock(quota, clock.clone()),
            clock,
        }
    }

    /// Takes one submission from `client`'s budget (its /64 for IPv6), or says how long until one
    /// is available.
    pub fn check(&self, client: IpAddr) -> Result<(), Duration> {
        self.check_key(&ClientIp(client).budget_key())
    }

    /// Takes one submission from any key's budget.
    pub fn check_key(&self, key: &str) -> Result<(), Duration> {
        self.take(key, 1)
    }

    /// Takes `cost` submissions from `key`'s budget (at most the burst, so that a cost larger
    /// than the burst still passes once the budget is full), or says how long until they are
    /// available.
    pub fn take(&self, key: &str, cost: usize) -> Result<(), Duration> {
        if self.budgets.len() >= TRACKED_CLIENTS {
            self.budgets.retain_recent();
        }
        let cost = u32::try_from(cost)
            .ok()
            .and_then(NonZeroU32::new)
            .unwrap_or(NonZeroU32::MIN)
            .min(self.burst);
        match self.budgets.check_key_n(&key.to_owned(), cost) {
            Ok(Ok(())) => Ok(()),
            Ok(Err(not_until)) => Err(not_until.wait_time_from(self.clock.now())),
            // Unreachable: the cost is capped at the burst.
            Err(_) => Ok(()),
        }
    }

    /// How many keys have a budget in memory.
    pub fn tracked(&self) -> usize {
        self.budgets.len()
    }
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
    let account = caller
        .and_then(|Extension(caller)| caller.viewer)
        .map(|viewer| format!("compte:{}", viewer.user_id));
    let verdict = limiter.check(client).and_then(|()| match &account {
        Some(account) => limiter.check_key(account),
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

/// The form handlers' tighter budget (sign-in, recovery, account creation).
impl app::forms::Budget for RateLimiter {
    fn take(&self, key: &str) -> Result<(), Duration> {
        self.check_key(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use governor::clock::FakeRelativeClock;

    #[test]
    fn a_burst_then_the_steady_rate() {
        let clock = FakeRelativeClock::default();
        let limiter = RateLimiter::with_clock(60, 3, clock.clone());
        let client: IpAddr = "192.0.2.1".parse().unwrap();
        let other: IpAddr = "192.0.2.2".parse().unwrap();
        for _ in 0..3 {
            assert!(limiter.check(client).is_ok());
        }
        let wait = limiter.check(client).unwrap_err();
        assert!((wait.as_secs_f64() - 1.0).abs() < 0.01, "{wait:?}");
        assert!(
            limiter.check(other).is_ok(),
            "each client has a budget of its own"
        );
        clock.advance(Duration::from_millis(500));
        assert!(limiter.check(client).is_err());
        clock.advance(Duration::from_millis(1100));
        assert!(limiter.check(client).is_ok());
        // A long pause refills up to the burst, not beyond.
        clock.advance(Duration::from_secs(3600));
        for _ in 0..3 {
            assert!(limiter.check(client).is_ok());
        }
        assert!(limiter.check(client).is_err());
    }

    #[test]
    fn a_cost_is_taken_at_once_and_capped_at_the_burst() {
        let clock = FakeRelativeClock::default();
        let limiter = RateLimiter::with_clock(60, 10, clock.clone());
        assert!(limiter.take("partenaire:1", 7).is_ok());
        let wait = limiter.take("partenaire:1", 7).unwrap_err();
        assert!((wait.as_secs_f64() - 4.0).abs() < 0.01, "{wait:?}");
        clock.advance(Duration::from_secs(60));
        assert!(
            limiter.take("partenaire:1", 1_000).is_ok(),
            "a batch larger than the burst passes once the budget is full"
        );
        assert!(limiter.take("partenaire:1", 1).is_err());
    }

    #[test]
    fn memory_stays_bounded() {
        let clock = FakeRelativeClock::default();
        let limiter = RateLimiter::with_clock(60, 2, clock.clone());
        for n in 0..(TRACKED_CLIENTS as u32 + 10) {
            let client = IpAddr::from(std::net::Ipv4Addr::from(0x0A00_0000 + n));
            let _ = limiter.check(client);
        }
        clock.advance(Duration::from_secs(10));
        let _ = limiter.check("192.0.2.9".parse().unwrap());
        assert!(limiter.tracked() < 100, "{}", limiter.tracked());
    }
}
