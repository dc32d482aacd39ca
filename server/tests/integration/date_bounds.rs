//! Every date a person can send, pushed to chrono's ends: the planning, the free places, a
//! slot asked for, the dossier list's filters, a habilitation's dates and a post's closures. Each is answered in
//! French (a 422 for a page, a message code for a form), nothing panics and nothing is stored.

use app::domain::access::{local_day, DossierScope};
use app::domain::dossier::DossierQuery;
use app::store::Backend;
use reqwest::StatusCode;

use crate::accounts::{Browser, AGENT_SIVEP, HEAD, OPERATOR, PASSWORD};
use crate::helpers::{config, fresh_database, on_both_stores, Running};

on_both_stores!(extreme_dates_are_refused_in_french);

/// Dates at and beyond the ends of what anyone means, as a date field or a hand-typed address
/// sends them.
const EXTREMES: [&str; 5] = [
    "9999-12-31",
    "+262142-12-31",
    "-0001-01-01",
    "-262143-01-01",
    "0000-01-01",
];

/// A day as it goes in an address (`+` is a space there).
fn in_address(day: &str) -> String {
    day.replace('+', "%2B")
}

/// A page refused for its date: 422, the French sentence, no technical wording.
fn assert_refused(path: &str, status: u16, body: &str) {
    assert_eq!(status, 422, "{path} : {body}");
    assert!(body.contains("hors des dates acceptées"), "{path} : {body}");
    assert!(!body.contains("error running"), "{path} : {body}");
}

