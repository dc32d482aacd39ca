//! The database restarted under load, on a PostgreSQL server of the test's own (the shared one
//! cannot be stopped): while it is down, pages, forms, server functions and the partner
//! interface answer 503 with `Retry-After` and a French sentence — never a 500 —, the readiness
//! probe says so, and nothing is half-written; once it is back, the same server (not restarted)
//! serves again within five seconds, the events refused meanwhile are sent again and stored
//! once each, and an open live stream resumes from where it was without a gap.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::Value;

use crate::accounts::{Browser, AGENT_SIVEP, OPERATOR, PASSWORD};
use crate::helpers::{config, container, count, database_on, Running, DEMO_API_KEY};
use crate::live::{first_event, session_of, sirets, Stream};

/// A PostgreSQL server of the test's own, in a temporary folder, on a free port.
struct Cluster {
    bin: PathBuf,
    data: PathBuf,
    port: u16,
}

/// The newest PostgreSQL binaries installed (`/usr/lib/postgresql/<version>/bin`).
fn postgres_bin() -> Option<PathBuf> {
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = entry.path().join("bin");
            bin.join("pg_ctl").exists().then_some((version, bin))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, bin)| bin)
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
        .unwrap_or(false)
}

/// `program`, to run as the `postgres` user when the test runs as root (PostgreSQL refuses root).
fn as_postgres(program: &Path) -> Command {
    if is_root() {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--"]).arg(program);
        command
    } else {
        Command::new(program)
    }
}

