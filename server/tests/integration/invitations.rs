//! Inviting a colleague, on the real server and both stores: the administrator learns nothing
//! about which addresses have an account, an invitation reserves nothing (the account exists
//! only once the invitee chose a password), the owner of an address that has an account is told
//! in fixed words, and a link serves once, expires, and can be withdrawn — by its company only.

use std::time::Duration;

use app::store::{Backend, Engine, Store};
use reqwest::StatusCode;
use secrecy::SecretString;

use crate::accounts::{Browser, OPERATOR, OTHER_OPERATOR, PASSWORD};
use crate::helpers::{config, count, execute, fresh_database, Running};
use crate::smtp_sink::{token_in, DecodedMail, SmtpSink};

/// What the form answers when it has done its work.
const INVITED: &str = "/espace?message=collegue-invite#collegues";
/// The company of [`OPERATOR`] (Claire Martin, its administrator) in the demo data.
const OPERATOR_COMPANY: &str = "Océane Import SAS";

/// The server with a real SMTP peer, and the administrator of the first company signed in.
async fn with_mail(backend: Backend) -> Option<(Running, SmtpSink, Browser)> {
    let url = fresh_database(backend).await?;
    let sink = SmtpSink::start().await;
    let mut config = config(url);
    config.smtp_url = Some(SecretString::from(sink.url.clone()));
    let server = Running::start(&config).await;
    let admin = Browser::new(&server);
    admin.sign_in(OPERATOR, PASSWORD).await;
    Some((server, sink, admin))
}

/// One number from the database, as someone holding its keys would read it.
async fn invite(admin: &Browser, name: &str, email: &str) -> String {
    let answer = admin
        .post("/espace/collegues", &[("nom", name), ("adresse", email)])
        .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    answer.location
}

/// The next mail, decoded, with its recipient.
async fn next_mail(sink: &SmtpSink) -> (String, DecodedMail) {
    let mail = sink.next_message(Duration::from_secs(10)).await;
    (mail.to.join(","), mail.decoded())
}

async fn accept(browser: &Browser, token: &str, password: &str) -> String {
    let answer = browser
        .post(
            "/mot-de-passe/nouveau",
            &[
                ("jeton", token),
                ("mot_de_passe", password),
                ("confirmation", password),
            ],
        )
        .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    answer.location
}

/// How often an address is shown in a cell of the administrator's personal space.
async fn shown(admin: &Browser, email: &str) -> usize {
    admin
        .get("/espace")
        .await
        .body
        .matches(&format!(">{email}<"))
        .count()
}

/// The id of the pending invitation of an address, read in the database.
async fn pending_id(store: &Store, email: &str) -> i64 {
    count(
        store,
        &format!(
            "SELECT id FROM invitation WHERE email = '{email}' AND accepted_at IS NULL AND withdrawn_at IS NULL"
        ),
    )
    .await
}

/// The attack: an administrator types an address that has an account, to learn so — or to keep
/// its owner from ever using it elsewhere.
async fn inviting_an_existing_address_reveals_and_changes_nothing(backend: Backend) {
    let Some((server, sink, admin)) = with_mail(backend).await else {
        return;
    };
    let before = server
        .store
        .user_by_email(OTHER_OPERATOR)
        .await
        .unwrap()
        .unwrap();

    // The same answer for an address with an account and for one without.
    let existing = invite(&admin, "Karim Benali", OTHER_OPERATOR).await;
    let new = invite(&admin, "Nina Petit", "nina.petit@example.fr").await;
    assert_eq!(existing, INVITED);
    assert_eq!(new, INVITED);
    // And the same list of pending invitations: both are there.
    let page = admin.get("/espace").await.body;
    assert!(
        page.contains(OTHER_OPERATOR) && page.contains("nina.petit@example.fr"),
        "{page}"
    );

    // The owner is told who asked, that nothing changed, and gets no link.
    let (first, second) = (next_mail(&sink).await, next_mail(&sink).await);
    let ((_, told), (_, invitation)) = if first.0 == OTHER_OPERATOR {
        (first, second)
    } else {
        (second, first)
    };
    assert!(
        told.text.contains("Claire Martin") && told.text.contains(OPERATOR_COMPANY),
        "{}",
        told.text
    );
    assert!(told.text.contains("rien n'a été changé"), "{}", told.text);
    assert!(
        !told.text.contains("jeton") && !told.text.contains("http"),
        "{}",
        told.text
    );
    token_in(&invitation);
    assert!(sink.try_next_message().await.is_none(), "deux courriels");

    // The account is untouched: same company, same name, its password still opens it.
    let after = server
        .store
        .user_by_email(OTHER_OPERATOR)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(before, after);
    Browser::new(&server)
        .sign_in(OTHER_OPERATOR, PASSWORD)
        .await;
    // No account for the new address either, until its owner accepts.
    assert!(server
        .store
        .user_by_email("nina.petit@example.fr")
        .await
        .unwrap()
        .is_none());
    assert_eq!(
        count(
            &server.store,
            "SELECT COUNT(*) FROM app_user WHERE email = 'nina.petit@example.fr'"
        )
        .await,
        0
    );
    server.stop().await;
}

