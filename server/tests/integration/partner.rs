//! The partner interface on the real server, on both stores: keys and their scope, idempotency
//! and conflicts, French problem documents naming every faulty field, batches, correlation of
//! references into one dossier, and timelines derived from event times whatever the arrival
//! order.

use app::domain::journey::StepState;
use app::store::Backend;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{config, container, fresh_database, Running, DEMO_API_KEY};

pub(crate) struct Partner<'a> {
    pub server: &'a Running,
    pub key: String,
}

impl Partner<'_> {
    pub async fn send(&self, body: &Value) -> (StatusCode, Value, reqwest::header::HeaderMap) {
        self.send_raw(body.to_string()).await
    }

    /// Sends `events` as one batch, each of which must be recorded anew.
    pub async fn send_new_batch(&self, events: Vec<Value>) {
        let (status, body, _) = self.send(&serde_json::json!({ "events": events })).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(
            body["results"]
                .as_array()
                .unwrap()
                .iter()
                .all(|result| result["status"] == "created"),
            "{body}"
        );
    }

    pub async fn send_raw(&self, body: String) -> (StatusCode, Value, reqwest::header::HeaderMap) {
        let response = reqwest::Client::new()
            .post(self.server.url("/api/v1/events"))
            .bearer_auth(&self.key)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap();
        let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
        (status, value, headers)
    }
}

/// A valid MRN (check character computed).
fn mrn(body: &str) -> String {
    app::domain::references::Mrn::from_parts(26, "FR", body, 'A')
        .unwrap()
        .to_string()
}

/// A DSCE lodged for a new container at Le Havre.
pub(crate) fn ched_lodged(id: &str, container: &str, ched: &str, at: &str) -> Value {
    json!({
        "id": id,
        "source": "traces",
        "type": "ched_lodged",
        "occurred_at": at,
        "site": "FRLEH",
        "post": "FRLEH1",
        "references": { "container": container, "ched": ched },
        "goods": { "category": "animal_products", "description": "Crevettes congelées" },
        "data": { "ched_type": "P" }
    })
}

/// An event at Le Havre from the first source that is the authority for its type.
pub(crate) fn event(id: &str, kind: &str, container: &str, at: &str, data: Value) -> Value {
    let kind_code = kind;
    let kind = app::domain::journey::EventKind::from_code(kind).expect("type connu");
    let source = app::domain::journey::EventSource::ALL
        .into_iter()
        .find(|source| source.reports(kind))
        .expect("une source fait autorité");
    json!({
        "id": id,
        "source": source.code(),
        "type": kind_code,
        "occurred_at": at,
        "site": "FRLEH",
        "references": { "container": container },
        "goods": { "category": "animal_products", "description": "Crevettes congelées" },
        "data": data
    })
}

pub(crate) async fn start(backend: Backend) -> Option<Running> {
    let url = fresh_database(backend).await?;
    let mut config = config(url);
    config.partner_events_burst = 1_000_000;
    config.partner_requests_burst = 100_000;
    Some(Running::start(&config).await)
}

