//! Reading dossiers, within the caller's need to know: the list is filtered by the viewer's
//! scope in the query itself, and a dossier outside it is refused (403) without a word of its
//! content. Every consultation by an agent is written to the audit trail.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::api::appointments::DossierAppointments;
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
    let caller = crate::state::caller();
    let Some((store, mut dossier)) = readable_dossier(&caller, id).await? else {
        return Ok(DossierLookup::NotFound);
    };
    (dossier.forecasts, dossier.release) = forecasts_of(&store, &dossier).await?;
    caller
        .audit_consultation(&store, "consultation_dossier", &format!("dossier:{id}"), "")
        .await?;
    Ok(DossierLookup::Found(Box::new(dossier)))
}

/// What the dossier page shows: the dossier and its appointments.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DossierPageLookup {
    Found {
        dossier: Box<Dossier>,
        appointments: Box<DossierAppointments>,
        documents: Box<crate::api::documents::DossierDocuments>,
        exchanges: Box<crate::api::exchanges::DossierExchanges>,
    },
    /// The same answer as [`DossierLookup::NotFound`].
    NotFound,
}

/// The dossier page's reading: the dossier, read once, and its appointments; one consultation
/// in the audit trail, which covers the appointments the page shows with it.
#[server(endpoint = "page-dossier")]
pub async fn get_dossier_page(id: i64) -> Result<DossierPageLookup, ServerFnError> {
    let caller = crate::state::caller();
    let Some((store, mut dossier)) = readable_dossier(&caller, id).await? else {
        return Ok(DossierPageLookup::NotFound);
    };
    // Once the dossier is known to be theirs, the rest is read, and the consultation written,
    // at once: the page waits for the longest of them rather than for their sum.
    let object = format!("dossier:{id}");
    let ((forecasts, release), appointments, documents, exchanges, ()) = tokio::try_join!(
        forecasts_of(&store, &dossier),
        crate::api::appointments::appointments_of(&caller, &store, &dossier),
        crate::api::documents::documents_of(&caller, &store, &dossier.summary),
        crate::api::exchanges::exchanges_of_dossier(&caller, &store, &dossier.summary),
        caller.audit_consultation(&store, "consultation_dossier", &object, ""),
    )?;
    (dossier.forecasts, dossier.release) = (forecasts, release);
    Ok(DossierPageLookup::Found {
        dossier: Box::new(dossier),
        appointments: Box::new(appointments),
        documents: Box::new(documents),
        exchanges: Box::new(exchanges),
    })
}

/// The dossier `id`, as the caller may see it (operators without the
/// systems' details), or nothing, with a 404, when it does not exist or is not theirs; a
/// refusal is written to the audit trail. The consultation itself is the caller's to write.
#[cfg(feature = "ssr")]
async fn readable_dossier(
    caller: &crate::state::Caller,
    id: i64,
) -> Result<Option<(crate::store::Store, Dossier)>, ServerFnError> {
    // Signed in and terms accepted, before anything is read.
    crate::state::authorize(
        caller,
        crate::domain::access::EntryPoint::ListDossiers,
        crate::domain::access::Target::Nothing,
    )?;
    let store = crate::state::store()?;
    let Some(dossier) = dossier_as_seen(caller, &store, id)
        .await
        .map_err(crate::state::internal)?
    else {
        // The same answer, and the same status, whether it does not exist or is not theirs.
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(axum::http::StatusCode::NOT_FOUND);
        }
        return Ok(None);
    };
    Ok(Some((store, dossier)))
}

/// The dossier `id` as a signed-in caller may see it (operators without the systems' details),
/// or nothing when it does not exist or is not theirs, alike; a refused attempt is written to
/// the audit trail. For server functions and routes alike.
#[cfg(feature = "ssr")]
pub(crate) async fn dossier_as_seen(
    caller: &crate::state::Caller,
    store: &crate::store::Store,
    id: i64,
) -> Result<Option<Dossier>, crate::store::StoreError> {
    use crate::domain::access::{authorize, EntryPoint, Refusal, Target};
    let Some(mut dossier) = store.dossier(id).await? else {
        return Ok(None);
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
            .await?;
        return Ok(None);
    }
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
    Ok(Some(dossier))
}

/// The forecasts of a dossier's open steps and of its release, from the durations observed at
/// its post for its goods.
#[cfg(feature = "ssr")]
async fn forecasts_of(
    store: &crate::store::Store,
    dossier: &Dossier,
) -> Result<
    (
        Vec<(
            crate::domain::journey::StepKind,
            crate::domain::forecast::Forecast,
        )>,
        Option<crate::domain::forecast::Forecast>,
    ),
    ServerFnError,
> {
    use crate::domain::forecast::{for_open_steps, Forecast};
    let observed = store
        .forecasts(dossier)
        .await
        .map_err(crate::state::internal)?;
    Ok(for_open_steps(&dossier.steps, &|kind| {
        observed
            .get(&kind)
            .cloned()
            .unwrap_or(Forecast::NotEnoughData { cases: 0 })
    }))
}
