//! `server bench`: the measurements the tracking issue sets targets for, printed as tables, each
//! against a baseline measured in the same run.
//!
//! 1. Ingestion, per store: partner events a second end to end (sent over HTTP, committed,
//!    delivered to a live subscriber), against the raw insert rate of the same rows into the same
//!    store, one statement a row and then as sets (multi-row `INSERT`s); the ratios.
//! 2. Rendez-vous: simultaneous bookings through the form on a slot of three places; how many are
//!    accepted (never more than three) and the latency, against one booking alone.
//! 3. Fan-out: N subscribers on one instance; the delay for one event to reach all of them (p50,
//!    p99), the server's memory and CPU per subscriber; against one subscriber, and against the
//!    floor of this machine: the same clients on a bare stream server (see [`floor`]).
//!
//! The server under test is this very binary, started as a child process on a fresh database, so
//! that its memory is its own; the floor is this binary too (`server bench-floor`).

use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use app::store::{Backend, Store};
use chrono::Utc;
use serde_json::{json, Value};
use tokio::process::{Child, Command};

pub(crate) const KEY: &str = "cle-de-banc-d-essai";

/// What to measure.
pub struct Settings {
    pub events: usize,
    pub batch: usize,
    pub subscribers: Vec<usize>,
    /// Simultaneous bookings on the last places of a slot.
    pub attempts: usize,
    /// Open dossier lists for the measure of the reads one write causes (ten see the dossier).
    pub list_subscribers: usize,
    /// An administrator's URL of a PostgreSQL server, to measure it too (a database is created).
    pub postgres: Option<String>,
}

pub(crate) struct Instance {
    pub(crate) child: Child,
    pub(crate) url: String,
    pub(crate) database_url: String,
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}

fn free_port() -> Result<u16, String> {
    let socket = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    Ok(socket.local_addr().map_err(|e| e.to_string())?.port())
}

pub(crate) async fn start(database_url: &str) -> Result<Instance, String> {
    let port = free_port()?;
    let child = Command::new(std::env::current_exe().map_err(|e| e.to_string())?)
        .arg("serve")
        .env("DATABASE_URL", database_url)
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env("SESAME_DEMO", "1")
        .env("SESAME_DEMO_API_KEY", KEY)
        .env("SESAME_LOG", "warn")
        // The clock is measured on its own (the scale run's alerts), not mixed into the pages'.
        .env("SESAME_CLOCK_SECONDS", "0")
        // The mails of the notifications its events cause, out of the working tree.
        .env(
            "SESAME_MAIL_FOLDER",
            std::env::temp_dir().join(format!("sesame-bench-mails-{port}")),
        )
        .env("SESAME_PARTNER_EVENTS_PER_MINUTE", "10000000")
        .env("SESAME_PARTNER_EVENTS_BURST", "10000000")
        .env("SESAME_PARTNER_REQUESTS_PER_MINUTE", "10000000")
        .env("SESAME_PARTNER_REQUESTS_BURST", "10000000")
        .env("SESAME_SUBMISSIONS_PER_MINUTE", "10000000")
        .env("SESAME_SUBMISSIONS_BURST", "10000000")
        .env("SESAME_SENSITIVE_PER_MINUTE", "10000000")
        .env("SESAME_SENSITIVE_BURST", "10000000")
        // The fan-out's subscribers all present one supervisor's session, standing for as many
        // people: the per-person cap on streams is not what is measured.
        .env("SESAME_LIVE_STREAMS_PER_PERSON", "10000000")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("serveur à mesurer non démarré : {e}"))?;
    let url = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(120);
    while !client
        .get(format!("{url}/readyz"))
        .send()
        .await
        .map(|r| r.status().is_success())
        .unwrap_or(false)
    {
        if Instant::now() > deadline {
            return Err("le serveur à mesurer n'a pas démarré en deux minutes".into());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    Ok(Instance {
        child,
        url,
        database_url: database_url.to_owned(),
    })
}

/// The resident memory of a process, in KiB (Linux).
pub(crate) fn resident_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|kib| kib.parse().ok())
}

/// CPU time the process has used so far, all threads, in nanoseconds (from the scheduler's
/// statistics, precise where `/proc/<pid>/stat` counts in hundredths of a second).
fn cpu_ns(pid: u32) -> Option<u64> {
    let mut total = 0;
    for task in std::fs::read_dir(format!("/proc/{pid}/task")).ok()? {
        let stat = std::fs::read_to_string(task.ok()?.path().join("schedstat")).ok()?;
        total += stat.split_whitespace().next()?.parse::<u64>().ok()?;
    }
    Some(total)
}

/// The floor of the fan-out on this machine: a stream server reduced to what no server can do
/// without (one task and one socket per subscriber, a message encoded once and written to each
/// socket in one system call), with no HTTP library, session, permission or database. `GET`
/// opens a stream; `POST /diffuser` sends every stream one message of `bytes` bytes on the wire.
/// Only for `server bench`, on the loopback interface.
pub async fn floor(port: u16, bytes: usize) -> Result<(), String> {
    // The platform's own listening socket, with the same room for connections waiting.
    let listener = crate::listen(std::net::SocketAddr::from(([127, 0, 0, 1], port)))
        .map_err(|e| format!("port {port} indisponible : {e}"))?;
    let (sender, _) = tokio::sync::broadcast::channel(16);
    let message = floor_message(bytes);
    loop {
        let (socket, _) = listener.accept().await.map_err(|e| e.to_string())?;
        let sender = sender.clone();
        let message = message.clone();
        tokio::spawn(async move {
            let _ = floor_connection(socket, sender, message).await;
        });
    }
}

/// A dossier message as a chunk of a chunked response, `bytes` bytes in all.
fn floor_message(bytes: usize) -> axum::body::Bytes {
    let frame = |padding: usize| {
        format!(
            "event: dossier\ndata: {{\"n\":\"{}\"}}\n\n",
            "x".repeat(padding)
        )
    };
    let chunk = |padding: usize| {
        let frame = frame(padding);
        format!("{:x}\r\n{frame}\r\n", frame.len())
    };
    let padding = bytes.saturating_sub(chunk(0).len());
    axum::body::Bytes::from(chunk(padding))
}

async fn floor_connection(
    mut socket: tokio::net::TcpStream,
    sender: tokio::sync::broadcast::Sender<axum::body::Bytes>,
    message: axum::body::Bytes,
) -> std::io::Result<()> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut head = [0u8; 2048];
    let mut read = 0;
    while !head[..read].windows(4).any(|w| w == b"\r\n\r\n") {
        let more = socket.read(&mut head[read..]).await?;
        if more == 0 || read + more == head.len() {
            return Ok(());
        }
        read += more;
    }
    if head.starts_with(b"POST /diffuser") {
        let _ = sender.send(message);
        return socket
            .write_all(b"HTTP/1.1 204 No Content\r\nconnection: close\r\n\r\n")
            .await;
    }
    let mut messages = sender.subscribe();
    socket
        .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncache-control: no-store\r\ntransfer-encoding: chunked\r\n\r\n")
        .await?;
    loop {
        match messages.recv().await {
            Ok(message) => socket.write_all(&message).await?,
            Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
            Err(tokio::sync::broadcast::error::RecvError::Closed) => return Ok(()),
        }
    }
}

