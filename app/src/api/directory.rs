//! Reading the sites and posts connected to the platform.

use leptos::prelude::*;

use crate::domain::directory::Site;

/// The sites connected to the platform, by name.
#[server]
pub async fn list_sites() -> Result<Vec<Site>, ServerFnError> {
    let store = crate::state::store()?;
    store.sites().await.map_err(crate::state::internal)
}
