//! Reading dossiers. Access control comes with the accounts issue; for now demo data is public.

use leptos::prelude::*;

use crate::domain::dossier::{Dossier, DossierPage, DossierQuery};

/// One page of the dossier list.
#[server]
pub async fn list_dossiers(query: DossierQuery) -> Result<DossierPage, ServerFnError> {
    let store = crate::state::store()?;
    store.dossiers(&query).await.map_err(crate::state::internal)
}

/// A dossier with its timeline, or `None` when there is no such dossier.
#[server]
pub async fn get_dossier(id: i64) -> Result<Option<Dossier>, ServerFnError> {
    let store = crate::state::store()?;
    store.dossier(id).await.map_err(crate::state::internal)
}