pub(crate) fn problem_fields(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| e["field"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

async fn keys_and_their_scope(backend: Backend) {
    let Some(server) = start(backend).await else {
        return;
    };
    let event = ched_lodged(
        "T-1",
        "MSKU1234565",
        "CHEDP.FR.2026.0000001",
        "2026-11-20T08:00:00+01:00",
    );
    for key in ["", "cle-inconnue"] {
        let (status, body, headers) = Partner {
            server: &server,
            key: key.into(),
        }
        .send(&event)
        .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        assert_eq!(headers["content-type"], "application/problem+json");
        assert!(
            body["detail"]
                .as_str()
                .unwrap()
                .to_lowercase()
                .contains("clé d'api"),
            "{body}"
        );
    }
    // A key for customs at Dunkerque only.
    let mut tx = server.store.begin().await.unwrap();
    tx.insert_partner_key(
        "Douane Dunkerque",
        &app::state::token_hash("cle-douane"),
        "customs",
        "FRDKK",
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let (status, body, _) = Partner {
        server: &server,
        key: "cle-douane".into(),
    }
    .send(&event)
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(problem_fields(&body), ["source", "site"]);
    server.stop().await;
}

async fn idempotency_conflicts_and_problems(backend: Backend) {
    let Some(server) = start(backend).await else {
        return;
    };
    let partner = Partner {
        server: &server,
        key: DEMO_API_KEY.into(),
    };
    let event = ched_lodged(
        "T-1",
        "msku 123456-5",
        "CHEDP.FR.2026.0000001",
        "2026-11-20T08:00:00+01:00",
    );
    let (status, created, _) = partner.send(&event).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["status"], "created");
    assert_eq!(created["id"], "T-1");
    let dossier_id = created["dossier_id"].as_i64().unwrap();
    let (status, again, _) = partner.send(&event).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again["status"], "duplicate");
    assert_eq!(again["dossier_id"], dossier_id);
    let mut other = event.clone();
    other["occurred_at"] = json!("2026-11-20T09:00:00+01:00");
    let (status, conflict, headers) = partner.send(&other).await;
    assert_eq!(status, StatusCode::CONFLICT, "{conflict}");
    assert_eq!(headers["content-type"], "application/problem+json");
    assert_eq!(problem_fields(&conflict), ["id"]);

    // Every faulty field, in French, with what is expected.
    let mut wrong = ched_lodged("T-2", "MSKU1234566", "CHEDP.FR.2026.0000002", "hier");
    wrong["site"] = json!("FRZZZ");
    wrong["goods"]["category"] = json!("bananes");
    let (status, problem, _) = partner.send(&wrong).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(
        problem_fields(&problem),
        ["occurred_at", "references.container", "goods.category"]
    );
    let messages = problem["errors"].to_string();
    assert!(
        messages.contains("chiffre de contrôle") || messages.contains('5'),
        "{messages}"
    );
    // A site that passes the rules but that the platform does not serve.
    // A post that is on another site.
    let mut elsewhere = ched_lodged(
        "T-4",
        "MSKU1234565",
        "CHEDP.FR.2026.0000004",
        "2026-11-20T08:00:00Z",
    );
    elsewhere["site"] = json!("FRFOS");
    let (status, problem, _) = partner.send(&elsewhere).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem_fields(&problem), ["post"]);
    let mut unknown = ched_lodged(
        "T-3",
        "MSKU1234565",
        "CHEDP.FR.2026.0000003",
        "2026-11-20T08:00:00Z",
    );
    unknown["site"] = json!("FRBOD");
    unknown["post"] = Value::Null;
    let (status, problem, _) = partner.send(&unknown).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem_fields(&problem), ["site"]);

    let (status, problem, _) = partner.send_raw("{\"id\": ".into()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        problem["detail"].as_str().unwrap().contains("JSON"),
        "{problem}"
    );
    server.stop().await;
}

async fn batches_commit_what_is_valid(backend: Backend) {
    let Some(server) = start(backend).await else {
        return;
    };
    let partner = Partner {
        server: &server,
        key: DEMO_API_KEY.into(),
    };
    let batch = json!({ "events": [
        ched_lodged("B-1", &container("TGH", 876543), "CHEDP.FR.2026.0000010", "2026-11-20T08:00:00Z"),
        event("B-2", "arrived", &container("TGH", 876543), "not a date", json!({ "transport_mode": "sea", "means": "MSC Aurora" })),
        event("B-3", "arrived", &container("TGH", 876543), "2026-11-21T08:00:00Z", json!({ "transport_mode": "sea", "means": "MSC Aurora" })),
    ]});
    let (status, body, _) = partner.send(&batch).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let results = body["results"].as_array().unwrap();
    let statuses: Vec<&str> = results
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["created", "rejected", "created"]);
    assert_eq!(results[1]["errors"][0]["field"], "occurred_at");
    assert_eq!(
        results[0]["dossier_id"], results[2]["dossier_id"],
        "same container, same dossier"
    );
    let dossier = server
        .store
        .dossier(results[0]["dossier_id"].as_i64().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(dossier.events.len(), 2, "the rejected item changed nothing");

    let too_many = json!({ "events": vec![json!({}); 1001] });
    let (status, body, _) = partner.send(&too_many).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    server.stop().await;
}

