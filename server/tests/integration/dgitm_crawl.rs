//! The DGITM receives statistics only. Signed in as the DGITM, this test requests every page of
//! the platform (with ids of dossiers, companies and exchanges where a page takes one, and the
//! statistics with every filter), every server function, every download and the live stream,
//! and fails if any answer holds a SIRET, an EORI, the name of a company or of a person, an
//! e-mail address or a reference of the data (its own name and address aside).

use std::time::Duration;

use app::domain::access::ROUTES;
use app::domain::dashboard::{StatIndicator, FIRST_YEAR};
use app::domain::dossier::GoodsCategory;
use app::forms::FORM_ROUTES;
use app::store::{Backend, Engine, Store};
use chrono::Datelike;

use crate::accounts::{Browser, PASSWORD};
use crate::helpers::{config, fresh_database, on_both_stores, Running};

on_both_stores!(the_dgitm_reaches_no_personal_data);

const DGITM: &str = "dgitm@demo.sesame.test";

async fn strings(store: &Store, sql: &str) -> Vec<String> {
    let rows: Vec<Option<String>> = match store.engine() {
        Engine::Sqlite(pool) => sqlx::query_scalar(sql).fetch_all(pool).await.unwrap(),
        Engine::Postgres(pool) => sqlx::query_scalar(sql).fetch_all(pool).await.unwrap(),
    };
    rows.into_iter().flatten().collect()
}

async fn ids(store: &Store, sql: &str) -> Vec<i64> {
    match store.engine() {
        Engine::Sqlite(pool) => sqlx::query_scalar(sql).fetch_all(pool).await.unwrap(),
        Engine::Postgres(pool) => sqlx::query_scalar(sql).fetch_all(pool).await.unwrap(),
    }
}

/// What must never reach the DGITM.
async fn personal(store: &Store) -> Vec<String> {
    let mut found = Vec::new();
    for sql in [
        "SELECT name FROM company",
        "SELECT siret FROM company",
        "SELECT eori FROM company",
        "SELECT address FROM company",
        "SELECT full_name FROM app_user WHERE role <> 'dgitm'",
        "SELECT email FROM app_user WHERE role <> 'dgitm'",
        "SELECT container FROM dossier",
        "SELECT awb FROM dossier",
        "SELECT bill_of_lading FROM dossier",
        "SELECT ched FROM dossier",
        "SELECT mrn FROM dossier",
        "SELECT title FROM exchange",
    ] {
        found.extend(strings(store, sql).await);
    }
    found.retain(|text| text.trim().len() >= 6);
    found.sort();
    found.dedup();
    found
}

fn check(path: &str, body: &str, personal: &[String]) {
    for text in personal {
        assert!(
            !body.contains(text.as_str()),
            "la DGITM lit « {text} » dans la réponse de {path}"
        );
    }
}

async fn the_dgitm_reaches_no_personal_data(backend: Backend) {
    let Some(url) = fresh_database(backend).await else {
        return;
    };
    let mut config = config(url);
    config.submissions_burst = 100_000;
    let server = Running::start(&config).await;
    let personal = personal(&server.store).await;
    assert!(personal.len() > 50, "the demo's data is there to look for");
    let dossier = ids(&server.store, "SELECT MIN(id) FROM dossier").await[0];
    let company = ids(&server.store, "SELECT MIN(id) FROM company").await[0];
    let exchange = ids(&server.store, "SELECT COALESCE(MIN(id), 1) FROM exchange").await[0];
    let dgitm = Browser::new(&server);
    dgitm.sign_in(DGITM, PASSWORD).await;

    // Every page, with every kind of id where it takes one.
    let mut paths = Vec::new();
    for (pattern, _) in ROUTES {
        if pattern.contains("{}") {
            for id in [dossier, company, exchange] {
                paths.push(pattern.replace("{}", &id.to_string()));
            }
        } else {
            paths.push((*pattern).to_owned());
        }
    }
    paths.push("/dossiers?site=FRLEH".into());
    paths.push("/operateurs?recherche=import".into());
    paths.push("/tableaux-de-bord?periode=annee".into());
    // The statistics, with every filter.
    let this_year = chrono::Utc::now().year();
    let mut statistics = Vec::new();
    // Every indicator for the years the demo data lives in; the first year with the default.
    for year in [FIRST_YEAR, this_year - 1, this_year] {
        let indicators = if year == FIRST_YEAR {
            vec![StatIndicator::Opened]
        } else {
            StatIndicator::all()
        };
        for indicator in indicators {
            for goods in std::iter::once("").chain(GoodsCategory::ALL.iter().map(|g| g.code())) {
                statistics.push(format!(
                    "annee={year}&indicateur={}&marchandise={goods}",
                    indicator.code()
                ));
            }
        }
    }
    for query in &statistics {
        paths.push(format!("/statistiques?{query}"));
        paths.push(format!("/statistiques/export.csv?{query}"));
        paths.push(format!("/statistiques/export.ods?{query}"));
    }
    // Every download and file route.
    for (route, _) in FORM_ROUTES {
        if let Some(path) = route.strip_prefix("GET ") {
            for id in [dossier, company, exchange] {
                paths.push(
                    path.replace("{id}", &id.to_string())
                        .replace("{provider}", "douane")
                        .replace("{file}", "calendrier.ics")
                        .replace("{document}", &id.to_string())
                        .replace("{format}", "export.ods"),
                );
            }
        }
    }
    let mut pages_answered = 0;
    for path in &paths {
        let answer = dgitm.get(path).await;
        if answer.status.is_success() {
            pages_answered += 1;
        }
        check(path, &answer.body, &personal);
    }
    assert!(pages_answered > 10, "the DGITM opens its pages");

    // Every server function, with the arguments pages send.
    for (endpoint, _) in app::api::account::SERVER_FUNCTIONS {
        for form in [
            vec![],
            vec![("id".to_owned(), dossier.to_string())],
            vec![("id".to_owned(), company.to_string())],
            vec![("id".to_owned(), exchange.to_string())],
            vec![("recherche".to_owned(), "import".to_owned())],
            vec![("filtres[periode]".to_owned(), "annee".to_owned())],
        ] {
            let form: Vec<(&str, &str)> =
                form.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
            let answer = dgitm.post(endpoint, &form).await;
            check(endpoint, &answer.body, &personal);
        }
    }
    for query in &statistics {
        let form: Vec<(String, String)> = query
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .map(|(name, value)| (format!("filtres[{name}]"), value.to_owned()))
            .collect();
        let form: Vec<(&str, &str)> = form.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        let answer = dgitm.post("/api/statistiques", &form).await;
        assert!(answer.status.is_success(), "{query}: {}", answer.body);
        check("/api/statistiques", &answer.body, &personal);
    }

    // The live stream: what arrives in a moment, while a partner moves a dossier.
    let client = reqwest::Client::builder()
        .cookie_store(false)
        .build()
        .unwrap();
    let cookie = crate::live::session_of(&server, DGITM).await;
    let stream = client
        .get(server.url(app::ui::live::STREAM_PATH))
        .header("cookie", cookie)
        .timeout(Duration::from_secs(2))
        .send()
        .await
        .unwrap();
    let body = match tokio::time::timeout(Duration::from_secs(2), stream.text()).await {
        Ok(Ok(text)) => text,
        _ => String::new(),
    };
    check(app::ui::live::STREAM_PATH, &body, &personal);
    server.stop().await;
}
