//! "Does not exist" and "is not yours" get the same answer, so that ids cannot be probed: a
//! company administrator removing another company's account, or one that does not exist, is
//! told the same thing, and nothing changes.

use app::store::Backend;

use crate::accounts::{Browser, OPERATOR, OTHER_OPERATOR, PASSWORD};
use crate::helpers::{config, fresh_database, on_both_stores, Running};

on_both_stores!(another_companys_account_answers_as_an_unknown_one);

async fn another_companys_account_answers_as_an_unknown_one(backend: Backend) {
    let Some(url) = fresh_database(backend).await else {
        return;
    };
    let server = Running::start(&config(url)).await;
    let admin = Browser::new(&server);
    admin.sign_in(OPERATOR, PASSWORD).await;
    let theirs = server
        .store
        .user_by_email(OTHER_OPERATOR)
        .await
        .unwrap()
        .unwrap();
    let unknown = admin.post("/espace/collegues/999999/retrait", &[]).await;
    let other = admin
        .post(&format!("/espace/collegues/{}/retrait", theirs.id), &[])
        .await;
    assert_eq!(unknown.status, other.status);
    assert_eq!(unknown.location, other.location);
    assert!(
        other.location.contains("collegue-introuvable"),
        "{}",
        other.location
    );
    // Nothing changed: the other company's operator still signs in.
    let them = Browser::new(&server);
    them.sign_in(OTHER_OPERATOR, PASSWORD).await;
    assert_eq!(them.get("/espace").await.status.as_u16(), 200);
    server.stop().await;
}
