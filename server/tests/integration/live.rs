//! The live stream on the real server, on both stores: only what the person may see, replay
//! from `Last-Event-ID` without gap or duplicate, `resync` when too far behind, and — with
//! PostgreSQL — an event committed through one instance reaching the streams of another.

use std::time::Duration;

use app::store::Backend;
use app::ui::live::STREAM_PATH;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::accounts::{Browser, AGENT_SIVEP, OPERATOR, PASSWORD};
use crate::helpers::{config, container, fresh_database, Running, DEMO_API_KEY};

/// One message of a server-sent events stream.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Message {
    pub(crate) id: Option<String>,
    pub(crate) event: String,
    pub(crate) data: Value,
}

/// A stream being read.
pub(crate) struct Stream {
    response: reqwest::Response,
    buffer: String,
}

impl Stream {
    pub(crate) async fn open(
        server: &Running,
        cookie: Option<&str>,
        last_event_id: Option<i64>,
    ) -> Result<Stream, StatusCode> {
        Stream::open_with(&reqwest::Client::new(), server, cookie, last_event_id).await
    }

    /// [`Stream::open`] through `client`: over a connection it already holds, say.
    pub(crate) async fn open_with(
        client: &reqwest::Client,
        server: &Running,
        cookie: Option<&str>,
        last_event_id: Option<i64>,
    ) -> Result<Stream, StatusCode> {
        // As a browser asks: compressed if possible. The stream must come uncompressed, or a
        // compressor would hold its messages back.
        let mut request = client
            .get(server.url("/api/v1/stream"))
            .header("accept-encoding", "br, gzip");
        if let Some(cookie) = cookie {
            request = request.header("cookie", cookie);
        }
        if let Some(id) = last_event_id {
            request = request.header("last-event-id", id.to_string());
        }
        let response = request.send().await.unwrap();
        if response.status() != StatusCode::OK {
            return Err(response.status());
        }
        assert_eq!(response.headers()["content-type"], "text/event-stream");
        assert!(response.headers().get("content-encoding").is_none());
        Ok(Stream {
            response,
            buffer: String::new(),
        })
    }

    /// A stream already answered (through a proxy, or to a request made otherwise).
    pub(crate) fn from_response(response: reqwest::Response) -> Stream {
        Stream {
            response,
            buffer: String::new(),
        }
    }

    /// The next message of this name, skipping the others, or `None` after `wait`.
    pub(crate) async fn next_of(&mut self, event: &str, wait: Duration) -> Option<Message> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let message = self.next(left).await?;
            if message.event == event {
                return Some(message);
            }
        }
    }

    /// The next message that is not a keep-alive comment, or `None` after `wait`.
    pub(crate) async fn next(&mut self, wait: Duration) -> Option<Message> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let mut message = Message {
                    id: None,
                    event: "message".into(),
                    data: Value::Null,
                };
                let mut data = String::new();
                for line in block.lines() {
                    if let Some(value) = line.strip_prefix("id:") {
                        message.id = Some(value.trim().to_owned());
                    } else if let Some(value) = line.strip_prefix("event:") {
                        message.event = value.trim().to_owned();
                    } else if let Some(value) = line.strip_prefix("data:") {
                        data.push_str(value.trim());
                    }
                }
                if data.is_empty() && message.id.is_none() {
                    continue; // a comment
                }
                message.data = serde_json::from_str(&data).unwrap_or(Value::String(data));
                return Some(message);
            }
            let chunk = tokio::time::timeout_at(deadline, self.response.chunk())
                .await
                .ok()?;
            match chunk {
                Ok(Some(bytes)) => self.buffer.push_str(&String::from_utf8_lossy(&bytes)),
                _ => return None,
            }
        }
    }

    /// Every message within `wait`.
    pub(crate) async fn drain(&mut self, wait: Duration) -> Vec<Message> {
        let mut messages = Vec::new();
        while let Some(message) = self.next(wait).await {
            messages.push(message);
        }
        messages
    }
}

