//! The accounts a deployment runs on, on the real server and both stores: the technical
//! administrator invites the heads of service of the posts, the supervisors and the DGITM (and
//! nobody else can); an account is suspended, reactivated or closed with a reason, by the
//! technical administrator or by a head of service for the people of their sites only. A
//! suspension ends the account's sessions, closes its live streams within seconds, cancels the
//! appointments it booked (their post told), and every next page says it is suspended.

use std::time::Duration;

use app::domain::appointment::CheckKind;
use app::domain::directory::{Administration, Role};
use app::store::{Actor, Backend, Store};
use reqwest::StatusCode;
use secrecy::SecretString;

use crate::accounts::{Browser, AGENT_SIVEP, HEAD, OPERATOR, OTHER_OPERATOR, PASSWORD};
use crate::appointments::{booking, operator, post, selected_dossiers, slot_ahead};
use crate::helpers::{config, count, fresh_database, on_both_stores, Running};
use crate::live::{session_of, Stream};
use crate::smtp_sink::{mail_about, token_in, DecodedMail, SmtpSink};

on_both_stores!(
    the_administrator_invites_the_state_s_accounts,
    a_suspension_ends_the_account_s_access_at_once,
    heads_of_service_decide_only_for_the_people_of_their_sites,
    the_administrator_names_a_head_to_a_further_post,
);

const ADMIN: &str = "admin@demo.sesame.test";
const SUPERVISOR: &str = "superviseur@demo.sesame.test";
const DGITM: &str = "dgitm@demo.sesame.test";
const CUSTOMS_AGENT: &str = "agent.douane@demo.sesame.test";
const FOS_AGENT: &str = "agent.fos@demo.sesame.test";

async fn with_mail(backend: Backend) -> Option<(Running, SmtpSink)> {
    let url = fresh_database(backend).await?;
    let sink = SmtpSink::start().await;
    let mut config = config(url);
    config.smtp_url = Some(SecretString::from(sink.url.clone()));
    // Many people sign in and submit from the one address of the test.
    config.submissions_burst = 200;
    config.submissions_per_minute = 600;
    Some((Running::start(&config).await, sink))
}

/// The next invitation mail to `to`.
async fn mail_to(sink: &SmtpSink, to: &str) -> DecodedMail {
    mail_about(sink, to, "invitation").await
}

/// The invitee chooses a password from the link; gives where the page sends them.
async fn accept(server: &Running, token: &str, password: &str) -> String {
    Browser::new(server)
        .post(
            "/mot-de-passe/nouveau",
            &[
                ("jeton", token),
                ("mot_de_passe", password),
                ("confirmation", password),
            ],
        )
        .await
        .location
}

async fn user_id(store: &Store, email: &str) -> i64 {
    store.user_by_email(email).await.unwrap().unwrap().id
}

async fn invite(browser: &Browser, fields: &[(&str, &str)]) -> String {
    browser
        .post("/administration/invitations", fields)
        .await
        .location
}

