//! Changing one's password from the personal space, on the real server and both stores: the
//! current password is checked under the sign-in protection (a wrong one is refused and counted
//! with failed sign-ins, so the form is no guessing oracle), the change acts only on the caller's
//! own account, ends every other session but this one, is mailed and audited; a cross-site post
//! changes nothing, and an account that signs in through an identity provider is told where.

use std::time::Duration;

use app::store::{Backend, Store};
use reqwest::StatusCode;
use secrecy::SecretString;

use crate::accounts::{Browser, OPERATOR, OTHER_OPERATOR, PASSWORD};
use crate::helpers::{config, count, execute, fresh_database, Running};
use crate::smtp_sink::SmtpSink;

const NEW_PASSWORD: &str = "une girafe traverse la passerelle";
const CHANGED: &str = "/espace?message=mot-de-passe-modifie#mot-de-passe";

async fn with_mail(backend: Backend) -> Option<(Running, SmtpSink)> {
    let url = fresh_database(backend).await?;
    let sink = SmtpSink::start().await;
    let mut config = config(url);
    config.smtp_url = Some(SecretString::from(sink.url.clone()));
    Some((Running::start(&config).await, sink))
}

async fn change(
    browser: &Browser,
    current: &str,
    new: &str,
    confirmation: &str,
) -> (StatusCode, String) {
    let answer = browser
        .post(
            "/espace/mot-de-passe",
            &[
                ("actuel", current),
                ("mot_de_passe", new),
                ("confirmation", confirmation),
            ],
        )
        .await;
    (answer.status, answer.location)
}

/// Where signing in with this password leads (`/connexion?erreur=…` when refused).
async fn sign_in_answer(server: &Running, email: &str, password: &str) -> String {
    Browser::new(server)
        .try_sign_in(email, password)
        .await
        .location
}

/// Failed password checks recorded for an address: what the sign-in protection counts.
async fn failures(store: &Store, email: &str) -> i64 {
    count(
        store,
        &format!(
            "SELECT COUNT(*) FROM audit_entry WHERE action = 'connexion_refusee' AND personal_detail = '{email}'"
        ),
    )
    .await
}

async fn the_password_changes_and_only_this_session_stays(backend: Backend) {
    let Some((server, sink)) = with_mail(backend).await else {
        return;
    };
    let here = Browser::new(&server);
    here.sign_in(OPERATOR, PASSWORD).await;
    let elsewhere = Browser::new(&server);
    elsewhere.sign_in(OPERATOR, PASSWORD).await;
    let page = here.get("/espace").await.body;
    assert!(page.contains("Changer mon mot de passe"), "{page}");

    assert_eq!(
        change(&here, PASSWORD, NEW_PASSWORD, NEW_PASSWORD).await,
        (StatusCode::SEE_OTHER, CHANGED.to_owned())
    );
    // This session stays; the other one is over.
    assert_eq!(here.get("/espace").await.status, StatusCode::OK);
    let other = elsewhere.get("/espace").await;
    assert_eq!(other.status, StatusCode::SEE_OTHER);
    assert!(
        other.location.starts_with("/connexion"),
        "{}",
        other.location
    );
    // The old password no longer opens the account; the new one does.
    assert!(sign_in_answer(&server, OPERATOR, PASSWORD)
        .await
        .contains("erreur=identifiants"));
    Browser::new(&server).sign_in(OPERATOR, NEW_PASSWORD).await;
    // A mail in fixed words, with no secret and no link to act on.
    let mail = sink.next_message(Duration::from_secs(10)).await;
    assert_eq!(mail.to.join(","), OPERATOR);
    let mail = mail.decoded();
    assert!(mail.subject.contains("mot de passe"), "{}", mail.subject);
    assert!(!mail.text.contains(NEW_PASSWORD) && !mail.text.contains(PASSWORD));
    assert!(!mail.text.contains("jeton"), "{}", mail.text);
    // Audited, once.
    assert_eq!(
        count(
            &server.store,
            "SELECT COUNT(*) FROM audit_entry WHERE action = 'mot_de_passe_change'"
        )
        .await,
        1
    );
    server.stop().await;
}

