//! The retention the terms of use promise, with a moved clock: a month before two years without
//! a sign-in the person is told (and signing in keeps the account); past two years the account
//! is erased under a neutral label, what it wrote staying with its record and its address and
//! name nowhere in the database; a hold of the rights desk keeps it; connection data go after six
//! months; the audit trail, and an anchor taken before, still verify; `server retention
//! --dry-run` lists what would go and changes nothing; the registry extract an erased request
//! carried leaves the documents' storage, unless a document still holds the same file.

use std::process::Command;

use app::store::{Actor, Backend, Engine, RetentionLimits, Store};
use chrono::{DateTime, Duration, Utc};
use secrecy::{ExposeSecret, SecretString};

use crate::accounts::{Browser, AGENT_SIVEP, OPERATOR, OTHER_OPERATOR, PASSWORD};
use crate::helpers::{config, count, execute, fresh_database, on_both_stores, Running};
use crate::smtp_sink::{mail_about, SmtpSink};

on_both_stores!(
    accounts_and_connections_go_at_their_time_and_nothing_else,
    registry_extracts_leave_the_storage_with_their_request,
    a_sole_trader_s_company_loses_its_name_when_its_time_is_over,
);

const FOS_AGENT: &str = "agent.fos@demo.sesame.test";

/// Every text column of every table where `value` appears, as `table.column`.
pub(crate) async fn where_found(store: &Store, value: &str) -> Vec<String> {
    let columns: Vec<(String, String)> = match store.engine() {
        Engine::Sqlite(pool) => sqlx::query_as(
            "SELECT m.name, c.name FROM sqlite_master m, pragma_table_info(m.name) c
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'
               AND m.name <> '_sqlx_migrations' AND c.type = 'TEXT'",
        )
        .fetch_all(pool)
        .await
        .unwrap(),
        Engine::Postgres(pool) => sqlx::query_as(
            "SELECT table_name::text, column_name::text FROM information_schema.columns
             WHERE table_schema = 'public' AND table_name <> '_sqlx_migrations'
               AND data_type IN ('text', 'character varying')",
        )
        .fetch_all(pool)
        .await
        .unwrap(),
    };
    let mut found = Vec::new();
    for (table, column) in columns {
        let sql = format!(
            "SELECT COUNT(*) FROM \"{table}\" WHERE \"{column}\" LIKE '%{}%'",
            value.replace('\'', "''")
        );
        if count(store, &sql).await > 0 {
            found.push(format!("{table}.{column}"));
        }
    }
    found
}

async fn user_id(store: &Store, email: &str) -> i64 {
    store.user_by_email(email).await.unwrap().unwrap().id
}

fn at(moment: DateTime<Utc>) -> String {
    moment.format("%Y-%m-%dT%H:%M:%S+00:00").to_string()
}