async fn the_administrator_invites_the_state_s_accounts(backend: Backend) {
    let Some((server, sink)) = with_mail(backend).await else {
        return;
    };
    let admin = Browser::new(&server);
    admin.sign_in(ADMIN, PASSWORD).await;
    let (status, page) = admin.page("/administration/comptes").await;
    assert_eq!(status, 200);
    assert!(page.contains(OPERATOR) && page.contains("Chef de service"));
    // Found by a part of the name or of the address, of a role.
    let (_, found) = admin
        .page("/administration/comptes?recherche=GIRARD&role=chef_service")
        .await;
    assert!(found.contains(HEAD), "{found}");
    assert!(!found.contains(OPERATOR), "{found}");

    // A refused invitation says exactly what is wrong, and writes nothing.
    let invitations = "SELECT COUNT(*) FROM invitation WHERE role IS NOT NULL";
    for (fields, said) in [
        (
            vec![
                ("nom", "Claire Dubois"),
                ("adresse", "claire.dubois@douane.finances.gouv.fr"),
                ("compte", "chef_service"),
                ("administration", "dgddi"),
                ("poste", "FRCDG5"),
            ],
            "ne contrôle pas au poste FRCDG5",
        ),
        (
            vec![
                ("nom", "Claire Dubois"),
                ("adresse", "claire.dubois@douane.finances.gouv.fr"),
                ("compte", "roi"),
            ],
            "Choisissez le compte à ouvrir",
        ),
        (
            vec![
                ("nom", "Claire Dubois"),
                ("adresse", "claire.dubois@douane.finances.gouv.fr"),
                ("compte", "superviseur"),
            ],
            "la DGAL (SIVEP) ou la douane (DGDDI)",
        ),
    ] {
        let location = invite(&admin, &fields).await;
        assert!(
            location.contains("erreur=compte-etat-invalide"),
            "{location}"
        );
        let (_, page) = admin.page(&location).await;
        assert!(page.contains(said), "{said} : {page}");
        assert!(
            page.contains("claire.dubois@douane.finances.gouv.fr"),
            "ce qui a été saisi est gardé"
        );
    }
    assert_eq!(count(&server.store, invitations).await, 0);

    // A head of service of one post for the DGAL: the account opens from the link, heading that
    // post, and brings agents in as any head does.
    let head = "marc.petit@agriculture.gouv.fr";
    let location = invite(
        &admin,
        &[
            ("nom", "Marc Petit"),
            ("adresse", head),
            ("compte", "chef_service"),
            ("administration", "dgal"),
            ("poste", "FRLEH1"),
        ],
    )
    .await;
    assert_eq!(
        location,
        "/administration/comptes?message=compte-invite#invitations"
    );
    let (_, page) = admin.page("/administration/comptes").await;
    assert!(
        page.contains(head) && page.contains("chef de service SIVEP (DGAL) du poste FRLEH1"),
        "{page}"
    );
    let mail = mail_to(&sink, head).await;
    assert!(
        mail.text
            .contains("chef de service SIVEP (DGAL) du poste FRLEH1"),
        "{}",
        mail.text
    );
    let opened = accept(&server, &token_in(&mail), "le chef du terminal de France").await;
    assert!(
        opened.starts_with("/connexion?message=compte-active"),
        "{opened}"
    );
    let account = server.store.user_by_email(head).await.unwrap().unwrap();
    assert_eq!(account.role, Role::ChefService);
    assert_eq!(account.administration, Some(Administration::Dgal));
    assert_eq!(
        count(
            &server.store,
            &format!(
                "SELECT COUNT(*) FROM post_head WHERE user_id = {} AND post_code = 'FRLEH1'",
                account.id
            )
        )
        .await,
        1
    );
    let new_head = Browser::new(&server);
    new_head
        .sign_in(head, "le chef du terminal de France")
        .await;
    assert_eq!(new_head.get("/habilitations").await.status, StatusCode::OK);
    assert_eq!(
        new_head.get("/administration/comptes").await.status,
        StatusCode::FORBIDDEN
    );

    // A supervisor and the DGITM likewise; asking the same address again replaces the
    // invitation, whose first link then opens nothing.
    let supervisor = "lea.bernard@douane.finances.gouv.fr";
    invite(
        &admin,
        &[
            ("nom", "Léa Bernard"),
            ("adresse", supervisor),
            ("compte", "dgitm"),
        ],
    )
    .await;
    let first = token_in(&mail_to(&sink, supervisor).await);
    invite(
        &admin,
        &[
            ("nom", "Léa Bernard"),
            ("adresse", supervisor),
            ("compte", "superviseur"),
            ("administration", "dgddi"),
        ],
    )
    .await;
    let second = token_in(&mail_to(&sink, supervisor).await);
    assert!(accept(&server, &first, "une phrase pour rien du tout")
        .await
        .contains("erreur"));
    accept(&server, &second, "la superviseuse des douanes").await;
    let account = server
        .store
        .user_by_email(supervisor)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (account.role, account.administration),
        (Role::Superviseur, Some(Administration::Dgddi))
    );
    let dgitm = "paul.renaud@developpement-durable.gouv.fr";
    invite(
        &admin,
        &[
            ("nom", "Paul Renaud"),
            ("adresse", dgitm),
            ("compte", "dgitm"),
        ],
    )
    .await;
    accept(
        &server,
        &token_in(&mail_to(&sink, dgitm).await),
        "les statistiques du ministère",
    )
    .await;
    // At the first sign-in, the notice on personal data comes first, then the terms of use.
    let first = Browser::new(&server);
    first
        .try_sign_in(dgitm, "les statistiques du ministère")
        .await;
    let gate = first.get("/statistiques").await;
    assert!(
        gate.location.starts_with("/cgu/acceptation"),
        "{}",
        gate.location
    );
    let (_, notice) = first.page("/cgu/acceptation").await;
    let data = notice.find("Vos données personnelles").expect("la notice");
    let terms = notice.find("Prenez ensuite connaissance").expect("les CGU");
    assert!(data < terms);
    assert!(
        notice.contains("responsables conjoints") && notice.contains("CNIL"),
        "{notice}"
    );
    let statistician = Browser::new(&server);
    statistician
        .sign_in(dgitm, "les statistiques du ministère")
        .await;
    assert_eq!(
        statistician.get("/statistiques").await.status,
        StatusCode::OK
    );

    // Withdrawn, a pending invitation's link opens nothing.
    let late = "jean.roux@agriculture.gouv.fr";
    invite(
        &admin,
        &[
            ("nom", "Jean Roux"),
            ("adresse", late),
            ("compte", "superviseur"),
            ("administration", "dgal"),
        ],
    )
    .await;
    let token = token_in(&mail_to(&sink, late).await);
    let id = count(
        &server.store,
        &format!("SELECT id FROM invitation WHERE email = '{late}' AND withdrawn_at IS NULL"),
    )
    .await;
    let withdrawn = admin
        .post(&format!("/administration/invitations/{id}/retrait"), &[])
        .await;
    assert_eq!(
        withdrawn.location,
        "/administration/comptes?message=invitation-retiree#invitations"
    );
    assert!(accept(&server, &token, "trop tard pour ce lien")
        .await
        .contains("erreur"));
    assert!(server.store.user_by_email(late).await.unwrap().is_none());

    // The attack: nobody else lists the accounts, invites one, or withdraws the administrator's
    // invitations — nor a head's agent invitation through the administrator's route.
    let pending = "nina.blanc@agriculture.gouv.fr";
    invite(
        &admin,
        &[
            ("nom", "Nina Blanc"),
            ("adresse", pending),
            ("compte", "dgitm"),
        ],
    )
    .await;
    let pending_id = count(
        &server.store,
        &format!("SELECT id FROM invitation WHERE email = '{pending}'"),
    )
    .await;
    let before = count(&server.store, "SELECT COUNT(*) FROM invitation").await;
    for who in [OPERATOR, AGENT_SIVEP, HEAD, SUPERVISOR, DGITM] {
        let browser = Browser::new(&server);
        browser.sign_in(who, PASSWORD).await;
        assert_ne!(
            browser.get("/administration/comptes").await.status,
            StatusCode::OK,
            "{who}"
        );
        let listed = browser
            .post("/api/comptes", &[("recherche", ""), ("role", "")])
            .await;
        assert!(!listed.body.contains(OPERATOR), "{who} : {}", listed.body);
        let asked = browser
            .post(
                "/administration/invitations",
                &[
                    ("nom", "Eve Malin"),
                    ("adresse", "eve@exemple.fr"),
                    ("compte", "superviseur"),
                    ("administration", "dgal"),
                ],
            )
            .await;
        assert!(
            asked.status == StatusCode::FORBIDDEN || asked.location.contains("connexion"),
            "{who} : {:?}",
            asked.status
        );
        browser
            .post(
                &format!("/administration/invitations/{pending_id}/retrait"),
                &[],
            )
            .await;
    }
    assert_eq!(
        count(&server.store, "SELECT COUNT(*) FROM invitation").await,
        before
    );
    assert_eq!(
        count(
            &server.store,
            &format!(
                "SELECT COUNT(*) FROM invitation WHERE id = {pending_id} AND withdrawn_at IS NULL"
            )
        )
        .await,
        1
    );
    server.stop().await;
}

