//! The dossier list read page after page from a place in it, on both stores, with more dossiers
//! than the demo: every dossier of the filters once going forward, the same pages going back,
//! an agent's several sites merged in order, and counts that say « plus de 1 000 » rather than
//! counting a large list under filters the store keeps no count for.

use std::collections::HashSet;

use app::domain::access::DossierScope;
use app::domain::dossier::{
    Count, DossierPage, DossierQuery, DossierSort, DossierStatus, GoodsCategory, PageStart,
    COUNT_LIMIT,
};
use app::domain::references::Locode;
use app::store::{Backend, Engine, Store};

use crate::helpers::{config, fresh_database, Running};

/// How many dossiers of plants the test adds at Le Havre, all settled, a minute apart.
const ADDED: i64 = 1_100;

async fn scalar(store: &Store, sql: &str) -> i64 {
    match store.engine() {
        Engine::Sqlite(pool) => sqlx::query_scalar(sql).fetch_one(pool).await.unwrap(),
        Engine::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await.unwrap(),
    }
}

/// Every page of `query` within `scope`, forward from the first.
async fn forward(store: &Store, query: &DossierQuery, scope: &DossierScope) -> Vec<DossierPage> {
    let mut pages = Vec::new();
    let mut start = PageStart::First;
    loop {
        let page = store
            .dossiers(
                &DossierQuery {
                    start,
                    ..query.clone()
                },
                scope,
            )
            .await
            .unwrap();
        let next = page.next;
        pages.push(page);
        match next {
            Some(next) => start = next,
            None => return pages,
        }
    }
}

/// The ids of a page, in order.
fn ids(page: &DossierPage) -> Vec<i64> {
    page.dossiers.iter().map(|d| d.id).collect()
}

async fn pages_and_counts_at_scale(backend: Backend) {
    let Some(url) = fresh_database(backend).await else {
        return;
    };
    let server = Running::start(&config(url)).await;
    // The history, written straight (a minute apart, in no order of id).
    server
        .as_owner(&format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {ADDED})
             INSERT INTO dossier (site_code, post_code, goods_category, goods_description, flow,
                                  ched, status, opened_at, updated_at)
             SELECT 'FRLEH', 'FRLEH1', 'plants', 'Boutures', 'import', 'CHEDPP.FR.2025.' || (1000000 + i), 'termine',
                    '2025-01-01T00:00:00+00:00', '2025-01-01T00:00:00+00:00'
             FROM n"
        ))
        .await
        .unwrap();
    let store = &server.store;
    let everyone = DossierScope::All;

    // Counts the store keeps: exact, however many.
    let all = store
        .dossiers(&DossierQuery::default(), &everyone)
        .await
        .unwrap();
    let total = scalar(store, "SELECT COUNT(*) FROM dossier").await;
    assert_eq!(all.total, Count::Exact(total));
    assert!(all.by_status.iter().all(|(_, n)| n.is_some()));

    // Counts under a filter the store keeps none for: up to the limit, then « more than ».
    let plants = DossierQuery {
        goods: Some(GoodsCategory::Plants),
        ..DossierQuery::default()
    };
    let page = store.dossiers(&plants, &everyone).await.unwrap();
    assert_eq!(page.total, Count::MoreThan(COUNT_LIMIT));
    assert!(page.by_status.iter().all(|(_, n)| n.is_none()));
    let blocked_plants = DossierQuery {
        status: Some(DossierStatus::Bloque),
        ..plants.clone()
    };
    let blocked = store.dossiers(&blocked_plants, &everyone).await.unwrap();
    let counted = scalar(
        store,
        "SELECT COUNT(*) FROM dossier WHERE goods_category = 'plants' AND status = 'bloque'",
    )
    .await;
    assert_eq!(
        blocked.total,
        Count::Exact(counted),
        "a small status is counted"
    );

    // Forward, page after page: every dossier of the filter once, in the list's order.
    for sort in DossierSort::ALL {
        let query = DossierQuery {
            sort,
            ..plants.clone()
        };
        let pages = forward(store, &query, &everyone).await;
        let shown: Vec<i64> = pages.iter().flat_map(ids).collect();
        let expected = scalar(
            store,
            "SELECT COUNT(*) FROM dossier WHERE goods_category = 'plants'",
        )
        .await;
        assert_eq!(shown.len() as i64, expected, "{sort:?}");
        assert_eq!(
            shown.iter().collect::<HashSet<_>>().len(),
            shown.len(),
            "{sort:?}"
        );
        // Backward from the last page: the same pages, in the same order.
        let mut page = pages.last().unwrap().clone();
        assert_eq!(page.next, None, "the last page has no next");
        for expected in pages[..pages.len() - 1].iter().rev() {
            page = store
                .dossiers(
                    &DossierQuery {
                        start: page.previous.expect("a page before"),
                        ..query.clone()
                    },
                    &everyone,
                )
                .await
                .unwrap();
            assert_eq!(ids(&page), ids(expected));
        }
        assert_eq!(page.previous, None, "back at the first page");
    }

    // An agent's two sites, merged in order: what one query over both would give.
    let sites = DossierScope::Sites(vec![
        Locode::parse("FRLEH").unwrap(),
        Locode::parse("FRCDG").unwrap(),
    ]);
    let pages = forward(store, &DossierQuery::default(), &sites).await;
    let shown: Vec<i64> = pages.iter().flat_map(ids).collect();
    let expected = scalar(
        store,
        "SELECT COUNT(*) FROM dossier WHERE site_code IN ('FRLEH', 'FRCDG')",
    )
    .await;
    assert_eq!(shown.len() as i64, expected);
    assert_eq!(shown.iter().collect::<HashSet<_>>().len(), shown.len());
    let order: Vec<_> = pages
        .iter()
        .flat_map(|page| page.dossiers.iter().map(|d| (d.updated_at, d.id)))
        .collect();
    let mut sorted = order.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(
        order, sorted,
        "the latest first, across both sites and every page"
    );
    server.stop().await;
}

crate::helpers::on_both_stores!(pages_and_counts_at_scale);