/// `server retention --dry-run --au DAY`, as operations run it: its output.
fn dry_run(url: &str, purge: Option<&SecretString>, day: chrono::NaiveDate) -> String {
    let mut command = Command::new(env!("CARGO_BIN_EXE_server"));
    command
        .args(["retention", "--dry-run", "--au", &day.to_string()])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", url);
    if let Some(purge) = purge {
        command.env("SESAME_PURGE_DATABASE_URL", purge.expose_secret());
    }
    let output = command.output().expect("le binaire s'exécute");
    assert!(output.status.success(), "{output:?}");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

async fn accounts_and_connections_go_at_their_time_and_nothing_else(backend: Backend) {
    let Some(url) = fresh_database(backend).await else {
        return;
    };
    let sink = SmtpSink::start().await;
    let mut config = config(url.clone());
    config.smtp_url = Some(SecretString::from(sink.url.clone()));
    let server = Running::start(&config).await;
    let store = &server.store;
    let purge = match &config.purge_database_url {
        Some(purge_url) => Store::connect(purge_url.expose_secret()).await.unwrap(),
        None => store.clone(),
    };
    let files = server::files::LocalFolder::new(&config.documents_folder);

    // Karim signs in and writes to the SIVEP of Le Havre; Claire signs in too.
    let karim = Browser::new(&server);
    karim.sign_in(OTHER_OPERATOR, PASSWORD).await;
    let form = reqwest::multipart::Form::new()
        .text("site", "FRLEH")
        .text("destinataire", "dgal")
        .text("objet", "autre")
        .text("titre", "Question sur un contrôle")
        .text(
            "texte",
            "Bonjour, quels documents faut-il pour le contrôle ?",
        );
    let opened = karim.post_multipart("/messagerie/nouvelle", form).await;
    assert!(!opened.location.contains("erreur"), "{}", opened.location);
    let exchange = count(store, "SELECT MAX(id) FROM exchange").await;
    let claire = Browser::new(&server);
    claire.sign_in(OPERATOR, PASSWORD).await;

    let (karim_id, sophie_id, fos_id, claire_id) = (
        user_id(store, OTHER_OPERATOR).await,
        user_id(store, AGENT_SIVEP).await,
        user_id(store, FOS_AGENT).await,
        user_id(store, OPERATOR).await,
    );
    let karim_name = store
        .user_by_email(OTHER_OPERATOR)
        .await
        .unwrap()
        .unwrap()
        .full_name;
    assert!(!where_found(store, OTHER_OPERATOR).await.is_empty());

    // The clock moves two years and a day on. Karim's last sign-in is then past; Sophie's is
    // twenty days from its end; the Fos agent's too, but a dispute holds it; everyone else
    // signed in yesterday.
    let now = Utc::now();
    let later = now + Duration::days(745);
    let limits = RetentionLimits::at(later);
    execute(
        store,
        &format!(
            "UPDATE app_user SET last_sign_in_at = '{}' WHERE id NOT IN ({karim_id}, {fos_id})",
            at(later - Duration::days(1))
        ),
    )
    .await
    .unwrap();
    execute(
        store,
        &format!(
            "UPDATE app_user SET last_sign_in_at = '{}' WHERE id = {sophie_id}",
            at(limits.accounts_before + Duration::days(20))
        ),
    )
    .await
    .unwrap();
    let hold = store
        .place_hold(
            Some(fos_id),
            None,
            "Contestation d'un contrôle en cours",
            &Actor::ANONYMOUS,
            now,
        )
        .await
        .unwrap();
    let (anchor_seq, anchor_hash) = store.audit_anchor().await.unwrap().unwrap();
    let sessions = count(store, "SELECT COUNT(*) FROM session").await;
    assert!(sessions >= 2);

    // The dry run lists what would go, by number, and changes nothing.
    let said = dry_run(&url, config.purge_database_url.as_ref(), later.date_naive());
    assert!(said.contains("simulation : rien n'est effacé"), "{said}");
    let (warn, erase) = said.split_once("Comptes à supprimer :").expect(&said);
    assert!(warn.contains(&format!("n° {sophie_id} ")), "{said}");
    assert!(erase.contains(&format!("n° {karim_id} ")), "{said}");
    assert!(!said.contains(&format!("n° {fos_id} ")), "{said}");
    assert!(!said.contains(&format!("n° {claire_id} ")), "{said}");
    assert!(
        !said.contains(OTHER_OPERATOR),
        "pas d'adresse dans la sortie : {said}"
    );
    assert!(
        said.lines().any(
            |line| line.starts_with("Comptes arrivés à échéance mais gelés")
                && line.trim_end().ends_with(" 1")
        ),
        "{said}"
    );
    assert_eq!(count(store, "SELECT COUNT(*) FROM session").await, sessions);
    assert_eq!(
        store
            .user_by_email(OTHER_OPERATOR)
            .await
            .unwrap()
            .unwrap()
            .id,
        karim_id
    );

    // The run at that moment.
    let done = server::retention::run(store, &purge, &files, later)
        .await
        .unwrap();
    assert_eq!((done.warned, done.erased), (1, 1), "{done:?}");
    // Every session was six months old at that moment: Karim's went with his account, the
    // others as connection data.
    assert_eq!(done.connections.sessions as i64, sessions - 1, "{done:?}");
    assert_eq!(count(store, "SELECT COUNT(*) FROM session").await, 0);

    // Karim is a neutral label: no sign-in, his address and name nowhere in the database.
    let label = format!("Utilisateur n° {karim_id}, supprimé");
    assert_eq!(
        count(
            store,
            &format!("SELECT COUNT(*) FROM app_user WHERE id = {karim_id} AND full_name = '{label}' AND erased_at IS NOT NULL")
        )
        .await,
        1
    );
    assert_eq!(
        where_found(store, OTHER_OPERATOR).await,
        Vec::<String>::new()
    );
    assert_eq!(where_found(store, &karim_name).await, Vec::<String>::new());
    let refused = Browser::new(&server)
        .try_sign_in(OTHER_OPERATOR, PASSWORD)
        .await;
    assert!(refused.location.contains("erreur"), "{}", refused.location);
    // What he wrote stays with the exchange, under the label, for the agent and his company.
    let sophie = Browser::new(&server);
    sophie.sign_in(AGENT_SIVEP, PASSWORD).await;
    let (status, page) = sophie.page(&format!("/messagerie/{exchange}")).await;
    assert_eq!(status, 200);
    assert!(
        page.contains("quels documents faut-il pour le contrôle"),
        "{page}"
    );
    assert!(page.contains(&label), "{page}");
    // Sophie takes it: the status line names her when read, while the record, which never
    // changes, holds her account's number, not her name.
    let taken = sophie
        .post(
            &format!("/messagerie/{exchange}/attribution"),
            &[("agent", "")],
        )
        .await;
    assert!(!taken.location.contains("erreur"), "{}", taken.location);
    let (_, page) = sophie.page(&format!("/messagerie/{exchange}")).await;
    assert!(page.contains("Attribuée à Sophie Leroy"), "{page}");
    assert!(!where_found(store, "Sophie Leroy")
        .await
        .contains(&"exchange_entry.text".to_owned()));

    // The mails the moved clock queued are due now.
    execute(
        store,
        &format!(
            "UPDATE notification_mail SET next_attempt_at = '{}'",
            at(now)
        ),
    )
    .await
    .unwrap();
    // Sophie was told, by mail, that signing in keeps her account; she signed in above, which
    // answers it.
    let mail = mail_about(&sink, AGENT_SIVEP, "Votre compte sera supprimé").await;
    assert!(
        mail.text.contains("il suffit de vous connecter"),
        "{}",
        mail.text
    );
    assert_eq!(
        count(
            store,
            &format!("SELECT COUNT(*) FROM app_user WHERE id = {sophie_id} AND retention_warned_at IS NULL AND erased_at IS NULL")
        )
        .await,
        1
    );
    // (Her sign-in happened at the moved clock's moment.)
    execute(
        store,
        &format!(
            "UPDATE app_user SET last_sign_in_at = '{}' WHERE id = {sophie_id}",
            at(later)
        ),
    )
    .await
    .unwrap();
    // Claire keeps her account; her sessions (connection data past six months) went.
    let claire_row = store.user_by_email(OPERATOR).await.unwrap().unwrap();
    assert_eq!(claire_row.id, claire_id);
    assert_eq!(
        count(
            store,
            &format!(
                "SELECT COUNT(*) FROM session WHERE user_id = {claire_id} AND created_at < '{}'",
                at(now + Duration::minutes(1))
            )
        )
        .await,
        0
    );
    // The held agent is kept, with the address.
    assert_eq!(user_id(store, FOS_AGENT).await, fos_id);

    // The trail verifies, and so does the anchor filed before.
    let report = store.verify_audit().await.unwrap();
    assert_eq!(report.problem, None, "{report:?}");
    assert_eq!(
        store.audit_hash(anchor_seq).await.unwrap().as_deref(),
        Some(anchor_hash.as_str())
    );

    // Again: nothing more goes. The hold lifted, the held account goes at the next run.
    let again = server::retention::run(store, &purge, &files, later)
        .await
        .unwrap();
    assert_eq!((again.warned, again.erased), (0, 0), "{again:?}");
    assert!(store
        .lift_hold(hold, &Actor::ANONYMOUS, later)
        .await
        .unwrap());
    let after = server::retention::run(store, &purge, &files, later)
        .await
        .unwrap();
    assert_eq!(after.erased, 1, "{after:?}");
    assert_eq!(where_found(store, FOS_AGENT).await, Vec::<String>::new());
    assert_eq!(store.verify_audit().await.unwrap().problem, None);

    if config.purge_database_url.is_some() {
        purge.close().await;
    }
    server.stop().await;
}

/// A refused request to join a company, decided `decided_at`, carrying a registry extract of
/// these bytes, kept in `folder` as the platform keeps it: its number.
async fn request_with_extract(
    store: &Store,
    folder: &std::path::Path,
    name: &str,
    decided_at: DateTime<Utc>,
    bytes: &[u8],
) -> i64 {
    use sha2::{Digest, Sha256};
    let sha = format!("{:x}", Sha256::digest(bytes));
    let kept = folder
        .join("kept")
        .join(app::documents::files::storage_key(&sha));
    std::fs::create_dir_all(kept.parent().unwrap()).unwrap();
    std::fs::write(&kept, bytes).unwrap();
    let at = at(decided_at);
    execute(
        store,
        &format!(
            "INSERT INTO access_request (provider, subject, email, full_name, token_hash, state,
                 siret, reason, created_at, decided_at, extract_sha256, extract_name, extract_media,
                 extract_size, extract_scan)
             VALUES ('douane', 'sujet-{name}', '{name}@exemple.test', 'Dirigeant {name}',
                 'jeton-{name}', 'refusee', '73282932000074', 'SIRET inconnu', '{at}', '{at}',
                 '{sha}', 'kbis-{name}.pdf', 'application/pdf', {}, 'sain')",
            bytes.len()
        ),
    )
    .await
    .unwrap();
    count(
        store,
        &format!("SELECT id FROM access_request WHERE subject = 'sujet-{name}'"),
    )
    .await
}