async fn a_suspension_ends_the_account_s_access_at_once(backend: Backend) {
    let Some((server, sink)) = with_mail(backend).await else {
        return;
    };
    let store = &server.store;
    // The operator booked an appointment to come.
    let (user, company, own, _) = operator(&server).await;
    let calendar = store.calendar(&post()).await.unwrap().unwrap();
    let starts_at = slot_ahead(&calendar, chrono::Utc::now());
    let dossier = selected_dossiers(&server, "SUS", 6_100_000, 1, true, &own).await[0];
    let appointment = store
        .book(
            &booking(dossier, CheckKind::Physical, starts_at, user, company),
            &Actor::ANONYMOUS,
            chrono::Utc::now(),
        )
        .await
        .unwrap()
        .unwrap();
    let active = format!("SELECT COUNT(*) FROM appointment WHERE id = {appointment} AND state IN ('demande', 'confirme')");
    assert_eq!(count(store, &active).await, 1);

    // Signed in, a page open with its live stream.
    let cookie = session_of(&server, OPERATOR).await;
    let mut stream = Stream::open(&server, Some(&cookie), None)
        .await
        .expect("flux ouvert");
    let operator_browser = Browser::new(&server);
    operator_browser.sign_in(OPERATOR, PASSWORD).await;
    assert_eq!(
        operator_browser.get("/dossiers").await.status,
        StatusCode::OK
    );

    let admin = Browser::new(&server);
    admin.sign_in(ADMIN, PASSWORD).await;
    let page = format!("/comptes/{user}");
    let (status, body) = admin.page(&page).await;
    assert_eq!(status, 200);
    assert!(
        body.contains("Suspendre le compte") && body.contains(OPERATOR),
        "{body}"
    );

    // Without a proper reason, nothing is decided.
    let refused = admin
        .post(&format!("{page}/suspension"), &[("motif", "non")])
        .await;
    assert!(
        refused.location.contains("erreur=motif-invalide"),
        "{}",
        refused.location
    );
    let (_, body) = admin.page(&refused.location).await;
    assert!(
        body.contains("Le motif est trop court (3 caractères)"),
        "{body}"
    );
    assert!(!store.user(user).await.unwrap().unwrap().suspended);

    let reason = "SIRET déclaré erroné, à corriger auprès du service";
    let suspended = admin
        .post(&format!("{page}/suspension"), &[("motif", reason)])
        .await;
    assert_eq!(
        suspended.location,
        format!("{page}?message=compte-suspendu")
    );
    assert!(store.user(user).await.unwrap().unwrap().suspended);

    // Its open stream ends within seconds, and cannot come back.
    let started = std::time::Instant::now();
    let mut ended = false;
    while started.elapsed() < Duration::from_secs(5) {
        match stream
            .next(Duration::from_secs(5) - started.elapsed())
            .await
        {
            Some(message) if message.event == "renouvellement" => {}
            Some(_) => {}
            None => {
                ended = true;
                break;
            }
        }
    }
    assert!(ended, "le flux est fermé en moins de 5 secondes");
    assert_eq!(
        Stream::open(&server, Some(&cookie), None).await.err(),
        Some(StatusCode::UNAUTHORIZED)
    );
    // Every next page says why; the password no longer opens a session.
    let next = operator_browser.get("/dossiers").await;
    assert_eq!(next.status, StatusCode::SEE_OTHER);
    assert_eq!(next.location, "/compte-suspendu");
    let (_, said) = operator_browser.page("/compte-suspendu").await;
    assert!(said.contains("Votre compte est suspendu"), "{said}");
    // A form sent from a page opened before says it too, and changes nothing.
    let form = operator_browser
        .post(
            "/espace/profil",
            &[("nom", "Autre Nom"), ("adresse", "autre@example.fr")],
        )
        .await;
    assert_eq!(form.status, StatusCode::SEE_OTHER);
    assert_eq!(form.location, "/compte-suspendu");
    let api = operator_browser.post("/api/mes-rendez-vous", &[]).await;
    assert!(
        api.body.contains("Votre compte France Sésame est suspendu"),
        "{}",
        api.body
    );
    let again = Browser::new(&server).try_sign_in(OPERATOR, PASSWORD).await;
    assert!(
        again.location.contains("erreur=connexion-compte-suspendu"),
        "{}",
        again.location
    );

    // Its appointment to come is cancelled, its place given back, the post's inspection told.
    assert_eq!(count(store, &active).await, 0);
    assert_eq!(
        count(
            store,
            &format!(
                "SELECT COUNT(*) FROM appointment WHERE id = {appointment} AND state = 'annule'"
            )
        )
        .await,
        1
    );
    let agent = user_id(store, AGENT_SIVEP).await;
    assert_eq!(
        count(store, &format!("SELECT COUNT(*) FROM notification WHERE user_id = {agent} AND kind = 'rendez_vous_annule'")).await,
        1
    );
    // The holder is told why; the decision is in the account's history and the audit trail.
    let mail = mail_about(&sink, OPERATOR, "suspendu").await;
    assert!(
        mail.subject.contains("suspendu") && mail.text.contains(reason),
        "{}",
        mail.text
    );
    let (_, body) = admin.page(&page).await;
    assert!(
        body.contains(reason) && body.contains("Suspendu") && body.contains("Réactiver le compte"),
        "{body}"
    );
    assert_eq!(
        count(store, &format!("SELECT COUNT(*) FROM audit_entry WHERE action = 'compte_suspendu' AND object = 'utilisateur:{user}'")).await,
        1
    );

    // Reactivated, the account signs in again.
    let back = admin
        .post(
            &format!("{page}/reactivation"),
            &[("motif", "SIRET corrigé et vérifié")],
        )
        .await;
    assert_eq!(back.location, format!("{page}?message=compte-reactive"));
    Browser::new(&server).sign_in(OPERATOR, PASSWORD).await;
    // A decision that no longer applies changes nothing.
    let twice = admin
        .post(
            &format!("{page}/reactivation"),
            &[("motif", "SIRET corrigé et vérifié")],
        )
        .await;
    assert!(
        twice.location.contains("erreur=decision-sans-objet"),
        "{}",
        twice.location
    );

    // Closed, for good: no sign-in, no decision left but the history.
    let closed = admin
        .post(
            &format!("{page}/cloture"),
            &[("motif", "Entreprise radiée du registre")],
        )
        .await;
    assert_eq!(closed.location, format!("{page}?message=compte-clos"));
    let refused = Browser::new(&server).try_sign_in(OPERATOR, PASSWORD).await;
    assert!(refused.location.contains("erreur"), "{}", refused.location);
    let (_, body) = admin.page(&page).await;
    assert!(
        body.contains("aucune décision") && body.contains("plus possible"),
        "{body}"
    );
    server.stop().await;
}