/// The session cookie of a person signed in (CGU accepted).
pub(crate) async fn session_of(server: &Running, email: &str) -> String {
    let browser = Browser::new(server);
    browser.sign_in(email, PASSWORD).await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let answer = client
        .post(server.url("/connexion"))
        .form(&[("adresse", email), ("mot_de_passe", PASSWORD)])
        .send()
        .await
        .unwrap();
    let cookie = answer.headers()["set-cookie"].to_str().unwrap();
    cookie.split(';').next().unwrap().to_owned()
}

/// The session cookie of a person signed in (terms accepted) at `base`, a server process or a
/// proxy in front of several.
pub(crate) async fn session_at(base: &str, email: &str) -> String {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let signed_in = client
        .post(format!("{base}/connexion"))
        .form(&[("adresse", email), ("mot_de_passe", PASSWORD)])
        .send()
        .await
        .unwrap();
    let cookie = signed_in.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    client
        .post(format!("{base}/cgu/acceptation"))
        .header("cookie", &cookie)
        .form(&[("accepte", "oui"), ("retour", "")])
        .send()
        .await
        .unwrap();
    cookie
}

/// A first event of a new consignment at Le Havre, just now, for the company with this SIRET.
pub(crate) fn first_event(id: &str, container: &str, siret: &str) -> Value {
    json!({
        "id": id,
        "source": "port_community",
        "type": "arrived",
        // A few minutes ago: the step under way is then not yet late (blocked).
        "occurred_at": (chrono::Utc::now() - chrono::Duration::minutes(5)).to_rfc3339(),
        "site": "FRLEH",
        "references": { "container": container },
        "goods": { "category": "fruit_vegetables", "description": "Avocats" },
        "operator": { "siret": siret },
        "data": { "transport_mode": "sea", "means": "CMA CGM Tage" }
    })
}

pub(crate) async fn post(server: &Running, event: &Value) -> i64 {
    let (status, _, body) = crate::outages::send(server, event).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    serde_json::from_str::<Value>(&body).unwrap()["dossier_id"]
        .as_i64()
        .unwrap()
}

/// The SIRETs of the operator's company and of another one.
pub(crate) async fn sirets(server: &Running) -> (String, String) {
    let own = server
        .store
        .user_by_email(OPERATOR)
        .await
        .unwrap()
        .unwrap()
        .company_id
        .unwrap();
    let companies = server.store.companies().await.unwrap();
    let siret = |keep: &dyn Fn(i64) -> bool| {
        companies
            .iter()
            .find(|c| keep(c.id))
            .unwrap()
            .siret
            .to_string()
    };
    (siret(&|id| id == own), siret(&|id| id != own))
}

async fn streams_carry_only_what_one_may_see(backend: Backend) {
    if let Some(server) =
        streams_of_two_people(backend, reqwest::Client::new(), reqwest::Version::HTTP_11).await
    {
        server.stop().await;
    }
}

/// The same over HTTP/2 without TLS, both people's streams on one connection, as a proxy in front
/// of the server multiplexes them: each still carries only what its reader may see. A form sent
/// over HTTP/2 by an older browser (an `Origin`, no `Sec-Fetch-Site`) is told apart from another
/// site's by the request's authority, HTTP/2 having no `Host`.
async fn one_http2_connection_carries_each_person_s_own_stream(backend: Backend) {
    let client = reqwest::Client::builder()
        .http2_prior_knowledge()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let server = streams_of_two_people(backend, client.clone(), reqwest::Version::HTTP_2).await;
    let Some(server) = server else {
        return;
    };
    let sign_in = |origin: String| {
        client
            .post(server.url("/connexion"))
            .header("origin", origin)
            .form(&[("adresse", OPERATOR), ("mot_de_passe", PASSWORD)])
            .send()
    };
    let own = sign_in(server.url("")).await.unwrap();
    assert_eq!(own.version(), reqwest::Version::HTTP_2);
    assert_eq!(own.status(), StatusCode::SEE_OTHER);
    assert!(!own.headers()["location"]
        .to_str()
        .unwrap()
        .contains("erreur"));
    let forged = sign_in("https://malveillant.example".into()).await.unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    server.stop().await;
}

