//! Anonymisation networks refused, as a client on the list meets it, and the list followed as
//! its file changes.

use std::time::{Duration, Instant};

use app::store::Backend;
use server::config::Config;

use crate::helpers::{config, fresh_database, Running};

async fn start(list: &str, trusted_proxies: &str) -> (Running, std::path::PathBuf) {
    let folder = std::env::temp_dir().join(format!("sesame-denylist-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&folder).unwrap();
    let file = folder.join("exits.txt");
    std::fs::write(&file, list).unwrap();
    let url = fresh_database(Backend::Sqlite).await.unwrap();
    let config = Config {
        demo: false,
        denylist_file: Some(file.clone()),
        denylist_poll_seconds: 1,
        trusted_proxies: trusted_proxies.to_owned(),
        ..config(url)
    };
    (Running::start(&config).await, file)
}

/// Waits for the server to pick up a change of the list (it checks every second).
async fn until_status(server: &Running, expected: u16) -> u16 {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let status = server.get("/").await.0;
        if status == expected || Instant::now() > deadline {
            return status;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn a_listed_client_is_told_why_and_the_list_follows_its_file() {
    let (server, file) = start("# liste de sortie Tor\n127.0.0.1\n", "").await;
    let (status, page) = server.get("/").await;
    assert_eq!(status, 403);
    assert!(page.contains(r#"<html lang="fr">"#));
    assert!(page.contains("réseau d'anonymisation, tel que Tor, n'est pas autorisé"));
    assert_eq!(
        server.get("/dossiers").await.0,
        403,
        "toutes les adresses sont refusées"
    );

    // The address leaves the list: the file is read again without a restart.
    std::fs::write(&file, "# plus personne\n185.220.101.1\n").unwrap();
    assert_eq!(until_status(&server, 200).await, 200);

    // A range covers the client again.
    std::fs::write(&file, "127.0.0.0/8\n").unwrap();
    assert_eq!(until_status(&server, 403).await, 403);

    // An unreadable file keeps the last good list.
    std::fs::remove_file(&file).unwrap();
    std::fs::create_dir(&file).unwrap();
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(server.get("/").await.0, 403);
    server.stop().await;
}

#[tokio::test]
async fn forwarded_addresses_are_believed_only_from_trusted_proxies() {
    let listed = "203.0.113.7";
    let client = reqwest::Client::new();

    let (behind_proxy, _) = start(listed, "127.0.0.1/32").await;
    let refused = client
        .get(behind_proxy.url("/"))
        .header("x-forwarded-for", "203.0.113.7")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);
    let allowed = client
        .get(behind_proxy.url("/"))
        .header("x-forwarded-for", "198.51.100.20")
        .send()
        .await
        .unwrap();
    assert_eq!(allowed.status(), 200);
    behind_proxy.stop().await;

    let (direct, _) = start(listed, "").await;
    let spoofed = client
        .get(direct.url("/"))
        .header("x-forwarded-for", "203.0.113.7")
        .send()
        .await
        .unwrap();
    assert_eq!(
        spoofed.status(),
        200,
        "un en-tête écrit par le client lui-même ne compte pas"
    );
    direct.stop().await;
}
