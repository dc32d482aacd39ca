//! The goods each border control post is approved for, on both stores: stored and read with the
//! directory, left unrecorded for posts that existed before (the migration claims nothing), kept
//! by every demo dossier, and checked on partner events: goods sent to a post not approved for
//! them are accepted, with a warning in the answer and an alert that only the agents of the
//! post's site (and supervisors) see.

use app::domain::directory::{Administration, Post, Role};
use app::domain::dossier::{DossierQuery, GoodsCategory};
use app::domain::references::{Awb, Locode, PostCode};
use app::store::{Backend, Engine, NewHabilitation, NewUser, Store};
use chrono::{Duration, Utc};
use reqwest::StatusCode;
use serde_json::json;

use crate::accounts::{Browser, AGENT_SIVEP, OPERATOR, PASSWORD};
use crate::helpers::{as_role, fresh_database, on_both_stores, Running, DEMO_API_KEY, OWNER_ROLE};
use crate::partner::{start, Partner};

/// Every post of the demo says what it is approved for, and every demo dossier went through a
/// post approved for its goods (no pistachios at the live-animal station).
async fn demo_dossiers_go_through_posts_approved_for_their_goods(backend: Backend) {
    let Some(server) = start(backend).await else {
        return;
    };
    let posts = server.store.posts().await.unwrap();
    assert!(!posts.is_empty());
    for post in &posts {
        assert!(
            !post.approvals.is_empty(),
            "le poste {} de la démonstration doit avoir ses agréments",
            post.code
        );
    }
    let animals = posts
        .iter()
        .find(|post| post.code.as_str() == "FRCDG5")
        .expect("la station animalière de Roissy");
    assert_eq!(animals.approvals, [GoodsCategory::LiveAnimals]);

    let total = server.store.dossier_count().await.unwrap();
    assert_eq!(total, server::tools::demo::DOSSIER_COUNT as i64);
    let mut read = 0;
    let mut goods_seen = std::collections::HashSet::new();
    let mut start = Some(app::domain::dossier::PageStart::First);
    while let Some(from) = start {
        let found = server
            .store
            .dossiers(
                &DossierQuery {
                    start: from,
                    ..DossierQuery::default()
                },
                &app::domain::access::DossierScope::All,
            )
            .await
            .unwrap();
        start = found.next;
        for dossier in &found.dossiers {
            read += 1;
            goods_seen.insert(dossier.goods);
            let code = dossier
                .post
                .as_ref()
                .unwrap_or_else(|| panic!("dossier {} sans poste", dossier.id));
            let post = posts.iter().find(|post| &post.code == code).unwrap();
            assert!(
                post.approves(dossier.goods),
                "dossier {} : « {} » ({}) au poste {} ({}), agréé pour {:?}",
                dossier.id,
                dossier.goods_description,
                dossier.goods.code(),
                post.code,
                post.name,
                post.approvals
            );
            assert_eq!(post.site, dossier.site, "dossier {}", dossier.id);
        }
    }
    assert_eq!(read, total, "chaque dossier de la démonstration est lu");
    assert_eq!(
        goods_seen.len(),
        GoodsCategory::ALL.len(),
        "la démonstration garde toutes ses marchandises"
    );
    server.stop().await;
}

/// The directory's creation path writes a post's approvals; they are read back in one order and
/// can be replaced. A post created without any has them unrecorded.
async fn approvals_are_stored_and_read(backend: Backend) {
    let Some(server) = start(backend).await else {
        return;
    };
    let mut tx = server.store.begin().await.unwrap();
    tx.insert_post(&new_post(
        "FRCDG7",
        &[GoodsCategory::Plants, GoodsCategory::LiveAnimals],
    ))
    .await
    .unwrap();
    tx.insert_post(&new_post("FRCDG8", &[])).await.unwrap();
    tx.commit().await.unwrap();
    let read = post(&server.store, "FRCDG7").await;
    assert_eq!(
        read.approvals,
        [GoodsCategory::LiveAnimals, GoodsCategory::Plants]
    );
    assert_eq!(read.administrations, [Administration::Dgal]);
    assert!(post(&server.store, "FRCDG8").await.approvals.is_empty());

    let mut tx = server.store.begin().await.unwrap();
    tx.set_post_approvals(
        &PostCode::parse("FRCDG7").unwrap(),
        &[GoodsCategory::Organic],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        post(&server.store, "FRCDG7").await.approvals,
        [GoodsCategory::Organic]
    );

    // The practical information page shows them, and says when they are not recorded.
    let (status, page) = server.get("/informations-pratiques").await;
    assert_eq!(status, 200);
    assert!(page.contains("id=\"poste-FRCDG7\""), "{page}");
    assert!(page.contains("Produits biologiques"));
    assert!(page.contains("Catégories agréées : non renseignées"));
    server.stop().await;
}