/// An operator's and an agent's streams opened through `client`: the agent of Le Havre sees two
/// companies' new dossiers, the operator only its own's; both answered in `version`. The server,
/// still running, for more.
async fn streams_of_two_people(
    backend: Backend,
    client: reqwest::Client,
    version: reqwest::Version,
) -> Option<Running> {
    let url = fresh_database(backend).await?;
    let server = Running::start(&config(url)).await;
    assert_eq!(
        Stream::open_with(&client, &server, None, None).await.err(),
        Some(StatusCode::UNAUTHORIZED)
    );

    let operator = session_of(&server, OPERATOR).await;
    let agent = session_of(&server, AGENT_SIVEP).await;
    let mut operator_stream = Stream::open_with(&client, &server, Some(&operator), None)
        .await
        .unwrap();
    let mut agent_stream = Stream::open_with(&client, &server, Some(&agent), None)
        .await
        .unwrap();
    assert_eq!(
        (
            operator_stream.response.version(),
            agent_stream.response.version()
        ),
        (version, version)
    );
    let (own, other) = sirets(&server).await;

    let theirs = post(
        &server,
        &first_event("live-1", &container("AVO", 100), &other),
    )
    .await;
    let mine = post(
        &server,
        &first_event("live-2", &container("AVO", 200), &own),
    )
    .await;

    // The agent of Le Havre sees both; the operator only its company's.
    let seen: Vec<i64> = agent_stream
        .drain(Duration::from_millis(1500))
        .await
        .iter()
        .filter(|m| m.event == "dossier")
        .map(|m| m.data["dossier_id"].as_i64().unwrap())
        .collect();
    assert_eq!(seen, [theirs, mine]);
    let operator_saw = operator_stream.drain(Duration::from_millis(1500)).await;
    // The operator is also told that a notification arrived (the opening of their dossier),
    // which names nothing.
    let (told, operator_saw): (Vec<Message>, Vec<Message>) = operator_saw
        .into_iter()
        .partition(|m| m.event == "notification");
    assert_eq!(told.len(), 1, "{told:?}");
    assert_eq!(told[0].data, json!({}));
    assert_eq!(operator_saw.len(), 1, "{operator_saw:?}");
    assert_eq!(operator_saw[0].data["dossier_id"], mine);
    assert_eq!(operator_saw[0].data["status"], "en_cours");
    Some(server)
}

/// The store publishes what its committed writes change: a write made through the store alone,
/// without any HTTP handler, reaches the open streams, on both engines; and a write rolled back
/// reaches nobody.
async fn writes_through_the_store_alone_reach_open_streams(backend: Backend) {
    let Some(url) = fresh_database(backend).await else {
        return;
    };
    let server = Running::start(&config(url)).await;
    let agent = session_of(&server, AGENT_SIVEP).await;
    let mut stream = Stream::open(&server, Some(&agent), None).await.unwrap();
    let (own, _) = sirets(&server).await;
    let key = server.store.partner_keys().await.unwrap()[0].id;

    // Rolled back: nothing is published.
    let rolled_back =
        app::domain::partner::validate(&first_event("store-0", &container("AVO", 300), &own))
            .unwrap();
    let mut tx = server.store.begin().await.unwrap();
    tx.ingest(&rolled_back, key, chrono::Utc::now())
        .await
        .unwrap();
    drop(tx);

    let event =
        app::domain::partner::validate(&first_event("store-1", &container("AVO", 400), &own))
            .unwrap();
    let app::store::Ingested::Created { dossier_id, .. } = server
        .store
        .ingest(&event, key, chrono::Utc::now())
        .await
        .unwrap()
    else {
        panic!("a new dossier")
    };
    let seen: Vec<Message> = stream
        .drain(Duration::from_millis(1500))
        .await
        .into_iter()
        .filter(|m| m.event == "dossier")
        .collect();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0].data["dossier_id"], dossier_id);
    server.stop().await;
}

