//! « Tableaux de bord » and the DGITM's statistics on the real server and both stores.
//!
//! Known dossiers of March 2021 at Le Havre's first post (no demo dossier is that old) give
//! known figures: counts, the median and 80th percentile of the crossing read from the
//! histograms, the checks, the laboratory results. The summaries kept as dossiers change are
//! what working them out again from every dossier gives. A head of service sees the sites of
//! their posts only; agents, operators and the DGITM get no dashboard. The statistics hide every
//! figure that could single out an operator, and none can be given back by subtracting what is
//! shown — in a table, or between the table of one goods category and that of all of them.

use app::api::dashboards::{DashboardView, StatisticsView};
use app::domain::dashboard::{StatCell, Unit};
use app::domain::dossier::{Flow, GoodsCategory, References};
use app::domain::journey::{Step, StepKind, StepState};
use app::domain::references::{ContainerNumber, Locode, PostCode};
use app::store::{Backend, Engine, NewDossier, Store};
use chrono::{DateTime, Duration, TimeZone, Utc};
use reqwest::StatusCode;
use serde_json::json;

use crate::accounts::{Browser, AGENT_SIVEP, HEAD, OPERATOR, PASSWORD};
use crate::helpers::{
    config, container, execute, fresh_database, on_both_stores, Running, DEMO_API_KEY,
};
use crate::partner::{ched_lodged, event, Partner};

on_both_stores!(
    known_dossiers_give_known_figures,
    each_reader_sees_only_their_dashboards,
    statistics_hide_what_could_single_out_an_operator,
    statistics_give_the_dashboards_figures,
);

const SUPERVISOR: &str = "superviseur@demo.sesame.test";
const DGITM: &str = "dgitm@demo.sesame.test";
const SUPPRESSED: &str = "effectif trop faible";

/// The three companies of the test.
const COMPANIES: [i64; 3] = [9101, 9102, 9103];

async fn signed_in(server: &Running, email: &str) -> Browser {
    let browser = Browser::new(server);
    browser.sign_in(email, PASSWORD).await;
    browser
}

async fn start(backend: Backend) -> Option<Running> {
    let url = fresh_database(backend).await?;
    let mut config = config(url);
    config.submissions_burst = 10_000;
    let server = Running::start(&config).await;
    for (index, id) in COMPANIES.iter().enumerate() {
        server
            .as_owner(&format!(
                "INSERT INTO company (id, name, siret, created_at)
                 VALUES ({id}, 'Tableau Témoin {index}', '{}', '2020-01-01T00:00:00+00:00')",
                ["73282932000074", "55210055400013", "40483304800022"][index]
            ))
            .await
            .unwrap();
    }
    Some(server)
}

fn at(day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2021, 3, day, hour, minute, 0).unwrap()
}

fn step(
    kind: StepKind,
    state: StepState,
    started: Option<DateTime<Utc>>,
    ended: Option<DateTime<Utc>>,
) -> Step {
    Step {
        kind,
        state,
        started_at: started,
        ended_at: ended,
        actor: None,
        outcome: None,
        expected_minutes: 60,
    }
}

