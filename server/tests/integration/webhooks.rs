//! Webhooks on the real server, on both stores, against a real HTTP receiver the test starts:
//! a company administrator registers an endpoint (its secret shown once); what happens to the
//! company's dossiers is delivered there, signed, once, with its original time, and nothing of
//! another company; a receiver down then up gets each delivery once; a day of failures pauses
//! the endpoint and tells its administrator; another company's administrator, a colleague who
//! is not one, an agent get nothing and change nothing; addresses of the platform's own network
//! are refused; two server processes on PostgreSQL deliver each document once.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use app::store::{Backend, Engine, Store};
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode as AxumStatus};
use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use serde_json::Value;

use crate::accounts::{AGENT_SIVEP, OPERATOR, OTHER_OPERATOR};
use crate::helpers::{
    company_and_siret, config, container, execute, fresh_database, no_redirects, on_both_stores,
    page_as, Running,
};
use crate::live::{first_event, post, session_of, sirets, ServerProcess};

/// One request the receiver got.
#[derive(Clone, Debug)]
struct Arrival {
    /// The query of the address called (`?n=…` tells endpoints apart).
    query: String,
    delivery: String,
    signature: String,
    body: String,
    at: DateTime<Utc>,
    accepted: bool,
}

/// A real HTTP server that records what it receives; it answers 503 to the documents about
/// `refused` (a reference) while set, 200 to the others.
#[derive(Clone, Default)]
struct Receiver {
    arrivals: Arc<Mutex<Vec<Arrival>>>,
    refused: Arc<Mutex<Option<String>>>,
}

impl Receiver {
    /// Starts on `addr` (a port of the loopback).
    async fn start_on(addr: SocketAddr) -> Receiver {
        let receiver = Receiver::default();
        let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
        let app = axum::Router::new()
            .route("/recu", axum::routing::post(receive))
            .with_state(receiver.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        receiver
    }

    fn arrivals(&self) -> Vec<Arrival> {
        self.arrivals.lock().unwrap().clone()
    }

    /// Waits until `count` documents were accepted (or 20 seconds), then a little more for any
    /// that would come twice.
    async fn accepted(&self, count: usize) -> Vec<Arrival> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        while self.arrivals().iter().filter(|a| a.accepted).count() < count
            && tokio::time::Instant::now() < deadline
        {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        tokio::time::sleep(Duration::from_millis(1200)).await;
        self.arrivals().into_iter().filter(|a| a.accepted).collect()
    }
}

async fn receive(
    State(receiver): State<Receiver>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: String,
) -> AxumStatus {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let refused = receiver
        .refused
        .lock()
        .unwrap()
        .as_ref()
        .is_some_and(|reference| body.contains(reference.as_str()));
    receiver.arrivals.lock().unwrap().push(Arrival {
        query: query.unwrap_or_default(),
        delivery: header("sesame-delivery"),
        signature: header("sesame-signature"),
        body,
        at: Utc::now(),
        accepted: !refused,
    });
    if refused {
        AxumStatus::SERVICE_UNAVAILABLE
    } else {
        AxumStatus::OK
    }
}

/// A free port of the loopback, nobody listening on it (yet).
fn free_addr() -> SocketAddr {
    let socket = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    socket.local_addr().unwrap()
}

/// Checks the signature of an arrival as a receiver would: HMAC-SHA256 of "t.body" with the
/// secret, t within the replay window. Its t.
fn verify(arrival: &Arrival, secret: &str) -> i64 {
    use hmac::{Hmac, Mac};
    let (t, v1) = arrival
        .signature
        .strip_prefix("t=")
        .and_then(|rest| rest.split_once(",v1="))
        .unwrap_or_else(|| panic!("en-tête de signature : {}", arrival.signature));
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.{}", arrival.body).as_bytes());
    let expected: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(v1, expected, "signature vérifiée avec le secret");
    let t: i64 = t.parse().unwrap();
    assert!(
        (Utc::now().timestamp() - t).abs() <= app::domain::webhook::REPLAY_WINDOW_SECONDS,
        "horodatage dans la fenêtre"
    );
    t
}

/// A server of the demo that allows webhooks on the loopback (the test setting), looking for
/// what to send ten times a second and retrying after 200 ms.
async fn server(url: String, allow_local: bool) -> Running {
    let mut config = config(url);
    config.notification_poll_millis = 100;
    config.notification_retry_millis = 200;
    config.webhooks_allow_local = allow_local;
    Running::start(&config).await
}

/// POSTs a form; the answer's `Location` (or its status when it is not a redirection) and its
/// `Set-Cookie` headers.
async fn form(
    server: &Running,
    cookie: &str,
    path: &str,
    pairs: &[(&str, &str)],
) -> (String, Vec<String>) {
    let answer = no_redirects()
        .post(server.url(path))
        .header("cookie", cookie)
        .form(pairs)
        .send()
        .await
        .unwrap();
    let cookies = answer
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|value| value.to_str().unwrap().to_owned())
        .collect();
    let location = answer
        .headers()
        .get("location")
        .map(|value| value.to_str().unwrap().to_owned())
        .unwrap_or_else(|| answer.status().as_str().to_owned());
    (location, cookies)
}

