//! A deployment without the demo: `server admin create` opens the first technical
//! administrator's account and prints a single-use link that sets its password. It refuses,
//! changing nothing and saying why in French, to run a second time, to take an address already
//! used, or to accept a malformed one; the link works once; the administrator then signs in and
//! reaches the administration, and no dossier.

use std::process::{Command, Output};

use reqwest::StatusCode;
use secrecy::ExposeSecret;

use crate::accounts::Browser;
use crate::helpers::{config, fresh_database, on_both_stores, Running};
use app::store::Backend;

on_both_stores!(the_first_administrator_is_created_from_the_command_line);

const PUBLIC_URL: &str = "https://sesame.exemple.gouv.fr";

/// `server admin …` on the test's database, as whoever holds the deployment runs it.
fn admin(config: &server::config::Config, args: &[&str]) -> (Output, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_server"));
    command
        .arg("admin")
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", config.database_url.expose_secret())
        .env("SESAME_PUBLIC_URL", PUBLIC_URL)
        .env("SESAME_DEMO", "false");
    if let Some(owner_url) = &config.owner_database_url {
        command.env("SESAME_OWNER_DATABASE_URL", owner_url.expose_secret());
    }
    let output = command.output().expect("le binaire s'exécute");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output, said)
}

/// `server admin create --email … --name …`, and what else is asked.
fn create(
    config: &server::config::Config,
    email: &str,
    name: &str,
    more: &[&str],
) -> (Output, String) {
    admin(
        config,
        &[&["create", "--email", email, "--name", name], more].concat(),
    )
}

async fn administrators(server: &Running) -> i64 {
    let mut tx = server.store.begin().await.unwrap();
    let count = tx
        .count_role(app::domain::directory::Role::Administrateur)
        .await
        .unwrap();
    drop(tx);
    count
}