async fn extreme_dates_are_refused_in_french(backend: Backend) {
    let Some(url) = fresh_database(backend).await else {
        return;
    };
    let server = Running::start(&config(url)).await;
    let today = local_day(chrono::Utc::now());
    let text = |day: chrono::NaiveDate| day.format("%Y-%m-%d").to_string();

    // The planning, a day or a week from the day asked.
    let agent = Browser::new(&server);
    agent.sign_in(AGENT_SIVEP, PASSWORD).await;
    for day in EXTREMES {
        for week in ["0", "1"] {
            let path = format!(
                "/planning?poste=FRLEH1&jour={}&semaine={week}",
                in_address(day)
            );
            let (status, body) = agent.page(&path).await;
            assert_refused(&path, status, &body);
        }
    }
    let (status, _) = agent
        .page(&format!("/planning?poste=FRLEH1&jour={}", text(today)))
        .await;
    assert_eq!(status, 200);

    // The dossier list's opening dates.
    for day in EXTREMES {
        for filter in ["du", "au"] {
            let path = format!("/dossiers?{filter}={}", in_address(day));
            let (status, body) = agent.page(&path).await;
            assert_refused(&path, status, &body);
        }
    }
    let (status, _) = agent.page("/dossiers?du=2020-01-01").await;
    assert_eq!(status, 200);

    // The free places of an operator's dossier, from the week asked.
    let operator = Browser::new(&server);
    operator.sign_in(OPERATOR, PASSWORD).await;
    let company = server
        .store
        .user_by_email(OPERATOR)
        .await
        .unwrap()
        .unwrap()
        .company_id
        .unwrap();
    let dossier = server
        .store
        .dossiers(
            &DossierQuery::default(),
            &DossierScope::Company {
                id: company,
                represented: Vec::new(),
            },
        )
        .await
        .unwrap()
        .dossiers
        .into_iter()
        .find(|d| d.post.is_some())
        .unwrap()
        .id;
    for day in EXTREMES {
        let path = format!(
            "/dossiers/{dossier}/rendez-vous?controle=physical&semaine={}",
            in_address(day)
        );
        let (status, body) = operator.page(&path).await;
        assert_refused(&path, status, &body);
    }

    // A slot asked for at such a day, as a datetime field or an instant (moves read it alike).
    for day in EXTREMES {
        for slot in [format!("{day}T08:30"), format!("{day}T08:30:00+01:00")] {
            let answer = operator
                .post(
                    &format!("/dossiers/{dossier}/rendez-vous"),
                    &[("controle", "physical"), ("creneau", slot.as_str())],
                )
                .await;
            assert_eq!(answer.status, StatusCode::SEE_OTHER, "{slot}");
            // RFC 3339 has four-digit years only: the others are not a slot at all.
            assert!(
                answer.location.contains("erreur=creneau-hors-bornes")
                    || answer.location.contains("erreur=creneau-inconnu"),
                "{slot} : {}",
                answer.location
            );
        }
    }
    let (_, page) = operator
        .page(&format!(
            "/dossiers/{dossier}/rendez-vous?controle=physical&erreur=creneau-hors-bornes"
        ))
        .await;
    assert!(
        page.contains("Cet horaire est hors des dates acceptées"),
        "{page}"
    );

    // A habilitation's start and end.
    let head = Browser::new(&server);
    head.sign_in(HEAD, PASSWORD).await;
    let agent_id = server
        .store
        .user_by_email(AGENT_SIVEP)
        .await
        .unwrap()
        .unwrap()
        .id;
    let before = server.store.habilitations_of(agent_id).await.unwrap().len();
    let agent_id = agent_id.to_string();
    for day in EXTREMES {
        for (start, end) in [(day, ""), (text(today).as_str(), day)] {
            let answer = head
                .post(
                    "/habilitations",
                    &[
                        ("agent", agent_id.as_str()),
                        ("site", "FRORY"),
                        ("debut", start),
                        ("fin", end),
                    ],
                )
                .await;
            assert_eq!(answer.status, StatusCode::SEE_OTHER, "{start}–{end}");
            assert!(
                answer.location.contains("erreur=date-hors-bornes")
                    || answer.location.contains("erreur=dates-inversees")
                    || answer.location.contains("erreur=date-fin-passee"),
                "{start}–{end} : {}",
                answer.location
            );
        }
    }
    let far = text(today + chrono::Duration::days(3 * 365));
    let answer = head
        .post(
            "/habilitations",
            &[
                ("agent", agent_id.as_str()),
                ("site", "FRORY"),
                ("debut", far.as_str()),
            ],
        )
        .await;
    assert!(
        answer.location.contains("erreur=date-hors-bornes"),
        "{}",
        answer.location
    );
    assert_eq!(
        server
            .store
            .habilitations_of(agent_id.parse().unwrap())
            .await
            .unwrap()
            .len(),
        before
    );
    let (_, desk) = head.page("/habilitations?erreur=date-hors-bornes").await;
    assert!(desk.contains("deux ans"), "{desk}");

    // A post's closure.
    let parse = |day: &str| chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap();
    for day in EXTREMES {
        for (from, to) in [(day, day), (text(today).as_str(), day)] {
            let answer = head
                .post(
                    "/postes/FRLEH1/fermetures",
                    &[("du", from), ("au", to), ("motif", "Inventaire")],
                )
                .await;
            assert_eq!(answer.status, StatusCode::SEE_OTHER, "{from}–{to}");
            // A closure ending before it starts keeps its own message.
            assert!(
                answer.location.contains("erreur=date-hors-bornes")
                    || (parse(to) < parse(from)
                        && answer.location.contains("erreur=fermeture-dates")),
                "{from}–{to} : {}",
                answer.location
            );
        }
    }
    let post = app::domain::references::PostCode::parse("FRLEH1").unwrap();
    assert!(server
        .store
        .closures(&post, today)
        .await
        .unwrap()
        .is_empty());

    // Typed the French way, where the browser offers a text field instead of a date picker
    // (Safari before 14.1, which the terms of use name): the same days, understood.
    let french = |day: chrono::NaiveDate| day.format("%d/%m/%Y").to_string();
    let (from, to) = (
        today + chrono::Duration::days(30),
        today + chrono::Duration::days(31),
    );
    let answer = head
        .post(
            "/postes/FRLEH1/fermetures",
            &[
                ("du", french(from).as_str()),
                ("au", french(to).as_str()),
                ("motif", "Inventaire"),
            ],
        )
        .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    assert!(!answer.location.contains("erreur"), "{}", answer.location);
    let closures = server.store.closures(&post, today).await.unwrap();
    assert_eq!(
        closures
            .iter()
            .map(|closure| (closure.starts_on, closure.ends_on))
            .collect::<Vec<_>>(),
        vec![(from, to)]
    );
    let (status, _) = agent.page("/dossiers?du=01%2F01%2F2020").await;
    assert_eq!(status, 200, "the list's filter typed the French way");
    server.stop().await;
}
