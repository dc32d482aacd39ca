//! Reading the sites and posts connected to the platform: public information.

use leptos::prelude::*;

use crate::domain::directory::{Post, Site};

/// The sites connected to the platform, by name.
#[server(endpoint = "sites")]
pub async fn list_sites() -> Result<Vec<Site>, ServerFnError> {
    use crate::domain::access::{EntryPoint, Target};
    crate::state::authorize(
        &crate::state::caller(),
        EntryPoint::ListSites,
        Target::Nothing,
    )?;
    let store = crate::state::store()?;
    store.sites().await.map_err(crate::state::internal)
}

/// The border control posts, by code.
#[server(endpoint = "postes")]
pub async fn list_posts() -> Result<Vec<Post>, ServerFnError> {
    use crate::domain::access::{EntryPoint, Target};
    crate::state::authorize(
        &crate::state::caller(),
        EntryPoint::ListSites,
        Target::Nothing,
    )?;
    let store = crate::state::store()?;
    store.posts().await.map_err(crate::state::internal)
}