/// Batches are recorded a chunk to a transaction, each taking its sites first: two partners
/// sending at once batches that name two sites in opposite orders never wait on each other for
/// ever (every item is created, none refused for an outage), and the stream gives each batch's
/// events in the batch's order, every event once.
async fn crossed_batches_all_land_in_order(backend: Backend) {
    let Some(server) = start(backend).await else {
        return;
    };
    const BATCHES: usize = 6;
    const PER_SITE: usize = 15;
    let lodged = |id: String, site: &str, serial: usize| {
        json!({
            "id": id,
            "source": "traces",
            "type": "ched_lodged",
            "occurred_at": "2026-11-20T08:00:00Z",
            "site": site,
            "references": { "ched": format!("CHEDP.FR.2026.{:07}", 5_000_000 + serial) },
            "goods": { "category": "animal_products", "description": "Crevettes congelées" },
            "data": { "ched_type": "P" }
        })
    };
    let mut senders = Vec::new();
    for (sender, sites) in [["FRLEH", "FRCDG"], ["FRCDG", "FRLEH"]]
        .into_iter()
        .enumerate()
    {
        let url = server.url("/api/v1/events");
        let batches: Vec<Value> = (0..BATCHES)
            .map(|batch| {
                let events: Vec<Value> = sites
                    .iter()
                    .enumerate()
                    .flat_map(|(place, site)| {
                        (0..PER_SITE).map(move |n| {
                            let serial = ((sender * BATCHES + batch) * 2 + place) * PER_SITE + n;
                            (format!("X-{sender}-{batch}-{place}-{n:02}"), *site, serial)
                        })
                    })
                    .map(|(id, site, serial)| lodged(id, site, serial))
                    .collect();
                json!({ "events": events })
            })
            .collect();
        senders.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            let mut statuses = Vec::new();
            for batch in batches {
                let response = client
                    .post(&url)
                    .bearer_auth(DEMO_API_KEY)
                    .json(&batch)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(response.status(), StatusCode::OK);
                let body: Value = response.json().await.unwrap();
                statuses.extend(
                    body["results"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|result| result["status"].as_str().unwrap().to_owned()),
                );
            }
            statuses
        }));
    }
    for sender in senders {
        let statuses = sender.await.unwrap();
        assert_eq!(statuses.len(), BATCHES * 2 * PER_SITE);
        assert!(
            statuses.iter().all(|status| status == "created"),
            "{statuses:?}"
        );
    }
    let streamed = server.store.live_events_after(0, 100_000).await.unwrap();
    let positions: std::collections::BTreeSet<i64> =
        streamed.iter().map(|event| event.position).collect();
    assert_eq!(
        positions.len(),
        streamed.len(),
        "une position par événement"
    );
    // Each batch's events come in the order of its items (each opened its own dossier, whose
    // DSCE number tells the batch and the rank).
    let mut last_of_batch = std::collections::BTreeMap::new();
    let mut found = 0;
    for event in &streamed {
        let dossier = server
            .store
            .dossier(event.dossier_id)
            .await
            .unwrap()
            .unwrap();
        let Some(ched) = dossier.summary.references.ched else {
            continue;
        };
        let serial: usize = ched
            .to_string()
            .rsplit('.')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let Some(serial) = serial.checked_sub(5_000_000) else {
            continue;
        };
        found += 1;
        let (batch, rank) = (serial / (2 * PER_SITE), serial % (2 * PER_SITE));
        if let Some(previous) = last_of_batch.insert(batch, rank) {
            assert!(previous < rank, "lot {batch} : {previous} puis {rank}");
        }
    }
    assert_eq!(found, 2 * BATCHES * 2 * PER_SITE);
    server.stop().await;
}

