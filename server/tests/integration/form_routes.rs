//! The table of form routes the permission matrix relies on (`app::forms::FORM_ROUTES`) names
//! routes the server really serves, and none of those of a signed-in person does anything for a
//! stranger (no session), who is sent to sign in.

use app::domain::access::EntryPoint;
use app::forms::FORM_ROUTES;
use app::store::Backend;
use reqwest::redirect::Policy;
use reqwest::{Method, StatusCode};

use crate::helpers::{config, fresh_database, Running};

/// The entry points anyone may use without a session.
const PUBLIC: [EntryPoint; 9] = [
    EntryPoint::SignIn,
    EntryPoint::OidcSignIn,
    EntryPoint::RequestPasswordReset,
    EntryPoint::ResetPassword,
    EntryPoint::VerifyEmail,
    EntryPoint::CguDocument,
    EntryPoint::CalendarFeed,
    // The confirmation link's token is the credential.
    EntryPoint::ConfirmExtraRecipient,
    // The request's cookie is the credential: without it, the answer says the request is no
    // longer open in this browser (`access_requests.rs` checks that nothing is read or written).
    EntryPoint::RequestAccess,
];

#[tokio::test]
async fn every_listed_form_route_is_served_and_asks_who_calls() {
    let Some(url) = fresh_database(Backend::Sqlite).await else {
        return;
    };
    let mut config = config(url);
    config.sensitive_burst = 1_000;
    let server = Running::start(&config).await;
    let client = reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap();
    // What a route the server does not serve answers, which the loop below must never see.
    let unserved = |status: StatusCode, html: bool| {
        status == StatusCode::METHOD_NOT_ALLOWED || (status == StatusCode::NOT_FOUND && html)
    };
    for (method, path) in [
        (Method::POST, "/espace/inconnu"),
        (Method::GET, "/calendrier"),
    ] {
        let response = client
            .request(method, server.url(path))
            .send()
            .await
            .unwrap();
        let html = is_html(&response);
        assert!(unserved(response.status(), html), "{path}");
    }
    for (route, entry) in FORM_ROUTES {
        let (method, pattern) = route.split_once(' ').unwrap();
        let path = pattern
            .replace("{id}", "1")
            .replace("{action}", "annulation")
            .replace("{provider}", "inconnu")
            .replace("{code}", "FRLEH1")
            .replace("{file}", "inconnu.ics")
            .replace("{document}", "1")
            .replace("{hold}", "1")
            .replace("{format}", "export.ods");
        let response = client
            .request(
                Method::from_bytes(method.as_bytes()).unwrap(),
                server.url(&path),
            )
            .header("content-type", "application/x-www-form-urlencoded")
            .body("")
            .send()
            .await
            .unwrap();
        let status = response.status();
        assert!(
            !unserved(status, is_html(&response)),
            "{route} n'est pas servie ({status})"
        );
        if PUBLIC.contains(&entry) || entry == EntryPoint::SignOut {
            continue;
        }
        let location = response
            .headers()
            .get("location")
            .map(|value| value.to_str().unwrap().to_owned())
            .unwrap_or_default();
        // Sent to sign in, or turned away before the handler (a form missing its fields): never
        // served, never sent anywhere else.
        assert!(
            (status == StatusCode::SEE_OTHER && location == "/connexion")
                || status.is_client_error(),
            "{route} : un inconnu obtient {status} {location}"
        );
    }
    server.stop().await;
}

fn is_html(response: &reqwest::Response) -> bool {
    response
        .headers()
        .get("content-type")
        .is_some_and(|value| value.to_str().unwrap_or("").starts_with("text/html"))
}
