//! The real `server` binary, as an operator runs it: configuration from the environment, JSON
//! logs in production with one request id per request, and a clean exit on SIGTERM.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[tokio::test]
async fn the_binary_logs_json_tags_requests_and_stops_on_sigterm() {
    let folder = std::env::temp_dir().join(format!("sesame-process-{}", uuid::Uuid::new_v4()));
    let port = {
        let socket = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        socket.local_addr().unwrap().port()
    };
    let mut child = Command::new(env!("CARGO_BIN_EXE_server"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env(
            "DATABASE_URL",
            format!("sqlite://{}/sesame.db", folder.display()),
        )
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env("SESAME_ENVIRONMENT", "production")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("le binaire démarre");

    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    let response = loop {
        match client
            .get(format!("http://127.0.0.1:{port}/healthz"))
            .header("x-request-id", "essai-42")
            .send()
            .await
        {
            Ok(response) => break response,
            Err(_) if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(200)).await
            }
            Err(error) => panic!("le serveur ne répond pas : {error}"),
        }
    };
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["x-request-id"],
        "essai-42",
        "l'identifiant de requête est renvoyé"
    );
    let generated = client
        .get(format!("http://127.0.0.1:{port}/readyz"))
        .send()
        .await
        .unwrap();
    assert!(
        !generated.headers()["x-request-id"].is_empty(),
        "un identifiant est créé quand il manque"
    );

    let pid = child.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "le serveur ne s'arrête pas sur SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(status.success(), "arrêt propre attendu, obtenu {status}");

    let logs: Vec<serde_json::Value> = BufReader::new(child.stdout.take().unwrap())
        .lines()
        .chain(BufReader::new(child.stderr.take().unwrap()).lines())
        .map_while(Result::ok)
        .filter(|line| line.starts_with('{'))
        .map(|line| serde_json::from_str(&line).expect("chaque ligne de journal est un objet JSON"))
        .collect();
    assert!(
        !logs.is_empty(),
        "des journaux JSON sont écrits en production"
    );
    assert!(
        logs.iter()
            .any(|line| line.to_string().contains("essai-42")),
        "les lignes d'une requête portent son identifiant : {logs:?}"
    );
    let _ = std::fs::remove_dir_all(folder);
}

/// `server audit verify`, as someone checking the trail before producing it in court runs it:
/// success and a count when it is intact, failure naming the entry when it was altered.
#[tokio::test]
async fn the_audit_command_tells_an_intact_trail_from_an_altered_one() {
    let folder = std::env::temp_dir().join(format!("sesame-audit-{}", uuid::Uuid::new_v4()));
    let url = format!("sqlite://{}/sesame.db", folder.display());
    let store = server::prepare_store(&crate::helpers::config(url.clone()))
        .await
        .expect("base préparée");
    for n in 0..5 {
        let object = format!("dossier:{n}");
        store
            .audit(
                &app::store::AuditEvent {
                    actor_id: Some(1),
                    actor: "agent@example.fr",
                    action: "consultation_dossier",
                    object: &object,
                    address: "192.0.2.1",
                    detail: "",
                    client_key: "192.0.2.1",
                },
                chrono::Utc::now(),
            )
            .await
            .unwrap();
    }
    let verify = |extra: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_server"))
            .args(["audit", "verify"])
            .args(extra)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("DATABASE_URL", &url)
            .output()
            .expect("le binaire s'exécute")
    };
    let intact = verify(&[]);
    assert!(intact.status.success(), "{intact:?}");
    let said = String::from_utf8_lossy(&intact.stdout);
    assert!(
        said.contains("Journal d'audit intègre : 5 entrées vérifiées"),
        "{said}"
    );
    // The anchor it prints, kept outside the database, holds; a different one does not.
    let anchor = said
        .lines()
        .find_map(|line| {
            line.split(" : ")
                .nth(1)
                .filter(|rest| rest.starts_with("5:"))
        })
        .expect("l'ancre est affichée")
        .to_owned();
    assert!(verify(&["--ancre", &anchor]).status.success());
    let forged = format!("5:{}", "0".repeat(64));
    let rewritten = verify(&["--ancre", &forged]);
    assert_eq!(rewritten.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&rewritten.stderr).contains("réécrit"));

    let app::store::Store::Sqlite(pool) = &store else {
        unreachable!()
    };
    for statement in [
        "DROP TRIGGER audit_entry_no_delete",
        "DELETE FROM audit_entry WHERE seq = 3",
    ] {
        sqlx::query(statement).execute(pool).await.unwrap();
    }
    let altered = verify(&[]);
    assert_eq!(altered.status.code(), Some(1));
    let said = String::from_utf8_lossy(&altered.stderr);
    assert!(
        said.contains("entrée n° 3") && said.contains("supprimée"),
        "{said}"
    );
    store.close().await;
}

