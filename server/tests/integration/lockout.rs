//! Nobody can lock someone else out: wrong passwords sent for an account from many addresses
//! neither keep its owner out of their usual address nor let the guessing go on for ever; from
//! elsewhere, once the account's budget is spent, a single-use link sent to the account's mail
//! address signs in instead.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use app::store::Backend;
use futures::StreamExt;
use reqwest::redirect::Policy;
use reqwest::StatusCode;
use secrecy::SecretString;

use crate::accounts::{OPERATOR, PASSWORD};
use crate::helpers::{config, fresh_database, Running};
use crate::smtp_sink::SmtpSink;

/// The French sentence the sign-in page shows when the account's budget is spent.
const PROTECTED: &str = "Pour protéger ce compte";

/// A server behind a trusted proxy (the tests choose the client's address), with budgets of
/// requests high enough that only the sign-in slowdowns and the lockout are exercised.
async fn start(backend: Backend, smtp: Option<&SmtpSink>) -> Option<Running> {
    let url = fresh_database(backend).await?;
    let mut config = config(url);
    config.trusted_proxies = "127.0.0.1/32".into();
    config.sensitive_per_minute = 1_000_000;
    config.sensitive_burst = 1_000_000;
    config.submissions_per_minute = 1_000_000;
    config.submissions_burst = 1_000_000;
    if let Some(sink) = smtp {
        config.smtp_url = Some(SecretString::from(sink.url.clone()));
    }
    Some(Running::start(&config).await)
}

/// A browser at a given client address: keeps its cookies, does not follow redirections.
struct Client {
    http: reqwest::Client,
    base: String,
    address: String,
}

struct Answer {
    status: StatusCode,
    location: String,
    set_cookie: Vec<String>,
    body: String,
}

impl Client {
    fn new(server: &Running, address: &str) -> Client {
        Client {
            http: reqwest::Client::builder()
                .cookie_store(true)
                .redirect(Policy::none())
                .build()
                .unwrap(),
            base: server.url(""),
            address: address.to_owned(),
        }
    }