/// An invitation holds nothing: the address's owner may still take it elsewhere (another
/// company's invitation, an address change), and the first invitation then opens nothing.
async fn a_pending_invitation_reserves_nothing(backend: Backend) {
    let Some((server, sink, admin)) = with_mail(backend).await else {
        return;
    };
    let wanted = "convoitee@example.fr";
    assert_eq!(invite(&admin, "Léa Moreau", wanted).await, INVITED);
    let (_, first) = next_mail(&sink).await;
    let first = token_in(&first);
    assert!(server.store.user_by_email(wanted).await.unwrap().is_none());

    // Another company's administrator invites the same address: nothing stands in the way.
    execute(
        &server.store,
        &format!("UPDATE app_user SET company_admin = TRUE WHERE email = '{OTHER_OPERATOR}'"),
    )
    .await
    .unwrap();
    let other = Browser::new(&server);
    other.sign_in(OTHER_OPERATOR, PASSWORD).await;
    assert_eq!(invite(&other, "Léa Moreau", wanted).await, INVITED);
    let (_, second) = next_mail(&sink).await;
    let second = token_in(&second);

    // An existing account may move to an invited address too.
    let mover = Browser::new(&server);
    mover
        .sign_in("agent.sivep@demo.sesame.test", PASSWORD)
        .await;
    assert_eq!(
        invite(&admin, "Paul Durand", "paul.durand@example.fr").await,
        INVITED
    );
    let _ = next_mail(&sink).await;
    let moving = mover
        .post(
            "/espace/profil",
            &[
                ("nom", "Sophie Leroy"),
                ("adresse", "paul.durand@example.fr"),
            ],
        )
        .await;
    assert_eq!(moving.location, "/espace?message=verification-envoyee");
    let (a, b) = (next_mail(&sink).await, next_mail(&sink).await);
    let confirm = if a.0 == "paul.durand@example.fr" {
        a.1
    } else {
        b.1
    };
    assert_eq!(
        confirm.subject, "Confirmez votre adresse électronique",
        "{}",
        confirm.text
    );

    // The second company's invitation is accepted: the account is that company's.
    let invitee = Browser::new(&server);
    let accepted = accept(&invitee, &second, "trois hérons sur la digue").await;
    assert!(
        accepted.starts_with("/connexion?message=compte-active"),
        "{accepted}"
    );
    let account = server.store.user_by_email(wanted).await.unwrap().unwrap();
    let other_company = server
        .store
        .user_by_email(OTHER_OPERATOR)
        .await
        .unwrap()
        .unwrap()
        .company_id;
    assert_eq!(account.company_id, other_company);
    assert!(account.email_verified && !account.company_admin);
    // The first company's link now opens nothing, and says why, in French.
    let late = accept(&invitee, &first, "quatre hérons sur la digue").await;
    assert!(late.contains("erreur=invitation-adresse-prise"), "{late}");
    let (status, page) = invitee.page(&late).await;
    assert_eq!(status, 200);
    assert!(page.contains("déjà un compte France Sésame"), "{page}");
    assert_eq!(
        count(
            &server.store,
            &format!("SELECT COUNT(*) FROM app_user WHERE email = '{wanted}'")
        )
        .await,
        1
    );
    Browser::new(&server)
        .sign_in(wanted, "trois hérons sur la digue")
        .await;
    server.stop().await;
}

