//! Reading dossiers, within the caller's need to know: the list is filtered by the viewer's
//! scope in the query itself, and a dossier outside it is refused (403) without a word of its
//! content. Every consultation by an agent is written to the audit trail.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::dossier::{Dossier, DossierPage, DossierQuery};

/// What asking for one dossier gives.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DossierLookup {
    Found(Box<Dossier>),
    /// No dossier of this number that the caller may see: one that does not exist and one
    /// outside their perimeter get the same answer, so numbers cannot be probed.
    NotFound,
}

/// One page of the dossier list.
#[server(endpoint = "dossiers")]
pub async fn list_dossiers(query: DossierQuery) -> Result<DossierPage, ServerFnError> {
    use crate::domain::access::{dossier_scope, EntryPoint, Target};
    let caller = crate::state::caller();
    let viewer = crate::state::signed_in(&caller, EntryPoint::ListDossiers, Target::Nothing)?;
    for day in [query.opened_from, query.opened_to].into_iter().flatten() {
        crate::state::within_bounds(day, crate::domain::dates::DateUse::ListFilter)?;
    }
    let store = crate::state::store()?;
    let page = store
        .dossiers(&query, &dossier_scope(&viewer))
        .await
        .map_err(crate::state::internal)?;
    // The list reloads itself when the live stream says something changed: one entry per
    // reading of a query, not one per refresh.
    caller
        .audit_consultation(
            &store,
            "consultation_dossiers",
            "liste",
            &format!("{query:?}"),
        )
        .await?;
    Ok(page)
}

/// A dossier with its timeline, if it exists and the caller may see it.
#[server(endpoint = "dossier")]
pub async fn get_dossier(id: i64) -> Result<DossierLookup, ServerFnError> {
    use crate::domain::access::{authorize, EntryPoint, Refusal, Target};
    // The same answer, and the same status, whether it does not exist or is not theirs.
    let not_found = || {
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(axum::http::StatusCode::NOT_FOUND);
        }
        Ok(DossierLookup::NotFound)
    };
    let caller = crate::state::caller();
    // Signed in and terms accepted, before anything is read.
    crate::state::authorize(&caller, EntryPoint::ListDossiers, Target::Nothing)?;
    let store = crate::state::store()?;
    let Some(dossier) = store.dossier(id).await.map_err(crate::state::internal)? else {
        return not_found();
    };
    let target = Target::Dossier {
        site: &dossier.summary.site,
        company_id: dossier.summary.company_id,
    };
    if let Err(refusal) = authorize(caller.viewer.as_ref(), EntryPoint::ReadDossier, target) {
        // The attempt is evidence; the caller learns nothing from it.
        let detail = if refusal == Refusal::Forbidden {
            "refusée : hors périmètre"
        } else {
            "refusée"
        };
        store
            .audit(
                &caller.audit_event("consultation_dossier", &format!("dossier:{id}"), detail),
                chrono::Utc::now(),
            )
            .await
            .map_err(crate::state::internal)?;
        return not_found();
    }
    let mut dossier = dossier;
    let observed = store
        .forecasts(&dossier)
        .await
        .map_err(crate::state::internal)?;
    let (forecasts, release) = crate::domain::forecast::for_open_steps(&dossier.steps, &|kind| {
        observed
            .get(&kind)
            .cloned()
            .unwrap_or(crate::domain::forecast::Forecast::NotEnoughData { cases: 0 })
    });
    dossier.forecasts = forecasts;
    dossier.release = release;
    // The details of the systems of record are the agents' working material: operators get
    // the history without them.
    if caller
        .viewer
        .as_ref()
        .is_some_and(|viewer| viewer.role == crate::domain::directory::Role::Operateur)
    {
        for event in &mut dossier.events {
            event.detail = None;
        }
        dossier.details_withheld = true;
    }
    caller
        .audit_consultation(&store, "consultation_dossier", &format!("dossier:{id}"), "")
        .await?;
    Ok(DossierLookup::Found(Box::new(dossier)))
}