async fn reconnecting_replays_what_was_missed(backend: Backend) {
    let Some(url) = fresh_database(backend).await else {
        return;
    };
    let server = Running::start(&config(url)).await;
    let agent = session_of(&server, AGENT_SIVEP).await;
    let (own, _) = sirets(&server).await;
    let mut stream = Stream::open(&server, Some(&agent), None).await.unwrap();
    post(
        &server,
        &first_event("replay-0", &container("RPL", 10), &own),
    )
    .await;
    let last: i64 = stream
        .next(Duration::from_secs(5))
        .await
        .unwrap()
        .id
        .unwrap()
        .parse()
        .unwrap();
    drop(stream);

    // Three events while disconnected.
    for n in 1..=3 {
        post(
            &server,
            &first_event(
                &format!("replay-{n}"),
                &container("RPL", 10 + 100 * n),
                &own,
            ),
        )
        .await;
    }
    let mut again = Stream::open(&server, Some(&agent), Some(last))
        .await
        .unwrap();
    let replayed: Vec<i64> = again
        .drain(Duration::from_millis(1500))
        .await
        .iter()
        .map(|m| m.id.as_ref().unwrap().parse().unwrap())
        .collect();
    assert_eq!(replayed.len(), 3, "{replayed:?}");
    assert!(replayed.windows(2).all(|pair| pair[0] < pair[1]) && replayed[0] > last);
    // And then live again, without repeating them.
    post(
        &server,
        &first_event("replay-4", &container("RPL", 510), &own),
    )
    .await;
    let next = again.next(Duration::from_secs(5)).await.unwrap();
    assert!(next.id.unwrap().parse::<i64>().unwrap() > replayed[2]);

    // Far too far behind (the demo's whole history): told to reload.
    let mut behind = Stream::open(&server, Some(&agent), Some(0)).await.unwrap();
    assert_eq!(
        behind.next(Duration::from_secs(5)).await.unwrap().event,
        "resync"
    );
    server.stop().await;
}