/// The link makes the account once: its second use, an expired link and a withdrawn one are
/// refused; inviting again replaces the pending invitation.
async fn an_invitation_opens_one_account_once(backend: Backend) {
    let Some((server, sink, admin)) = with_mail(backend).await else {
        return;
    };
    let email = "camille.durand@example.fr";
    assert_eq!(invite(&admin, "Camille Durand", email).await, INVITED);
    let (_, stale) = next_mail(&sink).await;
    let stale = token_in(&stale);
    // Again: the same invitation, refreshed; the earlier link stops working.
    assert_eq!(invite(&admin, "Camille Durand", email).await, INVITED);
    let (to, mail) = next_mail(&sink).await;
    assert_eq!(to, email);
    assert_eq!(mail.subject, "Votre invitation sur France Sésame");
    assert!(
        mail.text.contains("Claire Martin") && mail.text.contains(OPERATOR_COMPANY),
        "{}",
        mail.text
    );
    let token = token_in(&mail);
    assert_eq!(
        count(
            &server.store,
            &format!("SELECT COUNT(*) FROM invitation WHERE email = '{email}'")
        )
        .await,
        1
    );
    assert_eq!(shown(&admin, email).await, 1);

    let invitee = Browser::new(&server);
    let form = invitee
        .get(&format!("/mot-de-passe/nouveau?jeton={token}"))
        .await;
    assert!(form.body.contains(email) && form.body.contains("Nouveau mot de passe"));
    let refused = accept(&invitee, &stale, "le chat dort sur le toit").await;
    assert!(refused.contains("erreur=lien-invalide"), "{refused}");
    let common = accept(&invitee, &token, "motdepasse123").await;
    assert!(common.contains("erreur=mot-de-passe-courant"), "{common}");
    assert!(server.store.user_by_email(email).await.unwrap().is_none());

    let accepted = accept(&invitee, &token, "le chat dort sur le toit").await;
    assert!(
        accepted.starts_with("/connexion?message=compte-active"),
        "{accepted}"
    );
    let account = server.store.user_by_email(email).await.unwrap().unwrap();
    assert_eq!(account.full_name, "Camille Durand");
    assert!(account.email_verified);
    let again = accept(&invitee, &token, "un autre mot de passe long").await;
    assert!(again.contains("erreur=lien-invalide"), "{again}");
    let (_, page) = invitee
        .page(&format!("/mot-de-passe/nouveau?jeton={token}"))
        .await;
    assert!(page.contains("Ce lien n'est plus valable"), "{page}");
    assert_eq!(
        count(
            &server.store,
            &format!("SELECT COUNT(*) FROM app_user WHERE email = '{email}'")
        )
        .await,
        1
    );
    invitee.sign_in(email, "le chat dort sur le toit").await;
    // Accepted, it leaves the pending list; the person is among the colleagues.
    assert_eq!(shown(&admin, email).await, 1);

    // Expired.
    let late = "tardif@example.fr";
    invite(&admin, "Tom Tardif", late).await;
    let (_, mail) = next_mail(&sink).await;
    execute(
        &server.store,
        &format!("UPDATE invitation SET expires_at = created_at WHERE email = '{late}'"),
    )
    .await
    .unwrap();
    let expired = accept(
        &Browser::new(&server),
        &token_in(&mail),
        "le chien dort dehors",
    )
    .await;
    assert!(expired.contains("erreur=lien-invalide"), "{expired}");
    assert!(server.store.user_by_email(late).await.unwrap().is_none());

    // Withdrawn by the administrator: the link is refused.
    let withdrawn = "retiree@example.fr";
    invite(&admin, "Rita Retirée", withdrawn).await;
    let (_, mail) = next_mail(&sink).await;
    let id = pending_id(&server.store, withdrawn).await;
    let answer = admin
        .post(&format!("/espace/invitations/{id}/retrait"), &[])
        .await;
    assert_eq!(
        answer.location,
        "/espace?message=invitation-retiree#collegues"
    );
    let page = admin.get("/espace").await.body;
    assert!(!page.contains(withdrawn), "{page}");
    let refused = accept(
        &Browser::new(&server),
        &token_in(&mail),
        "le chien dort dehors",
    )
    .await;
    assert!(refused.contains("erreur=lien-invalide"), "{refused}");
    assert!(server
        .store
        .user_by_email(withdrawn)
        .await
        .unwrap()
        .is_none());
    assert_eq!(
        count(
            &server.store,
            "SELECT COUNT(*) FROM audit_entry WHERE action = 'invitation_retiree'"
        )
        .await,
        1
    );
    server.stop().await;
}