async fn registry_extracts_leave_the_storage_with_their_request(backend: Backend) {
    let Some(url) = fresh_database(backend).await else {
        return;
    };
    let config = config(url);
    let server = Running::start(&config).await;
    let store = &server.store;
    let purge = match &config.purge_database_url {
        Some(purge_url) => Store::connect(purge_url.expose_secret()).await.unwrap(),
        None => store.clone(),
    };
    let folder = config.documents_folder.clone();
    let files = server::files::LocalFolder::new(&folder);
    let now = Utc::now();
    let kept_file = |bytes: &[u8]| {
        use sha2::{Digest, Sha256};
        folder
            .join("kept")
            .join(app::documents::files::storage_key(&format!(
                "{:x}",
                Sha256::digest(bytes)
            )))
    };
    // Decided three years ago: its name, address and extract go. Decided a month ago: kept.
    // Decided three years ago too, but its extract is also a dossier's document: the request
    // forgets it, the file stays for the document.
    let old = request_with_extract(
        store,
        &folder,
        "ancienne",
        now - Duration::days(3 * 365),
        b"%PDF-1.7 extrait K-bis ancien",
    )
    .await;
    let recent = request_with_extract(
        store,
        &folder,
        "recente",
        now - Duration::days(30),
        b"%PDF-1.7 extrait K-bis recent",
    )
    .await;
    let shared = request_with_extract(
        store,
        &folder,
        "partagee",
        now - Duration::days(3 * 365),
        b"%PDF-1.7 extrait K-bis partage",
    )
    .await;
    {
        use sha2::{Digest, Sha256};
        let sha = format!("{:x}", Sha256::digest(b"%PDF-1.7 extrait K-bis partage"));
        let dossier = count(store, "SELECT MIN(id) FROM dossier").await;
        execute(
            store,
            &format!(
                "INSERT INTO document (dossier_id, kind, title, file_name, media_type, size, sha256,
                     storage_key, author, author_label, scan, added_at)
                 VALUES ({dossier}, 'other', 'Extrait K-bis', 'kbis.pdf', 'application/pdf', 30,
                     '{sha}', '{}', 'operator', 'Claire', 'sain', '{}')",
                app::documents::files::storage_key(&sha),
                at(now)
            ),
        )
        .await
        .unwrap();
    }

    let done = server::retention::run(store, &purge, &files, now)
        .await
        .unwrap();
    assert_eq!(done.extracts, 2, "{done:?}");
    assert!(
        done.summary().contains("2 extraits de registre retirés"),
        "{}",
        done.summary()
    );
    let extract_of = |id: i64| {
        format!(
            "SELECT COUNT(*) FROM access_request WHERE id = {id} AND extract_sha256 IS NOT NULL"
        )
    };
    assert_eq!(count(store, &extract_of(old)).await, 0);
    assert_eq!(count(store, &extract_of(shared)).await, 0);
    assert_eq!(count(store, &extract_of(recent)).await, 1);
    assert!(
        !kept_file(b"%PDF-1.7 extrait K-bis ancien").exists(),
        "l'extrait ancien est resté"
    );
    assert!(kept_file(b"%PDF-1.7 extrait K-bis recent").exists());
    assert!(
        kept_file(b"%PDF-1.7 extrait K-bis partage").exists(),
        "le document a perdu son fichier"
    );
    assert!(where_found(store, "kbis-ancienne").await.is_empty());
    assert!(where_found(store, "Dirigeant ancienne").await.is_empty());
    // The decision stays; a second run has nothing left to do.
    assert_eq!(
        count(
            store,
            &format!("SELECT COUNT(*) FROM access_request WHERE id = {old} AND state = 'refusee'")
        )
        .await,
        1
    );
    let again = server::retention::run(store, &purge, &files, now)
        .await
        .unwrap();
    assert_eq!(again.extracts, 0, "{again:?}");
    if config.purge_database_url.is_some() {
        purge.close().await;
    }
    server.stop().await;
}