/// Registers an endpoint as the administrator `cookie`: its id and secret.
async fn register(server: &Running, cookie: &str, url: &str, kinds: &[&str]) -> (i64, String) {
    let fields: Vec<(String, String)> = std::iter::once(("adresse".to_owned(), url.to_owned()))
        .chain(
            kinds
                .iter()
                .map(|kind| (format!("type_{kind}"), "1".to_owned())),
        )
        .collect();
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(field, value)| (field.as_str(), value.as_str()))
        .collect();
    let (location, cookies) = form(server, cookie, "/notifications/webhooks", &pairs).await;
    assert_eq!(location, "/notifications/webhooks?message=webhook-ajoute");
    let fresh = cookies
        .iter()
        .find_map(|cookie| {
            cookie
                .split(';')
                .next()?
                .strip_prefix("sesame_secret_webhook=")
        })
        .expect("le secret est remis à la page, une fois");
    let (id, secret) = fresh.split_once(':').unwrap();
    (id.parse().unwrap(), secret.to_owned())
}

async fn scalar(store: &Store, sql: &str) -> i64 {
    match store.engine() {
        Engine::Sqlite(pool) => sqlx::query_scalar(sql).fetch_one(pool).await.unwrap(),
        Engine::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await.unwrap(),
    }
}

