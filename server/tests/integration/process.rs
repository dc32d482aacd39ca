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