/// A post that existed before migration 0014 has no approval recorded after it: the platform
/// claims nothing about it (and warns nobody) until they are entered.
async fn the_migration_leaves_existing_posts_unrecorded(backend: Backend) {
    let Some(url) = fresh_database(backend).await else {
        return;
    };
    // On PostgreSQL, migrations are the schema owner's work.
    let url = match backend {
        Backend::Postgres => as_role(&url, OWNER_ROLE),
        Backend::Sqlite => url,
    };
    let store = Store::connect(&url).await.unwrap();
    let engine = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    let all = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../migrations")
        .join(engine);
    let before = std::env::temp_dir().join(format!("sesame-migrations-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&before).unwrap();
    for entry in std::fs::read_dir(&all).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().into_string().unwrap();
        if name.as_str() < "0014" {
            std::fs::copy(entry.path(), before.join(&name)).unwrap();
        }
    }
    let migrator = sqlx::migrate::Migrator::new(before.as_path())
        .await
        .unwrap();
    let statements = [
        "INSERT INTO site (code, name, kind) VALUES ('FRLEH', 'Le Havre', 'port')",
        "INSERT INTO post (code, site_code, name, dgal, dgddi) VALUES ('FRLEH1', 'FRLEH', 'PCF du Havre', TRUE, TRUE)",
    ];
    match store.engine() {
        Engine::Sqlite(pool) => {
            migrator.run(pool).await.unwrap();
            for statement in statements {
                sqlx::query(statement).execute(pool).await.unwrap();
            }
        }
        Engine::Postgres(pool) => {
            migrator.run(pool).await.unwrap();
            for statement in statements {
                sqlx::query(statement).execute(pool).await.unwrap();
            }
        }
    }
    store.migrate().await.unwrap();
    let posts = store.posts().await.unwrap();
    assert_eq!(posts.len(), 1);
    assert!(
        posts[0].approvals.is_empty(),
        "no approval is invented for an existing post"
    );
    for goods in GoodsCategory::ALL {
        assert!(!posts[0].refuses(goods));
    }
    store.close().await;
    std::fs::remove_dir_all(&before).ok();
}

/// Goods sent to a post not approved for them: the event is recorded (the partner systems are
/// authoritative), its answer carries a warning, and the agents of the site find one alert for
/// it; an agent of another site and the dossier's own operator see nothing of it.
async fn goods_at_a_post_not_approved_warn_the_site_agents_only(backend: Backend) {
    let Some(server) = start(backend).await else {
        return;
    };
    let partner = Partner {
        server: &server,
        key: DEMO_API_KEY.into(),
    };
    let operator = server.store.user_by_email(OPERATOR).await.unwrap().unwrap();
    let company = server
        .store
        .company(operator.company_id.unwrap())
        .await
        .unwrap()
        .unwrap();
    let awb = Awb::from_parts(57, 4_242_420).to_string();
    let at = |hours: i64| (Utc::now() - Duration::hours(hours)).to_rfc3339();
    // Live animals to the freight post of Roissy, not its animal station.
    let lodged = json!({
        "id": "AGR-1",
        "source": "traces",
        "type": "ched_lodged",
        "occurred_at": at(5),
        "site": "FRCDG",
        "post": "FRCDG4",
        "references": { "awb": awb, "ched": "CHEDA.FR.2026.0004242" },
        "goods": { "category": "live_animals", "description": "Poissons d'ornement vivants" },
        "operator": { "siret": company.siret.to_string() },
        "data": { "ched_type": "A" }
    });
    let (status, body, _) = partner.send(&lodged).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let dossier_id = body["dossier_id"].as_i64().unwrap();
    let warnings = body["warnings"].as_array().expect("un avertissement");
    assert_eq!(warnings.len(), 1, "{body}");
    assert_eq!(warnings[0]["field"], "post");
    let message = warnings[0]["message"].as_str().unwrap();
    assert!(
        message.contains("FRCDG4") && message.contains("live_animals"),
        "{message}"
    );
    // Recorded all the same, at the post the partner said.
    let dossier = server.store.dossier(dossier_id).await.unwrap().unwrap();
    assert_eq!(dossier.summary.post.as_ref().unwrap().as_str(), "FRCDG4");
    assert_eq!(dossier.events.len(), 1);
    // The same event again: the same answer.
    let (status, again, _) = partner.send(&lodged).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again["status"], "duplicate");
    assert_eq!(again["warnings"], body["warnings"]);
    // A later event repeating the post warns the partner again, but raises no second alert.
    let arrived = json!({
        "id": "AGR-2",
        "source": "airport_community",
        "type": "arrived",
        "occurred_at": at(4),
        "site": "FRCDG",
        "post": "FRCDG4",
        "references": { "awb": awb },
        "goods": { "category": "live_animals", "description": "Poissons d'ornement vivants" },
        "data": { "transport_mode": "air", "means": "AF 6724" }
    });
    let (status, body, _) = partner.send(&arrived).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["dossier_id"], dossier_id);
    assert_eq!(body["warnings"][0]["field"], "post");
    let alerts = approval_alerts(&server.store).await;
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    let alert = &alerts[0];
    let alert_id = alert.id;
    assert_eq!(alert.dossier_id, Some(dossier_id));
    assert_eq!(alert.site_code, "FRCDG");
    assert_eq!(alert.post_code.as_deref(), Some("FRCDG4"));
    assert_eq!(alert.responsible, "dgal");
    assert!(
        alert.title.contains("poste") && alert.title.contains("FRCDG4"),
        "{}",
        alert.title
    );
    assert!(
        alert.detail.contains("« Animaux vivants »"),
        "{}",
        alert.detail
    );

    // Approved posts, and posts whose approvals are not recorded, warn nobody.
    let mut tx = server.store.begin().await.unwrap();
    tx.insert_post(&new_post("FRCDG9", &[])).await.unwrap();
    tx.commit().await.unwrap();
    for (id, post, serial) in [
        ("AGR-3", "FRCDG5", 1_111_110),
        ("AGR-4", "FRCDG9", 2_222_220),
    ] {
        let mut fine = lodged.clone();
        fine["id"] = json!(id);
        fine["post"] = json!(post);
        fine["references"] = json!({ "awb": Awb::from_parts(57, serial).to_string() });
        let (status, body, _) = partner.send(&fine).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert!(body.get("warnings").is_none(), "{post} : {body}");
    }
    // In a batch, the item says it.
    let mut batched = lodged.clone();
    batched["id"] = json!("AGR-5");
    batched["goods"] = json!({ "category": "feed", "description": "Tourteaux de soja" });
    batched["references"] = json!({ "awb": Awb::from_parts(57, 3_333_330).to_string() });
    let (status, body, _) = partner.send(&json!({ "events": [batched] })).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["results"][0]["status"], "created", "{body}");
    assert_eq!(body["results"][0]["warnings"][0]["field"], "post");
    assert_eq!(approval_alerts(&server.store).await.len(), 2);

    let desk = "/alertes?regle=poste_non_agree";
    let card = format!("id=\"alerte-{alert_id}\"");

    // An agent of another site: nothing shown, and closing it is answered as for no alert.
    let outsider = other_site_agent(&server, "FRLEH").await;
    let stranger = Browser::new(&server);
    stranger.sign_in(&outsider, PASSWORD).await;
    let (status, page) = stranger.page(desk).await;
    assert_eq!(status, 200);
    assert!(!page.contains(&card), "{page}");
    assert!(!page.contains("FRCDG4"));
    let closing = format!("/alertes/{alert_id}/cloture");
    let refused = stranger
        .post(&closing, &[("note", "Je ferme celle d'un autre site")])
        .await;
    assert_eq!(refused.location, "/alertes?erreur=alerte-introuvable");

    // The dossier's own operator: the desk is not theirs, and their dossier says nothing of it.
    let owner = Browser::new(&server);
    owner.sign_in(OPERATOR, PASSWORD).await;
    assert_eq!(owner.page(desk).await.0, 403);
    let (status, page) = owner.page(&format!("/dossiers/{dossier_id}")).await;
    assert_eq!(status, 200);
    assert!(!page.contains("non agréé"), "{page}");
    let refused = owner.post(&closing, &[("note", "Je ferme ceci")]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    // The agents of the site: the alert, what it is about, and the dossier.
    let agent = Browser::new(&server);
    agent.sign_in(AGENT_SIVEP, PASSWORD).await;
    let (status, page) = agent.page(desk).await;
    assert_eq!(status, 200);
    assert!(page.contains(&card), "{page}");
    assert!(page.contains("« Animaux vivants »"), "{page}");
    assert!(page.contains("PCF de Roissy — Zone de fret"), "{page}");
    assert!(page.contains(&format!("href=\"/dossiers/{dossier_id}\"")));
    let closed = agent
        .post(
            &closing,
            &[("note", "Lot réorienté vers la station animalière (FRCDG5).")],
        )
        .await;
    assert_eq!(closed.location, "/alertes?message=alerte-close");
    assert_eq!(approval_alerts(&server.store).await.len(), 1);
    assert!(approval_alerts(&server.store)
        .await
        .iter()
        .all(|alert| alert.id != alert_id));
    // Closed, it does not come back for the same dossier, post and goods.
    let mut later = arrived.clone();
    later["id"] = json!("AGR-6");
    later["type"] = json!("unloaded");
    later["data"] = json!({});
    let (status, body, _) = partner.send(&later).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(approval_alerts(&server.store).await.len(), 1);
    server.stop().await;
}

