//! The soak's fast variant: the real binary fed by its own simulator (`server simulate`, 20 events
//! a second) for twenty seconds while a hundred live streams of a supervisor are open. No stream
//! misses what another got (the same positions, in order), the simulator meets no error, and the
//! server's resident memory at the end stays within a quarter of its level after the first five
//! seconds. The thirty-minute soak with a thousand streams is the bench's (see the README).

use std::time::Duration;

use app::store::Backend;
use reqwest::StatusCode;

use crate::helpers::{fresh_database, DEMO_API_KEY};
use crate::live::{session_at, ServerProcess, Stream};

const SUPERVISOR: &str = "superviseur@demo.sesame.test";
const STREAMS: usize = 100;
const EVENTS: u32 = 400;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_short_soak_loses_nothing_and_holds_its_memory() {
    let Some(url) = fresh_database(Backend::Sqlite).await else {
        return;
    };
    let server =
        ServerProcess::start_with(&url, &[("SESAME_LIVE_STREAMS_PER_PERSON", "1000")]).await;
    let cookie = session_at(&server.url(""), SUPERVISOR).await;
    let mut readers = Vec::new();
    for _ in 0..STREAMS {
        let response = reqwest::Client::new()
            .get(server.url("/api/v1/stream"))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let mut stream = Stream::from_response(response);
        readers.push(tokio::spawn(async move {
            let mut positions = Vec::new();
            // Until the simulation has been quiet for a while.
            while let Some(message) = stream.next(Duration::from_secs(6)).await {
                if let Some(id) = message.id.as_ref().and_then(|id| id.parse::<i64>().ok()) {
                    positions.push(id);
                }
            }
            positions
        }));
    }

    let simulator = tokio::process::Command::new(env!("CARGO_BIN_EXE_server"))
        .args([
            "simulate",
            "--url",
            &server.url(""),
            "--key",
            DEMO_API_KEY,
            "--rate",
            "20",
            "--events",
            &EVENTS.to_string(),
            "--acceleration",
            "3600",
        ])
        .env("DATABASE_URL", &url)
        .env("SESAME_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("le simulateur démarre");
    tokio::time::sleep(Duration::from_secs(5)).await;
    let warmed = server.resident_kib();
    let finished = simulator.wait_with_output().await.unwrap();
    assert!(
        finished.status.success(),
        "le simulateur : {}",
        String::from_utf8_lossy(&finished.stderr)
    );
    let end = server.resident_kib();
    eprintln!("mémoire résidente : {warmed} Kio après 5 s, {end} Kio à la fin");
    assert!(warmed > 0, "mémoire illisible");
    assert!(
        end * 4 <= warmed * 5,
        "la mémoire a crû de {warmed} à {end} Kio"
    );

    let mut all = Vec::new();
    for reader in readers {
        all.push(reader.await.unwrap());
    }
    let first = &all[0];
    assert!(
        first.len() as u32 >= EVENTS / 2,
        "{} messages pour {EVENTS} événements",
        first.len()
    );
    assert!(
        first.windows(2).all(|pair| pair[0] < pair[1]),
        "dans l'ordre"
    );
    for (n, positions) in all.iter().enumerate() {
        assert_eq!(
            positions, first,
            "le flux {n} a manqué ou doublé un message"
        );
    }
}
