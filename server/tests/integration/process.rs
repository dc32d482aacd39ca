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
                    personal_detail: "",
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

    // `audit anchor`, run on a schedule, files anchors outside the database; verification
    // takes them all back.
    let anchors = folder.with_extension("ancres");
    let file_anchor = |path: &std::path::Path| {
        Command::new(env!("CARGO_BIN_EXE_server"))
            .args(["audit", "anchor", "--fichier"])
            .arg(path)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("DATABASE_URL", &url)
            .output()
            .expect("le binaire s'exécute")
    };
    assert!(file_anchor(&anchors).status.success());
    store
        .audit(
            &app::store::AuditEvent {
                actor_id: Some(1),
                actor: "agent@example.fr",
                action: "consultation_dossier",
                object: "dossier:6",
                address: "192.0.2.1",
                detail: "",
                client_key: "192.0.2.1",
                personal_detail: "",
            },
            chrono::Utc::now(),
        )
        .await
        .unwrap();
    assert!(file_anchor(&anchors).status.success());
    let filed = std::fs::read_to_string(&anchors).unwrap();
    assert_eq!(filed.lines().count(), 2, "{filed}");
    assert!(
        filed
            .lines()
            .next()
            .unwrap()
            .ends_with(&format!(" {anchor}")),
        "{filed}"
    );
    let anchors_arg = anchors.display().to_string();
    assert!(verify(&["--ancres", &anchors_arg]).status.success());

    let app::store::Engine::Sqlite(pool) = store.engine() else {
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
    assert_eq!(verify(&["--ancres", &anchors_arg]).status.code(), Some(1));
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

/// `server bench` on a small scale: its four tables come out; the booking race gives three places
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
            "--listes",
            "200",
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
    // Both protocols, each row figures but for its protocol.
    let fan_out: Vec<Vec<String>> = printed
        .lines()
        .filter(|line| line.starts_with("| 40 |"))
        .map(|line| {
            line.trim_matches('|')
                .split('|')
                .map(|cell| cell.trim().to_owned())
                .collect()
        })
        .collect();
    assert_eq!(fan_out.len(), 2, "{printed}");
    for (cells, protocol) in fan_out.iter().zip(["HTTP/1.1", "HTTP/2"]) {
        assert_eq!(cells.len(), 12, "{printed}");
        assert_eq!(cells[1], protocol, "{printed}");
        for (index, cell) in cells.iter().enumerate().filter(|(index, _)| *index != 1) {
            assert!(
                cell.parse::<f64>().is_ok(),
                "« {cell} » (colonne {index}) dans {cells:?}"
            );
        }
    }
    assert_eq!(row("1").len(), 12, "{printed}");
    // One write, 200 open lists of which 10 see the dossier: at most 10 list reads, where the
    // former rule (every message read the list again) made one per message.
    let numbers = |cells: Vec<String>| -> Vec<f64> {
        cells[1..4]
            .iter()
            .map(|cell| cell.parse().unwrap())
            .collect()
    };
    let new_dossier = numbers(row("un nouveau dossier de l'entreprise"));
    // Each of the ten streams of the company's operator hears of the dossier and of the
    // notification of its opening.
    assert_eq!(new_dossier[0], 20.0, "{printed}");
    assert!((1.0..=10.0).contains(&new_dossier[2]), "{printed}");
    let booking = numbers(row("un rendez-vous réservé pour le dossier"));
    assert!(
        booking[1] >= 200.0,
        "every open list hears of the places: {printed}"
    );
    assert!((1.0..=10.0).contains(&booking[2]), "{printed}");
}

/// Without an SMTP server, mails are written to the mail folder. Their links carry single-use
/// tokens that open an account: they are logged for a developer to follow from the console in
/// development only; in production nothing in the logs gives a way in.
#[tokio::test]
async fn mail_links_reach_the_logs_in_development_only() {
    let (token, logs) = reset_token_and_logs("development").await;
    assert!(
        logs.contains(&token),
        "en développement, le lien du courriel est dans la console : {logs}"
    );
    let (token, logs) = reset_token_and_logs("production").await;
    assert!(
        !logs.contains(&token) && !logs.contains("jeton="),
        "en production, aucun lien d'accès dans les journaux : {logs}"
    );
}

/// Runs the binary in `environment` without SMTP, asks for a demo account's password link, and
/// gives the link's token (read from the mail folder) and everything the process logged.
async fn reset_token_and_logs(environment: &str) -> (String, String) {
    let folder = std::env::temp_dir().join(format!("sesame-liens-{}", uuid::Uuid::new_v4()));
    let mails = folder.join("courriels");
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
        .env("SESAME_ENVIRONMENT", environment)
        .env("SESAME_DEMO", "1")
        .env("SESAME_MAIL_FOLDER", &mails)
        // Only the mails the test causes: no clock opening alerts on the demo meanwhile.
        .env("SESAME_CLOCK_SECONDS", "0")
        .env("SESAME_TRUSTED_PROXIES", "127.0.0.1/32")
        .env("SESAME_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("le binaire démarre");
    // Read while it runs, so that a full pipe never blocks the server.
    let read_all = |pipe: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = std::io::Read::read_to_string(&mut BufReader::new(pipe), &mut text);
            text
        })
    };
    let stdout = read_all(Box::new(child.stdout.take().unwrap()));
    let stderr = read_all(Box::new(child.stderr.take().unwrap()));

    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let url = |path: &str| format!("http://127.0.0.1:{port}{path}");
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        match client.get(url("/readyz")).send().await {
            Ok(response) if response.status() == 200 => break,
            _ if Instant::now() < deadline => tokio::time::sleep(Duration::from_millis(200)).await,
            _ => panic!("le serveur n'est pas prêt"),
        }
    }
    // As a browser behind the production reverse proxy would send it.
    let asked = client
        .post(url("/mot-de-passe-oublie"))
        .header("x-forwarded-proto", "https")
        .form(&[("adresse", crate::accounts::OPERATOR)])
        .send()
        .await
        .unwrap();
    assert!(asked.status().is_redirection(), "{}", asked.status());
    let deadline = Instant::now() + Duration::from_secs(10);
    let mail = loop {
        let written = std::fs::read_dir(&mails).ok().and_then(|entries| {
            entries
                .filter_map(Result::ok)
                .find(|entry| entry.file_name().to_string_lossy().ends_with(".eml"))
        });
        match written {
            Some(entry) => break std::fs::read_to_string(entry.path()).unwrap(),
            None if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(100)).await
            }
            None => panic!("aucun courriel écrit dans {}", mails.display()),
        }
    };
    let text = crate::smtp_sink::DecodedMail::parse(&mail).text;
    let token = text
        .split_whitespace()
        .find_map(|word| word.split("jeton=").nth(1))
        .expect("un lien à jeton dans le courriel")
        .trim_end_matches(['.', ',', ')'])
        .to_owned();
    assert!(token.len() >= 16, "{token}");

    assert!(Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap()
        .success());
    let deadline = Instant::now() + Duration::from_secs(30);
    while child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "le serveur ne s'arrête pas");
        std::thread::sleep(Duration::from_millis(100));
    }
    let logs = format!("{}{}", stdout.join().unwrap(), stderr.join().unwrap());
    let _ = std::fs::remove_dir_all(folder);
    (token, logs)
}