    async fn answer(response: reqwest::Response) -> Answer {
        let status = response.status();
        let location = response
            .headers()
            .get("location")
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let set_cookie = response
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|value| value.to_str().ok().map(str::to_owned))
            .collect();
        let body = response.text().await.unwrap_or_default();
        Answer {
            status,
            location,
            set_cookie,
            body,
        }
    }

    async fn get(&self, path: &str) -> Answer {
        Self::answer(
            self.http
                .get(format!("{}{path}", self.base))
                .header("x-forwarded-for", &self.address)
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    async fn post(&self, path: &str, form: &[(&str, &str)]) -> Answer {
        Self::answer(
            self.http
                .post(format!("{}{path}", self.base))
                .header("x-forwarded-for", &self.address)
                .form(form)
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    async fn sign_in(&self, email: &str, password: &str) -> Answer {
        self.post(
            "/connexion",
            &[
                ("adresse", email),
                ("mot_de_passe", password),
                ("retour", ""),
            ],
        )
        .await
    }

    /// Whether this browser is signed in: the personal space opens (or asks for the terms of
    /// use, which only a signed-in person is asked).
    async fn signed_in(&self) -> bool {
        let answer = self.get("/espace").await;
        answer.status == StatusCode::OK
            || answer.status == StatusCode::SEE_OTHER
                && answer.location.starts_with("/cgu/acceptation")
    }
}

fn signed_in_by(answer: &Answer) -> bool {
    answer.status == StatusCode::SEE_OTHER
        && !answer.location.contains("erreur")
        && answer
            .set_cookie
            .iter()
            .any(|cookie| cookie.starts_with("sesame_session=") && !cookie.contains("Max-Age=0"))
}

/// The `n`-th address of an attacker: IPv4 and IPv6 in turn, each IPv6 one in a /64 of its own.
fn attacker(n: usize) -> String {
    if n.is_multiple_of(2) {
        format!("100.64.{}.{}", n / 200, n % 200 + 1)
    } else {
        format!("2001:db8:{:x}:{:x}::1", n / 1000 + 1, n % 1000 + 1)
    }
}

/// Spends the account's budget of failures from addresses it never signed in from; gives how
/// many wrong passwords it took. Every answer before is an ordinary "wrong password", never a
/// wait: a stranger cannot slow the account down.
async fn spend_the_account_budget(server: &Running, email: &str) -> usize {
    for n in 0..2_000 {
        let client = Client::new(server, &attacker(n));
        let answer = client.sign_in(email, "devinette au hasard").await;
        assert_eq!(
            answer.status,
            StatusCode::SEE_OTHER,
            "tentative {n} : {}",
            answer.body
        );
        if answer.location.contains("erreur=compte-protege") {
            return n;
        }
        assert!(
            answer.location.contains("erreur=identifiants"),
            "tentative {n} : {}",
            answer.location
        );
    }
    panic!("le budget du compte ne s'épuise jamais");
}

async fn the_owner_signs_in_while_a_thousand_addresses_guess(backend: Backend) {
    let Some(server) = start(backend, None).await else {
        return;
    };
    let server = Arc::new(server);
    // The owner signed in before from home (IPv4) and from the office (an IPv6 /64).
    let home = "192.0.2.10";
    assert!(signed_in_by(
        &Client::new(&server, home).sign_in(OPERATOR, PASSWORD).await
    ));
    assert!(signed_in_by(
        &Client::new(&server, "2001:db8:ffff:1::5")
            .sign_in(OPERATOR, PASSWORD)
            .await
    ));

    let sent = Arc::new(AtomicUsize::new(0));
    let attack = tokio::spawn({
        let server = server.clone();
        let sent = sent.clone();
        async move {
            futures::stream::iter(0..1_000)
                .map(|n| {
                    let server = server.clone();
                    let sent = sent.clone();
                    async move {
                        let answer = Client::new(&server, &attacker(n))
                            .sign_in(OPERATOR, "devinette au hasard")
                            .await;
                        sent.fetch_add(1, Ordering::SeqCst);
                        answer.location
                    }
                })
                .buffer_unordered(8)
                .collect::<Vec<_>>()
                .await
        }
    });
    // In the thick of it, the owner signs in at the first try, from home…
    while sent.load(Ordering::SeqCst) < 500 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let owner = Client::new(&server, home);
    let answer = owner.sign_in(OPERATOR, PASSWORD).await;
    assert!(signed_in_by(&answer), "{:?} {}", answer.status, answer.body);
    assert!(owner.signed_in().await);
    let answers = attack.await.unwrap();
    // …the guessing was cut short for the account…
    let protected = answers
        .iter()
        .filter(|location| location.contains("erreur=compte-protege"))
        .count();
    assert!(protected > 0, "{answers:?}");
    assert!(answers.iter().all(|location| {
        location.contains("erreur=compte-protege") || location.contains("erreur=identifiants")
    }));
    // …and after it, from home and from another address of the office's /64, still at once.
    let answer = Client::new(&server, home).sign_in(OPERATOR, PASSWORD).await;
    assert!(signed_in_by(&answer), "{:?} {}", answer.status, answer.body);
    let answer = Client::new(&server, "2001:db8:ffff:1:abcd::99")
        .sign_in(OPERATOR, PASSWORD)
        .await;
    assert!(signed_in_by(&answer), "{:?} {}", answer.status, answer.body);
    Arc::into_inner(server).unwrap().stop().await;
}

async fn a_stranger_signs_in_once_with_a_link_when_the_account_is_protected(backend: Backend) {
    let sink = SmtpSink::start().await;
    let Some(server) = start(backend, Some(&sink)).await else {
        return;
    };
    let spent = spend_the_account_budget(&server, OPERATOR).await;
    assert_eq!(
        spent as i64,
        app::api::account::sign_in::ACCOUNT_FAILURES_PER_DAY
    );

    // From an address that never signed in to the account, even the right password is refused,
    // with the French reason and the offer of a link.
    let traveller = Client::new(&server, "198.51.100.77");
    let refused = traveller.sign_in(OPERATOR, PASSWORD).await;
    assert!(
        refused.location.contains("erreur=compte-protege"),
        "{}",
        refused.location
    );
    assert!(!signed_in_by(&refused));
    let page = traveller.get(&refused.location).await;
    assert!(page.body.contains(PROTECTED), "{}", page.body);
    assert!(page.body.contains("action=\"/connexion/lien\""));

    // Asking for a link answers the same whether the account exists or not; only the account
    // gets a mail.
    let nobody = traveller
        .post("/connexion/lien", &[("adresse", "personne@example.fr")])
        .await;
    let asked = traveller
        .post("/connexion/lien", &[("adresse", OPERATOR)])
        .await;
    assert_eq!(nobody.status, StatusCode::SEE_OTHER);
    assert_eq!(nobody.location, asked.location);
    assert!(asked.location.contains("message=lien-connexion-envoye"));
    let mail = sink.next_message(Duration::from_secs(10)).await;
    assert_eq!(mail.to, vec![OPERATOR.to_owned()]);
    let text = mail.decoded().text;
    let link = text
        .split_whitespace()
        .find(|word| word.contains("/connexion/lien?jeton="))
        .unwrap_or_else(|| panic!("pas de lien dans :\n{text}"))
        .to_owned();
    assert!(text.contains("15 minutes"), "{text}");
    assert!(sink.try_next_message().await.is_none(), "un seul courriel");
    let token = link.split("jeton=").nth(1).unwrap().to_owned();

    // Opening the link only shows a button (a mail scanner following it signs nobody in)…
    let shown = traveller
        .get(&format!("/connexion/lien?jeton={token}"))
        .await;
    assert_eq!(shown.status, StatusCode::OK);
    assert!(shown.body.contains(OPERATOR), "{}", shown.body);
    assert!(!traveller.signed_in().await);
    // …the button signs in…
    let used = traveller
        .post("/connexion/lien/utilisation", &[("jeton", &token)])
        .await;
    assert!(signed_in_by(&used), "{} {}", used.location, used.body);
    assert!(traveller.signed_in().await);
    // …once.
    let other = Client::new(&server, "198.51.100.78");
    let again = other
        .post("/connexion/lien/utilisation", &[("jeton", &token)])
        .await;
    assert!(again.location.contains("erreur=lien-invalide"));
    assert!(!signed_in_by(&again));
    assert!(!other.signed_in().await);
    server.stop().await;
}

async fn an_account_tied_to_a_provider_gets_no_link(backend: Backend) {
    let sink = SmtpSink::start().await;
    let Some(server) = start(backend, Some(&sink)).await else {
        return;
    };
    let stranger = Client::new(&server, "198.51.100.80");
    // A link asked while the account signed in with its password…
    stranger
        .post("/connexion/lien", &[("adresse", OPERATOR)])
        .await;
    let text = sink
        .next_message(Duration::from_secs(10))
        .await
        .decoded()
        .text;
    let link = text
        .split_whitespace()
        .find(|word| word.contains("/connexion/lien?jeton="))
        .unwrap_or_else(|| panic!("pas de lien dans :\n{text}"))
        .to_owned();
    let token = link.split("jeton=").nth(1).unwrap().to_owned();
    // …is not honoured once the account is tied to an identity provider (as its first sign-in
    // through the provider does)…
    let user = server.store.user_by_email(OPERATOR).await.unwrap().unwrap();
    let mut tx = server.store.begin().await.unwrap();
    tx.insert_oidc_link("test", "sujet-operateur", user.id, chrono::Utc::now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let used = stranger
        .post("/connexion/lien/utilisation", &[("jeton", &token)])
        .await;
    assert!(!signed_in_by(&used), "{}", used.location);
    assert!(used.location.contains("erreur=lien-invalide"));
    assert!(!stranger.signed_in().await);
    // …and no new link is sent: the same answer as for anyone, and a mail without a link.
    let asked = stranger
        .post("/connexion/lien", &[("adresse", OPERATOR)])
        .await;
    assert!(asked.location.contains("message=lien-connexion-envoye"));
    let text = sink
        .next_message(Duration::from_secs(10))
        .await
        .decoded()
        .text;
    assert!(!text.contains("jeton="), "{text}");
    assert!(text.contains("fournisseur d'identité"), "{text}");
    server.stop().await;
}

crate::helpers::on_both_stores!(
    the_owner_signs_in_while_a_thousand_addresses_guess,
    a_stranger_signs_in_once_with_a_link_when_the_account_is_protected,
    an_account_tied_to_a_provider_gets_no_link,
);