/// `program args…` as the `postgres` user, which must succeed.
fn run_as_postgres(program: &Path, args: &[&str]) {
    let out = as_postgres(program)
        .args(args)
        .output()
        .expect("commande PostgreSQL");
    assert!(
        out.status.success(),
        "{} {args:?} : {}{}",
        program.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

impl Cluster {
    fn create() -> Option<Cluster> {
        let Some(bin) = postgres_bin() else {
            if std::env::var("CI").as_deref() == Ok("true") {
                panic!("binaires PostgreSQL absents : sous CI, ce test ne peut pas être sauté");
            }
            eprintln!("!!! PostgreSQL absent : test de redémarrage de la base SAUTÉ");
            return None;
        };
        let data = std::env::temp_dir().join(format!("sesame-pg-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&data).unwrap();
        if is_root() {
            let done = Command::new("chown")
                .args(["postgres:postgres"])
                .arg(&data)
                .status()
                .unwrap();
            assert!(done.success());
        }
        run_as_postgres(
            &bin.join("initdb"),
            &[
                "-D",
                data.to_str().unwrap(),
                "-U",
                "postgres",
                "-A",
                "trust",
                "--no-sync",
                "-E",
                "UTF8",
            ],
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let cluster = Cluster { bin, data, port };
        cluster.start();
        Some(cluster)
    }

    fn admin_url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// Starts the server and waits until it accepts connections.
    fn start(&self) {
        let options = format!(
            "-p {} -k {} -c fsync=off -c listen_addresses=127.0.0.1",
            self.port,
            std::env::temp_dir().display()
        );
        let log = self.data.join("server.log");
        run_as_postgres(
            &self.bin.join("pg_ctl"),
            &[
                "-D",
                self.data.to_str().unwrap(),
                "-o",
                &options,
                "-l",
                log.to_str().unwrap(),
                "-w",
                "start",
            ],
        );
    }

    /// Stops it as an operator restarting it would: open connections are ended.
    fn stop(&self) {
        run_as_postgres(
            &self.bin.join("pg_ctl"),
            &[
                "-D",
                self.data.to_str().unwrap(),
                "-m",
                "fast",
                "-w",
                "stop",
            ],
        );
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        // Whatever happened to the test, the server goes, and its folder.
        let data = self.data.to_str().unwrap_or_default();
        let _ = as_postgres(&self.bin.join("pg_ctl"))
            .args(["-D", data, "-m", "immediate", "stop"])
            .output();
        let _ = std::fs::remove_dir_all(&self.data);
    }
}

/// Sends one partner event with the demo's key: its status, `Retry-After` and body.
pub(crate) async fn send(server: &Running, event: &Value) -> (StatusCode, Option<String>, String) {
    let response = reqwest::Client::new()
        .post(server.url("/api/v1/events"))
        .bearer_auth(DEMO_API_KEY)
        .json(event)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let retry = response
        .headers()
        .get("retry-after")
        .map(|value| value.to_str().unwrap().to_owned());
    (status, retry, response.text().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_database_restarts_and_the_server_comes_back_by_itself() {
    let Some(cluster) = Cluster::create() else {
        return;
    };
    let url = database_on(&cluster.admin_url()).await;
    let server = Running::start(&config(url)).await;
    let (own, _) = sirets(&server).await;
    let claire = Browser::new(&server);
    claire.sign_in(OPERATOR, PASSWORD).await;
    let (status, _) = claire.page("/dossiers").await;
    assert_eq!(status, 200);
    let agent = session_of(&server, AGENT_SIVEP).await;
    let mut stream = Stream::open(&server, Some(&agent), None).await.unwrap();

    // Events before: stored, and on the stream.
    // Built once: sent again, each is the same event (its time included).
    let events: Vec<Value> = (0..6u32)
        .map(|n| first_event(&format!("panne-{n}"), &container("PNE", 10 + n), &own))
        .collect();
    let event = |n: u32| &events[n as usize];
    for n in 0..3 {
        let (status, _, body) = send(&server, event(n)).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let mut seen: Vec<i64> = Vec::new();
    for _ in 0..3 {
        let message = stream.next(Duration::from_secs(5)).await.expect("message");
        seen.push(message.id.unwrap().parse().unwrap());
    }

    // The database goes down.
    cluster.stop();
    let mut refused = Vec::new();
    for n in 3..6 {
        let (status, retry, body) = send(&server, event(n)).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
        assert!(retry.is_some(), "Retry-After absent");
        assert!(body.contains("Réessayez"), "{body}");
        refused.push(n);
    }
    let (status, page) = claire.page("/dossiers").await;
    assert_eq!(status, 503, "une page");
    assert!(page.contains("momentanément indisponible"), "{page}");
    let answer = reqwest::Client::new()
        .get(server.url("/dossiers"))
        .header("cookie", &agent)
        .send()
        .await
        .unwrap();
    assert!(answer.headers().get("retry-after").is_some());
    let form = claire
        .post(
            "/espace/profil",
            &[("nom", "Claire Martin"), ("telephone", "")],
        )
        .await;
    assert_eq!(
        form.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "un formulaire"
    );
    let (ready, _) = server.get("/readyz").await;
    assert_eq!(ready, 503, "la sonde dit que la base manque");
    let (alive, _) = server.get("/healthz").await;
    assert_eq!(alive, 200, "le processus vit");

    // It comes back: the same server serves again within five seconds.
    cluster.start();
    let back = Instant::now();
    loop {
        let (status, _) = claire.page("/dossiers").await;
        if status == 200 {
            break;
        }
        assert_eq!(status, 503, "jamais une erreur 500");
        assert!(
            back.elapsed() < Duration::from_secs(5),
            "pas revenu 5 s après la base"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let recovered = back.elapsed();
    eprintln!("service revenu {recovered:?} après la base");
    let (ready, _) = server.get("/readyz").await;
    assert_eq!(ready, 200);

    // The events refused are sent again (same ids): each stored once, none of the first ones
    // doubled by being sent again too.
    for n in refused.iter().copied().chain(0..3u32) {
        let (status, _, body) = send(&server, event(n)).await;
        assert!(
            status == StatusCode::CREATED || status == StatusCode::OK,
            "{status} {body}"
        );
    }
    for n in 0..6 {
        let stored = count(
            &server.store,
            &format!("SELECT COUNT(*) FROM event WHERE partner_event_id = 'panne-{n}'"),
        )
        .await;
        assert_eq!(stored, 1, "panne-{n}");
    }

    // The stream: what it carried after the restart, or from where it stood when it ended,
    // continues the sequence without a gap or a repeat.
    let mut after: Vec<i64> = stream
        .drain(Duration::from_secs(3))
        .await
        .iter()
        .filter(|message| message.event != "resync")
        .filter_map(|message| message.id.as_ref()?.parse().ok())
        .collect();
    if after.len() < 3 {
        let from = after.last().copied().unwrap_or(*seen.last().unwrap());
        let mut again = Stream::open(&server, Some(&agent), Some(from))
            .await
            .expect("le flux reprend");
        after.extend(
            again
                .drain(Duration::from_secs(3))
                .await
                .iter()
                .filter_map(|message| message.id.as_ref()?.parse::<i64>().ok()),
        );
    }
    assert_eq!(after.len(), 3, "les trois événements renvoyés : {after:?}");
    assert!(
        after[0] > *seen.last().unwrap() && after.windows(2).all(|pair| pair[0] < pair[1]),
        "{seen:?} puis {after:?}"
    );
    server.stop().await;
}