/// The floor server, started as a child process like the platform.
async fn start_floor(bytes: usize) -> Result<Server, String> {
    let port = free_port()?;
    let child = Command::new(std::env::current_exe().map_err(|e| e.to_string())?)
        .args([
            "bench-floor",
            "--port",
            &port.to_string(),
            "--octets",
            &bytes.to_string(),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("serveur plancher non démarré : {e}"))?;
    let address = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let deadline = Instant::now() + Duration::from_secs(30);
    while tokio::net::TcpStream::connect(address).await.is_err() {
        if Instant::now() > deadline {
            return Err("le serveur plancher n'a pas démarré".into());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(Server {
        pid: child.id().ok_or("serveur plancher arrêté")?,
        address,
        cookie: String::new(),
        kind: ServerKind::Floor { _child: child },
    })
}

/// The demo's supervisor, who sees every dossier.
pub(crate) const SUPERVISOR: &str = "superviseur@demo.sesame.test";

/// A supervisor's session cookie (sees every dossier).
pub(crate) async fn supervisor(url: &str) -> Result<String, String> {
    session(url, SUPERVISOR).await
}

/// A demo account's session cookie, terms of use accepted.
async fn session(url: &str, email: &str) -> Result<String, String> {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| e.to_string())?;
    let response = client
        .post(format!("{url}/connexion"))
        .form(&[
            ("adresse", email),
            ("mot_de_passe", crate::config::DEFAULT_DEMO_PASSWORD),
        ])
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let cookie = response
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .ok_or_else(|| format!("connexion de {email} refusée"))?
        .to_owned();
    client
        .post(format!("{url}/cgu/acceptation"))
        .header("cookie", &cookie)
        .form(&[("accepte", "oui")])
        .send()
        .await
        .map_err(|e| e.to_string())?;
    Ok(cookie)
}

/// What the race on the last places of a slot measured.
struct Race {
    accepted: usize,
    full: usize,
    other: usize,
    p50_ms: f64,
    p99_ms: f64,
    /// One booking alone, on another slot: the baseline (the median of [`ALONE`], one after the
    /// other, each on a slot of its own).
    alone_ms: f64,
    /// p99 of as many requests at once that read nothing: the address that says the process is
    /// up, without a session (the HTTP layers and the machine alone).
    bare_p99_ms: f64,
    /// The same with the operator's session (its one read).
    signed_in_p99_ms: f64,
    /// p99 of as many bookings at once once the slot is full, each opening its connection (as
    /// people whose browser kept none).
    connecting_p99_ms: f64,
    /// CPU time used during the rush, in milliseconds: the instance's (all threads) and the
    /// bench's own (its client, on the same cores).
    rush_cpu_ms: [f64; 2],
    /// The instance's CPU time per request, in microseconds, requests sent one after the other
    /// on one kept connection: `/healthz` without and with the session, and a booking refused
    /// « complet » (the rush's late comers).
    cpu_us: [f64; 3],
}

/// Requests one after the other for each CPU figure of the rush's table.
const CPU_REQUESTS: usize = 2000;

/// The instance's CPU time per request sent by `sent`, one after the other on one connection,
/// in microseconds: what a request costs the server alone, without the waits of a crowd (the
/// database's own CPU is not counted on PostgreSQL, another process).
async fn cpu_per_request<F, Fut>(instance: &Instance, sent: F) -> Result<f64, String>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<(), String>>,
{
    let pid = instance.child.id().ok_or("serveur arrêté")?;
    // A first request opens the connection and warms what is opened on first use.
    sent().await?;
    let before = cpu_ns(pid).ok_or("temps CPU illisible")?;
    for _ in 0..CPU_REQUESTS {
        sent().await?;
    }
    let after = cpu_ns(pid).ok_or("temps CPU illisible")?;
    Ok(after.saturating_sub(before) as f64 / CPU_REQUESTS as f64 / 1000.0)
}

/// Sends the requests `sent` makes all at once (each waits for the others before sending) and
/// returns their latencies in milliseconds, sorted, with what each answered.
async fn at_once<F, Fut, T>(count: usize, sent: F) -> Result<(Vec<f64>, Vec<T>), String>
where
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = Result<T, String>> + Send + 'static,
    T: Send + 'static,
{
    let start = Arc::new(tokio::sync::Barrier::new(count));
    let tasks: Vec<_> = (0..count)
        .map(|n| {
            let start = Arc::clone(&start);
            let request = sent(n);
            tokio::spawn(async move {
                start.wait().await;
                let started = Instant::now();
                let answer = request.await?;
                Ok::<_, String>((started.elapsed().as_secs_f64() * 1000.0, answer))
            })
        })
        .collect();
    let mut latencies = Vec::with_capacity(count);
    let mut answers = Vec::with_capacity(count);
    for task in tasks {
        let (ms, answer) = task.await.map_err(|e| e.to_string())??;
        latencies.push(ms);
        answers.push(answer);
    }
    latencies.sort_by(f64::total_cmp);
    Ok((latencies, answers))
}

/// The SIRET of the company of the operator with this address.
async fn siret_of(store: &Store, email: &str) -> Result<String, String> {
    let user = store
        .user_by_email(email)
        .await
        .map_err(|e| e.to_string())?
        .ok_or("opérateur de démonstration introuvable")?;
    Ok(store
        .companies()
        .await
        .map_err(|e| e.to_string())?
        .into_iter()
        .find(|company| Some(company.id) == user.company_id)
        .ok_or("entreprise de l'opérateur introuvable")?
        .siret
        .to_string())
}

/// Waits until the instance has sent every notification mail waiting (two minutes at most).
async fn outbox_sent(database_url: &str) -> Result<(), String> {
    let store = Store::connect(database_url)
        .await
        .map_err(|e| e.to_string())?;
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let (mails, _) = store.backlogs().await.map_err(|e| e.to_string())?;
        if mails == 0 {
            break;
        }
        if Instant::now() > deadline {
            store.close().await;
            return Err(format!(
                "{mails} courriels de notification toujours en attente après deux minutes"
            ));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    store.close().await;
    Ok(())
}

/// How many bookings alone give the rush its baseline: one cold request varies by half from one
/// run to the next, more than what the ratio is meant to show; their median does not.
const ALONE: usize = 5;

/// `attempts` operators' bookings at once, through the real form, on a slot of three places.
async fn booking_race(instance: &Instance, attempts: usize) -> Result<Race, String> {
    use app::domain::appointment::{paris_day, CheckKind};
    use app::ui::notices::{Done, Problem};
    const OPERATOR: &str = "operateur@demo.sesame.test";
    let store = Store::connect(&instance.database_url)
        .await
        .map_err(|e| e.to_string())?;
    let post = app::domain::references::PostCode::parse("FRLEH1").map_err(|e| e.to_string())?;
    let mut calendar = store
        .calendar(&post)
        .await
        .map_err(|e| e.to_string())?
        .ok_or("le poste FRLEH1 n'a pas de calendrier")?;
    calendar.physical_capacity = 3;
    let mut tx = store.begin().await.map_err(|e| e.to_string())?;
    tx.save_calendar(&post, &calendar, Utc::now())
        .await
        .map_err(|e| e.to_string())?;
    tx.commit().await.map_err(|e| e.to_string())?;
    let siret = siret_of(&store, OPERATOR).await?;
    store.close().await;

    // The dossiers, selected for a physical check, as the partner systems would send them.
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| e.to_string())?;
    let at = |hours: i64| (Utc::now() - chrono::Duration::hours(hours)).to_rfc3339();
    let mut dossiers = Vec::with_capacity(attempts + ALONE);
    let numbers: Vec<usize> = (0..attempts + ALONE).collect();
    for chunk in numbers.chunks(300) {
        let mut events = Vec::new();
        for n in chunk {
            let references = json!({ "ched": format!("CHEDP.FR.2026.{:07}", 9_000_000 + n) });
            for (suffix, kind, hours, data) in [
                ("a", "ched_lodged", 5, json!({ "ched_type": "P" })),
                (
                    "b",
                    "documentary_check_done",
                    4,
                    json!({ "result": "satisfactory" }),
                ),
                (
                    "c",
                    "checks_selected",
                    4,
                    json!({ "identity": false, "physical": true }),
                ),
            ] {
                events.push(json!({
                    "id": format!("course-{n}-{suffix}"),
                    "source": "traces",
                    "type": kind,
                    "occurred_at": at(hours),
                    "site": "FRLEH",
                    "post": "FRLEH1",
                    "references": references,
                    "goods": { "category": "animal_products", "description": "Crevettes congelées" },
                    "operator": { "siret": siret },
                    "data": data,
                }));
            }
        }
        let response = client
            .post(format!("{}/api/v1/events", instance.url))
            .bearer_auth(KEY)
            .json(&json!({ "events": events }))
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let body: Value = response.json().await.map_err(|e| e.to_string())?;
        for (index, result) in body["results"].as_array().into_iter().flatten().enumerate() {
            if index % 3 == 0 {
                dossiers.push(result["dossier_id"].as_i64().ok_or("dossier non créé")?);
            }
        }
    }
    // The dossiers' notifications are mailed first: the rush is measured on a quiet instance,
    // not beside a thousand mails going out.
    outbox_sent(&instance.database_url).await?;
    let cookie = session(&instance.url, OPERATOR).await?;
    let mut day = paris_day(Utc::now() + chrono::Duration::days(2));
    let slots = loop {
        let slots = calendar.slots_of_day(day, &[]);
        if slots.len() > ALONE {
            break slots;
        }
        day = day.succ_opt().ok_or("calendrier vide")?;
    };
    let address: std::net::SocketAddr = instance
        .url
        .trim_start_matches("http://")
        .parse()
        .map_err(|e| format!("adresse du serveur : {e}"))?;
    // Each request of a timed series is written by hand, before the start, on a connection of
    // its own: opened before the start, as the browser of a person on the booking page has one,
    // or, for the late comers on the full slot, opened as it comes. The client shares the
    // instance's two cores, and what it spends (an HTTP library's pool, its layers, its
    // parsing) is taken from the instance while the crowd waits; what is timed is the sending
    // (and the connection, when opened then) and the answer's head.
    let booking = |dossier: i64, starts_at: chrono::DateTime<Utc>| {
        let form = format!(
            "controle={}&creneau={}",
            CheckKind::Physical.code(),
            starts_at
                .to_rfc3339()
                .replace('+', "%2B")
                .replace(':', "%3A")
        );
        format!(
            "POST /dossiers/{dossier}/rendez-vous HTTP/1.1\r\nHost: {address}\r\nCookie: {cookie}\r\n\
             Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\
             Connection: close\r\n\r\n{form}",
            form.len()
        )
        .into_bytes()
    };
    let probe = |with_session: bool| {
        let cookie = if with_session {
            format!("Cookie: {cookie}\r\n")
        } else {
            String::new()
        };
        format!("GET /healthz HTTP/1.1\r\nHost: {address}\r\n{cookie}Connection: close\r\n\r\n")
            .into_bytes()
    };
    let location = |head: String| {
        head.lines()
            .find_map(|line| {
                let (name, value) = line.split_once(':')?;
                name.eq_ignore_ascii_case("location")
                    .then(|| value.trim().to_owned())
            })
            .unwrap_or_default()
    };
    // The baseline: bookings alone, one after the other, each on a slot of its own after the
    // rush's, each on a connection opened before (its page loaded).
    let mut alone = Vec::with_capacity(ALONE);
    for n in 0..ALONE {
        let request = booking(dossiers[attempts + n], slots[1 + n].0);
        let socket = opened(address, 1).await?;
        let (latency, _) = at_once(1, |n| {
            answer_head(address, taken(&socket, n), request.clone())
        })
        .await?;
        alone.extend(latency);
    }
    alone.sort_by(f64::total_cmp);
    let sockets = opened(address, attempts).await?;
    let pid = instance.child.id().ok_or("serveur arrêté")?;
    let before = [cpu_ns(pid), cpu_ns(std::process::id())];
    let (latencies, answers) = at_once(attempts, |n| {
        answer_head(
            address,
            taken(&sockets, n),
            booking(dossiers[n], slots[0].0),
        )
    })
    .await?;
    let after = [cpu_ns(pid), cpu_ns(std::process::id())];
    let rush_cpu_ms = [0, 1].map(|n| match (before[n], after[n]) {
        (Some(before), Some(after)) => after.saturating_sub(before) as f64 / 1e6,
        _ => f64::NAN,
    });
    // As many again on the slot now full, each opening its connection as it comes.
    let (connecting, _) = at_once(attempts, |n| {
        answer_head(address, None, booking(dossiers[n], slots[0].0))
    })
    .await?;
    let (mut accepted, mut full, mut other) = (0, 0, 0);
    let requested = format!("message={}", Done::AppointmentRequested.code());
    let slot_full = format!("erreur={}", Problem::SlotFull.code());
    for head in answers {
        let location = location(head);
        if location.contains(&requested) {
            accepted += 1;
        } else if location.contains(&slot_full) {
            full += 1;
        } else {
            other += 1;
        }
    }
    // What the machine and the HTTP layers cost alone, at once, with and without the session.
    let sockets = opened(address, attempts).await?;
    let (bare, _) = at_once(attempts, |n| {
        answer_head(address, taken(&sockets, n), probe(false))
    })
    .await?;
    let sockets = opened(address, attempts).await?;
    let (signed_in, _) = at_once(attempts, |n| {
        answer_head(address, taken(&sockets, n), probe(true))
    })
    .await?;
    // The CPU figures on one kept connection, through the HTTP library.
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| e.to_string())?;
    let probe = |client: &reqwest::Client, with_session: bool| {
        let client = client.clone();
        let mut request = client.get(format!("{}/healthz", instance.url));
        if with_session {
            request = request.header("cookie", cookie.clone());
        }
        async move {
            let status = request.send().await.map_err(|e| e.to_string())?.status();
            if status.is_success() {
                Ok(())
            } else {
                Err(format!("sonde : {status}"))
            }
        }
    };
    let booked = |client: &reqwest::Client, dossier: i64, starts_at: chrono::DateTime<Utc>| {
        let request = client
            .post(format!("{}/dossiers/{dossier}/rendez-vous", instance.url))
            .header("cookie", cookie.clone())
            .form(&[
                ("controle", CheckKind::Physical.code()),
                ("creneau", &starts_at.to_rfc3339()),
            ]);
        async move {
            let response = request.send().await.map_err(|e| e.to_string())?;
            Ok::<_, String>(
                response
                    .headers()
                    .get("location")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_owned(),
            )
        }
    };
    let refused = || {
        let booking = booked(&client, dossiers[0], slots[0].0);
        let slot_full = slot_full.clone();
        async move {
            let location = booking.await?;
            if location.contains(&slot_full) {
                Ok(())
            } else {
                Err(format!("réservation non refusée « complet » : {location}"))
            }
        }
    };
    let cpu_us = [
        cpu_per_request(instance, || probe(&client, false)).await?,
        cpu_per_request(instance, || probe(&client, true)).await?,
        cpu_per_request(instance, refused).await?,
    ];
    Ok(Race {
        accepted,
        full,
        other,
        p50_ms: percentile(&latencies, 50.0),
        p99_ms: percentile(&latencies, 99.0),
        alone_ms: percentile(&alone, 50.0),
        bare_p99_ms: percentile(&bare, 99.0),
        signed_in_p99_ms: percentile(&signed_in, 99.0),
        connecting_p99_ms: percentile(&connecting, 99.0),
        rush_cpu_ms,
        cpu_us,
    })
}

/// Opens a live stream and returns its byte stream.
async fn subscribe(
    client: &reqwest::Client,
    url: &str,
    cookie: &str,
) -> Result<reqwest::Response, String> {
    let response = client
        .get(format!("{url}/api/v1/stream"))
        .header("cookie", cookie)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if !response.status().is_success() {
        return Err(format!("flux refusé : {}", response.status()));
    }
    Ok(response)
}

fn event(serial: usize) -> Value {
    json!({
        "id": format!("banc-{serial}"),
        "source": "traces",
        "type": "ched_lodged",
        "occurred_at": Utc::now().to_rfc3339(),
        "site": "FRLEH",
        "references": { "ched": format!("CHEDP.FR.2026.{:07}", 8_000_000 + serial) },
        "goods": { "category": "animal_products", "description": "Crevettes congelées" },
        "data": { "ched_type": "P" }
    })
}

/// Events a second, end to end, for `events` events in batches.
async fn end_to_end(instance: &Instance, events: usize, batch: usize) -> Result<f64, String> {
    let cookie = supervisor(&instance.url).await?;
    let client = reqwest::Client::new();
    let stream = subscribe(&client, &instance.url, &cookie).await?;
    let received = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = Arc::clone(&received);
    let reader = tokio::spawn(async move {
        let mut stream = stream;
        let mut carry = String::new();
        while let Ok(Some(chunk)) = stream.chunk().await {
            carry.push_str(&String::from_utf8_lossy(&chunk));
            let seen = carry.matches("event: dossier").count();
            if seen > 0 {
                counter.fetch_add(seen, std::sync::atomic::Ordering::Relaxed);
                carry = carry
                    .rsplit("event: dossier")
                    .next()
                    .unwrap_or_default()
                    .to_owned();
            }
        }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let started = Instant::now();
    for chunk in (0..events).collect::<Vec<_>>().chunks(batch) {
        let body = json!({ "events": chunk.iter().map(|n| event(*n)).collect::<Vec<_>>() });
        let response = client
            .post(format!("{}/api/v1/events", instance.url))
            .bearer_auth(KEY)
            .json(&body)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if !response.status().is_success() {
            return Err(format!("lot refusé : {}", response.status()));
        }
    }
    let deadline = Instant::now() + Duration::from_secs(300);
    while received.load(std::sync::atomic::Ordering::Relaxed) < events {
        if Instant::now() > deadline {
            return Err("tous les événements ne sont pas parvenus à l'abonné".into());
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let seconds = started.elapsed().as_secs_f64();
    reader.abort();
    Ok(events as f64 / seconds)
}

/// How the baseline writes the rows.
#[derive(Clone, Copy)]
enum RawWrite {
    /// One statement a row.
    RowByRow,
    /// One multi-row `INSERT` a table and batch: the fastest both stores take the rows.
    Sets,
}

/// Events a second when the same dossiers, events and steps are written straight into the
/// store, a transaction a batch (`offset` keeps each run's references apart).
async fn raw_inserts(
    database_url: &str,
    events: usize,
    batch: usize,
    write: RawWrite,
    offset: usize,
) -> Result<f64, String> {
    let store = Store::connect(database_url)
        .await
        .map_err(|e| e.to_string())?;
    let started = Instant::now();
    let now = Utc::now();
    for chunk in (0..events).collect::<Vec<_>>().chunks(batch) {
        let mut tx = store.begin().await.map_err(|e| e.to_string())?;
        let rows: Vec<(String, String, String)> = chunk
            .iter()
            .map(|n| {
                let serial = offset + n;
                (
                    format!("CHEDP.FR.2026.{serial:07}"),
                    format!("brut-{serial}"),
                    event(serial).to_string(),
                )
            })
            .collect();
        match write {
            RawWrite::RowByRow => {
                for (ched, id, content) in &rows {
                    tx.raw_event_insert(ched, id, content, now)
                        .await
                        .map_err(|e| e.to_string())?;
                }
            }
            RawWrite::Sets => {
                for rows in rows.chunks(100) {
                    tx.raw_events_insert_all(rows, now)
                        .await
                        .map_err(|e| e.to_string())?;
                }
            }
        }
        tx.commit().await.map_err(|e| e.to_string())?;
    }
    let seconds = started.elapsed().as_secs_f64();
    store.close().await;
    Ok(events as f64 / seconds)
}

pub(crate) fn percentile(sorted: &[f64], percent: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((percent / 100.0) * sorted.len() as f64).ceil().max(1.0) as usize;
    sorted[rank.min(sorted.len()) - 1]
}

/// `count` connections to `address`, opened one after the other and left for the server to
/// take, as browsers keep theirs once a page is loaded.
async fn opened(
    address: std::net::SocketAddr,
    count: usize,
) -> Result<Vec<std::sync::Mutex<Option<tokio::net::TcpStream>>>, String> {
    let mut sockets = Vec::with_capacity(count);
    for _ in 0..count {
        let socket = tokio::net::TcpStream::connect(address)
            .await
            .map_err(|e| format!("connexion impossible : {e}"))?;
        sockets.push(std::sync::Mutex::new(Some(socket)));
    }
    // The server takes them before anything is timed.
    tokio::time::sleep(Duration::from_millis(100)).await;
    Ok(sockets)
}

/// The `n`th of `sockets`, taken for its one request.
fn taken(
    sockets: &[std::sync::Mutex<Option<tokio::net::TcpStream>>],
    n: usize,
) -> Option<tokio::net::TcpStream> {
    sockets[n].lock().ok()?.take()
}

/// Writes `request` on `socket`, or on a connection of its own to `address` opened for it, and
/// returns the head of the answer (the connection is closed by the request's
/// `Connection: close`).
async fn answer_head(
    address: std::net::SocketAddr,
    socket: Option<tokio::net::TcpStream>,
    request: Vec<u8>,
) -> Result<String, String> {
    use tokio::io::AsyncWriteExt;
    let mut socket = match socket {
        Some(socket) => socket,
        None => tokio::net::TcpStream::connect(address)
            .await
            .map_err(|e| format!("connexion impossible : {e}"))?,
    };
    socket
        .write_all(&request)
        .await
        .map_err(|e| e.to_string())?;
    let (mut read, end) = read_head(&mut socket).await?;
    read.truncate(end);
    String::from_utf8(read).map_err(|_| "réponse illisible".to_owned())
}

/// Reads from `socket` until the end of an answer's head: what was read, and where the head ends
/// (what follows, from four bytes further, came with it).
async fn read_head(socket: &mut tokio::net::TcpStream) -> Result<(Vec<u8>, usize), String> {
    use tokio::io::AsyncReadExt;
    let mut read = Vec::with_capacity(1024);
    let mut buffer = [0u8; 1024];
    loop {
        let n = socket.read(&mut buffer).await.map_err(|e| e.to_string())?;
        if n == 0 {
            return Err("connexion fermée avant la réponse".into());
        }
        read.extend_from_slice(&buffer[..n]);
        if let Some(end) = read.windows(4).position(|w| w == b"\r\n\r\n") {
            return Ok((read, end));
        }
        if read.len() > 16384 {
            return Err("réponse illisible".into());
        }
    }
}

/// A bare subscriber for the fan-out: one TCP connection, the request written by hand, and a
/// small buffer, so that the clients (on the same machine) cost as little as they can and the
/// figures are the server's. Returns once the response has started.
pub(crate) async fn bare_subscriber(
    address: std::net::SocketAddr,
    cookie: &str,
) -> Result<tokio::net::TcpStream, String> {
    Ok(bare_subscriber_after(address, cookie, None).await?.0)
}

/// [`bare_subscriber`] resuming after `last_event_id` when given, as a browser does when its
/// stream ends; with what came after the response's head in its first read (messages replayed
/// at once).
pub(crate) async fn bare_subscriber_after(
    address: std::net::SocketAddr,
    cookie: &str,
    last_event_id: Option<&str>,
) -> Result<(tokio::net::TcpStream, Vec<u8>), String> {
    use tokio::io::AsyncWriteExt;
    let mut socket = tokio::net::TcpStream::connect(address)
        .await
        .map_err(|e| format!("connexion impossible : {e}"))?;
    let resume = last_event_id
        .map(|id| format!("Last-Event-ID: {id}\r\n"))
        .unwrap_or_default();
    let request = format!(
        "GET /api/v1/stream HTTP/1.1\r\nHost: {address}\r\nAccept: text/event-stream\r\nCookie: {cookie}\r\n{resume}\r\n"
    );
    socket
        .write_all(request.as_bytes())
        .await
        .map_err(|e| e.to_string())?;
    // The head, and whatever came with it.
    let (mut read, end) = read_head(&mut socket).await?;
    let body = end + 4;
    if !read.starts_with(b"HTTP/1.1 200") {
        return Err(format!(
            "flux refusé : {}",
            String::from_utf8_lossy(&read[..read.len().min(40)])
        ));
    }
    Ok((socket, read.split_off(body)))
}

/// A stream server the fan-out is measured on.
struct Server {
    pid: u32,
    address: std::net::SocketAddr,
    /// What the subscribers present: a supervisor's session on the platform (who sees every
    /// dossier), nothing on the floor.
    cookie: String,
    kind: ServerKind,
}

enum ServerKind {
    /// The message is a partner event sent through the platform's interface.
    Platform { url: String },
    /// The message is asked of the floor with `POST /diffuser`; the child ends with it.
    Floor { _child: Child },
}

impl Server {
    async fn platform(instance: &Instance) -> Result<Server, String> {
        Ok(Server {
            pid: instance.child.id().ok_or("serveur arrêté")?,
            address: instance
                .url
                .trim_start_matches("http://")
                .parse()
                .map_err(|e| format!("adresse du serveur : {e}"))?,
            cookie: supervisor(&instance.url).await?,
            kind: ServerKind::Platform {
                url: instance.url.clone(),
            },
        })
    }

    /// [`Server::send`], then waits until a stream opened before has received the message.
    async fn relayed(&self, serial: usize) -> Result<(), String> {
        let mut watcher = Subscription::Socket(bare_subscriber(self.address, &self.cookie).await?);
        self.send(serial).await?;
        match tokio::time::timeout(Duration::from_secs(60), watcher.next_event()).await {
            Ok(Some(_)) => Ok(()),
            Ok(None) => Err("flux fermé avant le premier événement".into()),
            Err(_) => Err("premier événement non relayé en une minute".into()),
        }
    }

    /// Has one message sent to every subscriber.
    async fn send(&self, serial: usize) -> Result<(), String> {
        let client = reqwest::Client::new();
        let request = match &self.kind {
            ServerKind::Platform { url } => client
                .post(format!("{url}/api/v1/events"))
                .bearer_auth(KEY)
                .json(&event(serial)),
            ServerKind::Floor { .. } => client.post(format!("http://{}/diffuser", self.address)),
        };
        let response = request.send().await.map_err(|e| e.to_string())?;
        if !response.status().is_success() {
            return Err(format!("événement refusé : {}", response.status()));
        }
        Ok(())
    }
}

/// What the delivery of one event to N subscribers measured.
#[derive(Clone)]
struct FanOut {
    p50_ms: f64,
    p99_ms: f64,
    kib_per_subscriber: f64,
    /// The server's CPU time for the event, per subscriber.
    cpu_us_per_subscriber: f64,
    /// What one subscriber read of the event, in bytes on the wire (chunk framing included).
    bytes: usize,
}

/// How the subscribers reach the server.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Transport {
    /// HTTP/1.1, a connection per subscriber: a browser's tab, or a proxy that speaks HTTP/1.1 to
    /// the server (nginx).
    Http1,
    /// HTTP/2 without TLS ("prior knowledge"), [`STREAMS_PER_CONNECTION`] streams a connection: a
    /// proxy that speaks HTTP/2 to the server (HAProxy, Envoy, Caddy), or browsers over the
    /// server's own TLS, whose tabs share one connection.
    Http2,
}

impl Transport {
    fn label(self) -> &'static str {
        match self {
            Transport::Http1 => "HTTP/1.1",
            Transport::Http2 => "HTTP/2",
        }
    }
}

/// Streams an HTTP/2 connection of the bench carries (the server accepts up to 200).
const STREAMS_PER_CONNECTION: usize = 100;

type H2Sender = hyper::client::conn::http2::SendRequest<http_body_util::Empty<axum::body::Bytes>>;

/// Connections over HTTP/2 without TLS to `address`, enough for `count` streams.
pub(crate) async fn h2_connections(
    address: std::net::SocketAddr,
    count: usize,
) -> Result<Vec<H2Sender>, String> {
    let mut connections = Vec::new();
    for _ in 0..count.div_ceil(STREAMS_PER_CONNECTION) {
        let socket = tokio::net::TcpStream::connect(address)
            .await
            .map_err(|e| format!("connexion impossible : {e}"))?;
        let (sender, connection) =
            hyper::client::conn::http2::Builder::new(hyper_util::rt::TokioExecutor::new())
                .handshake(hyper_util::rt::TokioIo::new(socket))
                .await
                .map_err(|e| format!("HTTP/2 refusé : {e}"))?;
        tokio::spawn(connection);
        connections.push(sender);
    }
    Ok(connections)
}

/// A live stream opened over an HTTP/2 connection with `cookie`: its body, once the server has
/// answered 200.
pub(crate) async fn h2_subscriber(
    mut connection: H2Sender,
    address: std::net::SocketAddr,
    cookie: &str,
) -> Result<hyper::body::Incoming, String> {
    let request = axum::http::Request::get(format!("http://{address}/api/v1/stream"))
        .header(axum::http::header::ACCEPT, "text/event-stream")
        .header(axum::http::header::COOKIE, cookie)
        .body(http_body_util::Empty::new())
        .map_err(|e| e.to_string())?;
    connection
        .ready()
        .await
        .map_err(|e| format!("connexion HTTP/2 fermée : {e}"))?;
    let response = connection
        .send_request(request)
        .await
        .map_err(|e| format!("flux refusé : {e}"))?;
    if response.status() != axum::http::StatusCode::OK {
        return Err(format!("flux refusé : {}", response.status()));
    }
    Ok(response.into_body())
}

/// One subscriber of the fan-out, whichever way it came.
enum Subscription {
    Socket(tokio::net::TcpStream),
    Stream(hyper::body::Incoming),
}

impl Subscription {
    /// Reads until a dossier's message has arrived; the size of the read that brought it
    /// (nothing when the stream ends first).
    async fn next_event(&mut self) -> Option<usize> {
        let mut buffer = [0u8; 512];
        // The end of the previous read: the event's name may straddle two reads.
        let mut carried: Vec<u8> = Vec::new();
        const EVENT: &[u8] = b"event: dossier";
        loop {
            let text = self.next(&mut buffer).await?;
            carried.extend_from_slice(&text);
            if carried.windows(EVENT.len()).any(|w| w == EVENT) {
                return Some(text.len());
            }
            let keep = carried.len().min(EVENT.len() - 1);
            carried.drain(..carried.len() - keep);
        }
    }

    /// What arrives next (nothing when the stream ends).
    async fn next(&mut self, buffer: &mut [u8; 512]) -> Option<Vec<u8>> {
        use tokio::io::AsyncReadExt;
        match self {
            Subscription::Socket(socket) => {
                let read = socket.read(buffer).await.ok()?;
                (read > 0).then(|| buffer[..read].to_vec())
            }
            Subscription::Stream(body) => loop {
                let frame = http_body_util::BodyExt::frame(body).await?.ok()?;
                if let Ok(data) = frame.into_data() {
                    return Some(data.to_vec());
                }
            },
        }
    }
}

/// Delivery to `count` subscribers of one event.
async fn fan_out(
    server: &Server,
    count: usize,
    serial: usize,
    transport: Transport,
) -> Result<FanOut, String> {
    let (pid, address) = (server.pid, server.address);
    let before = resident_kib(pid).unwrap_or(0);
    let connections = match transport {
        Transport::Http1 => Vec::new(),
        Transport::Http2 => h2_connections(address, count).await?,
    };
    // Set once, just before the event is sent; each subscriber reads it when the event reaches it.
    let sent_at: Arc<std::sync::OnceLock<Instant>> = Arc::new(std::sync::OnceLock::new());
    let opening = Arc::new(tokio::sync::Semaphore::new(64));
    let mut tasks = Vec::with_capacity(count);
    let (ready_tx, mut ready_rx) = tokio::sync::mpsc::channel::<Result<(), String>>(count);
    for index in 0..count {
        let sent_at = Arc::clone(&sent_at);
        let opening = Arc::clone(&opening);
        let ready = ready_tx.clone();
        let cookie = server.cookie.clone();
        let connection = connections.get(index / STREAMS_PER_CONNECTION).cloned();
        tasks.push(tokio::spawn(async move {
            let permit = opening.acquire_owned().await.ok()?;
            let subscription = match connection {
                None => bare_subscriber(address, &cookie)
                    .await
                    .map(Subscription::Socket),
                Some(connection) => h2_subscriber(connection, address, &cookie)
                    .await
                    .map(Subscription::Stream),
            };
            drop(permit);
            let mut subscription = match subscription {
                Ok(subscription) => {
                    let _ = ready.send(Ok(())).await;
                    subscription
                }
                Err(error) => {
                    let _ = ready.send(Err(error)).await;
                    return None;
                }
            };
            let read = subscription.next_event().await?;
            let at = sent_at.get()?;
            Some((at.elapsed().as_secs_f64() * 1000.0, read))
        }));
    }
    drop(ready_tx);
    for _ in 0..count {
        match ready_rx.recv().await {
            Some(Ok(())) => {}
            Some(Err(error)) => return Err(error),
            None => return Err("des abonnés n'ont pas pu s'abonner".into()),
        }
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let after = resident_kib(pid).unwrap_or(0);
    let cpu_before = cpu_ns(pid).unwrap_or(0);
    let _ = sent_at.set(Instant::now());
    server.send(serial).await?;
    let mut sorted = Vec::with_capacity(count);
    let mut bytes = 0;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    for task in tasks {
        if let Ok(Ok(Some((latency, read)))) = tokio::time::timeout_at(deadline, task).await {
            sorted.push(latency);
            bytes = bytes.max(read);
        }
    }
    let cpu = cpu_ns(pid).unwrap_or(0).saturating_sub(cpu_before);
    if sorted.len() < count {
        return Err(format!(
            "{} abonnés sur {count} seulement ont reçu l'événement",
            sorted.len()
        ));
    }
    sorted.sort_by(f64::total_cmp);
    let per_subscriber = after.saturating_sub(before) as f64 / count as f64;
    Ok(FanOut {
        p50_ms: percentile(&sorted, 50.0),
        p99_ms: percentile(&sorted, 99.0),
        kib_per_subscriber: per_subscriber,
        cpu_us_per_subscriber: cpu as f64 / 1000.0 / count as f64,
        bytes,
    })
}

/// What one write costs the open dossier lists: the messages `count` subscribers received, the
/// list reads the rule of the list page's live bar (`app::ui::live::LiveWatch`, one read per burst)
/// made, and those the former rule would have made (every message read the list again).
struct ListReads {
    write: &'static str,
    delivered: usize,
    every_message: usize,
    reads: usize,
}

/// `count` open dossier lists, of which `seeing` belong to the company of a dossier (and show it,
/// as their latest) and the others to another company; an event on the dossier, then an
/// appointment booked for it, each counted as above.
async fn list_reads(
    instance: &Instance,
    count: usize,
    seeing: usize,
) -> Result<Vec<ListReads>, String> {
    use app::domain::dossier::DossierQuery;
    use app::domain::live::LiveMessage;
    use app::ui::live::LiveWatch;
    use std::sync::atomic::{AtomicUsize, Ordering};
    const OPERATOR: &str = "operateur@demo.sesame.test";
    const OTHER: &str = "operateur2@demo.sesame.test";
    const SHOWN: &str = "CHEDP.FR.2026.7777777";

    let store = Store::connect(&instance.database_url)
        .await
        .map_err(|e| e.to_string())?;
    let siret = siret_of(&store, OPERATOR).await?;
    store.close().await;

    // The dossier, selected for a physical check, before anyone listens.
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| e.to_string())?;
    let at = |hours: i64| (Utc::now() - chrono::Duration::hours(hours)).to_rfc3339();
    let base = |id: &str, ched: &str, kind: &str, hours: i64, data: Value| {
        json!({
            "id": id,
            "source": "traces",
            "type": kind,
            "occurred_at": at(hours),
            "site": "FRLEH",
            "post": "FRLEH1",
            "references": { "ched": ched },
            "goods": { "category": "animal_products", "description": "Crevettes congelées" },
            "operator": { "siret": siret },
            "data": data,
        })
    };
    let send = |events: Vec<Value>| {
        let request = client
            .post(format!("{}/api/v1/events", instance.url))
            .bearer_auth(KEY)
            .json(&json!({ "events": events }));
        async move {
            let body: Value = request
                .send()
                .await
                .map_err(|e| e.to_string())?
                .json()
                .await
                .map_err(|e| e.to_string())?;
            body["results"][0]["dossier_id"]
                .as_i64()
                .ok_or_else(|| format!("événement refusé : {body}"))
        }
    };
    let dossier = send(vec![
        base(
            "lectures-a",
            SHOWN,
            "ched_lodged",
            5,
            json!({ "ched_type": "P" }),
        ),
        base(
            "lectures-b",
            SHOWN,
            "documentary_check_done",
            4,
            json!({ "result": "satisfactory" }),
        ),
        base(
            "lectures-c",
            SHOWN,
            "checks_selected",
            4,
            json!({ "identity": false, "physical": true }),
        ),
    ])
    .await?;

    let own = session(&instance.url, OPERATOR).await?;
    let other = session(&instance.url, OTHER).await?;
    let delivered = Arc::new(AtomicUsize::new(0));
    let reads = Arc::new(AtomicUsize::new(0));
    let opening = Arc::new(tokio::sync::Semaphore::new(64));
    let (ready_tx, mut ready_rx) = tokio::sync::mpsc::channel::<Result<(), String>>(count);
    let mut tasks = Vec::with_capacity(count);
    for index in 0..count {
        let sees = index < seeing;
        let cookie = if sees { own.clone() } else { other.clone() };
        let (client, url) = (client.clone(), instance.url.clone());
        let (delivered, reads, opening, ready) = (
            Arc::clone(&delivered),
            Arc::clone(&reads),
            Arc::clone(&opening),
            ready_tx.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let permit = opening.acquire_owned().await;
            let stream = subscribe(&client, &url, &cookie).await;
            drop(permit);
            let mut stream = match stream {
                Ok(stream) => {
                    let _ = ready.send(Ok(())).await;
                    stream
                }
                Err(error) => {
                    let _ = ready.send(Err(error)).await;
                    return;
                }
            };
            // What this list shows: the company's latest dossier is on its first page.
            let shown = move |id: i64| sees && id == dossier;
            let watch = LiveWatch::Dossiers(DossierQuery::default());
            let mut buffer = String::new();
            let mut due: Option<tokio::time::Instant> = None;
            loop {
                let chunk = match due {
                    Some(at) => match tokio::time::timeout_at(at, stream.chunk()).await {
                        Ok(chunk) => chunk,
                        Err(_) => {
                            // The burst is over: the list reads itself once.
                            due = None;
                            let read = client
                                .get(format!("{url}/dossiers"))
                                .header("cookie", &cookie)
                                .send()
                                .await;
                            if read.is_ok_and(|r| r.status().is_success()) {
                                reads.fetch_add(1, Ordering::SeqCst);
                            }
                            continue;
                        }
                    },
                    None => stream.chunk().await,
                };
                let Ok(Some(bytes)) = chunk else {
                    return;
                };
                buffer.push_str(&String::from_utf8_lossy(&bytes));
                while let Some(end) = buffer.find("\n\n") {
                    let block: String = buffer.drain(..end + 2).collect();
                    let field = |name: &str| {
                        block
                            .lines()
                            .find_map(|line| line.strip_prefix(name))
                            .map(str::trim)
                            .map(str::to_owned)
                    };
                    let (Some(name), Some(data)) = (field("event:"), field("data:")) else {
                        continue;
                    };
                    let Some(message) = LiveMessage::decode(&name, &data) else {
                        continue;
                    };
                    delivered.fetch_add(1, Ordering::SeqCst);
                    if due.is_none() && watch.concerns(&message, shown) {
                        due = Some(tokio::time::Instant::now() + Duration::from_millis(300));
                    }
                }
            }
        }));
    }
    drop(ready_tx);
    for _ in 0..count {
        match ready_rx.recv().await {
            Some(Ok(())) => {}
            Some(Err(error)) => return Err(error),
            None => return Err("des abonnés n'ont pas pu s'abonner".into()),
        }
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let settle = || async {
        tokio::time::sleep(Duration::from_secs(3)).await;
        (
            delivered.swap(0, Ordering::SeqCst),
            reads.swap(0, Ordering::SeqCst),
        )
    };
    let mut measured = Vec::new();

    send(vec![base(
        "lectures-d",
        "CHEDP.FR.2026.7777778",
        "ched_lodged",
        0,
        json!({ "ched_type": "P" }),
    )])
    .await?;
    let (messages, made) = settle().await;
    measured.push(ListReads {
        write: "un nouveau dossier de l'entreprise",
        delivered: messages,
        every_message: messages,
        reads: made,
    });

    // A day the booking race (two days ahead) leaves alone.
    let mut day = app::domain::appointment::paris_day(Utc::now() + chrono::Duration::days(9));
    let post = app::domain::references::PostCode::parse("FRLEH1").map_err(|e| e.to_string())?;
    let store = Store::connect(&instance.database_url)
        .await
        .map_err(|e| e.to_string())?;
    let calendar = store
        .calendar(&post)
        .await
        .map_err(|e| e.to_string())?
        .ok_or("le poste FRLEH1 n'a pas de calendrier")?;
    store.close().await;
    let slot = loop {
        if let Some(slot) = calendar.slots_of_day(day, &[]).into_iter().next() {
            break slot.0;
        }
        day = day.succ_opt().ok_or("calendrier vide")?;
    };
    let booked = client
        .post(format!("{}/dossiers/{dossier}/rendez-vous", instance.url))
        .header("cookie", &own)
        .form(&[("controle", "physical"), ("creneau", &slot.to_rfc3339())])
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let location = booked
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    if !location.contains(&format!(
        "message={}",
        app::ui::notices::Done::AppointmentRequested.code()
    )) {
        return Err(format!("réservation refusée : {location}"));
    }
    let (messages, made) = settle().await;
    measured.push(ListReads {
        write: "un rendez-vous réservé pour le dossier",
        delivered: messages,
        every_message: messages,
        reads: made,
    });
    for task in tasks {
        task.abort();
    }
    Ok(measured)
}

/// A fresh PostgreSQL database on the server of `admin_url`.
pub(crate) async fn postgres_database(admin_url: &str) -> Result<String, String> {
    let admin = Store::connect(admin_url).await.map_err(|e| e.to_string())?;
    if admin.backend() != app::store::Backend::Postgres {
        return Err("--postgres doit viser PostgreSQL".into());
    }
    let name = format!("sesame_banc_{}", uuid::Uuid::new_v4().simple());
    admin
        .execute_unchecked(&format!("CREATE DATABASE {name}"))
        .await
        .map_err(|e| e.to_string())?;
    admin.close().await;
    let base = admin_url.split('?').next().unwrap_or(admin_url);
    let server = base
        .rsplit_once('/')
        .map(|(server, _)| server)
        .unwrap_or(base);
    Ok(format!("{server}/{name}"))
}

/// Runs everything and prints the tables.
pub async fn run(settings: Settings) -> Result<(), String> {
    let folder = std::env::temp_dir().join(format!("sesame-banc-{}", uuid::Uuid::new_v4()));
    let mut stores = vec![(
        Backend::Sqlite,
        format!("sqlite://{}/banc.db", folder.display()),
    )];
    if let Some(admin) = &settings.postgres {
        stores.push((Backend::Postgres, postgres_database(admin).await?));
    }
    println!(
        "Ingestion : {} événements, par lots de {}",
        settings.events, settings.batch
    );
    println!();
    println!("| base | bout en bout (événements/s) | insertion brute ligne à ligne (événements/s) | rapport | insertion brute par ensembles (événements/s) | rapport |");
    println!("|---|---:|---:|---:|---:|---:|");
    let mut fan_out_instance = None;
    let mut races = Vec::new();
    for (backend, url) in stores {
        let instance = start(&url).await?;
        let e2e = end_to_end(&instance, settings.events, settings.batch).await?;
        let row_by_row = raw_inserts(
            &instance.database_url,
            settings.events,
            settings.batch,
            RawWrite::RowByRow,
            1_000_000,
        )
        .await?;
        let sets = raw_inserts(
            &instance.database_url,
            settings.events,
            settings.batch,
            RawWrite::Sets,
            3_000_000,
        )
        .await?;
        races.push((backend, booking_race(&instance, settings.attempts).await?));
        println!(
            "| {} | {e2e:.0} | {row_by_row:.0} | {:.2} | {sets:.0} | {:.2} |",
            backend.name(),
            e2e / row_by_row,
            e2e / sets
        );
        if backend == Backend::Sqlite {
            fan_out_instance = Some(instance);
        }
    }
    println!();
    println!(
        "Rendez-vous : {} réservations simultanées, par le formulaire, sur un créneau de 3 places",
        settings.attempts
    );
    println!();
    println!("| base | acceptées | refusées « complet » | autres réponses | latence p50 (ms) | latence p99 (ms) | une réservation seule, médiane de {ALONE} (ms) | rapport p99 / seule | p99 d'autant de requêtes nues (ms) | p99 des mêmes avec la session (ms) | p99 d'autant de réservations, créneau complet, chacune ouvrant sa connexion (ms) |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (backend, race) in &races {
        println!(
            "| {} | {} | {} | {} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} |",
            backend.name(),
            race.accepted,
            race.full,
            race.other,
            race.p50_ms,
            race.p99_ms,
            race.alone_ms,
            race.p99_ms / race.alone_ms,
            race.bare_p99_ms,
            race.signed_in_p99_ms,
            race.connecting_p99_ms
        );
    }
    println!();
    println!("CPU de l'instance par requête, {CPU_REQUESTS} requêtes l'une après l'autre sur une connexion");
    println!();
    println!("| base | /healthz (µs) | /healthz avec la session (µs) | réservation refusée « complet » (µs) | CPU de l'instance pendant la ruée (ms) | CPU du client du banc pendant la ruée (ms) |");
    println!("|---|---:|---:|---:|---:|---:|");
    for (backend, race) in &races {
        println!(
            "| {} | {:.0} | {:.0} | {:.0} | {:.0} | {:.0} |",
            backend.name(),
            race.cpu_us[0],
            race.cpu_us[1],
            race.cpu_us[2],
            race.rush_cpu_ms[0],
            race.rush_cpu_ms[1]
        );
    }
    println!();
    if let Some(instance) = &fan_out_instance {
        let (count, seeing) = (settings.list_subscribers, settings.list_subscribers.min(10));
        println!("Listes ouvertes : lectures de la liste des dossiers causées par une écriture, avec {count} listes ouvertes (SQLite) dont {seeing} voient le dossier, contre la règle précédente (chaque message relisait la liste)");
        println!();
        println!("| écriture | messages reçus | lectures, règle précédente | lectures, règle de la page | rapport |");
        println!("|---|---:|---:|---:|---:|");
        for row in list_reads(instance, count, seeing).await? {
            println!(
                "| {} | {} | {} | {} | {:.3} |",
                row.write,
                row.delivered,
                row.every_message,
                row.reads,
                row.reads as f64 / row.every_message.max(1) as f64
            );
        }
        println!();
    }
    if let Some(instance) = fan_out_instance {
        let platform = Server::platform(&instance).await?;
        println!("Diffusion : un événement vers N abonnés d'une instance (SQLite), en HTTP/1.1 (une connexion par abonné) et en HTTP/2 ({STREAMS_PER_CONNECTION} flux par connexion, comme les tient un mandataire ou un navigateur), contre un abonné seul et contre le plancher de la machine (les mêmes clients sur un serveur de flux nu : une tâche et une connexion par abonné, sans HTTP, session ni droits) ; chaque ligne sur des processus neufs, pour que la mémoire libérée par une ligne précédente ne soit pas lue comme réutilisée");
        println!();
        println!("| abonnés | protocole | latence p50 (ms) | latence p99 (ms) | rapport p99 / p99 d'un abonné | p99 du plancher (ms) | rapport p99 / plancher | mémoire par abonné (Kio) | mémoire plancher (Kio) | rapport mémoire / plancher | CPU serveur par abonné (µs) | CPU plancher (µs) |");
        println!("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        // The baseline: one subscriber, the cost of ingesting and relaying the event itself; it
        // also tells how many bytes a message takes on the wire, which the floor then sends.
        let baseline = fan_out(&platform, 1, settings.events + 9, Transport::Http1).await?;
        drop(platform);
        drop(instance);
        let mut counts = vec![1];
        counts.extend(settings.subscribers.iter().copied());
        let mut serial = settings.events + 10;
        for count in counts {
            let bare = {
                let floor = start_floor(baseline.bytes).await?;
                fan_out(&floor, count, serial, Transport::Http1).await?
            };
            for transport in [Transport::Http1, Transport::Http2] {
                serial += 1;
                // The first row is the baseline itself.
                let measured = if count == 1 && transport == Transport::Http1 {
                    baseline.clone()
                } else {
                    let database = folder.join(format!("diffusion-{serial}.db"));
                    let instance = start(&format!("sqlite://{}", database.display())).await?;
                    let platform = Server::platform(&instance).await?;
                    // A first event, as on the warm instance of the baseline, relayed before
                    // the subscribers measured open their streams: on a busy machine, one relayed
                    // late reached some of them before the event measured was even sent.
                    platform.relayed(serial + 1_000_000).await?;
                    fan_out(&platform, count, serial, transport).await?
                };
                let kib = |kib: f64| {
                    if count == 1 {
                        "—".to_owned()
                    } else {
                        format!("{kib:.1}")
                    }
                };
                let memory_ratio = if count == 1 || bare.kib_per_subscriber <= 0.0 {
                    "—".to_owned()
                } else {
                    format!(
                        "{:.1}",
                        measured.kib_per_subscriber / bare.kib_per_subscriber
                    )
                };
                println!(
                    "| {count} | {} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {} | {} | {memory_ratio} | {:.1} | {:.1} |",
                    transport.label(),
                    measured.p50_ms,
                    measured.p99_ms,
                    measured.p99_ms / baseline.p99_ms,
                    bare.p99_ms,
                    measured.p99_ms / bare.p99_ms,
                    kib(measured.kib_per_subscriber),
                    kib(bare.kib_per_subscriber),
                    measured.cpu_us_per_subscriber,
                    bare.cpu_us_per_subscriber
                );
            }
        }
    }
    let _ = std::fs::remove_dir_all(folder);
    Ok(())
}
