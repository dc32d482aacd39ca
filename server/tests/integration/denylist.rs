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

/// A list served over HTTP by the test, as the Tor project serves its exit list; it can be told
/// to answer something else (an error, a page with no address).
struct ListSource {
    addr: std::net::SocketAddr,
    answer: std::sync::Arc<std::sync::Mutex<(u16, String)>>,
    requests: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl ListSource {
    async fn start(list: &str) -> ListSource {
        use std::sync::atomic::Ordering;
        let answer = std::sync::Arc::new(std::sync::Mutex::new((200, list.to_owned())));
        let requests = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let app = axum::Router::new().route(
            "/exits.txt",
            axum::routing::get({
                let (answer, requests) = (answer.clone(), requests.clone());
                move || {
                    requests.fetch_add(1, Ordering::SeqCst);
                    let (status, body) = answer.lock().unwrap().clone();
                    async move { (axum::http::StatusCode::from_u16(status).unwrap(), body) }
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        ListSource {
            addr,
            answer,
            requests,
            task,
        }
    }

    fn url(&self) -> String {
        format!("http://{}/exits.txt", self.addr)
    }

    fn answer(&self, status: u16, body: &str) {
        *self.answer.lock().unwrap() = (status, body.to_owned());
    }

    /// Waits until the server has asked for the list `count` more times.
    async fn asked(&self, count: usize) {
        use std::sync::atomic::Ordering;
        let target = self.requests.load(Ordering::SeqCst) + count;
        let deadline = Instant::now() + Duration::from_secs(15);
        while self.requests.load(Ordering::SeqCst) < target {
            assert!(Instant::now() < deadline, "la liste n'est plus téléchargée");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    fn stop(self) {
        self.task.abort();
    }
}

async fn start_with_url(file: &std::path::Path, url: String, cache: &std::path::Path) -> Running {
    let database = fresh_database(Backend::Sqlite).await.unwrap();
    Running::start(&Config {
        demo: false,
        denylist_file: Some(file.to_owned()),
        denylist_url: Some(url),
        denylist_refresh_seconds: 1,
        denylist_cache_file: cache.to_owned(),
        trusted_proxies: "127.0.0.1/32".to_owned(),
        ..config(database)
    })
    .await
}

/// The status and page a client at `address` gets, forwarded by the (trusted) local proxy.
async fn as_client(server: &Running, address: &str) -> (u16, String) {
    let response = reqwest::Client::new()
        .get(server.url("/"))
        .header("x-forwarded-for", address)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

async fn until_client_status(server: &Running, address: &str, expected: u16) -> u16 {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let status = as_client(server, address).await.0;
        if status == expected || Instant::now() > deadline {
            return status;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn the_downloaded_list_is_refused_and_its_last_good_copy_kept() {
    let folder = std::env::temp_dir().join(format!("sesame-denylist-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&folder).unwrap();
    let file = folder.join("exits.txt");
    std::fs::write(&file, "# liste locale\n198.51.100.66\n").unwrap();
    // The cache's folder does not exist yet: the server creates it.
    let cache = folder.join("cache").join("denylist-url.txt");
    let source = ListSource::start("# sorties Tor\n203.0.113.50\n").await;

    let server = start_with_url(&file, source.url(), &cache).await;
    assert_eq!(until_client_status(&server, "203.0.113.50", 403).await, 403);
    let (_, page) = as_client(&server, "203.0.113.50").await;
    assert!(page.contains("réseau d'anonymisation, tel que Tor, n'est pas autorisé"));
    assert_eq!(
        as_client(&server, "198.51.100.66").await.0,
        403,
        "le fichier compte toujours"
    );
    assert_eq!(as_client(&server, "198.51.100.20").await.0, 200);
    assert!(std::fs::read_to_string(&cache)
        .unwrap()
        .contains("203.0.113.50"));

    // A new download replaces the previous one.
    source.answer(200, "203.0.113.51\n");
    assert_eq!(until_client_status(&server, "203.0.113.50", 200).await, 200);
    assert_eq!(as_client(&server, "203.0.113.51").await.0, 403);

    // The source fails, then answers a page without any address: the last good copy stays.
    source.answer(500, "Erreur interne");
    source.asked(2).await;
    assert_eq!(as_client(&server, "203.0.113.51").await.0, 403);
    source.answer(200, "<html><body>Maintenance en cours</body></html>\n");
    source.asked(2).await;
    assert_eq!(as_client(&server, "203.0.113.51").await.0, 403);
    assert_eq!(as_client(&server, "198.51.100.66").await.0, 403);
    let kept = std::fs::read_to_string(&cache).unwrap();
    assert!(
        kept.contains("203.0.113.51") && !kept.contains("Maintenance"),
        "{kept}"
    );
    server.stop().await;
    source.stop();

    // Restarted while the address cannot be reached: the cached copy is in force at once.
    let unreachable = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/exits.txt", listener.local_addr().unwrap())
    };
    let server = start_with_url(&file, unreachable, &cache).await;
    assert_eq!(as_client(&server, "203.0.113.51").await.0, 403);
    assert_eq!(as_client(&server, "198.51.100.66").await.0, 403);
    assert_eq!(as_client(&server, "198.51.100.20").await.0, 200);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        as_client(&server, "203.0.113.51").await.0,
        403,
        "un téléchargement en échec ne vide pas la liste"
    );
    server.stop().await;
}