/// The attack: each decision tried by people who must be refused, changing nothing and telling
/// nothing ("not found" and "not yours" answer alike).
async fn heads_of_service_decide_only_for_the_people_of_their_sites(backend: Backend) {
    let Some((server, sink)) = with_mail(backend).await else {
        return;
    };
    let store = &server.store;
    let head = Browser::new(&server);
    head.sign_in(HEAD, PASSWORD).await;
    let reason = "Informations d'identité inexactes";

    // The head's own administration's agent, and an operator present at their sites: theirs.
    let sivep = user_id(store, AGENT_SIVEP).await;
    let (_, page) = head.page(&format!("/comptes/{sivep}")).await;
    assert!(page.contains(AGENT_SIVEP), "{page}");
    let (_, habilitations) = head.page("/habilitations").await;
    assert!(habilitations.contains(&format!("href=\"/comptes/{sivep}\"")));
    let done = head
        .post(
            &format!("/comptes/{sivep}/suspension"),
            &[("motif", reason)],
        )
        .await;
    assert_eq!(
        done.location,
        format!("/comptes/{sivep}?message=compte-suspendu")
    );
    let operator2 = user_id(store, OTHER_OPERATOR).await;
    // The operators' accounts lead there from their company's card.
    let company = store
        .user_by_email(OTHER_OPERATOR)
        .await
        .unwrap()
        .unwrap()
        .company_id
        .unwrap();
    let (_, card) = head.page(&format!("/operateurs/{company}")).await;
    assert!(
        card.contains(&format!("href=\"/comptes/{operator2}\"")),
        "{card}"
    );
    let done = head
        .post(
            &format!("/comptes/{operator2}/suspension"),
            &[("motif", reason)],
        )
        .await;
    assert_eq!(
        done.location,
        format!("/comptes/{operator2}?message=compte-suspendu")
    );
    // Their reading of an account is audited.
    assert!(
        count(store, &format!("SELECT COUNT(*) FROM audit_entry WHERE action = 'consultation_compte' AND object = 'utilisateur:{sivep}'")).await >= 1
    );

    // Another administration's agent, another head, a supervisor, the administrator, oneself,
    // an account that does not exist: all answered alike, nothing changed.
    let unknown = |id: i64| format!("/comptes/{id}?erreur=compte-introuvable");
    for email in [CUSTOMS_AGENT, SUPERVISOR, ADMIN, DGITM, HEAD] {
        let id = user_id(store, email).await;
        let answer = head
            .post(&format!("/comptes/{id}/suspension"), &[("motif", reason)])
            .await;
        assert_eq!(answer.location, unknown(id), "{email}");
        assert!(!store.user(id).await.unwrap().unwrap().suspended, "{email}");
        let read = head.post("/api/compte", &[("id", &id.to_string())]).await;
        assert!(!read.body.contains(email), "{email} : {}", read.body);
    }
    let answer = head
        .post("/comptes/999999/suspension", &[("motif", reason)])
        .await;
    assert_eq!(answer.location, unknown(999_999));

    // A head of one post: the agents of another site only are not theirs.
    let admin = Browser::new(&server);
    admin.sign_in(ADMIN, PASSWORD).await;
    let fos = user_id(store, FOS_AGENT).await;
    {
        // Named by the administrator, through the invitation.
        let narrow_head = "olivier.morel@agriculture.gouv.fr";
        invite(
            &admin,
            &[
                ("nom", "Olivier Morel"),
                ("adresse", narrow_head),
                ("compte", "chef_service"),
                ("administration", "dgal"),
                ("poste", "FRLEH2"),
            ],
        )
        .await;
        let token = token_in(&mail_to(&sink, narrow_head).await);
        accept(&server, &token, "le chef du port deux mille").await;
        let narrow = Browser::new(&server);
        narrow
            .sign_in(narrow_head, "le chef du port deux mille")
            .await;
        let answer = narrow
            .post(&format!("/comptes/{fos}/suspension"), &[("motif", reason)])
            .await;
        assert_eq!(answer.location, unknown(fos));
        assert!(!store.user(fos).await.unwrap().unwrap().suspended);
    }

    // Nobody else decides, not even about an account of their own company or site.
    let customs = user_id(store, CUSTOMS_AGENT).await;
    for who in [OPERATOR, AGENT_SIVEP, SUPERVISOR, DGITM] {
        if who == AGENT_SIVEP {
            continue; // suspended above
        }
        let browser = Browser::new(&server);
        browser.sign_in(who, PASSWORD).await;
        for id in [customs, fos] {
            let answer = browser
                .post(&format!("/comptes/{id}/cloture"), &[("motif", reason)])
                .await;
            assert!(
                answer.status == StatusCode::FORBIDDEN || answer.location.contains("connexion"),
                "{who} : {:?} {}",
                answer.status,
                answer.location
            );
            assert_eq!(
                browser.get(&format!("/comptes/{id}")).await.status,
                StatusCode::FORBIDDEN,
                "{who}"
            );
        }
    }
    // The administrator may decide about anyone but themself.
    let admin_id = user_id(store, ADMIN).await;
    let answer = admin
        .post(
            &format!("/comptes/{admin_id}/suspension"),
            &[("motif", reason)],
        )
        .await;
    assert_eq!(answer.location, unknown(admin_id));
    // In all, the two decisions of the head about the people of their sites.
    assert_eq!(
        count(store, "SELECT COUNT(*) FROM account_decision").await,
        2
    );
    assert_eq!(
        count(
            store,
            "SELECT COUNT(*) FROM app_user WHERE suspended_at IS NOT NULL"
        )
        .await,
        2
    );
    server.stop().await;
}

