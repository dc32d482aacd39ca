//! The platform's story, told against each store: the real server on port 0, a fresh database
//! per test, demo data seeded, and what a user or an operator would check. The same assertions
//! run on SQLite and on PostgreSQL (`TEST_DATABASE_URL`, a role allowed to create databases).

use std::collections::HashSet;

use app::domain::access::DossierScope;
use app::domain::directory::Role;
use app::domain::dossier::{Count, DossierQuery, DossierSort, DossierStatus, PageStart};
use app::domain::journey::{StepKind, StepState};
use app::store::Backend;
use argon2::{Argon2, PasswordHash, PasswordVerifier};
use server::config::{Config, DEFAULT_DEMO_PASSWORD};
use server::tools::demo::{ACCOUNTS, DOSSIER_COUNT};
use server::Server;

use crate::helpers::{config, fresh_database, Running, DEMO_API_KEY};

async fn story(backend: Backend) {
    let Some(url) = fresh_database(backend).await else {
        return;
    };
    let config = config(url);
    let server = Running::start(&config).await;
    assert_eq!(server.store.backend(), backend);

    // Probes.
    assert_eq!(server.get("/healthz").await.0, 200);
    assert_eq!(server.get("/readyz").await.0, 200);

    // The demo directory.
    let store = &server.store;
    let sites: HashSet<String> = store
        .sites()
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.code.to_string())
        .collect();
    for code in ["FRLEH", "FRFOS", "FRDKK", "FRCDG"] {
        assert!(
            sites.contains(code),
            "site {code} absent de la démonstration"
        );
    }
    let posts = store.posts().await.unwrap();
    assert!(
        sites
            .iter()
            .all(|site| posts.iter().any(|post| post.site.as_str() == site)),
        "chaque site a un poste"
    );
    let companies = store.companies().await.unwrap();
    assert_eq!(companies.len(), 20);
    assert!(companies
        .iter()
        .all(|company| company.eori.as_ref().map(|e| e.siren()) == Some(company.siret.siren())));

    // The demo accounts, with their roles, and the documented password.
    let mut operator_companies = HashSet::new();
    for account in &ACCOUNTS {
        let user = store
            .user_by_email(account.email)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("compte {} absent", account.email));
        assert_eq!(user.role, account.role);
        if user.role == Role::Operateur {
            operator_companies.insert(
                user.company_id
                    .expect("un opérateur appartient à une entreprise"),
            );
        }
        let hash = store
            .password_hash(account.email)
            .await
            .unwrap()
            .expect("mot de passe défini");
        let parsed = PasswordHash::new(&hash).unwrap();
        assert_eq!(parsed.algorithm.as_str(), "argon2id");
        assert!(Argon2::default()
            .verify_password(DEFAULT_DEMO_PASSWORD.as_bytes(), &parsed)
            .is_ok());
        assert!(Argon2::default()
            .verify_password(b"mauvais-mot-de-passe", &parsed)
            .is_err());
    }
    assert_eq!(
        operator_companies.len(),
        2,
        "les deux opérateurs de démonstration sont de deux entreprises"
    );
    assert!(store
        .partner_key(&app::state::token_hash(DEMO_API_KEY))
        .await
        .unwrap()
        .is_some());
    assert!(store
        .partner_key(&app::state::token_hash("autre-cle"))
        .await
        .unwrap()
        .is_none());

    // Three hundred dossiers over every step of the journey, some blocked or non-compliant.
    assert_eq!(store.dossier_count().await.unwrap(), DOSSIER_COUNT as i64);
    let mut statuses = HashSet::new();
    let mut current_steps = HashSet::new();
    // Page after page, each from where the previous one ended: every dossier once.
    let mut start = PageStart::First;
    let mut seen = HashSet::new();
    loop {
        let listed = store
            .dossiers(
                &DossierQuery {
                    start,
                    ..Default::default()
                },
                &DossierScope::All,
            )
            .await
            .unwrap();
        assert_eq!(listed.total, Count::Exact(DOSSIER_COUNT as i64));
        for dossier in &listed.dossiers {
            assert!(
                seen.insert(dossier.id),
                "dossier {} lu deux fois",
                dossier.id
            );
            statuses.insert(dossier.status);
            current_steps.extend(dossier.current_step);
        }
        match listed.next {
            Some(next) => start = next,
            None => break,
        }
    }
    assert_eq!(seen.len(), DOSSIER_COUNT, "chaque dossier une fois");
    assert_eq!(
        statuses.len(),
        DossierStatus::ALL.len(),
        "tous les statuts sont représentés : {statuses:?}"
    );
    for step in StepKind::ALL {
        assert!(
            current_steps.contains(&step),
            "aucun dossier à l'étape {step:?}"
        );
    }
    let blocked = store
        .dossiers(
            &DossierQuery {
                status: Some(DossierStatus::Bloque),
                ..Default::default()
            },
            &DossierScope::All,
        )
        .await
        .unwrap();
    assert!(matches!(blocked.total, Count::Exact(n) if n > 0 && n < 300));
    assert!(blocked
        .dossiers
        .iter()
        .all(|d| d.status == DossierStatus::Bloque));
    list_filters(store).await;
    let first = store
        .dossier(blocked.dossiers[0].id)
        .await
        .unwrap()
        .unwrap();
    assert!(first
        .steps
        .iter()
        .any(|step| step.state == StepState::Bloque));
    assert!(!first.events.is_empty());
    assert!(
        first
            .events
            .windows(2)
            .all(|pair| pair[0].occurred_at <= pair[1].occurred_at),
        "événements dans l'ordre où ils sont survenus"
    );

    // Pages rendered on the server, in French; the supervisor follows every dossier.
    let supervisor = crate::accounts::Browser::new(&server);
    supervisor
        .sign_in("superviseur@demo.sesame.test", crate::accounts::PASSWORD)
        .await;
    let (status, home) = server.get("/").await;
    assert_eq!(status, 200);
    assert!(
        home.contains(r#"<html lang="fr""#),
        "langue française déclarée"
    );
    assert!(home.contains("Les services") && home.contains("Suivi en temps réel"));
    assert!(
        !home.contains("fr-logo"),
        "pas de bloc marque de l'État par défaut"
    );
    let (status, list) = supervisor.page("/dossiers").await;
    assert_eq!(status, 200);
    assert!(
        list.contains("300 dossiers"),
        "le nombre de dossiers est affiché"
    );
    // The data is in the page itself, readable without JavaScript, not left behind a placeholder.
    assert!(
        !list.contains("Chargement des dossiers"),
        "la liste est rendue entière côté serveur"
    );
    let (status, filtered) = supervisor.page("/dossiers?statut=non_conforme").await;
    assert_eq!(status, 200);
    assert!(filtered.contains("Non conforme") && !filtered.contains("300 dossiers"));
    let (status, dossier_page) = supervisor
        .page(&format!("/dossiers/{}", first.summary.id))
        .await;
    assert_eq!(status, 200);
    assert!(
        dossier_page.contains("Parcours")
            && dossier_page.contains(&first.summary.references.headline())
    );
    // Its open steps carry the forecast from what was observed at its post for its goods, and
    // the release one too (as an estimate, or "pas assez de données").
    assert!(
        dossier_page.contains("Estimation : "),
        "prévisions des étapes ouvertes"
    );
    assert!(
        dossier_page.contains("Mainlevée estimée"),
        "prévision de la mainlevée"
    );
    let forecasts = server.store.forecasts(&first).await.unwrap();
    assert!(
        forecasts.values().all(|forecast| match forecast {
            app::domain::forecast::Forecast::Estimate {
                median_minutes,
                p80_minutes,
                cases,
            } => 0 <= *median_minutes && median_minutes <= p80_minutes && *cases >= 5,
            app::domain::forecast::Forecast::NotEnoughData { cases } => *cases < 5,
        }),
        "des prévisions cohérentes"
    );
    let (status, missing) = supervisor.page("/dossiers/999999").await;
    assert_eq!(status, 404);
    assert!(missing.contains("Dossier introuvable"));
    let (status, nowhere) = server.get("/nulle-part").await;
    assert_eq!(status, 404);
    assert!(nowhere.contains("Page non trouvée"));

    // The server function the hydrated page calls, straight over HTTP: with a session…
    let id = first.summary.id.to_string();
    let answer = supervisor.post("/api/dossier", &[("id", &id)]).await;
    assert_eq!(answer.status, 200);
    let body: serde_json::Value = serde_json::from_str(&answer.body).unwrap();
    assert_eq!(body["Found"]["summary"]["id"], first.summary.id);
    // …and without: refused, nothing read.
    let response = reqwest::Client::new()
        .post(server.url("/api/dossier"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("id={id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    assert!(!response.text().await.unwrap().contains("summary"));

    server.stop().await;

    // A second start on the same database neither migrates twice nor seeds twice.
    let again = Running::start(&config).await;
    assert_eq!(
        again.store.dossier_count().await.unwrap(),
        DOSSIER_COUNT as i64
    );
    assert_eq!(again.store.companies().await.unwrap().len(), 20);
    // Readiness follows the database.
    again.store.close().await;
    assert_eq!(again.get("/readyz").await.0, 503);
    assert_eq!(again.get("/healthz").await.0, 200);
    again.stop().await;
}

#[tokio::test]
async fn story_on_sqlite() {
    story(Backend::Sqlite).await;
}

#[tokio::test]
async fn story_on_postgres() {
    story(Backend::Postgres).await;
}

#[tokio::test]
async fn a_database_without_demo_flag_stays_empty() {
    let url = fresh_database(Backend::Sqlite).await.unwrap();
    let config = Config {
        demo: false,
        ..config(url)
    };
    let server = Running::start(&config).await;
    assert!(server.store.is_empty().await.unwrap());
    assert!(server
        .store
        .user_by_email(ACCOUNTS[0].email)
        .await
        .unwrap()
        .is_none());
    // No account at all: the dossiers lead to sign-in.
    let (status, page) = server.get("/dossiers").await;
    assert_eq!(status, 200);
    assert!(page.contains("Se connecter à France Sésame"));
    server.stop().await;
}

#[tokio::test]
async fn an_unknown_database_scheme_is_refused_clearly() {
    let config = config("mysql://localhost/sesame".to_owned());
    let error = Server::build(&config)
        .await
        .err()
        .expect("refusé")
        .to_string();
    assert!(error.contains("mysql"), "{error}");
    assert!(
        error.contains("sqlite://") && error.contains("postgres://"),
        "{error}"
    );
}

#[tokio::test]
async fn state_deployments_show_the_state_brand_block() {
    let url = fresh_database(Backend::Sqlite).await.unwrap();
    let config = Config {
        state_deployment: true,
        demo: false,
        ..config(url)
    };
    let server = Running::start(&config).await;
    let (_, home) = server.get("/").await;
    assert!(home.contains("fr-logo") && home.contains("République"));
    server.stop().await;
}

/// The list's filters by post, step and opening dates, its orders and its counts by status, on
/// the demo dossiers.
async fn list_filters(store: &app::store::Store) {
    let list = |query: DossierQuery| async move {
        store.dossiers(&query, &DossierScope::All).await.unwrap()
    };
    let all = list(DossierQuery::default()).await;
    let counted: i64 = all.by_status.iter().filter_map(|(_, n)| *n).sum();
    assert_eq!(counted, DOSSIER_COUNT as i64, "{:?}", all.by_status);
    let blocked = list(DossierQuery {
        status: Some(DossierStatus::Bloque),
        ..Default::default()
    })
    .await;
    assert_eq!(
        blocked.by_status, all.by_status,
        "les comptes ignorent le filtre de statut"
    );
    assert_eq!(
        Some(blocked.total),
        all.by_status
            .iter()
            .find(|(status, _)| *status == DossierStatus::Bloque)
            .and_then(|(_, n)| *n)
            .map(Count::Exact)
    );

    let at_physical = list(DossierQuery {
        step: Some(StepKind::PhysicalCheck),
        ..Default::default()
    })
    .await;
    assert!(matches!(at_physical.total, Count::Exact(n) if n > 0));
    assert!(at_physical
        .dossiers
        .iter()
        .all(|d| d.current_step == Some(StepKind::PhysicalCheck)));

    let with_post = all.dossiers.iter().find(|d| d.post.is_some()).unwrap();
    let post = with_post.post.clone();
    let at_post = list(DossierQuery {
        post: post.clone(),
        ..Default::default()
    })
    .await;
    assert!(matches!(at_post.total, Count::Exact(n) if n > 0 && n < DOSSIER_COUNT as i64));
    assert!(at_post.dossiers.iter().all(|d| d.post == post));

    // One day, in Paris time: the dossier opened that day is in, and only that day's.
    let sample = &all.dossiers[3];
    let day = sample
        .opened_at
        .with_timezone(&chrono_tz::Europe::Paris)
        .date_naive();
    let that_day = DossierQuery {
        opened_from: Some(day),
        opened_to: Some(day),
        ..Default::default()
    };
    let (start, end) = that_day.opened_between();
    let on_day = list(that_day).await;
    assert!(on_day.dossiers.iter().any(|d| d.id == sample.id));
    assert!(on_day
        .dossiers
        .iter()
        .all(|d| Some(d.opened_at) >= start && Some(d.opened_at) < end));
    let after = list(DossierQuery {
        opened_from: day.succ_opt(),
        ..Default::default()
    })
    .await;
    assert!(after
        .dossiers
        .iter()
        .all(|d| d.id != sample.id && d.opened_at > sample.opened_at));

    // Orders: the oldest opened first, or the newest.
    let oldest = list(DossierQuery {
        sort: DossierSort::OldestOpened,
        ..Default::default()
    })
    .await;
    assert!(oldest
        .dossiers
        .windows(2)
        .all(|w| w[0].opened_at <= w[1].opened_at));
    let newest = list(DossierQuery {
        sort: DossierSort::RecentlyOpened,
        ..Default::default()
    })
    .await;
    assert!(newest
        .dossiers
        .windows(2)
        .all(|w| w[0].opened_at >= w[1].opened_at));
    assert!(newest.dossiers[0].opened_at > oldest.dossiers[0].opened_at);
}
