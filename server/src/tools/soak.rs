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
use tokio::io::{AsyncBufReadExt, BufReader};

use super::bench::{self, percentile, Instance};

/// How long, how many, how fast.
pub struct Settings {
    pub minutes: f64,
    /// The length of a row of the table (the first and the last are compared).
    pub window_minutes: f64,
    pub subscribers: usize,
    /// Events a second the simulator sends.
    pub rate: f64,
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
    /// Streams that ended or failed before the end.
    cut: AtomicUsize,
}

/// One stream: reads messages until the bench ends, counting the dossier messages and, for the
/// first [`SAMPLED`] streams, how late each arrived.
async fn follow(socket: tokio::net::TcpStream, index: usize, seen: Arc<Seen>) {
    let mut lines = BufReader::with_capacity(1024, socket).lines();
    let mut dossier = false;
    loop {
        match lines.next_line().await {
            Ok(Some(line)) => {
                if let Some(name) = line.strip_prefix("event: ") {
                    dossier = name == "dossier";
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
            _ => {
                seen.cut.fetch_add(1, Ordering::Relaxed);
                return;
            }
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
    });
    let mut streams = Vec::with_capacity(settings.subscribers);
    for index in 0..settings.subscribers {
        let socket = bench::bare_subscriber(address, &cookie).await?;
        streams.push(tokio::spawn(follow(socket, index, Arc::clone(&seen))));
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
            acceleration: 360.0,
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
    // What was sent arrives, then every stream must have received the same.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let cut = seen.cut.load(Ordering::Relaxed);
    if cut > 0 {
        errors.push(format!("{cut} flux coupés avant la fin"));
    }
    let first = seen.messages[0].load(Ordering::Relaxed);
    let short = seen
        .messages
        .iter()
        .filter(|count| count.load(Ordering::Relaxed) != first)
        .count();
    if short > 0 {
        errors.push(format!(
            "{short} flux n'ont pas reçu autant de messages que le premier ({first})"
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