/// A stream is renewed after a while: its last message tells the browser where to resume, the
/// stream ends, and resuming there misses nothing. Once the session is over, the stream stops at
/// its next renewal and coming back is refused.
async fn streams_are_renewed_and_checked_again(backend: Backend) {
    let Some(url) = fresh_database(backend).await else {
        return;
    };
    let mut config = config(url);
    config.live_keep_alive_seconds = 1;
    config.live_renewal_seconds = 2;
    let server = Running::start(&config).await;
    let operator = session_of(&server, OPERATOR).await;
    let (own, _) = sirets(&server).await;
    let mut stream = Stream::open(&server, Some(&operator), None).await.unwrap();
    let first = post(
        &server,
        &first_event("renew-1", &container("RNW", 10), &own),
    )
    .await;
    let seen = stream
        .next_of("dossier", Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(seen.data["dossier_id"], json!(first));
    let position = seen.id.unwrap();

    // Two seconds and up to a half more, then the next keep-alive tick: the renewal.
    let renewal = stream
        .next_of("renouvellement", Duration::from_secs(6))
        .await
        .unwrap();
    assert_eq!(renewal.event, "renouvellement");
    assert_eq!(renewal.id.as_deref(), Some(position.as_str()));
    let waited = std::time::Instant::now();
    assert!(stream.next(Duration::from_secs(3)).await.is_none());
    assert!(
        waited.elapsed() < Duration::from_secs(2),
        "le flux renouvelé se termine"
    );

    // Something happens while the browser comes back: resuming from the renewal gets it.
    let second = post(
        &server,
        &first_event("renew-2", &container("RNW", 20), &own),
    )
    .await;
    let mut resumed = Stream::open(&server, Some(&operator), position.parse().ok())
        .await
        .unwrap();
    let replayed = resumed
        .next_of("dossier", Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(replayed.data["dossier_id"], second);

    // Signed out elsewhere: the stream ends at its renewal, and is refused afterwards.
    let signed_out = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(server.url("/deconnexion"))
        .header("cookie", &operator)
        .send()
        .await
        .unwrap();
    assert!(signed_out.status().is_redirection());
    let last = loop {
        let message = resumed
            .next(Duration::from_secs(6))
            .await
            .expect("le flux est renouvelé");
        if message.event == "renouvellement" {
            break message.id.unwrap();
        }
    };
    assert_eq!(
        Stream::open(&server, Some(&operator), last.parse().ok())
            .await
            .err(),
        Some(StatusCode::UNAUTHORIZED)
    );
    server.stop().await;
}

/// A person may keep a few streams open (their tabs and browsers), not any number: the next one
/// is refused with 429, `Retry-After` and a French sentence, whichever of their sessions asks; a
/// stream that ends, even because its client went away without a word, frees its place.
async fn streams_are_capped_per_person(backend: Backend) {
    let Some(url) = fresh_database(backend).await else {
        return;
    };
    let mut config = config(url);
    config.live_streams_per_person = 2;
    let server = Running::start(&config).await;
    // Two browsers of one person share the person's places.
    let first_browser = session_of(&server, OPERATOR).await;
    let second_browser = session_of(&server, OPERATOR).await;
    assert_ne!(first_browser, second_browser);
    let one = Stream::open(&server, Some(&first_browser), None)
        .await
        .unwrap();
    let _two = Stream::open(&server, Some(&second_browser), None)
        .await
        .unwrap();
    let refused = reqwest::Client::new()
        .get(server.url(STREAM_PATH))
        .header("cookie", &first_browser)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry_after >= 1, "Retry-After: {retry_after}");
    let message = refused.text().await.unwrap();
    assert!(
        message.contains("mises à jour en direct") && message.contains("réessayez dans"),
        "{message}"
    );

    // Someone else is not held back by this person's streams.
    let agent = session_of(&server, AGENT_SIVEP).await;
    assert!(Stream::open(&server, Some(&agent), None).await.is_ok());

    // The first tab is closed: its place is free again as soon as the server sees the connection
    // end (at once here, long before any keep-alive comment).
    drop(one);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        match Stream::open(&server, Some(&first_browser), None).await {
            Ok(_) => break,
            Err(StatusCode::TOO_MANY_REQUESTS) if tokio::time::Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(200)).await
            }
            Err(status) => panic!("la place du flux fermé n'est pas rendue : {status}"),
        }
    }
    server.stop().await;
}

/// A stream opened with this `Last-Event-ID` header, as it is sent.
async fn open_from(server: &Running, cookie: &str, last_event_id: &str) -> Stream {
    let response = reqwest::Client::new()
        .get(server.url(STREAM_PATH))
        .header("cookie", cookie)
        .header("last-event-id", last_event_id)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{last_event_id}");
    Stream {
        response,
        buffer: String::new(),
    }
}