/// A company that is a person keeps its name and address while one of its people's accounts
/// stays or one of its dossiers moved within two years; then they give way to a label.
async fn a_sole_trader_s_company_loses_its_name_when_its_time_is_over(backend: Backend) {
    let Some(url) = fresh_database(backend).await else {
        return;
    };
    let config = config(url);
    let server = Running::start(&config).await;
    let store = &server.store;
    let purge = match &config.purge_database_url {
        Some(purge_url) => Store::connect(purge_url.expose_secret()).await.unwrap(),
        None => store.clone(),
    };
    let files = server::files::LocalFolder::new(&config.documents_folder);
    let company_of = |email: &'static str| async move {
        store
            .user_by_email(email)
            .await
            .unwrap()
            .unwrap()
            .company_id
            .unwrap()
    };
    let (karim_co, claire_co) = (company_of(OTHER_OPERATOR).await, company_of(OPERATOR).await);
    // Two demo companies with dossiers and nobody's account: one moved a dossier lately.
    let quiet = count(
        store,
        &format!(
            "SELECT MIN(company_id) FROM dossier WHERE company_id NOT IN ({karim_co}, {claire_co})"
        ),
    )
    .await;
    let busy = count(
        store,
        &format!(
            "SELECT MAX(company_id) FROM dossier WHERE company_id NOT IN ({karim_co}, {claire_co}, {quiet})"
        ),
    )
    .await;
    let name_of = |id: i64| async move {
        match store.engine() {
            Engine::Sqlite(pool) => {
                sqlx::query_scalar::<_, String>("SELECT name FROM company WHERE id = $1")
                    .bind(id)
                    .fetch_one(pool)
                    .await
                    .unwrap()
            }
            Engine::Postgres(pool) => {
                sqlx::query_scalar::<_, String>("SELECT name FROM company WHERE id = $1")
                    .bind(id)
                    .fetch_one(pool)
                    .await
                    .unwrap()
            }
        }
    };
    let karim_name = name_of(karim_co).await;
    let quiet_name = name_of(quiet).await;
    execute(
        store,
        &format!(
            "UPDATE company SET sole_trader = TRUE WHERE id IN ({karim_co}, {claire_co}, {quiet}, {busy})"
        ),
    )
    .await
    .unwrap();
    // Two years and a day on: Karim's last sign-in is past, Claire signed in yesterday, the busy
    // company's dossier moved ten days ago.
    let later = Utc::now() + Duration::days(745);
    let karim_id = user_id(store, OTHER_OPERATOR).await;
    execute(
        store,
        &format!(
            "UPDATE app_user SET last_sign_in_at = '{}' WHERE id <> {karim_id}",
            at(later - Duration::days(1))
        ),
    )
    .await
    .unwrap();
    execute(
        store,
        &format!(
            "UPDATE dossier SET updated_at = '{}'
             WHERE id = (SELECT MIN(id) FROM dossier WHERE company_id = {busy})",
            at(later - Duration::days(10))
        ),
    )
    .await
    .unwrap();
    let plan = store
        .retention_plan(&RetentionLimits::at(later))
        .await
        .unwrap();
    // Karim's company waits for his account to go, in the same run.
    assert_eq!(plan.sole_traders, 1, "{plan:?}");

    let done = server::retention::run(store, &purge, &files, later)
        .await
        .unwrap();
    assert_eq!(done.connections.companies, 2, "{done:?}");
    assert!(
        done.summary()
            .contains("2 entreprises individuelles anonymisées"),
        "{}",
        done.summary()
    );
    for id in [karim_co, quiet] {
        assert_eq!(
            count(
                store,
                &format!(
                    "SELECT COUNT(*) FROM company WHERE id = {id} AND address IS NULL
                     AND name = 'Entreprise individuelle n° {id}, supprimée' AND erased_at IS NOT NULL"
                ),
            )
            .await,
            1
        );
    }
    for name in [&karim_name, &quiet_name] {
        assert_eq!(
            count(
                store,
                &format!(
                    "SELECT COUNT(*) FROM company WHERE name = '{}'",
                    name.replace('\'', "''")
                )
            )
            .await,
            0
        );
    }
    assert_eq!(
        count(
            store,
            &format!("SELECT COUNT(*) FROM company WHERE id IN ({claire_co}, {busy}) AND erased_at IS NULL AND address IS NOT NULL")
        )
        .await,
        2,
        "une entreprise encore active garde son nom"
    );
    // Idempotent.
    let again = server::retention::run(store, &purge, &files, later)
        .await
        .unwrap();
    assert_eq!(again.connections.companies, 0);
    server.stop().await;
}