async fn references_correlate_into_one_dossier(backend: Backend) {
    let Some(server) = start(backend).await else {
        return;
    };
    let partner = Partner {
        server: &server,
        key: DEMO_API_KEY.into(),
    };
    let (_, first, _) = partner
        .send(&ched_lodged(
            "C-1",
            &container("CAI", 123456),
            "CHEDP.FR.2026.0000020",
            "2026-11-20T08:00:00Z",
        ))
        .await;
    let dossier_id = first["dossier_id"].as_i64().unwrap();
    // A customs declaration carrying the MRN and the container joins the DSCE's dossier.
    let mut declaration = event(
        "C-2",
        "customs_declaration_lodged",
        &container("CAI", 123456),
        "2026-11-22T08:00:00Z",
        json!({}),
    );
    declaration["source"] = json!("customs");
    declaration["references"]["mrn"] = json!(mrn("000000000001"));
    let (status, joined, _) = partner.send(&declaration).await;
    if status != StatusCode::CREATED {
        // The MRN in this test must be valid by the foundation's rules; say so plainly if not.
        panic!("déclaration refusée : {joined}");
    }
    assert_eq!(joined["dossier_id"], dossier_id);
    let dossier = server.store.dossier(dossier_id).await.unwrap().unwrap();
    assert!(
        dossier.summary.references.mrn.is_some(),
        "the MRN is now a reference of the dossier"
    );
    // One search box: the container or the MRN, typed as people type them, finds it alone.
    for typed in [container("CAI", 123456).to_lowercase(), mrn("000000000001")] {
        let found = server
            .store
            .dossiers(
                &app::domain::dossier::DossierQuery {
                    reference: Some(
                        app::domain::references::AnyReference::recognise(&typed).unwrap(),
                    ),
                    ..Default::default()
                },
                &app::domain::access::DossierScope::All,
            )
            .await
            .unwrap();
        assert_eq!(
            found.total,
            app::domain::dossier::Count::Exact(1),
            "{typed}"
        );
        assert_eq!(found.dossiers[0].id, dossier_id);
    }

    // Two references naming two different dossiers: reported, not merged.
    let (_, other, _) = partner
        .send(&ched_lodged(
            "C-3",
            &container("TGH", 123456),
            "CHEDP.FR.2026.0000021",
            "2026-11-20T08:00:00Z",
        ))
        .await;
    let other_id = other["dossier_id"].as_i64().unwrap();
    let mut both = event(
        "C-4",
        "unloaded",
        &container("TGH", 123456),
        "2026-11-23T08:00:00Z",
        json!({}),
    );
    both["references"]["ched"] = json!("CHEDP.FR.2026.0000020");
    let (status, body, _) = partner.send(&both).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let alerts = crate::helpers::correlation_alerts(&server.store, "rapprochement").await;
    assert_eq!(alerts.len(), 1, "one alert: both dossiers are of one site");
    let alert = &alerts[0];
    assert_eq!(alert.dossier_id, Some(dossier_id.min(other_id)));
    for named in [dossier_id, other_id] {
        assert!(
            alert.detail.contains(&format!("le dossier n° {named} (")),
            "{}",
            alert.detail
        );
    }
    assert!(
        alert.detail.contains("rien n'a été fusionné"),
        "{}",
        alert.detail
    );
    agents_close_correlation_alerts(&server, alert.id).await;
    server.stop().await;
}