/// Whether a dossier is read whole by that browser's person.
async fn reads(browser: &Browser, dossier: i64) -> bool {
    let answer = browser
        .post("/api/dossier", &[("id", &dossier.to_string())])
        .await;
    answer.body.contains("\"Found\"")
}

/// A head of service heads further posts as the technical administrator names them (never by
/// themselves), reads their sites at once, and keeps one post at least.
async fn the_administrator_names_a_head_to_a_further_post(backend: Backend) {
    let Some((server, sink)) = with_mail(backend).await else {
        return;
    };
    let store = &server.store;
    let admin = Browser::new(&server);
    admin.sign_in(ADMIN, PASSWORD).await;
    let email = "lea.moreau@agriculture.gouv.fr";
    invite(
        &admin,
        &[
            ("nom", "Léa Moreau"),
            ("adresse", email),
            ("compte", "chef_service"),
            ("administration", "dgal"),
            ("poste", "FRLEH1"),
        ],
    )
    .await;
    let password = "la cheffe du terminal de France";
    accept(&server, &token_in(&mail_to(&sink, email).await), password).await;
    let id = user_id(store, email).await;
    let head = Browser::new(&server);
    head.sign_in(email, password).await;
    let fos = count(
        store,
        "SELECT MIN(id) FROM dossier WHERE site_code = 'FRFOS'",
    )
    .await;
    let havre = count(
        store,
        "SELECT MIN(id) FROM dossier WHERE site_code = 'FRLEH'",
    )
    .await;
    assert!(reads(&head, havre).await);
    assert!(!reads(&head, fos).await);

    // The head does not name themselves.
    let refused = head
        .post(&format!("/comptes/{id}/postes"), &[("poste", "FRFOS1")])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(!reads(&head, fos).await);

    // The administrator sees the posts headed and those of the DGAL to name to.
    let (_, page) = admin.page(&format!("/comptes/{id}")).await;
    assert!(page.contains("Postes dirigés"), "{page}");
    assert!(page.contains("FRLEH1 — "), "{page}");
    assert!(page.contains("value=\"FRFOS1\""), "{page}");
    assert!(
        !page.contains("value=\"FRLEH1\""),
        "un poste déjà dirigé n'est pas proposé"
    );
    let wrong = admin
        .post(&format!("/comptes/{id}/postes"), &[("poste", "FRLEH1")])
        .await;
    assert_eq!(
        wrong.location,
        format!("/comptes/{id}?erreur=chef-poste-invalide")
    );
    let named = admin
        .post(&format!("/comptes/{id}/postes"), &[("poste", "FRFOS1")])
        .await;
    assert_eq!(named.location, format!("/comptes/{id}?message=chef-nomme"));
    let mail = mail_about(&sink, email, "nouveau poste").await;
    assert!(mail.text.contains("FRFOS1"), "{}", mail.text);
    assert!(
        reads(&head, fos).await,
        "le nouveau site est ouvert aussitôt"
    );

    // Withdrawn from a post, the head no longer reads its site; the last post stays.
    let withdrawn = admin
        .post(&format!("/comptes/{id}/postes/FRLEH1/retrait"), &[])
        .await;
    assert_eq!(
        withdrawn.location,
        format!("/comptes/{id}?message=chef-retire")
    );
    assert!(!reads(&head, havre).await);
    assert!(reads(&head, fos).await);
    let last = admin
        .post(&format!("/comptes/{id}/postes/FRFOS1/retrait"), &[])
        .await;
    assert_eq!(
        last.location,
        format!("/comptes/{id}?erreur=chef-dernier-poste")
    );
    assert!(reads(&head, fos).await);
    for (action, expected) in [("chef_nomme", 1), ("chef_retire", 1)] {
        assert_eq!(
            count(store, &format!("SELECT COUNT(*) FROM audit_entry WHERE action = '{action}' AND object = 'utilisateur:{id}'")).await,
            expected,
            "{action}"
        );
    }
    server.stop().await;
}