/// A reconnection from a position this history does not have (ahead of the last one, as after a
/// restore of the database; negative; not a number) is told to reload, then gets what happens
/// next: nothing replayed wholesale, nothing held back. One far behind is answered `resync` from
/// the last position alone, without reading the events it missed: on PostgreSQL, while the
/// dossiers are locked by a long write, it still comes at once.
async fn reconnecting_from_an_unknown_position_resyncs(backend: Backend) {
    let Some(url) = fresh_database(backend).await else {
        return;
    };
    let server = Running::start(&config(url)).await;
    let agent = session_of(&server, AGENT_SIVEP).await;
    let (own, _) = sirets(&server).await;
    let last = server.store.last_position().await.unwrap();
    let unknown = [
        (last + 5000).to_string(),
        "-3".to_owned(),
        "pas-un-nombre".to_owned(),
    ];
    // Every case is tried, and every one that goes wrong is told.
    let mut wrong = Vec::new();
    for (n, last_event_id) in unknown.iter().enumerate() {
        let mut stream = open_from(&server, &agent, last_event_id).await;
        let first = stream.next(Duration::from_secs(5)).await;
        if first.as_ref().map(|message| message.event.as_str()) != Some("resync") {
            wrong.push(format!(
                "{last_event_id} : d'abord {first:?} au lieu de resync"
            ));
        }
        let dossier = post(
            &server,
            &first_event(
                &format!("inconnu-{n}"),
                &container("UNK", 10 + 100 * n as u32),
                &own,
            ),
        )
        .await;
        let next = stream.next(Duration::from_secs(5)).await;
        if next
            .as_ref()
            .map(|message| (message.event.as_str(), &message.data["dossier_id"]))
            != Some(("dossier", &json!(dossier)))
        {
            wrong.push(format!(
                "{last_event_id} : ensuite {next:?} au lieu du dossier {dossier}"
            ));
        }
    }

    if let app::store::Engine::Postgres(pool) = server.store.engine() {
        let mut long_write = pool.begin().await.unwrap();
        sqlx::query("LOCK TABLE dossier IN ACCESS EXCLUSIVE MODE")
            .execute(&mut *long_write)
            .await
            .unwrap();
        let answered = tokio::time::timeout(Duration::from_secs(5), async {
            let mut behind = open_from(&server, &agent, "0").await;
            behind.next(Duration::from_secs(5)).await
        })
        .await;
        long_write.rollback().await.unwrap();
        match answered {
            Ok(Some(message)) if message.event == "resync" => {}
            Ok(other) => wrong.push(format!("0, dossiers verrouillés : {other:?}")),
            Err(_) => wrong.push(
                "0, dossiers verrouillés : pas de réponse en 5 s (les événements manqués sont lus)"
                    .to_owned(),
            ),
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
    server.stop().await;
}

crate::helpers::on_both_stores!(
    streams_carry_only_what_one_may_see,
    one_http2_connection_carries_each_person_s_own_stream,
    reconnecting_replays_what_was_missed,
    streams_are_renewed_and_checked_again,
    streams_are_capped_per_person,
    reconnecting_from_an_unknown_position_resyncs,
    writes_through_the_store_alone_reach_open_streams
);

/// Two server processes on one PostgreSQL database: an event committed through one reaches the
/// streams opened on the other, and a lost listening connection makes the streams resync.
#[tokio::test]
async fn two_server_processes_share_their_events_through_postgresql() {
    let Some(url) = fresh_database(Backend::Postgres).await else {
        return;
    };
    // The first process seeds the demo; the second starts on the same database once it is ready.
    let first = ServerProcess::start(&url).await;
    let second = ServerProcess::start(&url).await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let cookie = session_at(&second.url(""), AGENT_SIVEP).await;
    let response = client
        .get(second.url("/api/v1/stream"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let mut stream = Stream {
        response,
        buffer: String::new(),
    };

    // Committed through the first process, delivered by the second.
    let mut event = first_event("processus-1", &container("PRC", 1), "");
    event.as_object_mut().unwrap().remove("operator");
    let sent = client
        .post(first.url("/api/v1/events"))
        .bearer_auth(DEMO_API_KEY)
        .json(&event)
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), StatusCode::CREATED);
    let dossier = sent.json::<Value>().await.unwrap()["dossier_id"].clone();
    let message = stream
        .next(Duration::from_secs(10))
        .await
        .expect("l'événement passe d'un processus à l'autre");
    assert_eq!(message.event, "dossier");
    assert_eq!(message.data["dossier_id"], dossier);

    // The second process loses its listening connection: its streams are told to reload
    // rather than silently missing what was notified meanwhile.
    let admin = app::store::Store::connect(&url).await.unwrap();
    let app::store::Engine::Postgres(pool) = admin.engine() else {
        unreachable!()
    };
    let ended: Vec<bool> = sqlx::query_scalar(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE datname = current_database() AND query ILIKE 'LISTEN%'",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    assert!(ended.len() >= 2, "un écouteur par processus : {ended:?}");
    let message = stream
        .next(Duration::from_secs(10))
        .await
        .expect("un message après la perte de l'écoute");
    assert_eq!(message.event, "resync");
    admin.close().await;
}

/// The real `server` binary serving a database, killed when dropped.
pub(crate) struct ServerProcess {
    child: std::process::Child,
    port: u16,
}

impl ServerProcess {
    pub(crate) async fn start(database_url: &str) -> ServerProcess {
        ServerProcess::start_with(database_url, &[]).await
    }

    /// With more environment variables.
    pub(crate) async fn start_with(database_url: &str, env: &[(&str, &str)]) -> ServerProcess {
        // A free port is found, then released for the process to bind: meanwhile another test's
        // process may take it. Then ours exits at once, and the answers on that port are the
        // other's: so the process is only taken once it is seen listening there itself, and
        // started again on another port if it exited.
        for _ in 0..5 {
            if let Some(process) = Self::try_start(database_url, env).await {
                return process;
            }
        }
        panic!("le processus serveur n'a pas pu prendre de port");
    }

    async fn try_start(database_url: &str, env: &[(&str, &str)]) -> Option<ServerProcess> {
        let port = {
            let socket = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            socket.local_addr().unwrap().port()
        };
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_server"));
        command.arg("serve").env("DATABASE_URL", database_url);
        if database_url.starts_with("postgres") {
            // The schema's owner migrates; the process serves as the application's role.
            command.env(
                "SESAME_OWNER_DATABASE_URL",
                crate::helpers::as_role(database_url, crate::helpers::OWNER_ROLE),
            );
        }
        let child = command
            .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
            .env("SESAME_DEMO", "1")
            .env("SESAME_DEMO_API_KEY", DEMO_API_KEY)
            // Time is not what these tests look at: no clock, no alerts opened on the demo.
            .env("SESAME_CLOCK_SECONDS", "0")
            .env("SESAME_LOG", "warn")
            // Its mails (the notifications of the events a test sends) stay out of the tree.
            .env(
                "SESAME_MAIL_FOLDER",
                std::env::temp_dir().join(format!("sesame-test-mails-{}", uuid::Uuid::new_v4())),
            )
            .envs(env.iter().copied())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("le binaire démarre");
        let mut process = ServerProcess { child, port };
        let client = reqwest::Client::new();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(90);
        loop {
            if process.child.try_wait().ok().flatten().is_some() {
                return None;
            }
            if let Ok(response) = client.get(process.url("/readyz")).send().await {
                if response.status() == StatusCode::OK && listening(process.child.id(), port) {
                    return Some(process);
                }
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "le processus serveur n'est pas prêt"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub(crate) fn port(&self) -> u16 {
        self.port
    }

    /// Its resident memory, in KiB (Linux).
    pub(crate) fn resident_kib(&self) -> u64 {
        std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default()
            .lines()
            .find_map(|line| line.strip_prefix("VmRSS:"))
            .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0)
    }

    /// Stops it as an orchestrator does: SIGTERM, then waits for it to exit (it lets the
    /// requests under way finish); its exit status.
    pub(crate) fn terminate(mut self) -> std::process::ExitStatus {
        let sent = std::process::Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill");
        assert!(sent.success());
        self.child.wait().expect("le processus se termine")
    }
}

/// Whether process `pid` holds the socket listening on `port` (Linux: the listening sockets of
/// `/proc/net/tcp*`, by inode, among the process's descriptors).
fn listening(pid: u32, port: u16) -> bool {
    let wanted = format!(":{port:04X}");
    let inodes: Vec<String> = ["/proc/net/tcp", "/proc/net/tcp6"]
        .iter()
        .filter_map(|table| std::fs::read_to_string(table).ok())
        .flat_map(|table| {
            table
                .lines()
                .skip(1)
                .filter_map(|line| {
                    let fields: Vec<&str> = line.split_whitespace().collect();
                    let local = fields.get(1)?;
                    if !local.ends_with(&wanted) || fields.get(3) != Some(&"0A") {
                        return None;
                    }
                    Some(format!("socket:[{}]", fields.get(9)?))
                })
                .collect::<Vec<_>>()
        })
        .collect();
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .filter_map(|entry| std::fs::read_link(entry.path()).ok())
        .any(|target| {
            inodes
                .iter()
                .any(|inode| target.to_string_lossy() == *inode)
        })
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