/// Waits (10 seconds at most) until the count `sql` reads is at least `least`.
async fn until_count(store: &Store, sql: &str, least: i64) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while scalar(store, sql).await < least {
        assert!(
            tokio::time::Instant::now() < deadline,
            "attendu en 10 s : {sql} ≥ {least}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A server allowing the loopback, the administrator's session, and an endpoint of theirs on a
/// free port of the loopback (nobody listening yet) receiving `kinds`.
struct Registered {
    server: Running,
    addr: SocketAddr,
    admin: String,
    endpoint: i64,
    secret: String,
    /// The SIRET of the administrator's company.
    own: String,
}

async fn registered(url: String, kinds: &[&str]) -> Registered {
    let server = server(url, true).await;
    let addr = free_addr();
    let admin = session_of(&server, OPERATOR).await;
    let (endpoint, secret) = register(&server, &admin, &format!("http://{addr}/recu"), kinds).await;
    let (own, _) = sirets(&server).await;
    Registered {
        server,
        addr,
        admin,
        endpoint,
        secret,
        own,
    }
}

/// Sets a time column of rows (`sql` binds the time as `$1`).
async fn set_time(store: &Store, sql: &str, at: DateTime<Utc>) {
    match store.engine() {
        Engine::Sqlite(pool) => {
            sqlx::query(sql).bind(at).execute(pool).await.unwrap();
        }
        Engine::Postgres(pool) => {
            sqlx::query(sql).bind(at).execute(pool).await.unwrap();
        }
    }
}

async fn deliveries_are_signed_and_carry_only_the_company_s_own(backend: Backend) {
    let Some(url) = fresh_database(backend).await else {
        return;
    };
    let Registered {
        server,
        addr,
        admin,
        endpoint,
        secret,
        own,
    } = registered(url, &["dossier_ouvert", "controle_a_planifier"]).await;
    let receiver = Receiver::start_on(addr).await;
    assert!(secret.starts_with("whsec_") && secret.len() > 40);

    // The page shows the secret once, from the cookie the registration set; then never again.
    let with_fresh = format!("{admin}; sesame_secret_webhook={endpoint}:{secret}");
    let shown = no_redirects()
        .get(server.url("/notifications/webhooks"))
        .header("cookie", &with_fresh)
        .send()
        .await
        .unwrap();
    assert_eq!(shown.status(), StatusCode::OK);
    let cleared = shown
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|value| value.to_str().unwrap().to_owned())
        .any(|cookie| {
            cookie.starts_with("sesame_secret_webhook=;") && cookie.contains("Max-Age=0")
        });
    assert!(cleared, "le navigateur oublie le secret aussitôt affiché");
    assert!(
        shown.text().await.unwrap().contains(&secret),
        "le secret s'affiche une fois"
    );
    let (_, html) = page_as(&server, &admin, "/notifications/webhooks").await;
    assert!(!html.contains(&secret), "puis plus jamais");
    assert!(html.contains(&format!("http://{addr}/recu")));

    // The company's dossier opened: one document, signed, the company's own.
    let (_, other) = sirets(&server).await;
    let reference = container("WEB", 10);
    let dossier = post(&server, &first_event("web-1", &reference, &own)).await;
    let arrived = receiver.accepted(1).await;
    assert_eq!(arrived.len(), 1, "{arrived:?}");
    let arrival = &arrived[0];
    verify(arrival, &secret);
    let document: Value = serde_json::from_str(&arrival.body).unwrap();
    assert_eq!(document["id"], arrival.delivery.as_str());
    assert_eq!(document["type"], "dossier_ouvert");
    assert_eq!(document["action_required"], false);
    assert_eq!(document["dossier"]["id"], dossier);
    assert_eq!(document["dossier"]["reference"], reference.as_str());
    assert_eq!(document["dossier"]["site"], "FRLEH");
    assert!(document["dossier"]["url"]
        .as_str()
        .unwrap()
        .ends_with(&format!("/dossiers/{dossier}")));
    assert!(document["title"].as_str().unwrap().contains(&reference));
    let created: DateTime<Utc> = document["created_at"].as_str().unwrap().parse().unwrap();
    assert!(created <= arrival.at && arrival.at - created < chrono::Duration::seconds(10));
    // Exactly what the published schema names, nothing more.
    let published: Value = reqwest::get(server.url("/api/v1/openapi.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let schema = &published["components"]["schemas"]["Livraison"];
    let names = |value: &Value| -> Vec<String> {
        let mut names: Vec<String> = match value {
            Value::Array(items) => items
                .iter()
                .map(|v| v.as_str().unwrap().to_owned())
                .collect(),
            Value::Object(map) => map.keys().cloned().collect(),
            _ => panic!("{value}"),
        };
        names.sort();
        names
    };
    assert_eq!(names(&document), names(&schema["required"]));
    assert_eq!(
        names(&document["dossier"]),
        names(&schema["properties"]["dossier"]["required"])
    );
    let kinds = names(&schema["properties"]["type"]["enum"]);
    assert!(kinds.contains(&"dossier_ouvert".to_owned()) && kinds.contains(&"test".to_owned()));
    assert!(!kinds.contains(&"webhook_suspendu".to_owned()), "{kinds:?}");
    assert_eq!(
        published["x-webhooks"]["livraison"]["post"]["requestBody"]["content"]["application/json"]
            ["schema"]["$ref"],
        "#/components/schemas/Livraison"
    );

    // Another company's dossier, and a kind the endpoint did not choose: nothing.
    post(
        &server,
        &first_event("web-2", &container("WEB", 20), &other),
    )
    .await;
    let mut lab = first_event("web-3", &reference, &own);
    lab["source"] = "traces".into();
    lab["post"] = "FRLEH1".into();
    lab["type"] = "lab_result".into();
    lab["data"] = serde_json::json!({ "conclusion": "satisfactory" });
    post(&server, &lab).await;
    let arrived = receiver.accepted(2).await;
    assert_eq!(arrived.len(), 1, "rien d'autre : {arrived:?}");

    // A test delivery: signed the same way, about no dossier; logged on the page.
    let (location, _) = form(
        &server,
        &admin,
        &format!("/notifications/webhooks/{endpoint}/test"),
        &[],
    )
    .await;
    assert_eq!(location, "/notifications/webhooks?message=webhook-test");
    let arrived = receiver.accepted(2).await;
    assert_eq!(arrived.len(), 2);
    verify(&arrived[1], &secret);
    let test: Value = serde_json::from_str(&arrived[1].body).unwrap();
    assert_eq!(test["type"], "test");
    assert!(test["dossier"].is_null());
    let (_, html) = page_as(&server, &admin, "/notifications/webhooks").await;
    assert!(html.contains("200 — reçue"), "les essais sont affichés");
    assert!(html.contains("Livraison de test"));

    // The same document sent again on request: the same id, body and original time.
    let first_delivery = scalar(
        &server.store,
        &format!("SELECT MIN(id) FROM webhook_delivery WHERE endpoint_id = {endpoint}"),
    )
    .await;
    let (location, _) = form(
        &server,
        &admin,
        &format!("/notifications/livraisons/{first_delivery}/renvoi"),
        &[],
    )
    .await;
    assert_eq!(
        location,
        "/notifications/webhooks?message=livraison-renvoyee"
    );
    let arrived = receiver.accepted(3).await;
    assert_eq!(arrived.len(), 3);
    assert_eq!(arrived[2].body, arrived[0].body, "le même document");
    verify(&arrived[2], &secret);

    // The attacks: nothing revealed, nothing changed, nothing sent.
    execute(
        &server.store,
        &format!("UPDATE app_user SET company_admin = TRUE WHERE email = '{OTHER_OPERATOR}'"),
    )
    .await
    .unwrap();
    let stranger = session_of(&server, OTHER_OPERATOR).await;
    for (path, expected) in [
        (
            format!("/notifications/webhooks/{endpoint}/test"),
            "/notifications/webhooks?erreur=webhook-inactif",
        ),
        (
            format!("/notifications/webhooks/{endpoint}/retrait"),
            "/notifications/webhooks?erreur=webhook-introuvable",
        ),
        (
            format!("/notifications/webhooks/{endpoint}/reactivation"),
            "/notifications/webhooks?erreur=webhook-non-suspendu",
        ),
        (
            format!("/notifications/livraisons/{first_delivery}/renvoi"),
            "/notifications/webhooks?erreur=livraison-introuvable",
        ),
    ] {
        let (location, _) = form(&server, &stranger, &path, &[]).await;
        assert_eq!(location, expected, "{path}");
    }
    // The same answers as for an endpoint and a delivery that do not exist.
    let (location, _) = form(
        &server,
        &stranger,
        "/notifications/webhooks/999999/test",
        &[],
    )
    .await;
    assert_eq!(location, "/notifications/webhooks?erreur=webhook-inactif");
    let (location, _) = form(
        &server,
        &stranger,
        "/notifications/livraisons/999999/renvoi",
        &[],
    )
    .await;
    assert_eq!(
        location,
        "/notifications/webhooks?erreur=livraison-introuvable"
    );
    let (_, html) = page_as(&server, &stranger, "/notifications/webhooks").await;
    assert!(
        !html.contains(&format!("http://{addr}/recu")),
        "rien révélé"
    );
    let listed = no_redirects()
        .post(server.url("/api/webhooks"))
        .header("cookie", &stranger)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!listed.contains("recu"), "{listed}");
    // A colleague who is not an administrator, an agent, nobody: refused.
    execute(
        &server.store,
        &format!("UPDATE app_user SET company_admin = FALSE WHERE email = '{OTHER_OPERATOR}'"),
    )
    .await
    .unwrap();
    let agent = session_of(&server, AGENT_SIVEP).await;
    for cookie in [stranger.as_str(), agent.as_str(), ""] {
        for path in [
            "/notifications/webhooks".to_owned(),
            format!("/notifications/webhooks/{endpoint}/retrait"),
            format!("/notifications/livraisons/{first_delivery}/renvoi"),
        ] {
            let (location, _) = form(
                &server,
                cookie,
                &path,
                &[
                    ("adresse", "http://127.0.0.1:9/"),
                    ("type_dossier_ouvert", "1"),
                ],
            )
            .await;
            assert!(
                location == "403" || location.starts_with("/connexion"),
                "{cookie:?} {path} : {location}"
            );
        }
        let listed = no_redirects()
            .post(server.url("/api/webhooks"))
            .header("cookie", cookie)
            .send()
            .await
            .unwrap();
        assert_ne!(listed.status(), StatusCode::OK);
    }
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(receiver.arrivals().len(), 3, "rien envoyé");
    assert_eq!(
        scalar(
            &server.store,
            "SELECT COUNT(*) FROM webhook_endpoint WHERE removed_at IS NULL"
        )
        .await,
        1,
        "rien changé"
    );

    // A delivery whose dossier is no longer the company's when it is tried again: not sent.
    let moved = container("WEB", 40);
    *receiver.refused.lock().unwrap() = Some(moved.clone());
    let moved_dossier = post(&server, &first_event("web-5", &moved, &own)).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !receiver.arrivals().iter().any(|a| !a.accepted) && tokio::time::Instant::now() < deadline
    {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let other_company = company_and_siret(&server.store, OTHER_OPERATOR).await.0;
    execute(
        &server.store,
        &format!("UPDATE dossier SET company_id = {other_company} WHERE id = {moved_dossier}"),
    )
    .await
    .unwrap();
    // Still refused by the receiver, it would be tried for a day: given up at once instead.
    let given_up = format!(
        "SELECT COUNT(*) FROM webhook_delivery WHERE dossier_id = {moved_dossier} AND given_up_at IS NOT NULL"
    );
    until_count(&server.store, &given_up, 1).await;
    assert!(!receiver
        .arrivals()
        .iter()
        .any(|a| a.accepted && a.body.contains(&moved)));
    let (_, html) = page_as(&server, &admin, "/notifications/webhooks").await;
    assert!(html.contains("Non envoyée"), "l'abandon est affiché");
    let sent = receiver.arrivals().len();

    // Removed: what happens next is not delivered.
    let (location, _) = form(
        &server,
        &admin,
        &format!("/notifications/webhooks/{endpoint}/retrait"),
        &[],
    )
    .await;
    assert_eq!(location, "/notifications/webhooks?message=webhook-retire");
    post(&server, &first_event("web-4", &container("WEB", 30), &own)).await;
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert_eq!(receiver.arrivals().len(), sent);
}

async fn a_receiver_down_then_up_gets_each_document_once_with_its_original_time(backend: Backend) {
    let Some(url) = fresh_database(backend).await else {
        return;
    };
    let Registered {
        server,
        addr,
        admin,
        endpoint,
        secret,
        own,
    } = registered(url, &["dossier_ouvert"]).await;
    // Two dossiers opened while nobody listens: attempts fail, logged.
    let (first, second) = (container("DWN", 10), container("DWN", 20));
    post(&server, &first_event("down-1", &first, &own)).await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    post(&server, &first_event("down-2", &second, &own)).await;
    until_count(&server.store, "SELECT COUNT(*) FROM webhook_attempt", 4).await;
    let (_, html) = page_as(&server, &admin, "/notifications/webhooks").await;
    assert!(html.contains("Connexion impossible"), "l'échec est affiché");
    assert!(html.contains("En échec depuis"));

    // The receiver comes up, but refuses the first dossier's document for a while: the second
    // arrives first; the first comes later, with its original time and the same body each time.
    let up = Utc::now();
    let receiver = Receiver::start_on(addr).await;
    *receiver.refused.lock().unwrap() = Some(first.clone());
    let arrived = receiver.accepted(1).await;
    assert_eq!(arrived.len(), 1);
    assert!(arrived[0].body.contains(&second));
    let refusals: Vec<Arrival> = receiver
        .arrivals()
        .into_iter()
        .filter(|a| !a.accepted)
        .collect();
    assert!(!refusals.is_empty(), "le premier a été refusé d'abord");
    *receiver.refused.lock().unwrap() = None;
    let arrived = receiver.accepted(2).await;
    assert_eq!(arrived.len(), 2, "chacun une fois : {arrived:?}");
    let later = &arrived[1];
    assert!(later.body.contains(&first));
    assert!(
        refusals
            .iter()
            .all(|refused| refused.body == later.body && refused.delivery == later.delivery),
        "le même document à chaque essai"
    );
    let created = |arrival: &Arrival| -> DateTime<Utc> {
        serde_json::from_str::<Value>(&arrival.body).unwrap()["created_at"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap()
    };
    assert!(
        created(later) < created(&arrived[0]),
        "l'ordre d'origine se retrouve"
    );
    assert!(
        created(later) < up,
        "la date d'origine, pas celle de l'essai"
    );
    let t = verify(later, &secret);
    assert!(t >= up.timestamp(), "la signature porte l'heure de l'essai");
    // Working again: no longer failing.
    let (_, html) = page_as(&server, &admin, "/notifications/webhooks").await;
    assert!(!html.contains("En échec depuis"));
    assert!(html.contains("503"));
    assert_eq!(
        scalar(
            &server.store,
            &format!("SELECT COUNT(*) FROM webhook_delivery WHERE endpoint_id = {endpoint} AND sent_at IS NULL")
        )
        .await,
        0
    );
}

async fn an_endpoint_failing_for_a_day_is_paused_and_its_administrator_told(backend: Backend) {
    let Some(url) = fresh_database(backend).await else {
        return;
    };
    let Registered {
        server,
        addr,
        admin,
        endpoint,
        own,
        ..
    } = registered(url, &["dossier_ouvert"]).await;
    post(
        &server,
        &first_event("pause-1", &container("PAU", 10), &own),
    )
    .await;
    until_count(&server.store, "SELECT COUNT(*) FROM webhook_attempt", 1).await;
    // A day of failures, as the clock would have it: the next failure pauses the endpoint.
    let day_ago = Utc::now() - chrono::Duration::hours(25);
    set_time(
        &server.store,
        &format!("UPDATE webhook_endpoint SET failing_since = $1 WHERE id = {endpoint}"),
        day_ago,
    )
    .await;
    set_time(
        &server.store,
        "UPDATE webhook_delivery SET failing_since = $1",
        day_ago,
    )
    .await;
    until_count(
        &server.store,
        &format!(
            "SELECT COUNT(*) FROM webhook_endpoint WHERE id = {endpoint} AND paused_at IS NOT NULL"
        ),
        1,
    )
    .await;
    let admin_id = server
        .store
        .user_by_email(OPERATOR)
        .await
        .unwrap()
        .unwrap()
        .id;
    let told = server
        .store
        .notifications(admin_id, Some("webhook_suspendu"), false, None)
        .await
        .unwrap();
    assert_eq!(told.len(), 1, "l'administrateur est prévenu, une fois");
    assert!(told[0].action_required);
    assert_eq!(told[0].link, "/notifications/webhooks");
    assert!(told[0].body.contains(&format!("http://{addr}/recu")));
    // Only administrators: a colleague of the company is not told.
    let company = company_and_siret(&server.store, OPERATOR).await.0;
    for user in server.store.company_users(company).await.unwrap() {
        if user.id != admin_id {
            let told = server
                .store
                .notifications(user.id, Some("webhook_suspendu"), false, None)
                .await
                .unwrap();
            assert!(told.is_empty());
        }
    }
    let (_, html) = page_as(&server, &admin, "/notifications/webhooks").await;
    assert!(html.contains("Suspendu le"));
    // Given up after its day; paused: no test, nothing new queued.
    assert_eq!(
        scalar(
            &server.store,
            "SELECT COUNT(*) FROM webhook_delivery WHERE given_up_at IS NOT NULL"
        )
        .await,
        1
    );
    let (location, _) = form(
        &server,
        &admin,
        &format!("/notifications/webhooks/{endpoint}/test"),
        &[],
    )
    .await;
    assert_eq!(location, "/notifications/webhooks?erreur=webhook-inactif");
    post(
        &server,
        &first_event("pause-2", &container("PAU", 20), &own),
    )
    .await;
    assert_eq!(
        scalar(&server.store, "SELECT COUNT(*) FROM webhook_delivery").await,
        1
    );

    // Mended and resumed by the administrator: the missed one re-sent by hand arrives, with its
    // original time; what happens next arrives too.
    let receiver = Receiver::start_on(addr).await;
    let (location, _) = form(
        &server,
        &admin,
        &format!("/notifications/webhooks/{endpoint}/reactivation"),
        &[],
    )
    .await;
    assert_eq!(location, "/notifications/webhooks?message=webhook-reactive");
    let missed = scalar(&server.store, "SELECT MIN(id) FROM webhook_delivery").await;
    let resent = Utc::now();
    let (location, _) = form(
        &server,
        &admin,
        &format!("/notifications/livraisons/{missed}/renvoi"),
        &[],
    )
    .await;
    assert_eq!(
        location,
        "/notifications/webhooks?message=livraison-renvoyee"
    );
    post(
        &server,
        &first_event("pause-3", &container("PAU", 30), &own),
    )
    .await;
    let arrived = receiver.accepted(2).await;
    assert_eq!(arrived.len(), 2, "{arrived:?}");
    let again = arrived
        .iter()
        .find(|arrival| arrival.body.contains(&container("PAU", 10)))
        .expect("la livraison manquée, renvoyée");
    let created: DateTime<Utc> = serde_json::from_str::<Value>(&again.body).unwrap()["created_at"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(created < resent, "avec sa date d'origine");
    assert!(arrived
        .iter()
        .any(|arrival| arrival.body.contains(&container("PAU", 30))));
}

async fn addresses_of_the_platform_s_network_are_refused(backend: Backend) {
    let Some(url) = fresh_database(backend).await else {
        return;
    };
    let server = server(url, false).await;
    let admin = session_of(&server, OPERATOR).await;
    let addr = free_addr();
    let receiver = Receiver::start_on(addr).await;
    for (typed, problem) in [
        ("http://exemple.fr/recu", "webhook-https"),
        ("https://127.0.0.1/recu", "webhook-reseau-prive"),
        ("https://10.0.0.8/recu", "webhook-reseau-prive"),
        (
            "https://169.254.169.254/latest/meta-data",
            "webhook-reseau-prive",
        ),
        ("https://[::1]:8443/recu", "webhook-reseau-prive"),
        ("https://localhost/recu", "webhook-reseau-prive"),
        (
            "https://jean:secret@exemple.fr/recu",
            "webhook-identifiants",
        ),
        (
            "https://nom-qui-n-existe-pas.invalid/recu",
            "webhook-serveur-introuvable",
        ),
        ("pas une adresse", "webhook-adresse"),
        ("https://exemple.fr:22/recu", "webhook-port"),
        // Other spellings of the loopback, read as names and resolved there.
        ("https://2130706433/recu", "webhook-reseau-prive"),
        ("https://0x7f.0.0.1/recu", "webhook-reseau-prive"),
        ("https://127.1/recu", "webhook-reseau-prive"),
        ("https://[::ffff:127.0.0.1]/recu", "webhook-reseau-prive"),
    ] {
        let (location, _) = form(
            &server,
            &admin,
            "/notifications/webhooks",
            &[("adresse", typed), ("type_dossier_ouvert", "1")],
        )
        .await;
        assert!(
            location.starts_with(&format!("/notifications/webhooks?erreur={problem}")),
            "{typed} : {location}"
        );
    }
    assert_eq!(
        scalar(&server.store, "SELECT COUNT(*) FROM webhook_endpoint").await,
        0
    );
    // Endpoints written before (or whose name moved into the network since), or by something
    // else than the form: refused at every attempt; nothing reaches the receiver.
    let company = company_and_siret(&server.store, OPERATOR).await.0;
    let port = addr.port();
    let mut targets = vec![
        (
            format!("https://0x7f.0.0.1:{port}/recu"),
            "Adresse refusée : elle désigne un réseau privé ou local.",
        ),
        (
            format!("http://exemple.fr:{port}/recu"),
            "Adresse refusée : elle n'est pas une adresse https:// publique acceptée.",
        ),
    ];
    // A name that resolves into the platform's network without saying so: the machine's own
    // (the loopback or a container's private address on every machine the suite runs on;
    // checked first, so that the case is only left out where it would prove nothing).
    let hostname = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
    let hostname = hostname.trim();
    let resolved: Vec<std::net::IpAddr> = tokio::net::lookup_host((hostname, 443))
        .await
        .map(|found| found.map(|address| address.ip()).collect())
        .unwrap_or_default();
    if !hostname.is_empty()
        && hostname != "localhost"
        && !resolved.is_empty()
        && !resolved
            .iter()
            .any(|ip| app::domain::webhook::is_public(*ip))
    {
        targets.push((
            format!("https://{hostname}:{port}/recu"),
            "Adresse refusée : le nom du serveur désigne un réseau privé ou local.",
        ));
    }
    for (target, _) in &targets {
        execute(
            &server.store,
            &format!(
                "INSERT INTO webhook_endpoint (company_id, url, secret, kinds, created_at)
                 VALUES ({company}, '{target}', 'whsec_x', 'dossier_ouvert', CURRENT_TIMESTAMP)"
            ),
        )
        .await
        .unwrap();
    }
    let (own, _) = sirets(&server).await;
    post(&server, &first_event("ssrf", &container("SRF", 10), &own)).await;
    until_count(
        &server.store,
        "SELECT COUNT(DISTINCT endpoint_id) FROM webhook_attempt",
        targets.len() as i64,
    )
    .await;
    let (_, html) = page_as(&server, &admin, "/notifications/webhooks").await;
    for (target, refusal) in &targets {
        assert!(html.contains(refusal), "{target} : {refusal}");
    }
    assert!(receiver.arrivals().is_empty(), "rien n'est parti");
}

on_both_stores!(
    deliveries_are_signed_and_carry_only_the_company_s_own,
    a_receiver_down_then_up_gets_each_document_once_with_its_original_time,
    an_endpoint_failing_for_a_day_is_paused_and_its_administrator_told,
    addresses_of_the_platform_s_network_are_refused,
    a_representative_s_endpoint_receives_the_importer_s_documents_while_its_mandate_is_in_force,
);

/// A representative's endpoint receives what happens to the importer's dossiers at the sites of
/// a mandate in force, from the day it is given to the day it is revoked, and never those of the
/// importer's other sites (need to know holds when the document is written).
async fn a_representative_s_endpoint_receives_the_importer_s_documents_while_its_mandate_is_in_force(
    backend: Backend,
) {
    let Some(url) = fresh_database(backend).await else {
        return;
    };
    let server = server(url, true).await;
    let store = &server.store;
    execute(
        store,
        &format!("UPDATE app_user SET company_admin = TRUE WHERE email = '{OTHER_OPERATOR}'"),
    )
    .await
    .unwrap();
    let (_, representative_siret) = company_and_siret(store, OTHER_OPERATOR).await;
    let (_, importer_siret) = company_and_siret(store, OPERATOR).await;
    let addr = free_addr();
    let receiver = Receiver::start_on(addr).await;
    let karim = session_of(&server, OTHER_OPERATOR).await;
    let (_, secret) = register(
        &server,
        &karim,
        &format!("http://{addr}/recu"),
        &["dossier_ouvert"],
    )
    .await;
    let at = |site: &str, id: &str, serial: u32| {
        let mut event = first_event(id, &container("MAN", serial), &importer_siret);
        event["site"] = site.into();
        event
    };

    // Before the mandate: nothing of the importer's.
    post(&server, &at("FRLEH", "man-1", 1)).await;
    let claire = session_of(&server, OPERATOR).await;
    let (location, _) = form(
        &server,
        &claire,
        "/espace/mandats",
        &[
            ("siret", &representative_siret),
            ("site-FRLEH", "oui"),
            ("debut", ""),
            ("fin", ""),
        ],
    )
    .await;
    assert_eq!(location, "/espace?message=mandat-donne#mandats");

    // In force: Le Havre's new dossier reaches Karim's endpoint, signed; Fos's does not.
    let here = post(&server, &at("FRLEH", "man-2", 2)).await;
    post(&server, &at("FRFOS", "man-3", 3)).await;
    let arrived = receiver.accepted(1).await;
    assert_eq!(arrived.len(), 1, "{arrived:?}");
    verify(&arrived[0], &secret);
    let document: Value = serde_json::from_str(&arrived[0].body).unwrap();
    assert_eq!(document["type"], "dossier_ouvert");
    assert_eq!(document["dossier"]["id"], here);
    assert_eq!(document["dossier"]["site"], "FRLEH");

    // A document written while in force, its receiver down until the mandate is revoked: not
    // sent once revoked (checked again at each attempt).
    let pending = container("MAN", 5);
    *receiver.refused.lock().unwrap() = Some(pending.clone());
    post(&server, &at("FRLEH", "man-5", 5)).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !receiver
        .arrivals()
        .iter()
        .any(|a| a.body.contains(&pending))
    {
        assert!(tokio::time::Instant::now() < deadline, "un premier essai");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // Revoked: nothing more.
    let mandate = scalar(store, "SELECT MAX(id) FROM mandate").await;
    let (location, _) = form(
        &server,
        &claire,
        &format!("/espace/mandats/{mandate}/revocation"),
        &[],
    )
    .await;
    assert_eq!(location, "/espace?message=mandat-revoque#mandats");
    *receiver.refused.lock().unwrap() = None;
    post(&server, &at("FRLEH", "man-4", 4)).await;
    let arrived = receiver.accepted(2).await;
    assert_eq!(
        arrived.len(),
        1,
        "plus rien après la révocation : {arrived:?}"
    );
    server.stop().await;
}

#[tokio::test]
async fn two_server_processes_deliver_each_document_once() {
    let Some(url) = fresh_database(Backend::Postgres).await else {
        return;
    };
    let addr = free_addr();
    let receiver = Receiver::start_on(addr).await;
    let env = [
        ("SESAME_NOTIFICATION_POLL_MILLIS", "20"),
        ("SESAME_WEBHOOKS_ALLOW_LOCAL", "true"),
    ];
    let first = ServerProcess::start_with(&url, &env).await;
    let second = ServerProcess::start_with(&url, &env).await;
    let store = Store::connect(&url).await.unwrap();
    let (company, siret) = company_and_siret(&store, OPERATOR).await;
    // Two endpoints of the company: each document goes to each, once.
    for n in 0..2 {
        execute(
            &store,
            &format!(
                "INSERT INTO webhook_endpoint (company_id, url, secret, kinds, created_at)
                 VALUES ({company}, 'http://{addr}/recu?n={n}', 'whsec_{n}', 'dossier_ouvert', CURRENT_TIMESTAMP)"
            ),
        )
        .await
        .unwrap();
    }
    let count = 20;
    for n in 0..count {
        let process = if n % 2 == 0 { &first } else { &second };
        let answer = reqwest::Client::new()
            .post(process.url("/api/v1/events"))
            .bearer_auth(crate::helpers::DEMO_API_KEY)
            .json(&first_event(
                &format!("deux-web-{n}"),
                &container("DWH", 10 * n + 1),
                &siret,
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), StatusCode::CREATED);
    }
    let arrived = receiver.accepted(2 * count as usize).await;
    let mut per_document: HashMap<(String, String), usize> = HashMap::new();
    for arrival in &arrived {
        // The same document goes to both endpoints: once to each.
        *per_document
            .entry((arrival.delivery.clone(), arrival.query.clone()))
            .or_default() += 1;
    }
    assert_eq!(
        arrived.len(),
        2 * count as usize,
        "chacun une fois par webhook"
    );
    assert!(per_document.values().all(|n| *n == 1), "{per_document:?}");
    assert_eq!(
        scalar(
            &store,
            "SELECT COUNT(*) FROM webhook_delivery WHERE sent_at IS NOT NULL"
        )
        .await,
        2 * i64::from(count),
        "chacun marqué livré une fois"
    );
    store.close().await;
    drop((first, second));
}