/// `server partner-key create`, `list` and `revoke`, as an administrator runs them: the key
/// printed once opens the partner interface, and stops opening it once revoked.
#[tokio::test]
async fn partner_keys_are_created_listed_and_revoked_from_the_command_line() {
    let folder = std::env::temp_dir().join(format!("sesame-keys-{}", uuid::Uuid::new_v4()));
    let url = format!("sqlite://{}/sesame.db", folder.display());
    let server = crate::helpers::Running::start(&crate::helpers::config(url.clone())).await;
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_server"))
            .args(args)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("DATABASE_URL", &url)
            .output()
            .expect("le binaire s'exécute")
    };
    let refused = run(&[
        "partner-key",
        "create",
        "--name",
        "TRACES NT",
        "--sources",
        "fax",
    ]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("source « fax » inconnue"));

    let created = run(&[
        "partner-key",
        "create",
        "--name",
        "TRACES NT",
        "--sources",
        "traces",
        "--sites",
        "FRLEH,frfos",
    ]);
    assert!(created.status.success(), "{created:?}");
    let said = String::from_utf8_lossy(&created.stdout).to_string();
    let key = said
        .lines()
        .find(|line| line.starts_with("sesame_"))
        .expect("la clé est affichée")
        .to_owned();
    let listed = String::from_utf8_lossy(&run(&["partner-key", "list"]).stdout).to_string();
    assert!(
        listed.contains("TRACES NT") && listed.contains("FRLEH,FRFOS") && !listed.contains(&key)
    );

    let submit = || {
        reqwest::Client::new()
            .post(server.url("/api/v1/events"))
            .bearer_auth(&key)
            .json(&serde_json::json!({
                "id": "cli-1", "source": "traces", "type": "ched_lodged",
                "occurred_at": "2026-11-26T10:00:00+01:00", "site": "FRLEH",
                "references": { "ched": "CHEDP.FR.2026.0009999" },
                "goods": { "category": "animal_products", "description": "Thon" },
                "data": { "ched_type": "P" }
            }))
            .send()
    };
    assert_eq!(submit().await.unwrap().status(), 201);
    let id = said
        .lines()
        .find_map(|line| {
            line.strip_prefix("Clé n° ")?
                .split_whitespace()
                .next()?
                .parse::<i64>()
                .ok()
        })
        .expect("le numéro de la clé est affiché");
    assert!(run(&["partner-key", "revoke", &id.to_string()])
        .status
        .success());
    assert_eq!(submit().await.unwrap().status(), 401);
    server.stop().await;
}

/// `server bench` on a small scale: its three tables come out; the booking race gives three places
/// and refuses every other attempt as "complet"; every subscriber, of the platform and of the
/// floor server the bench starts, receives the event (the bench fails otherwise).
#[test]
fn the_bench_prints_its_tables() {
    let output = Command::new(env!("CARGO_BIN_EXE_server"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .args([
            "bench",
            "--events",
            "20",
            "--batch",
            "10",
            "--attempts",
            "12",
            "--subscribers",
            "40",
        ])
        .output()
        .expect("le banc démarre");
    let printed = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{printed}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let row = |first: &str| -> Vec<String> {
        printed
            .lines()
            .find(|line| line.starts_with(&format!("| {first} |")))
            .unwrap_or_else(|| panic!("pas de ligne « {first} » :\n{printed}"))
            .trim_matches('|')
            .split('|')
            .map(|cell| cell.trim().to_owned())
            .collect()
    };
    let ingestion = row("SQLite");
    assert!(ingestion[3].parse::<f64>().unwrap() > 0.0, "{printed}");
    let race = printed
        .lines()
        .filter(|line| line.starts_with("| SQLite |"))
        .nth(1)
        .unwrap_or_else(|| panic!("pas de ligne de réservations :\n{printed}"));
    assert!(race.starts_with("| SQLite | 3 | 9 | 0 |"), "{race}");
    let fan_out = row("40");
    assert_eq!(fan_out.len(), 10, "{printed}");
    for cell in &fan_out {
        assert!(cell.parse::<f64>().is_ok(), "« {cell} » dans {fan_out:?}");
    }
    assert_eq!(row("1").len(), 10, "{printed}");
}