/// The alert as agents meet it: on their desk, where the former page leads, closed with what
/// they found; nobody else may.
async fn agents_close_correlation_alerts(server: &Running, alert_id: i64) {
    use crate::accounts::{Browser, AGENT_SIVEP, OPERATOR};
    let password = server::config::DEFAULT_DEMO_PASSWORD;
    let path = "/alertes?regle=rapprochement";
    let closing = format!("/alertes/{alert_id}/cloture");
    let card = format!("id=\"alerte-{alert_id}\"");

    // Links to the former page lead to the desk, showing these alerts.
    let former = crate::helpers::no_redirects()
        .get(server.url("/alertes-correlation"))
        .send()
        .await
        .unwrap();
    assert_eq!(former.status(), StatusCode::PERMANENT_REDIRECT);
    assert_eq!(former.headers()["location"], path);

    let operator = Browser::new(server);
    operator.sign_in(OPERATOR, password).await;
    assert_eq!(operator.page(path).await.0, 403);
    let refused = operator.post(&closing, &[("note", "Je ferme ceci")]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    // Supervisors follow the alerts; closing them is the agents' work.
    let supervisor = Browser::new(server);
    supervisor
        .sign_in("superviseur@demo.sesame.test", password)
        .await;
    let (status, page) = supervisor.page(path).await;
    assert_eq!(status, 200);
    assert!(page.contains(&card), "{page}");
    assert!(page.contains("références de plusieurs dossiers"), "{page}");
    assert!(!page.contains("Clore l'alerte"));
    let refused = supervisor
        .post(&closing, &[("note", "Vu par la supervision")])
        .await;
    assert!(
        refused.location.contains("erreur=alerte-introuvable"),
        "{}",
        refused.location
    );

    let agent = Browser::new(server);
    agent.sign_in(AGENT_SIVEP, password).await;
    let (status, page) = agent.page(path).await;
    assert_eq!(status, 200);
    assert!(page.contains(&card), "{page}");
    assert!(page.contains("Clore l'alerte"));
    let empty = agent.post(&closing, &[("note", "  ")]).await;
    assert_eq!(empty.location, "/alertes?erreur=alerte-note");
    assert_eq!(
        crate::helpers::correlation_alerts(&server.store, "rapprochement")
            .await
            .len(),
        1
    );
    let closed = agent
        .post(
            &closing,
            &[(
                "note",
                "Conteneur mal saisi par le guichet portuaire ; signalé.",
            )],
        )
        .await;
    assert_eq!(closed.location, "/alertes?message=alerte-close");
    assert!(
        crate::helpers::correlation_alerts(&server.store, "rapprochement")
            .await
            .is_empty()
    );
    assert!(!agent.page(path).await.1.contains(&card));
    // What they found stays with the alert, closed.
    let (_, closed_page) = agent.page("/alertes?regle=rapprochement&etat=close").await;
    assert!(
        closed_page.contains("Conteneur mal saisi par le guichet portuaire"),
        "{closed_page}"
    );
    let again = agent.post(&closing, &[("note", "Une seconde fois")]).await;
    assert_eq!(again.location, "/alertes?erreur=alerte-introuvable");
    let unknown = agent
        .post("/alertes/999999/cloture", &[("note", "Inconnue")])
        .await;
    assert_eq!(unknown.location, "/alertes?erreur=alerte-introuvable");
}

/// The technical administrator creates a key in the browser, sees it once, and revokes it.
async fn administrators_manage_partner_keys(backend: Backend) {
    use crate::accounts::{Browser, AGENT_SIVEP};
    let Some(server) = start(backend).await else {
        return;
    };
    let password = server::config::DEFAULT_DEMO_PASSWORD;
    let path = "/administration/cles-partenaires";

    let agent = Browser::new(&server);
    agent.sign_in(AGENT_SIVEP, password).await;
    assert_eq!(agent.page(path).await.0, 403);
    let refused = agent
        .post(path, &[("nom", "Intrus"), ("sources", "*"), ("sites", "*")])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    let admin = Browser::new(&server);
    admin.sign_in("admin@demo.sesame.test", password).await;
    assert_eq!(admin.page(path).await.0, 200);
    for (form, error) in [
        ([("nom", " "), ("sources", "*"), ("sites", "*")], "cle-nom"),
        (
            [("nom", "Guichet"), ("sources", "fax"), ("sites", "*")],
            "cle-source",
        ),
        (
            [
                ("nom", "Guichet"),
                ("sources", "*"),
                ("sites", "FRLEH,Le Havre"),
            ],
            "cle-sites",
        ),
        (
            [("nom", "Guichet"), ("sources", "*"), ("sites", " ")],
            "cle-sites",
        ),
    ] {
        let answer = admin.post(path, &form).await;
        assert!(
            answer
                .location
                .starts_with(&format!("{path}?erreur={error}")),
            "{}",
            answer.location
        );
    }
    let created = admin
        .post(
            path,
            &[
                ("nom", "Guichet portuaire du Havre"),
                ("sources", "port_community"),
                ("sites", "frleh"),
            ],
        )
        .await;
    assert_eq!(created.location, format!("{path}?message=cle-creee"));
    // Shown once: on the next page, then never again.
    let (_, page) = admin.page(&created.location).await;
    let start = page.find("value=\"sesame_").expect("la clé est affichée") + 7;
    let key: String = page[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    assert!(key.len() > 30, "{key}");
    assert!(page.contains("Guichet portuaire du Havre"));
    assert!(!admin.page(path).await.1.contains(&key));

    // The key works within its scope, and not beyond.
    let partner = Partner {
        server: &server,
        key: key.clone(),
    };
    let unloaded = event(
        "K-1",
        "unloaded",
        &container("CAI", 123456),
        "2026-11-23T08:00:00Z",
        json!({}),
    );
    assert_eq!(partner.send(&unloaded).await.0, StatusCode::CREATED);
    let mut elsewhere = unloaded.clone();
    elsewhere["id"] = json!("K-2");
    elsewhere["site"] = json!("FRFOS");
    elsewhere["post"] = json!("FRFOS1");
    assert_eq!(partner.send(&elsewhere).await.0, StatusCode::FORBIDDEN);

    let keys = server.store.partner_keys().await.unwrap();
    let id = keys
        .iter()
        .find(|k| k.name == "Guichet portuaire du Havre")
        .unwrap()
        .id;
    assert_eq!(keys.iter().find(|k| k.id == id).unwrap().sites, "FRLEH");
    let revoked = admin.post(&format!("{path}/{id}/revocation"), &[]).await;
    assert_eq!(revoked.location, format!("{path}?message=cle-revoquee"));
    let mut after = unloaded.clone();
    after["id"] = json!("K-3");
    assert_eq!(partner.send(&after).await.0, StatusCode::UNAUTHORIZED);
    let twice = admin.post(&format!("{path}/{id}/revocation"), &[]).await;
    assert_eq!(twice.location, format!("{path}?erreur=cle-introuvable"));
    server.stop().await;
}

async fn timelines_follow_event_times_not_arrival(backend: Backend) {
    let Some(server) = start(backend).await else {
        return;
    };
    let partner = Partner {
        server: &server,
        key: DEMO_API_KEY.into(),
    };
    let journey = |prefix: &str, container: &str, ched: &str| {
        vec![
            ched_lodged(
                &format!("{prefix}-1"),
                container,
                ched,
                "2026-11-20T08:00:00Z",
            ),
            event(
                &format!("{prefix}-2"),
                "arrived",
                container,
                "2026-11-21T06:00:00Z",
                json!({ "transport_mode": "sea", "means": "CMA CGM Rhône" }),
            ),
            event(
                &format!("{prefix}-3"),
                "unloaded",
                container,
                "2026-11-21T10:00:00Z",
                json!({}),
            ),
            event(
                &format!("{prefix}-4"),
                "documentary_check_done",
                container,
                "2026-11-21T12:00:00Z",
                json!({ "result": "satisfactory" }),
            ),
            event(
                &format!("{prefix}-5"),
                "checks_selected",
                container,
                "2026-11-21T12:00:00Z",
                json!({ "identity": true, "physical": false }),
            ),
        ]
    };
    let in_order = journey("O", &container("MSC", 555555), "CHEDP.FR.2026.0000030");
    let mut reversed = journey("R", &container("TCL", 777777), "CHEDP.FR.2026.0000031");
    reversed.reverse();
    let mut ids = Vec::new();
    for (events, label) in [(in_order, "dans l'ordre"), (reversed, "à rebours")] {
        let mut id = None;
        for event in events {
            let (status, body, _) = partner.send(&event).await;
            assert_eq!(status, StatusCode::CREATED, "{label} : {body}");
            id = body["dossier_id"].as_i64();
        }
        ids.push(id.unwrap());
    }
    let first = server.store.dossier(ids[0]).await.unwrap().unwrap();
    let second = server.store.dossier(ids[1]).await.unwrap().unwrap();
    let states = |dossier: &app::domain::dossier::Dossier| {
        dossier
            .steps
            .iter()
            .map(|s| (s.kind, s.state, s.started_at, s.ended_at))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        states(&first),
        states(&second),
        "même parcours quel que soit l'ordre d'arrivée"
    );
    let identity = first
        .steps
        .iter()
        .find(|s| s.kind == app::domain::journey::StepKind::IdentityCheck)
        .unwrap();
    assert!(matches!(
        identity.state,
        StepState::EnCours | StepState::Bloque
    ));
    let physical = first
        .steps
        .iter()
        .find(|s| s.kind == app::domain::journey::StepKind::PhysicalCheck)
        .unwrap();
    assert_eq!(physical.state, StepState::NonRequis);
    assert_eq!(
        first.summary.opened_at.to_rfc3339(),
        "2026-11-20T08:00:00+00:00"
    );
    assert_eq!(
        second.summary.opened_at.to_rfc3339(),
        "2026-11-20T08:00:00+00:00",
        "opened when it began, not when its first event arrived"
    );
    server.stop().await;
}

async fn each_key_has_a_budget(backend: Backend) {
    let Some(url) = fresh_database(backend).await else {
        return;
    };
    let mut config = config(url);
    config.partner_events_per_minute = 6;
    config.partner_events_burst = 2;
    let server = Running::start(&config).await;
    let partner = Partner {
        server: &server,
        key: DEMO_API_KEY.into(),
    };
    let event = ched_lodged(
        "L-1",
        "MSKU1234565",
        "CHEDP.FR.2026.0000040",
        "2026-11-20T08:00:00Z",
    );
    for _ in 0..2 {
        assert!(partner.send(&event).await.0.is_success());
    }
    let (status, body, headers) = partner.send(&event).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert!(headers.contains_key("retry-after"));
    assert_eq!(headers["content-type"], "application/problem+json");
    server.stop().await;
}

crate::helpers::on_both_stores!(
    keys_and_their_scope,
    idempotency_conflicts_and_problems,
    batches_commit_what_is_valid,
    crossed_batches_all_land_in_order,
    references_correlate_into_one_dossier,
    timelines_follow_event_times_not_arrival,
    each_key_has_a_budget,
    the_simulator_feeds_the_platform,
    administrators_manage_partner_keys,
);

/// The OpenAPI document says what the server does: its lists are the server's, its example is
/// accepted, and each field it calls required is refused when missing, by name.
#[tokio::test]
async fn the_openapi_document_matches_the_server() {
    let Some(server) = start(Backend::Sqlite).await else {
        return;
    };
    let document: Value = reqwest::get(server.url("/api/v1/openapi.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(document["openapi"], "3.0.3");
    let event = &document["components"]["schemas"]["Evenement"];
    let listed = |value: &Value| -> Vec<String> {
        value
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        listed(&event["properties"]["type"]["enum"]),
        app::domain::journey::EventKind::ALL.map(|k| k.code().to_owned())
    );
    assert_eq!(
        listed(&event["properties"]["source"]["enum"]),
        app::domain::journey::EventSource::ALL.map(|s| s.code().to_owned())
    );
    let partner = Partner {
        server: &server,
        key: DEMO_API_KEY.into(),
    };
    let example = document["paths"]["/api/v1/events"]["post"]["requestBody"]["content"]
        ["application/json"]["example"]
        .clone();
    let (status, body, _) = partner.send(&example).await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "l'exemple du document est accepté : {body}"
    );
    for field in listed(&event["required"]) {
        let mut missing = example.clone();
        missing["id"] = json!(format!("sans-{field}"));
        missing.as_object_mut().unwrap().remove(&field);
        let (status, body, _) = partner.send(&missing).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "sans {field} : {body}"
        );
        assert!(
            problem_fields(&body).contains(&field),
            "sans {field} : {body}"
        );
    }
    server.stop().await;
}

/// The simulator plays partner traffic through the real interface: every event it sends is
/// accepted, and consignments open and move along.
async fn the_simulator_feeds_the_platform(backend: Backend) {
    let Some(server) = start(backend).await else {
        return;
    };
    let before = server.store.dossier_count().await.unwrap();
    let sent = server::tools::simulator::run(
        &server.store,
        server::tools::simulator::Settings {
            url: server.url(""),
            key: DEMO_API_KEY.into(),
            rate: 500.0,
            acceleration: 1e9,
            events: Some(120),
            seed: 7,
        },
    )
    .await
    .expect("every simulated event is accepted");
    assert_eq!(sent, 120);
    let after = server.store.dossier_count().await.unwrap();
    assert!(after > before + 5, "{before} → {after}");
    assert!(
        crate::helpers::correlation_alerts(&server.store, "rapprochement")
            .await
            .is_empty(),
        "one dossier per consignment"
    );
    server.stop().await;
}
