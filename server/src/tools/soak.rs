//! `server bench-endurance`: the soak. The platform (this binary, started as a child process on
//! a fresh database with the demo) takes the partner simulator's traffic (`server simulate`'s,
//! run in this process) at a steady rate for a long time, while many live streams of a supervisor
//! stay open. Printed, a row per window: the events delivered, the delivery latency (from the
//! event's time, which the simulator sets as it sends it, to its arrival on a stream) and the
//! server's resident memory; then what the tracking issue asks of it: the memory at the end
//! against its level after the first window, the p99 of the last window against the first's, and
//! the errors (the simulator refused or cut off, a stream cut, a message one stream missed).

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};

use super::bench::{self, percentile, Instance};

/// How long, how many, how fast.
pub struct Settings {
    pub minutes: f64,
    /// The length of a row of the table (the first and the last are compared).
    pub window_minutes: f64,
    pub subscribers: usize,
    /// Events a second the simulator sends.
    pub rate: f64,
    /// Seconds of consignments' journeys a real second stands for: high enough that the
    /// journeys' pace never holds the simulator below `rate`.
    pub acceleration: f64,
    /// An administrator's URL of a PostgreSQL server, to soak it rather than SQLite.
    pub postgres: Option<String>,
}

/// Streams whose latencies are kept (all are counted): enough for a p99, little for the bench.
const SAMPLED: usize = 50;

/// What the streams share with the bench.
struct Seen {
    /// Dossier messages received, per stream.
    messages: Vec<AtomicU64>,
    /// Latencies of the window under way, in milliseconds.
    latencies: Mutex<Vec<f64>>,
    /// Streams that failed, or could not open again once renewed.
    cut: AtomicUsize,
    /// Streams the server ended (renewed) and that opened again after their last message.
    renewed: AtomicUsize,
    /// Streams whose first response has started: the simulator waits for all of them, so that
    /// every stream can receive every message.
    opened: AtomicUsize,
    /// `resync` messages received, per stream: the server could not give that stream every
    /// message (it fell behind, or asked from an unknown place), and a page reads itself again.
    resyncs: Vec<AtomicU64>,
}

/// One stream: reads messages until the bench ends, counting the dossier messages and, for the
/// first [`SAMPLED`] streams, how late each arrived. When the server ends it (streams are renewed
/// every few minutes), it opens again after the last message it read, as a browser does with
/// `Last-Event-ID`: a stream that cannot is cut.
async fn follow(address: std::net::SocketAddr, cookie: String, index: usize, seen: Arc<Seen>) {
    let mut last_id: Option<String> = None;
    let mut first = true;
    loop {
        let Ok((socket, replayed)) =
            bench::bare_subscriber_after(address, &cookie, last_id.as_deref()).await
        else {
            seen.cut.fetch_add(1, Ordering::Relaxed);
            return;
        };
        if std::mem::take(&mut first) {
            seen.opened.fetch_add(1, Ordering::Relaxed);
        }
        let mut lines =
            BufReader::with_capacity(1024, std::io::Cursor::new(replayed).chain(socket)).lines();
        let mut dossier = false;
        loop {
            match lines.next_line().await {
                // The end of the chunked body ("0"), or of the connection: the stream was renewed.
                Ok(Some(line)) if line == "0" => break,
                Ok(None) => break,
                Ok(Some(line)) => {
                    if let Some(id) = line.strip_prefix("id: ") {
                        last_id = Some(id.to_owned());
                    } else if let Some(name) = line.strip_prefix("event: ") {
                        dossier = name == "dossier";
                        if name == "resync" {
                            seen.resyncs[index].fetch_add(1, Ordering::Relaxed);
                        }
                    } else if let Some(data) = line.strip_prefix("data: ").filter(|_| dossier) {
                        seen.messages[index].fetch_add(1, Ordering::Relaxed);
                        if index < SAMPLED {
                            if let Some(at) = occurred_at(data) {
                                let late = (Utc::now() - at).num_microseconds().unwrap_or(0) as f64;
                                if let Ok(mut latencies) = seen.latencies.lock() {
                                    latencies.push(late / 1000.0);
                                }
                            }
                        }
                    }
                }
                Err(_) => {
                    seen.cut.fetch_add(1, Ordering::Relaxed);
                    return;
                }
            }
        }
        seen.renewed.fetch_add(1, Ordering::Relaxed);
    }
}