/// Another company's administrator cannot withdraw an invitation, nor learn that it exists.
async fn only_its_company_withdraws_an_invitation(backend: Backend) {
    let Some((server, sink, admin)) = with_mail(backend).await else {
        return;
    };
    let email = "gardee@example.fr";
    invite(&admin, "Gaëlle Gardée", email).await;
    let (_, mail) = next_mail(&sink).await;
    let id = pending_id(&server.store, email).await;
    execute(
        &server.store,
        &format!("UPDATE app_user SET company_admin = TRUE WHERE email = '{OTHER_OPERATOR}'"),
    )
    .await
    .unwrap();
    let other = Browser::new(&server);
    other.sign_in(OTHER_OPERATOR, PASSWORD).await;
    let theirs = other
        .post(&format!("/espace/invitations/{id}/retrait"), &[])
        .await;
    let none = other
        .post(&format!("/espace/invitations/{}/retrait", id + 1000), &[])
        .await;
    assert_eq!(theirs.status, none.status);
    assert_eq!(theirs.location, none.location);
    assert_eq!(theirs.location, "/espace?erreur=invitation-introuvable");
    // Nor do they see it.
    assert!(!other.get("/espace").await.body.contains(email));
    // A colleague who is not the administrator is refused outright.
    let member = Browser::new(&server);
    execute(
        &server.store,
        &format!("UPDATE app_user SET company_admin = FALSE WHERE email = '{OTHER_OPERATOR}'"),
    )
    .await
    .unwrap();
    member.sign_in(OTHER_OPERATOR, PASSWORD).await;
    let refused = member
        .post(&format!("/espace/invitations/{id}/retrait"), &[])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    // The invitation still works.
    let accepted = accept(
        &Browser::new(&server),
        &token_in(&mail),
        "la pluie sur la mer",
    )
    .await;
    assert!(
        accepted.starts_with("/connexion?message=compte-active"),
        "{accepted}"
    );
    server.stop().await;
}

/// The name goes into an official mail: it must be a name, not a message.
async fn an_invitation_names_a_person(backend: Backend) {
    let Some((server, sink, admin)) = with_mail(backend).await else {
        return;
    };
    for name in [
        "Jean\u{7}Dupont",
        "Jean\u{202e}Dupont",
        "Gagnez https://arnaque.example",
        "Voir www.arnaque.example",
        "arnaque.example/gain",
        "contact@arnaque.example",
        "<b>Jean</b>",
        "Appelez le 08 99 00 00 00",
    ] {
        let answer = invite(&admin, name, "cible@example.fr").await;
        assert!(
            answer.starts_with("/espace?erreur=nom-invalide"),
            "{name} : {answer}"
        );
    }
    assert!(sink.try_next_message().await.is_none());
    assert_eq!(
        count(&server.store, "SELECT COUNT(*) FROM invitation").await,
        0
    );
    for name in ["Jean-Pierre O'Neil", "J.-P. d’Arcy", "Anne-Sophie Lefèvre"] {
        assert_eq!(
            invite(&admin, name, "cible@example.fr").await,
            INVITED,
            "{name}"
        );
        let (_, mail) = next_mail(&sink).await;
        assert!(mail.text.contains(name), "{}", mail.text);
    }
    server.stop().await;
}

