//! Each role as it meets the platform: where it lands after signing in, the pages it may open,
//! the French page (403) it gets for a page its role has no business on — with nothing of that
//! page's data, and no technical error — and no link, anywhere it can go, to a page that would
//! refuse it.

use app::domain::access::{authorize, EntryPoint, Refusal, Target, ROUTES};
use app::domain::directory::Role;
use app::store::Backend;
use reqwest::StatusCode;
use server::tools::demo::ACCOUNTS;

use crate::accounts::Browser;
use crate::helpers::{config, fresh_database, on_both_stores, Running};

const PASSWORD: &str = "sesame-demo-2026";
const REFUSED: &str = "Cette page n'est pas accessible avec votre compte";

on_both_stores!(each_role_lands_on_its_page_and_is_offered_only_what_it_may_open);

/// The pages of the policy that take no parameter.
fn plain_pages() -> Vec<(&'static str, EntryPoint)> {
    ROUTES
        .iter()
        .copied()
        .filter(|(path, entry)| {
            !path.contains("{}")
                && !matches!(
                    entry,
                    EntryPoint::PublicPage
                        | EntryPoint::SignIn
                        | EntryPoint::OidcSignIn
                        | EntryPoint::RequestPasswordReset
                        | EntryPoint::ResetPassword
                        | EntryPoint::VerifyEmail
                        | EntryPoint::SignOut
                        | EntryPoint::AcceptCgu
                )
        })
        .collect()
}

async fn each_role_lands_on_its_page_and_is_offered_only_what_it_may_open(backend: Backend) {
    let Some(url) = fresh_database(backend).await else {
        return;
    };
    let server = Running::start(&config(url)).await;
    for account in ACCOUNTS {
        let browser = Browser::new(&server);
        // Where signing in leads (the terms of use come first, and then lead there).
        let answer = browser.try_sign_in(account.email, PASSWORD).await;
        let expected = match account.role {
            Role::Operateur | Role::AgentDgddi | Role::AgentSivep | Role::ChefService => {
                "/dossiers"
            }
            Role::Superviseur | Role::Dgitm | Role::Administrateur => "/accueil",
        };
        assert_eq!(answer.location, expected, "{}", account.email);
        let gate = browser.get(expected).await;
        assert_eq!(
            gate.location,
            format!("/cgu/acceptation?retour={}", expected.replace('/', "%2F")),
            "{}",
            account.email
        );
        let accepted = browser
            .post(
                "/cgu/acceptation",
                &[("accepte", "oui"), ("retour", expected)],
            )
            .await;
        assert_eq!(accepted.status, StatusCode::SEE_OTHER);

        let viewer = server
            .store
            .user_by_email(account.email)
            .await
            .unwrap()
            .unwrap();
        let viewer = server
            .store
            .viewer(
                viewer.id,
                app::domain::access::local_day(chrono::Utc::now()),
                app::domain::cgu::VERSION,
            )
            .await
            .unwrap()
            .unwrap();
        let may = |entry| authorize(Some(&viewer), entry, Target::Nothing).is_ok();

        for (path, entry) in plain_pages() {
            let page = browser.get(path).await;
            let body = &page.body;
            assert!(
                !body.contains("error running")
                    && !body.contains("ServerFnError")
                    && !body.contains("server function"),
                "{} sur {path} : erreur technique montrée",
                account.email
            );
            if may(entry) {
                assert_eq!(page.status, StatusCode::OK, "{} sur {path}", account.email);
                assert!(!body.contains(REFUSED), "{} sur {path}", account.email);
                if path == "/dossiers" {
                    // The live bar, an island, and the regions it keeps up to date.
                    assert!(
                        body.contains("data-component=\"LiveBar_"),
                        "{}",
                        account.email
                    );
                    assert!(body.contains("id=\"liste\""), "{}", account.email);
                }
                // Every page link it offers leads to a page this person may open.
                for link in body.split("href=\"").skip(1) {
                    let target = link.split(['"', '?', '#']).next().unwrap_or_default();
                    if let Some(linked) = app::domain::access::route_entry(target) {
                        let offered = matches!(
                            authorize(Some(&viewer), linked, Target::Nothing),
                            Ok(()) | Err(Refusal::SignInRequired)
                        );
                        assert!(
                            offered,
                            "{} : la page {path} offre un lien vers {target}, qui lui serait refusée",
                            account.email
                        );
                    }
                }
            } else {
                assert_eq!(
                    page.status,
                    StatusCode::FORBIDDEN,
                    "{} sur {path}",
                    account.email
                );
                assert!(body.contains(REFUSED), "{} sur {path}", account.email);
                assert!(body.contains("href=\"/accueil\""), "{}", account.email);
                // Nothing of the page itself: no data, no live subscription to start (the live
                // bar is an island named after its component), no region to bring up to date.
                assert!(
                    !body.contains("data-component=\"LiveBar_"),
                    "{}",
                    account.email
                );
                // The frame's bell is the only region brought up to date (when a notification
                // arrives).
                assert_eq!(
                    body.matches("data-direct").count(),
                    body.matches("id=\"cloche-").count(),
                    "{}",
                    account.email
                );
            }
        }
        // The public home page too offers only what this person may open.
        let home = browser.get("/").await;
        for link in home.body.split("href=\"").skip(1) {
            let target = link.split(['"', '?', '#']).next().unwrap_or_default();
            if let Some(linked) = app::domain::access::route_entry(target) {
                assert!(
                    authorize(Some(&viewer), linked, Target::Nothing).is_ok(),
                    "{} : l'accueil offre un lien vers {target}, qui lui serait refusée",
                    account.email
                );
            }
        }
    }
    server.stop().await;
}