/// Waits until no stream has received anything for two seconds (at most a minute).
async fn settle(seen: &Seen) {
    let total = || {
        seen.messages
            .iter()
            .map(|count| count.load(Ordering::Relaxed))
            .sum::<u64>()
    };
    let started = std::time::Instant::now();
    let mut last = total();
    let mut still_since = std::time::Instant::now();
    while started.elapsed() < Duration::from_secs(60) {
        tokio::time::sleep(Duration::from_millis(250)).await;
        let now = total();
        if now != last {
            last = now;
            still_since = std::time::Instant::now();
        } else if still_since.elapsed() >= Duration::from_secs(2) {
            return;
        }
    }
}

fn occurred_at(data: &str) -> Option<DateTime<Utc>> {
    let value: serde_json::Value = serde_json::from_str(data).ok()?;
    value.get("occurred_at")?.as_str()?.parse().ok()
}

/// A row of the table.
struct Window {
    end_minutes: f64,
    delivered: u64,
    p50_ms: f64,
    p99_ms: f64,
    resident_kib: u64,
}

/// Runs the soak and prints its table; an error if anything was lost or refused.
pub async fn run(settings: Settings) -> Result<(), String> {
    let folder = std::env::temp_dir().join(format!("sesame-endurance-{}", uuid::Uuid::new_v4()));
    let (store_name, database_url) = match &settings.postgres {
        Some(admin) => ("PostgreSQL", bench::postgres_database(admin).await?),
        None => (
            "SQLite",
            format!("sqlite://{}/endurance.db", folder.display()),
        ),
    };
    let instance = bench::start(&database_url).await?;
    let outcome = soak(&settings, &instance, store_name).await;
    drop(instance);
    let _ = std::fs::remove_dir_all(folder);
    outcome
}