on_both_stores!(
    demo_dossiers_go_through_posts_approved_for_their_goods,
    approvals_are_stored_and_read,
    the_migration_leaves_existing_posts_unrecorded,
    goods_at_a_post_not_approved_warn_the_site_agents_only,
);

/// A post on Roissy's site, for SIVEP.
fn new_post(code: &str, approvals: &[GoodsCategory]) -> Post {
    Post {
        code: PostCode::parse(code).unwrap(),
        site: Locode::parse("FRCDG").unwrap(),
        name: format!("Poste d'essai {code}"),
        administrations: vec![Administration::Dgal],
        approvals: approvals.to_vec(),
    }
}

async fn post(store: &Store, code: &str) -> Post {
    store
        .posts()
        .await
        .unwrap()
        .into_iter()
        .find(|post| post.code.as_str() == code)
        .unwrap()
}

/// The alerts under way about goods at a post not approved for them.
async fn approval_alerts(store: &Store) -> Vec<app::store::DeskAlert> {
    crate::helpers::correlation_alerts(store, "poste_non_agree").await
}

/// A SIVEP agent habilitated on `site` only; their address.
async fn other_site_agent(server: &Running, site: &str) -> String {
    let email = format!("agent.{}@essai.sesame.test", site.to_lowercase());
    let now = Utc::now();
    let mut tx = server.store.begin().await.unwrap();
    let user_id = tx
        .insert_user(
            &NewUser {
                email: email.clone(),
                full_name: "Agent d'un autre site".into(),
                role: Role::AgentSivep,
                company_id: None,
                administration: Some(Administration::Dgal),
                company_admin: false,
                email_verified: true,
                password_hash: Some(app::forms::hash_password(PASSWORD).unwrap()),
            },
            now,
        )
        .await
        .unwrap();
    tx.insert_habilitation(
        &NewHabilitation {
            user_id,
            manages_calendars: false,
            site: Locode::parse(site).unwrap(),
            administration: Administration::Dgal,
            starts_on: (now - Duration::days(1)).date_naive(),
            ends_on: None,
            granted_by: None,
        },
        now,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    email
}
