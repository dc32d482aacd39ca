//! Every form of the site (`app::forms::FORM_ROUTES`), as each kind of person who uses forms,
//! submitted with what a broken browser or a hostile client sends: nothing at all, every usual
//! field oversized, bytes that are not UTF-8 or not a form, values out of range, and path
//! parameters that are no number or too large for one. Never a 5xx, never a technical or English
//! message: a redirection to a page that says in French what is wrong, or a French refusal.

use app::forms::FORM_ROUTES;
use app::store::Backend;

use crate::accounts::{Answer, Browser, AGENT_SIVEP, HEAD, OPERATOR, PASSWORD};
use crate::helpers::{config, fresh_database, Running};

/// The field names the site's forms use.
const FIELDS: [&str; 32] = [
    "nom",
    "adresse",
    "telephone",
    "texte",
    "motif",
    "reponse",
    "decision",
    "nature",
    "canal",
    "recue",
    "dossier",
    "agent",
    "statut",
    "note",
    "titre",
    "objet",
    "destinataire",
    "creneau",
    "controle",
    "poste",
    "debut",
    "fin",
    "message",
    "valeur",
    "gel",
    "role",
    "site",
    "code",
    "mot_de_passe",
    "accepte",
    "retour",
    "seuil",
];

/// What a framework says when it refuses before the handler: never to be shown to a person.
const TECHNICAL: [&str; 10] = [
    "Failed to",
    "Invalid URL",
    "Expected request",
    "Cannot parse",
    "deserialize",
    "missing field",
    "Form requests",
    "Length Required",
    "Wrong number",
    "internal error",
];

fn bodies() -> Vec<(&'static str, &'static str, Vec<u8>)> {
    let join = |value: &str| {
        FIELDS
            .iter()
            .map(|name| format!("{name}={value}"))
            .collect::<Vec<_>>()
            .join("&")
            .into_bytes()
    };
    let form = "application/x-www-form-urlencoded";
    vec![
        ("vide", form, Vec::new()),
        ("trop long", form, join(&"%C3%A9".repeat(3000))),
        ("pas de l'UTF-8", form, join("%E9t%E9%FF%FE")),
        (
            "octets bruts",
            form,
            vec![0xFF, 0xFE, b'=', 0x00, b'&', 0xC3, 0x28],
        ),
        ("hors limites", form, join("-99999999999999999999")),
        ("date impossible", form, join("2026-13-45T25%3A61")),
        (
            "pas un formulaire",
            "application/json",
            b"{\"nom\": 1}".to_vec(),
        ),
    ]
}

fn check(what: &str, route: &str, answer: &Answer) {
    assert!(
        !answer.status.is_server_error(),
        "{route} ({what}) : {} {}",
        answer.status,
        answer.body
    );
    if answer.status.is_redirection() {
        assert!(!answer.location.is_empty(), "{route} ({what})");
        return;
    }
    if answer.status.is_client_error() {
        assert!(
            !answer.body.trim().is_empty(),
            "{route} ({what}) : {} sans un mot",
            answer.status
        );
    }
    for technical in TECHNICAL {
        assert!(
            !answer.body.contains(technical),
            "{route} ({what}) : {} « {} »",
            answer.status,
            answer.body
        );
    }
}

#[tokio::test]
async fn every_form_survives_what_a_hostile_client_sends() {
    let Some(url) = fresh_database(Backend::Sqlite).await else {
        return;
    };
    let mut config = config(url);
    config.sensitive_burst = 100_000;
    config.submissions_burst = 100_000;
    config.submissions_per_minute = 100_000;
    let server = Running::start(&config).await;
    for email in [
        OPERATOR,
        AGENT_SIVEP,
        HEAD,
        "agent.douane@demo.sesame.test",
        "superviseur@demo.sesame.test",
        "dgitm@demo.sesame.test",
        // Last: what the technical administrator's forms might change touches no one above.
        "admin@demo.sesame.test",
    ] {
        let person = Browser::new(&server);
        person.sign_in(email, PASSWORD).await;
        for (route, _) in FORM_ROUTES {
            let (method, pattern) = route.split_once(' ').unwrap();
            // Signing out would end the crawl's session; its form has no field anyway.
            if method != "POST" || pattern == "/deconnexion" || pattern.ends_with("/fin") {
                continue;
            }
            for id in ["1", "abc", "99999999999999999999", "-1"] {
                let path = pattern
                    .replace("{id}", id)
                    .replace("{action}", "annulation")
                    .replace("{provider}", "inconnu")
                    .replace("{code}", "FRLEH1")
                    .replace("{file}", "inconnu.ics")
                    .replace("{document}", id)
                    .replace("{hold}", id)
                    .replace("{format}", "export.ods");
                let bodies = if id == "1" {
                    bodies()
                } else {
                    bodies()[..1].to_vec()
                };
                for (what, content_type, body) in bodies {
                    let answer = person.post_raw(&path, content_type, body).await;
                    check(&format!("{email}, {what}, {id}"), route, &answer);
                }
            }
        }
    }
    server.stop().await;
}