async fn the_first_administrator_is_created_from_the_command_line(backend: Backend) {
    let Some(url) = fresh_database(backend).await else {
        return;
    };
    let mut config = config(url);
    config.demo = false;
    config.demo_api_key = None;
    let server = Running::start(&config).await;
    assert_eq!(
        administrators(&server).await,
        0,
        "sans démonstration, aucun compte"
    );

    // A malformed address is told, and nothing is created.
    let (output, said) = create(&config, "pas-une-adresse", "Alice Martin", &[]);
    assert!(!output.status.success());
    assert!(
        said.contains("--email : « pas-une-adresse » n'est pas une adresse électronique"),
        "{said}"
    );
    assert_eq!(administrators(&server).await, 0);

    let (output, said) = create(
        &config,
        "Alice.Martin@Exemple.gouv.fr",
        "Alice  Martin",
        &[],
    );
    assert!(output.status.success(), "{said}");
    assert!(
        said.contains("Compte d'administrateur technique n° ")
            && said.contains("alice.martin@exemple.gouv.fr"),
        "{said}"
    );
    let link = said
        .split_whitespace()
        .find(|word| word.starts_with(&format!("{PUBLIC_URL}/mot-de-passe/nouveau?jeton=")))
        .expect("le lien est affiché")
        .to_owned();
    let token = link.split("jeton=").nth(1).unwrap().to_owned();
    assert_eq!(administrators(&server).await, 1);

    // Run again: refused out loud, nothing created.
    let (output, said) = create(&config, "bob.durand@exemple.gouv.fr", "Bob Durand", &[]);
    assert!(!output.status.success());
    assert!(
        said.contains("Cette plateforme a déjà 1 administrateur technique : rien n'a été créé.")
            && said.contains("--supplementaire"),
        "{said}"
    );
    assert!(!said.contains("jeton="), "{said}");
    // Another one when asked for, but never on an address already taken.
    let (output, said) = create(
        &config,
        "alice.martin@exemple.gouv.fr",
        "Alice Martin",
        &["--supplementaire"],
    );
    assert!(!output.status.success());
    assert!(
        said.contains("Un compte existe déjà avec l'adresse alice.martin@exemple.gouv.fr : rien n'a été créé."),
        "{said}"
    );
    assert_eq!(administrators(&server).await, 1);
    let (output, said) = create(
        &config,
        "bob.durand@exemple.gouv.fr",
        "Bob Durand",
        &["--supplementaire"],
    );
    assert!(output.status.success(), "{said}");
    assert_eq!(administrators(&server).await, 2);

    // The link sets the password, once; the administrator signs in and reaches the partner
    // keys, never the dossiers.
    let browser = Browser::new(&server);
    let form = browser
        .get(&format!("/mot-de-passe/nouveau?jeton={token}"))
        .await;
    assert!(
        form.body.contains("alice.martin@exemple.gouv.fr"),
        "{}",
        form.body
    );
    let password = "cheval agrafe batterie";
    let set = browser
        .post(
            "/mot-de-passe/nouveau",
            &[
                ("jeton", &token),
                ("mot_de_passe", password),
                ("confirmation", password),
            ],
        )
        .await;
    assert_eq!(set.status, StatusCode::SEE_OTHER);
    assert!(!set.location.contains("erreur"), "{}", set.location);
    let again = browser
        .post(
            "/mot-de-passe/nouveau",
            &[
                ("jeton", &token),
                ("mot_de_passe", "autre phrase secrète"),
                ("confirmation", "autre phrase secrète"),
            ],
        )
        .await;
    assert!(again.location.contains("erreur"), "{}", again.location);
    let admin_browser = Browser::new(&server);
    admin_browser
        .sign_in("alice.martin@exemple.gouv.fr", password)
        .await;
    assert_eq!(
        admin_browser
            .get("/administration/cles-partenaires")
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        admin_browser.get("/dossiers").await.status,
        StatusCode::FORBIDDEN
    );

    // The first site and post of the empty platform, from the command line through the same
    // code as the page: a mistake is told and changes nothing; the post is listed at once.
    let (output, said) = admin(
        &config,
        &[
            "create-site",
            "--code",
            "FRLRH",
            "--name",
            "La Rochelle",
            "--kind",
            "ferry",
        ],
    );
    assert!(!output.status.success());
    assert!(
        said.contains("--kind vaut port ou airport, pas « ferry »"),
        "{said}"
    );
    let (output, said) = admin(
        &config,
        &[
            "create-site",
            "--code",
            "FRPTP",
            "--name",
            "Pointe-à-Pitre",
            "--kind",
            "port",
            "--time-zone",
            "America/Guadeloupe",
        ],
    );
    assert!(!output.status.success());
    assert!(said.contains("sont à l'heure de Paris"), "{said}");
    let (output, said) = admin(
        &config,
        &[
            "create-site",
            "--code",
            "FRLRH",
            "--name",
            "La Rochelle — La Pallice",
            "--kind",
            "port",
        ],
    );
    assert!(output.status.success(), "{said}");
    assert!(
        said.contains("Site FRLRH (La Rochelle — La Pallice) ouvert."),
        "{said}"
    );
    let (output, said) = admin(
        &config,
        &[
            "create-post",
            "--code",
            "FRLRH1",
            "--name",
            "PCF de La Pallice",
            "--goods",
            "plants",
        ],
    );
    assert!(!output.status.success());
    assert!(said.contains("--dgal, --dgddi, ou les deux"), "{said}");
    let (output, said) = admin(
        &config,
        &[
            "create-post",
            "--code",
            "FRLRH1",
            "--name",
            "PCF de La Pallice",
            "--dgal",
            "--goods",
            "plantes",
        ],
    );
    assert!(!output.status.success());
    assert!(
        said.contains("« plantes » n'est pas une catégorie de marchandises"),
        "{said}"
    );
    let (output, said) = admin(
        &config,
        &[
            "create-post",
            "--code",
            "FRLRH1",
            "--name",
            "PCF de La Pallice",
            "--dgal",
            "--dgddi",
            "--validation",
            "--goods",
            "plants,feed",
        ],
    );
    assert!(output.status.success(), "{said}");
    let (_, page) = admin_browser.page("/administration/sites").await;
    assert!(
        page.contains("FRLRH1 — PCF de La Pallice (DGAL et douane ; chaque demande de rendez-vous validée ; agréé pour : végétaux et produits végétaux, aliments pour animaux)"),
        "{page}"
    );

    // Both creations are in the audit trail, as done from the command line, and the link is not.
    let entries = server.store.audit_entries(100).await.unwrap();
    let created: Vec<_> = entries
        .iter()
        .filter(|entry| entry.action == "administrateur_cree")
        .collect();
    assert_eq!(created.len(), 2);
    assert!(created
        .iter()
        .all(|entry| entry.actor == "ligne de commande"));
    assert!(entries.iter().all(|entry| {
        ![&entry.detail, &entry.object, &entry.personal_detail]
            .iter()
            .any(|value| value.contains(&token))
    }));
    server.stop().await;
}