async fn soak(settings: &Settings, instance: &Instance, store_name: &str) -> Result<(), String> {
    let pid = instance.child.id().ok_or("serveur arrêté")?;
    let address: std::net::SocketAddr = instance
        .url
        .trim_start_matches("http://")
        .parse()
        .map_err(|e| format!("adresse du serveur : {e}"))?;
    let cookie = bench::supervisor(&instance.url).await?;
    let seen = Arc::new(Seen {
        messages: (0..settings.subscribers)
            .map(|_| AtomicU64::new(0))
            .collect(),
        latencies: Mutex::new(Vec::new()),
        cut: AtomicUsize::new(0),
        renewed: AtomicUsize::new(0),
        opened: AtomicUsize::new(0),
        resyncs: (0..settings.subscribers)
            .map(|_| AtomicU64::new(0))
            .collect(),
    });
    let mut streams = Vec::with_capacity(settings.subscribers);
    for index in 0..settings.subscribers {
        streams.push(tokio::spawn(follow(
            address,
            cookie.clone(),
            index,
            Arc::clone(&seen),
        )));
    }

    // Every stream open before the first event: a stream opened later would miss what came
    // before it, which is no loss.
    let opening = std::time::Instant::now();
    while seen.opened.load(Ordering::Relaxed) + seen.cut.load(Ordering::Relaxed)
        < settings.subscribers
    {
        if opening.elapsed() > Duration::from_secs(120) {
            return Err(format!(
                "{} flux sur {} ouverts en deux minutes",
                seen.opened.load(Ordering::Relaxed),
                settings.subscribers
            ));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let store = app::store::Store::connect(&instance.database_url)
        .await
        .map_err(|e| e.to_string())?;
    let simulation = {
        let store = store.clone();
        let settings = super::simulator::Settings {
            url: instance.url.clone(),
            key: bench::KEY.to_owned(),
            rate: settings.rate,
            acceleration: settings.acceleration,
            events: None,
            seed: 2026,
        };
        tokio::spawn(async move { super::simulator::run(&store, settings).await })
    };

    println!(
        "Endurance ({store_name}) : le simulateur à {} événements par seconde pendant {} min, {} flux en direct d'un superviseur ouverts",
        settings.rate, settings.minutes, settings.subscribers
    );
    println!();
    println!("| fin de la fenêtre (min) | messages reçus par flux | latence p50 (ms) | latence p99 (ms) | mémoire résidente du serveur (Mio) |");
    println!("|---:|---:|---:|---:|---:|");
    let window = Duration::from_secs_f64(settings.window_minutes.max(0.05) * 60.0);
    let windows = (settings.minutes / settings.window_minutes.max(0.05))
        .ceil()
        .max(1.0) as usize;
    let mut rows: Vec<Window> = Vec::with_capacity(windows);
    let mut errors = Vec::new();
    for n in 1..=windows {
        tokio::time::sleep(window).await;
        let mut latencies = std::mem::take(&mut *seen.latencies.lock().map_err(|_| "verrou")?);
        latencies.sort_by(f64::total_cmp);
        let row = Window {
            end_minutes: n as f64 * window.as_secs_f64() / 60.0,
            delivered: seen.messages[0].load(Ordering::Relaxed),
            p50_ms: percentile(&latencies, 50.0),
            p99_ms: percentile(&latencies, 99.0),
            resident_kib: bench::resident_kib(pid).unwrap_or(0),
        };
        println!(
            "| {:.1} | {} | {:.1} | {:.1} | {:.1} |",
            row.end_minutes,
            row.delivered,
            row.p50_ms,
            row.p99_ms,
            row.resident_kib as f64 / 1024.0
        );
        rows.push(row);
        if simulation.is_finished() {
            break;
        }
    }
    if simulation.is_finished() {
        match simulation.await {
            Ok(Err(error)) => errors.push(format!("le simulateur s'est arrêté : {error}")),
            _ => errors.push("le simulateur s'est arrêté".to_owned()),
        }
    } else {
        simulation.abort();
    }
    // What was sent arrives (the counts stop moving), then every stream must have received the
    // same.
    settle(&seen).await;
    let cut = seen.cut.load(Ordering::Relaxed);
    if cut > 0 {
        errors.push(format!("{cut} flux coupés avant la fin"));
    }
    let delivered = seen.messages[0].load(Ordering::Relaxed);

    let minutes = rows.last().map_or(0.0, |row| row.end_minutes);
    // Streams told to read the page again are counted apart; the others must all have received
    // as many messages as the most served one.
    let resynced = seen
        .resyncs
        .iter()
        .filter(|count| count.load(Ordering::Relaxed) > 0)
        .count();
    if resynced > 0 {
        errors.push(format!(
            "{resynced} flux invités à relire leur page (resync) faute d'avoir pu tout recevoir"
        ));
    }
    let counts: Vec<u64> = seen
        .messages
        .iter()
        .zip(&seen.resyncs)
        .filter(|(_, resyncs)| resyncs.load(Ordering::Relaxed) == 0)
        .map(|(count, _)| count.load(Ordering::Relaxed))
        .collect();
    let most = counts.iter().copied().max().unwrap_or(0);
    let short: Vec<u64> = counts.into_iter().filter(|count| *count != most).collect();
    if let Some(fewest) = short.iter().min() {
        errors.push(format!(
            "{} flux sans resync ont reçu moins de messages que le plus servi ({most}), jusqu'à {fewest}",
            short.len()
        ));
    }
    for stream in streams {
        stream.abort();
    }
    store.close().await;

    println!();
    if let (Some(first_row), Some(last_row)) = (rows.first(), rows.last()) {
        println!(
            "- mémoire à la fin / après la première fenêtre : {:.2} (objectif : au plus 1,10)",
            last_row.resident_kib as f64 / first_row.resident_kib.max(1) as f64
        );
        println!(
            "- latence p99 de la dernière fenêtre / de la première : {:.2} (objectif : au plus 1,20)",
            last_row.p99_ms / first_row.p99_ms
        );
    }
    println!(
        "- débit reçu par flux : {:.1} événements par seconde (demandé : {})",
        delivered as f64 / (minutes * 60.0).max(1.0),
        settings.rate
    );
    println!(
        "- flux renouvelés par le serveur et repris après leur dernier message : {}",
        seen.renewed.load(Ordering::Relaxed)
    );
    println!(
        "- erreurs : {}",
        if errors.is_empty() {
            "aucune".to_owned()
        } else {
            errors.join(" ; ")
        }
    );
    if errors.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "l'endurance a rencontré {} erreur(s)",
            errors.len()
        ))
    }
}