/// Before 0010, an invitation was an account without password whose address was unverified,
/// with an unused 'invitation' link. The migration turns each into an invitation (its link keeps
/// working) and frees the address: the account is deleted when nothing points to it, else (and,
/// for the newest, whose id SQLite would give again) disabled under an address of its own.
async fn placeholder_accounts_become_invitations(backend: Backend) {
    let Some(url) = fresh_database(backend).await else {
        return;
    };
    // The schema's owner migrates, as a deployment does.
    let owner_url = match backend {
        Backend::Sqlite => url.clone(),
        Backend::Postgres => crate::helpers::as_role(&url, crate::helpers::OWNER_ROLE),
    };
    let store = Store::connect(&owner_url).await.unwrap();
    let folder = std::env::temp_dir().join(format!("sesame-0009-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&folder).unwrap();
    let engine = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    let source = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../migrations")
        .join(engine);
    for entry in std::fs::read_dir(&source).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        if name.as_str() < "0010" {
            std::fs::copy(&path, folder.join(name)).unwrap();
        }
    }
    let before = sqlx::migrate::Migrator::new(folder.as_path())
        .await
        .unwrap();
    match store.engine() {
        Engine::Sqlite(pool) => before.run(pool).await.unwrap(),
        Engine::Postgres(pool) => before.run(pool).await.unwrap(),
    }
    let at = "'2026-11-01T10:00:00+00:00'";
    let future = "'2999-01-01T00:00:00+00:00'";
    let past = "'2000-01-01T00:00:00+00:00'";
    let hash = |token: &str| app::state::token_hash(token);
    // An entry of the trail as it was written then (format 1), naming the invitee.
    let zero = "0".repeat(64);
    let entry_hash = crate::audit_trail::format_1_hash(
        &zero,
        1,
        "2026-11-01T10:00:00.000000Z",
        Some(1),
        &[
            "admin@entreprise.fr",
            "collegue_invite",
            "utilisateur:2",
            "127.0.0.1",
            "libre@example.fr",
        ],
    );
    for statement in [
        format!("INSERT INTO company (id, name, siret, created_at) VALUES (1, 'Entreprise', '73282932000074', {at})"),
        // 1: the administrator; 2, 3, 4, 6: invited, never came; 5: an account in use.
        format!("INSERT INTO app_user (id, email, full_name, role, company_id, company_admin, password_hash, email_verified_at, created_at)
                 VALUES (1, 'admin@entreprise.fr', 'Alice Admin', 'operateur', 1, TRUE, 'x', {at}, {at})"),
        format!("INSERT INTO app_user (id, email, full_name, role, company_id, created_at) VALUES (2, 'libre@example.fr', 'Lucie Libre', 'operateur', 1, {at})"),
        format!("INSERT INTO app_user (id, email, full_name, role, company_id, created_at) VALUES (3, 'tenue@example.fr', 'Thomas Tenu', 'operateur', 1, {at})"),
        format!("INSERT INTO app_user (id, email, full_name, role, company_id, created_at) VALUES (4, 'echue@example.fr', 'Erwan Échu', 'operateur', 1, {at})"),
        format!("INSERT INTO app_user (id, email, full_name, role, company_id, password_hash, email_verified_at, created_at)
                 VALUES (5, 'active@example.fr', 'Anne Active', 'operateur', 1, 'x', {at}, {at})"),
        format!("INSERT INTO app_user (id, email, full_name, role, company_id, created_at) VALUES (6, 'derniere@example.fr', 'Denis Dernier', 'operateur', 1, {at})"),
        format!("INSERT INTO account_token (token_hash, user_id, purpose, created_at, expires_at) VALUES ('{}', 2, 'invitation', {at}, {future})", hash("jeton-2")),
        format!("INSERT INTO account_token (token_hash, user_id, purpose, created_at, expires_at) VALUES ('{}', 3, 'invitation', {at}, {future})", hash("jeton-3")),
        format!("INSERT INTO account_token (token_hash, user_id, purpose, created_at, expires_at) VALUES ('{}', 4, 'invitation', {at}, {past})", hash("jeton-4")),
        format!("INSERT INTO account_token (token_hash, user_id, purpose, created_at, expires_at) VALUES ('{}', 6, 'invitation', {at}, {future})", hash("jeton-6")),
        format!("INSERT INTO account_token (token_hash, user_id, purpose, created_at, expires_at) VALUES ('{}', 5, 'reinitialisation', {at}, {future})", hash("jeton-5")),
        // 3 had a session opened (something points to it).
        format!("INSERT INTO session (token_hash, user_id, method, created_at, last_seen_at, expires_at, ip, user_agent)
                 VALUES ('s', 3, 'lien', {at}, {at}, {at}, '127.0.0.1', 'test')"),
        format!("INSERT INTO audit_entry (seq, at, actor_id, actor, action, object, address, detail, prev_hash, hash)
                 VALUES (1, {at}, 1, 'admin@entreprise.fr', 'collegue_invite', 'utilisateur:2', '127.0.0.1', 'libre@example.fr', '{zero}', '{entry_hash}')"),
        format!("UPDATE audit_head SET seq = 1, last_hash = '{entry_hash}'"),
    ] {
        execute(&store, &statement).await.unwrap_or_else(|error| panic!("{statement} : {error}"));
    }
    if backend == Backend::Postgres {
        // Rows inserted with their ids leave the identity behind; the platform never does so.
        execute(
            &store,
            "SELECT setval(pg_get_serial_sequence('app_user', 'id'), 6)",
        )
        .await
        .unwrap();
    }
    store.migrate().await.unwrap();

    let emails = |sql: &str| {
        let sql = sql.to_owned();
        let store = store.clone();
        async move {
            match store.engine() {
                Engine::Sqlite(pool) => sqlx::query_scalar::<_, String>(&sql)
                    .fetch_all(pool)
                    .await
                    .unwrap(),
                Engine::Postgres(pool) => sqlx::query_scalar::<_, String>(&sql)
                    .fetch_all(pool)
                    .await
                    .unwrap(),
            }
        }
    };
    assert_eq!(
        emails("SELECT email FROM invitation ORDER BY email").await,
        [
            "derniere@example.fr",
            "echue@example.fr",
            "libre@example.fr",
            "tenue@example.fr"
        ]
    );
    assert_eq!(
        count(
            &store,
            "SELECT invited_by FROM invitation WHERE email = 'libre@example.fr'"
        )
        .await,
        1
    );
    // The accounts that held the addresses are gone, or disabled under addresses of their own.
    assert_eq!(
        emails("SELECT email FROM app_user ORDER BY id").await,
        [
            "admin@entreprise.fr",
            "invitation-3@remplacee.invalid",
            "active@example.fr",
            "invitation-6@remplacee.invalid"
        ]
    );
    assert_eq!(
        count(
            &store,
            "SELECT COUNT(*) FROM app_user WHERE disabled_at IS NOT NULL"
        )
        .await,
        2
    );
    assert_eq!(
        count(
            &store,
            "SELECT COUNT(*) FROM account_token WHERE used_at IS NULL"
        )
        .await,
        1,
        "seul le lien du compte en service reste"
    );
    let now = chrono::Utc::now();
    assert_eq!(
        store
            .invitation_email(&hash("jeton-2"), now)
            .await
            .unwrap()
            .as_deref(),
        Some("libre@example.fr")
    );
    assert_eq!(
        store.invitation_email(&hash("jeton-4"), now).await.unwrap(),
        None
    );

    // A link mailed before the migration still opens the account, in its company.
    let mut config = config(url);
    config.demo = false;
    let server = Running::start(&config).await;
    let invitee = Browser::new(&server);
    let accepted = accept(&invitee, "jeton-2", "un vieux lien toujours bon").await;
    assert!(
        accepted.starts_with("/connexion?message=compte-active"),
        "{accepted}"
    );
    let account = server
        .store
        .user_by_email("libre@example.fr")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (account.company_id, account.full_name.as_str()),
        (Some(1), "Lucie Libre")
    );
    assert!(account.id > 6, "un identifiant neuf : {}", account.id);
    invitee
        .sign_in("libre@example.fr", "un vieux lien toujours bon")
        .await;
    server.stop().await;
}

crate::helpers::on_both_stores!(
    placeholder_accounts_become_invitations,
    inviting_an_existing_address_reveals_and_changes_nothing,
    a_pending_invitation_reserves_nothing,
    an_invitation_opens_one_account_once,
    only_its_company_withdraws_an_invitation,
    an_invitation_names_a_person,
);
