//! A rolling restart of two instances behind one address (PostgreSQL): a proxy in the test hands
//! each connection to an instance that accepts it, as a load balancer does; while a partner sends
//! events and an agent's live stream is open through it, each instance in turn is stopped with
//! SIGTERM and started again. No request is lost (every event answered 201), and the stream —
//! resuming by `Last-Event-ID` when its instance goes — carries every event once, in order.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use app::store::{Backend, Store};
use reqwest::StatusCode;
use serde_json::Value;
use tokio::net::{TcpListener, TcpStream};

use crate::accounts::{AGENT_SIVEP, OPERATOR};
use crate::helpers::{company_and_siret, container, fresh_database, DEMO_API_KEY};
use crate::live::{first_event, session_at, ServerProcess, Stream};

/// The proxy: each new connection goes to the first instance, in turn, that accepts it.
async fn proxy(backends: Arc<Mutex<Vec<u16>>>) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let mut turn = 0usize;
        loop {
            let Ok((mut client, _)) = listener.accept().await else {
                continue;
            };
            turn += 1;
            let ports = backends.lock().unwrap().clone();
            tokio::spawn(async move {
                for offset in 0..ports.len() {
                    let port = ports[(turn + offset) % ports.len()];
                    if let Ok(mut backend) = TcpStream::connect(("127.0.0.1", port)).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut backend).await;
                        return;
                    }
                }
            });
        }
    });
    port
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_rolling_restart_loses_no_request_and_no_stream_message() {
    let Some(url) = fresh_database(Backend::Postgres).await else {
        return;
    };
    let settings = [("SESAME_SHUTDOWN_GRACE_SECONDS", "5")];
    let first = ServerProcess::start_with(&url, &settings).await;
    let second = ServerProcess::start_with(&url, &settings).await;
    let backends = Arc::new(Mutex::new(vec![first.port(), second.port()]));
    let base = format!("http://127.0.0.1:{}", proxy(backends.clone()).await);
    let store = Store::connect(&url).await.unwrap();
    let (_, siret) = company_and_siret(&store, OPERATOR).await;
    let cookie = session_at(&base, AGENT_SIVEP).await;

    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    // The agent's stream, through the proxy: when its instance goes, it comes back from where it
    // was, as a browser's EventSource does.
    let (opened, open) = tokio::sync::oneshot::channel::<()>();
    let reader = tokio::spawn({
        let (base, cookie, stop) = (base.clone(), cookie.clone(), stop.clone());
        let mut opened = Some(opened);
        async move {
            let mut seen: Vec<(i64, i64)> = Vec::new();
            let mut last: Option<i64> = None;
            let mut quiet_after_stop = 0;
            loop {
                let mut request = reqwest::Client::new()
                    .get(format!("{base}/api/v1/stream"))
                    .header("cookie", &cookie);
                if let Some(id) = last {
                    request = request.header("last-event-id", id.to_string());
                }
                let Ok(response) = request.send().await else {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                };
                if response.status() != StatusCode::OK {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
                if let Some(opened) = opened.take() {
                    let _ = opened.send(());
                }
                let mut stream = Stream::from_response(response);
                while let Some(message) = stream.next(Duration::from_secs(2)).await {
                    if let Some(id) = message.id.as_ref().and_then(|id| id.parse::<i64>().ok()) {
                        if message.event == "dossier" {
                            seen.push((id, message.data["dossier_id"].as_i64().unwrap_or(-1)));
                        }
                        last = Some(id);
                    }
                }
                if stop.load(std::sync::atomic::Ordering::SeqCst) {
                    quiet_after_stop += 1;
                    if quiet_after_stop >= 2 {
                        return seen;
                    }
                }
            }
        }
    });

    // Once the stream is open, the partner sends events one after the other, a new connection
    // each (as through a load balancer), until told to stop: every answer is kept.
    open.await.expect("le flux s'ouvre");
    let sender = tokio::spawn({
        let (base, stop, siret) = (base.clone(), stop.clone(), siret.clone());
        async move {
            let client = reqwest::Client::builder()
                .pool_max_idle_per_host(0)
                .build()
                .unwrap();
            let mut answers = Vec::new();
            let mut n = 0u32;
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                let event = first_event(
                    &format!("relais-{n}"),
                    &container("RLS", 10 + 10 * n),
                    &siret,
                );
                let answer = client
                    .post(format!("{base}/api/v1/events"))
                    .bearer_auth(DEMO_API_KEY)
                    .json(&event)
                    .send()
                    .await;
                let outcome = match answer {
                    Ok(response) => {
                        let status = response.status();
                        let body: Value = response.json().await.unwrap_or(Value::Null);
                        (status, body["dossier_id"].as_i64())
                    }
                    Err(error) => panic!("relais-{n} perdu : {error}"),
                };
                answers.push(outcome);
                n += 1;
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            answers
        }
    });

    // Each instance in turn: stopped with SIGTERM, started again, taken back by the proxy.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let mut instances = vec![first, second];
    for _ in 0..2 {
        let old = instances.remove(0);
        let old_port = old.port();
        assert!(old.terminate().success(), "arrêt propre");
        let new = ServerProcess::start_with(&url, &settings).await;
        {
            let mut ports = backends.lock().unwrap();
            let place = ports.iter().position(|port| *port == old_port).unwrap();
            ports[place] = new.port();
        }
        instances.push(new);
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let answers = sender.await.unwrap();
    assert!(
        answers.len() >= 20,
        "{} événements seulement",
        answers.len()
    );
    for (n, (status, _)) in answers.iter().enumerate() {
        assert_eq!(*status, StatusCode::CREATED, "relais-{n}");
    }
    let seen = reader.await.unwrap();
    // Every event's dossier reached the stream once, in the order of the feed.
    let mut dossiers: Vec<i64> = answers.iter().filter_map(|(_, dossier)| *dossier).collect();
    dossiers.sort();
    let mut carried: Vec<i64> = seen.iter().map(|(_, dossier)| *dossier).collect();
    carried.sort();
    carried.dedup();
    assert_eq!(carried, dossiers, "chaque événement sur le flux");
    assert!(
        seen.windows(2).all(|pair| pair[0].0 < pair[1].0),
        "ni doublon ni retour en arrière : {seen:?}"
    );
    store.close().await;
}