/// A dossier of plants at a site's post, opened at `opened`, its steps as given.
async fn insert(
    store: &Store,
    serial: u32,
    site: &str,
    post: &str,
    company: i64,
    opened: DateTime<Utc>,
    steps: Vec<Step>,
) {
    let mut tx = store.begin().await.unwrap();
    tx.insert_dossier(&NewDossier {
        references: References {
            container: Some(ContainerNumber::parse(&container("TDB", serial)).unwrap()),
            ..References::default()
        },
        goods: GoodsCategory::Plants,
        goods_description: "Plants de tomates".into(),
        flow: Flow::Import,
        site: Locode::parse(site).unwrap(),
        post: Some(PostCode::parse(post).unwrap()),
        company_id: Some(company),
        opened_at: opened,
        steps,
        events: Vec::new(),
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

/// Twelve dossiers opened on Monday 8 March 2021 at FRLEH1: ten released (four crossings of
/// 40 minutes, six of 70), three of them selected for a physical check (one laboratory result
/// unfavourable); two still before their checks.
async fn march_at_le_havre(store: &Store) {
    for n in 0..12_u32 {
        let opened = at(8, 8, n);
        let company = COMPANIES[(n % 3) as usize];
        let mut steps = vec![step(
            StepKind::Arrival,
            StepState::Termine,
            Some(opened),
            Some(opened + Duration::minutes(10)),
        )];
        if n < 10 {
            let crossing = if n < 4 { 40 } else { 70 };
            let physical = n < 3;
            steps.push(step(
                StepKind::IdentityCheck,
                StepState::NonRequis,
                None,
                None,
            ));
            steps.push(if physical {
                step(
                    StepKind::PhysicalCheck,
                    StepState::Termine,
                    Some(opened + Duration::minutes(12)),
                    Some(opened + Duration::minutes(20)),
                )
            } else {
                step(StepKind::PhysicalCheck, StepState::NonRequis, None, None)
            });
            if physical {
                steps.push(step(
                    StepKind::LabAnalysis,
                    if n == 0 {
                        StepState::NonConforme
                    } else {
                        StepState::Termine
                    },
                    Some(opened + Duration::minutes(20)),
                    Some(opened + Duration::minutes(25)),
                ));
            }
            steps.push(step(
                StepKind::Decision,
                StepState::Termine,
                Some(opened + Duration::minutes(25)),
                Some(opened + Duration::minutes(30)),
            ));
            steps.push(step(
                StepKind::CustomsClearance,
                StepState::Termine,
                Some(opened + Duration::minutes(30)),
                Some(opened + Duration::minutes(crossing)),
            ));
        } else {
            steps.push(step(StepKind::IdentityCheck, StepState::AVenir, None, None));
            steps.push(step(StepKind::PhysicalCheck, StepState::AVenir, None, None));
        }
        insert(store, 1000 + n, "FRLEH", "FRLEH1", company, opened, steps).await;
    }
}

async fn dashboard(browser: &Browser, filters: &[(&str, &str)]) -> (StatusCode, DashboardView) {
    let form: Vec<(String, &str)> = filters
        .iter()
        .map(|(name, value)| (format!("filtres[{name}]"), *value))
        .collect();
    let form: Vec<(&str, &str)> = form.iter().map(|(n, v)| (n.as_str(), *v)).collect();
    let answer = browser.post("/api/tableau-de-bord", &form).await;
    let view = serde_json::from_str(&answer.body).unwrap_or_default();
    (answer.status, view)
}

/// Every row of the summaries, in order.
async fn summaries(store: &Store) -> Vec<String> {
    let mut all = Vec::new();
    for sql in [
        "SELECT CAST(day AS TEXT) || ' ' || site_code || ' ' || post_code || ' ' || goods_category || ' ' || measure || ' ' || CAST(bucket AS TEXT) || ' ' || CAST(dossiers AS TEXT) FROM indicator_day WHERE dossiers <> 0",
        "SELECT CAST(month AS TEXT) || ' ' || site_code || ' ' || post_code || ' ' || goods_category || ' ' || measure || ' ' || CAST(bucket AS TEXT) || ' ' || CAST(dossiers AS TEXT) FROM indicator_month WHERE dossiers <> 0",
        "SELECT CAST(month AS TEXT) || ' ' || figure || ' ' || site_code || ' ' || goods_category || ' ' || CAST(company_id AS TEXT) || ' ' || CAST(dossiers AS TEXT) FROM indicator_company WHERE dossiers <> 0",
    ] {
        let mut rows: Vec<String> = match store.engine() {
            Engine::Sqlite(pool) => sqlx::query_scalar(sql).fetch_all(pool).await.unwrap(),
            Engine::Postgres(pool) => sqlx::query_scalar(sql).fetch_all(pool).await.unwrap(),
        };
        rows.sort();
        all.extend(rows);
    }
    all
}

async fn known_dossiers_give_known_figures(backend: Backend) {
    let Some(server) = start(backend).await else {
        return;
    };
    march_at_le_havre(&server.store).await;
    let supervisor = signed_in(&server, SUPERVISOR).await;
    let march = [
        ("site", "FRLEH"),
        ("poste", "FRLEH1"),
        ("marchandise", "plants"),
        ("periode", "mois"),
        ("date", "2021-03-15"),
    ];
    let (status, view) = dashboard(&supervisor, &march).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(view.problem, None);
    let board = view.dashboard.expect("the dashboard");
    assert_eq!(board.period_label, "mars 2021");
    assert_eq!((board.opened.current, board.opened.previous), (12, 0));
    assert_eq!(board.released.current, 10);
    let crossing = &board.durations[0];
    // From the histogram: four in [30, 45), six in [60, 90): the 5th is 60 + 30 × 1/6, the
    // 8th 60 + 30 × 4/6.
    assert_eq!(crossing.current.cases, 10);
    assert_eq!(crossing.current.median, Some(65));
    assert_eq!(crossing.current.p80, Some(80));
    assert_eq!(
        (board.checks.part.current, board.checks.whole.current),
        (3, 10)
    );
    assert_eq!((board.lab.part.current, board.lab.whole.current), (1, 3));
    assert_eq!(
        (board.decisions.part.current, board.decisions.whole.current),
        (0, 10)
    );
    // The trend ends with March.
    assert_eq!(board.trend.last().map(|p| p.opened), Some(12));
    assert_eq!(board.trend.len(), 12);
    // The same dossiers seen by week (Monday 8 March) and at another site (none).
    let (_, week) = dashboard(
        &supervisor,
        &[
            ("periode", "semaine"),
            ("date", "2021-03-10"),
            ("marchandise", "plants"),
        ],
    )
    .await;
    assert_eq!(week.dashboard.unwrap().opened.current, 12);
    let (_, fos) = dashboard(
        &supervisor,
        &[
            ("site", "FRFOS"),
            ("periode", "mois"),
            ("date", "2021-03-15"),
        ],
    )
    .await;
    assert_eq!(fos.dashboard.unwrap().opened.current, 0);

    // Bad filters are told in French, nothing computed.
    let (status, view) = dashboard(&supervisor, &[("periode", "trimestre")]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(view.dashboard.is_none());
    assert!(view.problem.unwrap().contains("n'est pas une période"));

    // The export: the same figures, as French spreadsheet programs read them.
    let answer = supervisor
        .get("/tableaux-de-bord/export.csv?site=FRLEH&poste=FRLEH1&marchandise=plants&periode=mois&date=2021-03-15")
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(answer.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    assert!(answer.body.starts_with('\u{feff}'), "a byte-order mark");
    assert!(
        answer
            .body
            .contains("Volumes de dossiers;Dossiers ouverts;nombre;12;0;nouveau"),
        "{}",
        answer.body
    );
    assert!(answer.body.contains(";minutes;65;;"), "{}", answer.body);
    // And as an OpenDocument spreadsheet: the mimetype first, the figures as numbers.
    let ods = supervisor
        .bytes("/tableaux-de-bord/export.ods?site=FRLEH&poste=FRLEH1&marchandise=plants&periode=mois&date=2021-03-15")
        .await;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(ods)).unwrap();
    assert_eq!(archive.by_index(0).unwrap().name().unwrap(), "mimetype");
    let mut sheet = String::new();
    std::io::Read::read_to_string(&mut archive.by_name("content.xml").unwrap(), &mut sheet)
        .unwrap();
    assert!(sheet.contains("<text:p>Dossiers ouverts</text:p></table:table-cell><table:table-cell office:value-type=\"string\"><text:p>nombre</text:p></table:table-cell><table:table-cell office:value-type=\"float\" office:value=\"12\">"), "{sheet}");
    let answer = supervisor.get("/tableaux-de-bord/export.xls").await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    assert!(answer.body.contains("choisissez CSV ou ODS"));

    // An event moves the summaries in its own transaction: a consignment lodged today at Le
    // Havre counts as opened today.
    let today = [("site", "FRLEH"), ("periode", "jour")];
    let before = dashboard(&supervisor, &today).await.1.dashboard.unwrap();
    let partner = Partner {
        server: &server,
        key: DEMO_API_KEY.to_owned(),
    };
    let now = Utc::now();
    let box_number = container("TDB", 4242);
    for body in [
        ched_lodged(
            "TDB-1",
            &box_number,
            "CHEDP.FR.2026.0424242",
            &(now - Duration::minutes(5))
                .format("%Y-%m-%dT%H:%M:%SZ")
                .to_string(),
        ),
        event(
            "TDB-2",
            "arrived",
            &box_number,
            &(now - Duration::minutes(2))
                .format("%Y-%m-%dT%H:%M:%SZ")
                .to_string(),
            json!({ "transport_mode": "sea", "means": "MSC Aurora" }),
        ),
    ] {
        let (status, body, _) = partner.send(&body).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let after = dashboard(&supervisor, &today).await.1.dashboard.unwrap();
    // Just after midnight in Paris the lodging may fall on the day before: then only the
    // arrival step counts today.
    let paris_today = app::domain::access::local_day(now);
    if app::domain::access::local_day(now - Duration::minutes(5)) == paris_today {
        assert_eq!(after.opened.current, before.opened.current + 1);
    }

    // A batch is one transaction: its dossiers' moves of the summaries are summed and applied
    // once, at the commit. Three consignments lodged then arrived, and one a day earlier, count
    // as the same events sent one by one would.
    let at = |minutes: i64| {
        (now - Duration::minutes(minutes))
            .format("%Y-%m-%dT%H:%M:%SZ")
            .to_string()
    };
    let mut items = Vec::new();
    for n in 0..3u32 {
        let number = container("TDL", 4300 + 10 * n);
        items.push(ched_lodged(
            &format!("TDL-{n}-1"),
            &number,
            &format!("CHEDP.FR.2026.04243{n:02}"),
            &at(30 + i64::from(n)),
        ));
        items.push(event(
            &format!("TDL-{n}-2"),
            "arrived",
            &number,
            &at(10),
            json!({ "transport_mode": "sea", "means": "MSC Aurora" }),
        ));
    }
    items.push(ched_lodged(
        "TDL-9-1",
        &container("TDL", 4399),
        "CHEDP.FR.2026.0424399",
        &at(24 * 60 + 3),
    ));
    partner.send_new_batch(items).await;
    let batched = dashboard(&supervisor, &today).await.1.dashboard.unwrap();
    if app::domain::access::local_day(now - Duration::minutes(33)) == paris_today {
        assert_eq!(batched.opened.current, after.opened.current + 3);
    }

    // What was kept as things changed is what working it out again gives.
    let kept = summaries(&server.store).await;
    server.store.rebuild_indicators().await.unwrap();
    assert_eq!(kept, summaries(&server.store).await);
    server.stop().await;
}

async fn each_reader_sees_only_their_dashboards(backend: Backend) {
    let Some(server) = start(backend).await else {
        return;
    };
    march_at_le_havre(&server.store).await;
    // The head of service heads the posts of Le Havre only.
    server
        .as_owner(
            "DELETE FROM post_head WHERE post_code IN (SELECT code FROM post WHERE site_code <> 'FRLEH')",
        )
        .await
        .unwrap();
    let head = signed_in(&server, HEAD).await;
    let (status, view) = dashboard(&head, &[("periode", "mois"), ("date", "2021-03-15")]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        view.sites
            .iter()
            .map(|s| s.code.as_str())
            .collect::<Vec<_>>(),
        vec!["FRLEH"]
    );
    assert!(view.posts.iter().all(|p| p.code.starts_with("FRLEH")));
    assert_eq!(view.dashboard.unwrap().opened.current, 12);
    // Another site answers as one that does not exist, and reveals nothing.
    let (status, view) = dashboard(
        &head,
        &[
            ("site", "FRFOS"),
            ("periode", "mois"),
            ("date", "2021-03-15"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(view.dashboard.is_none());
    assert_eq!(
        view.problem.as_deref(),
        Some("Le site « FRFOS » n'existe pas ou ne fait pas partie de ceux que vous suivez.")
    );
    let (_, unknown) = dashboard(&head, &[("site", "FRZZZ")]).await;
    assert_eq!(
        unknown.problem.as_deref(),
        Some("Le site « FRZZZ » n'existe pas ou ne fait pas partie de ceux que vous suivez.")
    );
    let answer = head.get("/tableaux-de-bord/export.csv?site=FRFOS").await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!answer.body.contains("Dossiers ouverts"));

    // Agents, operators and the DGITM get no dashboard; operators and agents no statistics.
    for email in [AGENT_SIVEP, OPERATOR, DGITM] {
        let browser = signed_in(&server, email).await;
        let (status, view) = dashboard(&browser, &[("periode", "mois")]).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{email}");
        assert!(view.dashboard.is_none());
        let answer = browser.get("/tableaux-de-bord/export.csv").await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{email}");
        let (status, page) = browser.page("/tableaux-de-bord").await;
        assert_eq!(status, 403, "{email}");
        assert!(!page.contains("Dossiers ouverts"));
    }
    for email in [AGENT_SIVEP, OPERATOR, HEAD] {
        let browser = signed_in(&server, email).await;
        let answer = browser
            .post("/api/statistiques", &[("filtres[annee]", "2021")])
            .await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{email}");
        let answer = browser.get("/statistiques/export.csv").await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{email}");
    }
    let anonymous = Browser::new(&server);
    let answer = anonymous.get("/tableaux-de-bord/export.csv").await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    assert_eq!(answer.location, "/connexion");
    server.stop().await;
}

async fn statistics(browser: &Browser, query: &[(&str, &str)]) -> StatisticsView {
    let form: Vec<(String, &str)> = query
        .iter()
        .map(|(name, value)| (format!("filtres[{name}]"), *value))
        .collect();
    let form: Vec<(&str, &str)> = form.iter().map(|(n, v)| (n.as_str(), *v)).collect();
    let answer = browser.post("/api/statistiques", &form).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    serde_json::from_str(&answer.body).unwrap()
}

/// Whether a hidden figure of a table comes back from one of its sums: a row (its months and
/// its year) or a column (its sites and the total) hiding exactly one.
fn recoverable(view: &StatisticsView) -> bool {
    let table = view.statistics.as_ref().unwrap();
    let rows: Vec<&app::domain::dashboard::StatRow> = table
        .rows
        .iter()
        .chain(std::iter::once(&table.totals))
        .collect();
    let row_leaks = rows.iter().any(|row| {
        row.months
            .iter()
            .chain(std::iter::once(&row.total))
            .filter(|cell| cell.is_hidden())
            .count()
            == 1
    });
    let column_leaks = (0..13).any(|column| {
        rows.iter()
            .filter(|row| {
                if column < 12 {
                    row.months[column].is_hidden()
                } else {
                    row.total.is_hidden()
                }
            })
            .count()
            == 1
    });
    row_leaks || column_leaks
}

async fn statistics_hide_what_could_single_out_an_operator(backend: Backend) {
    let Some(server) = start(backend).await else {
        return;
    };
    march_at_le_havre(&server.store).await;
    // At Fos in April 2021: two dossiers of one company — it would be singled out.
    for n in 0..2 {
        let opened = Utc.with_ymd_and_hms(2021, 4, 6, 9, n, 0).unwrap();
        insert(
            &server.store,
            2000 + n,
            "FRFOS",
            "FRFOS1",
            COMPANIES[0],
            opened,
            vec![step(
                StepKind::Arrival,
                StepState::EnCours,
                Some(opened),
                None,
            )],
        )
        .await;
    }
    let dgitm = signed_in(&server, DGITM).await;
    let sites = server.store.sites().await.unwrap();
    let row_of = |view: &StatisticsView, code: &str| {
        let name = &sites.iter().find(|s| s.code.as_str() == code).unwrap().name;
        view.statistics
            .as_ref()
            .unwrap()
            .rows
            .iter()
            .find(|row| &row.site == name)
            .unwrap()
            .clone()
    };
    let plants = statistics(
        &dgitm,
        &[
            ("annee", "2021"),
            ("marchandise", "plants"),
            ("indicateur", "ouverts"),
        ],
    )
    .await;
    let all_goods = statistics(&dgitm, &[("annee", "2021"), ("indicateur", "ouverts")]).await;
    for view in [&plants, &all_goods] {
        // The small cell is hidden, and so is what would give it back.
        assert_eq!(row_of(view, "FRFOS").months[3], StatCell::Hidden);
        assert!(!recoverable(view), "{view:?}");
        // Le Havre's March is not small, but it is what would give Fos's April back from the
        // totals: it is hidden as a complement, and the year's total stays shown.
        assert!(view.statistics.as_ref().unwrap().hidden > 0);
    }
    // Between the tables: for every month and site where plants are hidden, all goods are too
    // (only plants were moved that year), so no subtraction of one from the other helps.
    let plant_rows = &plants.statistics.as_ref().unwrap().rows;
    let all_rows = &all_goods.statistics.as_ref().unwrap().rows;
    for (plant, all) in plant_rows.iter().zip(all_rows) {
        for month in 0..12 {
            if plant.months[month].is_hidden() {
                assert_eq!(
                    all.months[month],
                    StatCell::Hidden,
                    "{} {month}",
                    plant.site
                );
            }
        }
    }
    // The export says it the same way.
    let answer = dgitm
        .get("/statistiques/export.csv?annee=2021&marchandise=plants&indicateur=ouverts")
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(answer.body.contains(SUPPRESSED));
    assert!(!answer.body.contains("Tableau Témoin"));
    // A bad year is told in French.
    let view = statistics(&dgitm, &[("annee", "1999")]).await;
    assert!(view.problem.unwrap().contains("n'est pas une année"));
    server.stop().await;
}

/// The id of the `n`-th dossier of the test's companies, in the order they were made.
fn nth_dossier(n: usize) -> String {
    format!(
        "(SELECT id FROM dossier WHERE company_id IN (9101, 9102, 9103) ORDER BY id LIMIT 1 OFFSET {n})"
    )
}

/// The rendez-vous, alerts and exchanges of Le Havre's March 2021 dossiers.
async fn march_activity(store: &Store) {
    let mut statements = vec![
        // Places: eight at Le Havre in March, two at Fos in April.
        "INSERT INTO slot (post_code, check_kind, starts_at, ends_at, capacity, booked) VALUES
         ('FRLEH1', 'physical', '2021-03-09T09:00:00+00:00', '2021-03-09T10:00:00+00:00', 4, 0),
         ('FRLEH1', 'physical', '2021-03-09T10:00:00+00:00', '2021-03-09T11:00:00+00:00', 4, 0),
         ('FRFOS1', 'physical', '2021-04-06T09:00:00+00:00', '2021-04-06T10:00:00+00:00', 2, 0)"
            .to_owned(),
    ];
    // Six rendez-vous, two per company, each confirmed or refused 10 minutes after it was
    // asked for: four honoured, one missed, one refused.
    for n in 0..6 {
        let state = ["honore", "honore", "honore", "honore", "absent", "refuse"][n];
        statements.push(format!(
            "INSERT INTO appointment (dossier_id, check_kind, slot_id, state, company_id,
                 checkin_token, created_at, updated_at, decided_at)
             SELECT d.id, 'physical',
                 (SELECT id FROM slot WHERE post_code = 'FRLEH1' ORDER BY id LIMIT 1),
                 '{state}', d.company_id, 'tdb-{n}', '2021-03-08T09:00:00+00:00',
                 '2021-03-08T09:10:00+00:00', '2021-03-08T09:10:00+00:00'
             FROM dossier d WHERE d.id = {}",
            nth_dossier(n)
        ));
    }
    // Six alerts, two per company, five closed after 30 minutes.
    for n in 0..6 {
        let (state, closed) = if n < 5 {
            ("close", "'2021-03-09T09:30:00+00:00'")
        } else {
            ("ouverte", "NULL")
        };
        statements.push(format!(
            "INSERT INTO alert (rule, condition_key, site_code, post_code, dossier_id, responsible,
                 title, detail, state, opened_at, closed_at)
             VALUES ('etape_en_retard', 'tdb-{n}', 'FRLEH', 'FRLEH1', {}, 'dgal', 'Étape en retard',
                 'Contrôle physique en retard', '{state}', '2021-03-09T09:00:00+00:00', {closed})",
            nth_dossier(n)
        ));
    }
    // Five exchanges opened by the operators, each answered an hour later.
    for n in 0..5 {
        statements.push(format!(
            "INSERT INTO exchange (site_code, company_id, dossier_id, administration, subject,
                 title, status, opened_by, opened_at, updated_at)
             SELECT 'FRLEH', d.company_id, d.id, 'dgal', 'autre', 'Question {n}', 'en_cours',
                 'operateur', '2021-03-10T08:00:00+00:00', '2021-03-10T09:00:00+00:00'
             FROM dossier d WHERE d.id = {}",
            nth_dossier(n)
        ));
        for (side, at) in [
            ("operateur", "2021-03-10T08:00:00+00:00"),
            ("administration", "2021-03-10T09:00:00+00:00"),
        ] {
            statements.push(format!(
                "INSERT INTO exchange_entry (exchange_id, kind, side, author_label, text, at)
                 SELECT id, 'message', '{side}', 'Témoin', 'Bonjour', '{at}'
                 FROM exchange WHERE title = 'Question {n}'"
            ));
        }
    }
    for statement in statements {
        execute(store, &statement).await.unwrap();
    }
}

async fn statistics_give_the_dashboards_figures(backend: Backend) {
    let Some(server) = start(backend).await else {
        return;
    };
    march_at_le_havre(&server.store).await;
    march_activity(&server.store).await;
    // Two dossiers of one company released at Fos in May 2022.
    for n in 0..2 {
        let opened = Utc.with_ymd_and_hms(2022, 5, 10, 9, n, 0).unwrap();
        insert(
            &server.store,
            3000 + n,
            "FRFOS",
            "FRFOS1",
            COMPANIES[0],
            opened,
            vec![
                step(
                    StepKind::Arrival,
                    StepState::Termine,
                    Some(opened),
                    Some(opened + Duration::minutes(10)),
                ),
                step(
                    StepKind::CustomsClearance,
                    StepState::Termine,
                    Some(opened + Duration::minutes(10)),
                    Some(opened + Duration::minutes(50)),
                ),
            ],
        )
        .await;
    }
    // One rendez-vous of that company at Fos in May 2022, in a slot of two places.
    for statement in [
        "INSERT INTO slot (post_code, check_kind, starts_at, ends_at, capacity, booked) VALUES
         ('FRFOS1', 'physical', '2022-05-11T09:00:00+00:00', '2022-05-11T09:30:00+00:00', 2, 1)"
            .to_owned(),
        format!(
            "INSERT INTO appointment (dossier_id, check_kind, slot_id, state, company_id,
                 checkin_token, created_at, updated_at, decided_at)
             SELECT d.id, 'physical', (SELECT MAX(id) FROM slot), 'confirme', d.company_id,
                 'tdb-fos', '2022-05-10T09:00:00+00:00', '2022-05-10T09:05:00+00:00',
                 '2022-05-10T09:05:00+00:00'
             FROM dossier d WHERE d.id = {}",
            nth_dossier(12)
        ),
    ] {
        execute(&server.store, &statement).await.unwrap();
    }
    let dgitm = signed_in(&server, DGITM).await;
    let sites = server.store.sites().await.unwrap();
    let name_of = |code: &str| {
        sites
            .iter()
            .find(|s| s.code.as_str() == code)
            .unwrap()
            .name
            .clone()
    };
    let (le_havre, fos) = (name_of("FRLEH"), name_of("FRFOS"));
    // The row of a site (or of all of them) for an indicator of 2021 or 2022.
    let table = |year: &'static str, indicator: &'static str| {
        let dgitm = &dgitm;
        async move {
            let view = statistics(dgitm, &[("annee", year), ("indicateur", indicator)]).await;
            assert_eq!(view.problem, None, "{indicator}");
            assert!(!recoverable(&view), "{indicator}: {view:?}");
            view.statistics.unwrap()
        }
    };
    let row = |statistics: &app::domain::dashboard::Statistics, site: &str| {
        statistics
            .rows
            .iter()
            .chain(std::iter::once(&statistics.totals))
            .find(|row| row.site == site)
            .unwrap()
            .clone()
    };
    let (march, april, may, june) = (2, 3, 4, 5);

    // Durations from the same histograms as the dashboards: the crossing's median and 80th
    // percentile at Le Havre in March; nothing to compute them from at Fos (« — »).
    for (indicator, expected) in [("duree-passage-mediane", 65), ("duree-passage-80", 80)] {
        let statistics = table("2021", indicator).await;
        assert_eq!(statistics.filters.indicator.unit(), Unit::Minutes);
        assert_eq!(
            row(&statistics, &le_havre).months[march],
            StatCell::Figure(expected)
        );
        assert_eq!(
            row(&statistics, "Tous les sites").months[march],
            StatCell::Figure(expected)
        );
        assert!(row(&statistics, &fos)
            .months
            .iter()
            .all(|cell| *cell == StatCell::Empty));
    }
    // Each step with its own population: ten decisions of 5 minutes are shown, the three
    // physical checks (fewer than 5 dossiers) are hidden in the same month.
    let decisions = table("2021", "duree-etape-decision-mediane").await;
    assert_eq!(
        row(&decisions, &le_havre).months[march],
        StatCell::Figure(7)
    );
    let checks = table("2021", "duree-etape-physical_check-mediane").await;
    assert_eq!(row(&checks, &le_havre).months[march], StatCell::Hidden);
    // Two released dossiers of one company at Fos in May 2022: their crossing is hidden;
    // June, without any, shows « — ».
    let fos_2022 = table("2022", "duree-passage-mediane").await;
    assert_eq!(row(&fos_2022, &fos).months[may], StatCell::Hidden);
    assert_eq!(row(&fos_2022, &fos).months[june], StatCell::Empty);

    // Rendez-vous: places are shown wherever the rendez-vous booked in them are (Fos's two
    // places of April had none); booked ones are counted by company, the single no-show is
    // hidden.
    let places = table("2021", "places-rendez-vous").await;
    assert_eq!(row(&places, &le_havre).months[march], StatCell::Figure(8));
    assert_eq!(row(&places, &fos).months[april], StatCell::Figure(2));
    assert_eq!(row(&places, "Tous les sites").total, StatCell::Figure(10));
    // A slot is kept once booked: the places of Fos's May 2022 would tell its single
    // rendez-vous, and are hidden with it.
    let places_2022 = table("2022", "places-rendez-vous").await;
    assert_eq!(row(&places_2022, &fos).months[may], StatCell::Hidden);
    let booked_2022 = table("2022", "rendez-vous").await;
    assert_eq!(row(&booked_2022, &fos).months[may], StatCell::Hidden);
    let booked = table("2021", "rendez-vous").await;
    assert_eq!(row(&booked, &le_havre).months[march], StatCell::Figure(5));
    let no_shows = table("2021", "absences").await;
    assert_eq!(row(&no_shows, &le_havre).months[march], StatCell::Hidden);
    assert_eq!(row(&no_shows, &le_havre).total, StatCell::Hidden);
    // Six validated in 10 minutes: [10, 15), the 3rd of 6 is 10 + 5 × 3/6.
    let validation = table("2021", "duree-validation-rendez-vous-mediane").await;
    assert_eq!(
        row(&validation, &le_havre).months[march],
        StatCell::Figure(12)
    );
    let view = statistics(
        &dgitm,
        &[
            ("annee", "2021"),
            ("indicateur", "places-rendez-vous"),
            ("marchandise", "plants"),
        ],
    )
    .await;
    assert!(view.statistics.is_none());
    assert_eq!(
        view.problem.as_deref(),
        Some("Les places de rendez-vous ne dépendent pas des marchandises : choisissez « Toutes les marchandises ».")
    );

    // Alerts: six opened, five closed in 30 minutes ([30, 45): 3rd and 4th of 5).
    let alerts = table("2021", "alertes").await;
    assert_eq!(row(&alerts, &le_havre).months[march], StatCell::Figure(6));
    let closing = table("2021", "duree-cloture-alertes-mediane").await;
    assert_eq!(row(&closing, &le_havre).months[march], StatCell::Figure(39));
    let closing = table("2021", "duree-cloture-alertes-80").await;
    assert_eq!(row(&closing, &le_havre).months[march], StatCell::Figure(42));
    // Exchanges: five opened, each answered in an hour ([60, 90): 3rd of 5).
    let exchanges = table("2021", "echanges").await;
    assert_eq!(
        row(&exchanges, &le_havre).months[march],
        StatCell::Figure(5)
    );
    let answers = table("2021", "duree-reponse-echanges-mediane").await;
    assert_eq!(row(&answers, &le_havre).months[march], StatCell::Figure(78));

    // The export gives durations in minutes, and nothing for « — ».
    let answer = dgitm
        .get("/statistiques/export.csv?annee=2021&indicateur=duree-passage-mediane")
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(
        answer
            .body
            .contains("Durée du passage complet — médiane (minutes)"),
        "{}",
        answer.body
    );
    assert!(
        answer.body.contains(&format!("{le_havre};;;65;")),
        "{}",
        answer.body
    );
    assert!(!answer.body.contains("Tableau Témoin"));
    server.stop().await;
}