/// The attack: someone at an unlocked computer tries passwords through the change form.
async fn a_wrong_current_password_is_refused_and_counted(backend: Backend) {
    let Some((server, _sink)) = with_mail(backend).await else {
        return;
    };
    let browser = Browser::new(&server);
    browser.sign_in(OPERATOR, PASSWORD).await;
    let before = server.store.password_hash(OPERATOR).await.unwrap();
    // Mistakes that need no password check spend nothing.
    for (current, new, confirmation, code) in [
        ("un essai", "court", "court", "mot-de-passe-court"),
        (
            "un essai",
            NEW_PASSWORD,
            "autre chose encore",
            "confirmation",
        ),
        (
            NEW_PASSWORD,
            NEW_PASSWORD,
            NEW_PASSWORD,
            "mot-de-passe-identique",
        ),
    ] {
        assert_eq!(
            change(&browser, current, new, confirmation).await,
            (StatusCode::SEE_OTHER, format!("/espace?erreur={code}"))
        );
    }
    assert_eq!(
        change(&browser, "", NEW_PASSWORD, NEW_PASSWORD).await.1,
        "/espace?erreur=mot-de-passe-actuel-manquant"
    );
    assert_eq!(failures(&server.store, OPERATOR).await, 0);

    // Wrong current passwords: refused, each one counted as a failed sign-in…
    for attempt in 1..=3 {
        assert_eq!(
            change(
                &browser,
                &format!("essai numéro {attempt}"),
                NEW_PASSWORD,
                NEW_PASSWORD
            )
            .await,
            (
                StatusCode::SEE_OTHER,
                "/espace?erreur=mot-de-passe-actuel".to_owned()
            )
        );
        assert_eq!(failures(&server.store, OPERATOR).await, attempt);
    }
    // …so that the sign-in protection slows the next one down, even the right one,
    let (status, _) = change(&browser, PASSWORD, NEW_PASSWORD, NEW_PASSWORD).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    // and signing in from here too: one budget for every check of this password.
    let slowed = Browser::new(&server).try_sign_in(OPERATOR, PASSWORD).await;
    assert_eq!(slowed.status, StatusCode::TOO_MANY_REQUESTS);
    // Nothing changed.
    assert_eq!(server.store.password_hash(OPERATOR).await.unwrap(), before);
    assert_eq!(
        count(
            &server.store,
            "SELECT COUNT(*) FROM audit_entry WHERE action = 'mot_de_passe_change'"
        )
        .await,
        0
    );
    server.stop().await;
}

/// The attack: a person tries to change someone else's password by naming them in the form;
/// nobody signed in changes nothing; a post from another site changes nothing.
async fn only_the_callers_own_password_changes(backend: Backend) {
    let Some((server, _sink)) = with_mail(backend).await else {
        return;
    };
    let other_id = server
        .store
        .user_by_email(OTHER_OPERATOR)
        .await
        .unwrap()
        .unwrap()
        .id
        .to_string();
    // Nobody signed in: sent to sign in, nothing changed.
    let anonymous = Browser::new(&server)
        .post(
            "/espace/mot-de-passe",
            &[
                ("actuel", PASSWORD),
                ("mot_de_passe", NEW_PASSWORD),
                ("confirmation", NEW_PASSWORD),
                ("adresse", OTHER_OPERATOR),
            ],
        )
        .await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
    assert!(
        anonymous.location.starts_with("/connexion"),
        "{}",
        anonymous.location
    );

    // A cross-site post with the caller's cookie: refused by the perimeter.
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let signed_in = client
        .post(server.url("/connexion"))
        .form(&[
            ("adresse", OPERATOR),
            ("mot_de_passe", PASSWORD),
            ("retour", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
    client
        .post(server.url("/cgu/acceptation"))
        .form(&[("accepte", "oui"), ("retour", "")])
        .send()
        .await
        .unwrap();
    for (name, value) in [
        ("sec-fetch-site", "cross-site".to_owned()),
        ("origin", "https://malveillant.example".to_owned()),
    ] {
        let forged = client
            .post(server.url("/espace/mot-de-passe"))
            .header(name, value)
            .form(&[
                ("actuel", PASSWORD),
                ("mot_de_passe", NEW_PASSWORD),
                ("confirmation", NEW_PASSWORD),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    }
    Browser::new(&server).sign_in(OPERATOR, PASSWORD).await;

    // Naming another account in the form: the caller's own password changes, never theirs.
    let browser = Browser::new(&server);
    browser.sign_in(OPERATOR, PASSWORD).await;
    let answer = browser
        .post(
            "/espace/mot-de-passe",
            &[
                ("actuel", PASSWORD),
                ("mot_de_passe", NEW_PASSWORD),
                ("confirmation", NEW_PASSWORD),
                ("adresse", OTHER_OPERATOR),
                ("utilisateur", &other_id),
                ("user_id", &other_id),
            ],
        )
        .await;
    assert_eq!(answer.location, CHANGED);
    Browser::new(&server)
        .sign_in(OTHER_OPERATOR, PASSWORD)
        .await;
    Browser::new(&server).sign_in(OPERATOR, NEW_PASSWORD).await;
    server.stop().await;
}

/// An account that signs in only through an identity provider has no password here: the space
/// says where to change it, and the form changes nothing.
async fn an_identity_provider_account_is_told_where(backend: Backend) {
    let Some((server, _sink)) = with_mail(backend).await else {
        return;
    };
    let browser = Browser::new(&server);
    browser.sign_in(OPERATOR, PASSWORD).await;
    execute(
        &server.store,
        &format!("UPDATE app_user SET password_hash = NULL WHERE email = '{OPERATOR}'"),
    )
    .await
    .unwrap();
    let page = browser.get("/espace").await.body;
    assert!(page.contains("se change chez ce fournisseur"), "{page}");
    assert!(!page.contains("Changer mon mot de passe"));
    assert_eq!(
        change(&browser, PASSWORD, NEW_PASSWORD, NEW_PASSWORD)
            .await
            .1,
        "/espace?erreur=mot-de-passe-fournisseur"
    );
    assert_eq!(server.store.password_hash(OPERATOR).await.unwrap(), None);
    server.stop().await;
}

crate::helpers::on_both_stores!(
    the_password_changes_and_only_this_session_stays,
    a_wrong_current_password_is_refused_and_counted,
    only_the_callers_own_password_changes,
    an_identity_provider_account_is_told_where,
);
