//! « Fiche d'Identité Opérateur » as the agents use it: finding a company (by name, SIRET or
//! EORI) among those present at their sites, and reading its card. A card that is not the
//! reader's to read answers as a company that does not exist; every reading is a consultation in
//! the audit trail (once per consultation, not per refresh).

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::operator::{OperatorCard, OperatorHit};

/// What a search found, or the French sentence that says why it could not search.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OperatorSearchResult {
    pub hits: Vec<OperatorHit>,
    pub problem: Option<String>,
    /// Whether the reader searches every company (supervisors) or those of their sites.
    pub all_sites: bool,
}

/// The companies a search finds among those the reader may read the card of. An empty search
/// lists nothing (and says nothing is wrong).
#[server(endpoint = "operateurs")]
pub async fn search_operators(recherche: String) -> Result<OperatorSearchResult, ServerFnError> {
    use crate::domain::access::{dossier_scope, DossierScope, EntryPoint, Target};
    use crate::domain::operator::OperatorSearch;
    let caller = crate::state::caller();
    let viewer = crate::state::signed_in(&caller, EntryPoint::OperatorCards, Target::Nothing)?;
    let all_sites = dossier_scope(&viewer) == DossierScope::All;
    if recherche.trim().is_empty() {
        return Ok(OperatorSearchResult {
            all_sites,
            ..OperatorSearchResult::default()
        });
    }
    let search = match OperatorSearch::parse(&recherche) {
        Ok(search) => search,
        Err(problem) => {
            return Ok(OperatorSearchResult {
                problem: Some(problem.to_owned()),
                all_sites,
                ..OperatorSearchResult::default()
            })
        }
    };
    let store = crate::state::store()?;
    let scope = (!all_sites).then_some(viewer.sites.as_slice());
    let hits = store
        .search_operators(&search, scope)
        .await
        .map_err(crate::state::internal)?;
    Ok(OperatorSearchResult {
        hits,
        problem: None,
        all_sites,
    })
}

/// A company's card as the reader may see it, or nothing when it is not theirs to read (the
/// same answer as a company that does not exist).
#[server(endpoint = "fiche-operateur")]
pub async fn read_operator_card(id: i64) -> Result<Option<OperatorCard>, ServerFnError> {
    use crate::domain::access::{authorize, dossier_scope, DossierScope, EntryPoint, Target};
    let caller = crate::state::caller();
    let viewer = crate::state::signed_in(&caller, EntryPoint::OperatorCards, Target::Nothing)?;
    let store = crate::state::store()?;
    let present = store
        .operator_sites(id)
        .await
        .map_err(crate::state::internal)?;
    let target = Target::Operator {
        company_id: id,
        sites: &present,
    };
    if authorize(Some(&viewer), EntryPoint::ReadOperatorCard, target).is_err() {
        return Ok(None);
    }
    let Some(identity) = store
        .operator_identity(id)
        .await
        .map_err(crate::state::internal)?
    else {
        return Ok(None);
    };
    let scope = match dossier_scope(&viewer) {
        DossierScope::All => None,
        DossierScope::Sites(sites) => Some(
            present
                .iter()
                .filter(|site| sites.contains(site))
                .cloned()
                .collect::<Vec<_>>(),
        ),
        DossierScope::Company { .. } | DossierScope::Nothing => return Ok(None),
    };
    let site_names = match &scope {
        None => Vec::new(),
        Some(codes) => store
            .sites()
            .await
            .map_err(crate::state::internal)?
            .into_iter()
            .filter(|site| codes.contains(&site.code))
            .map(|site| site.name)
            .collect(),
    };
    caller
        .audit_consultation(
            &store,
            "consultation_fiche_operateur",
            &format!("entreprise:{id}"),
            "",
        )
        .await?;
    let card = store
        .operator_card(identity, scope.as_deref(), site_names, chrono::Utc::now())
        .await
        .map_err(crate::state::internal)?;
    Ok(Some(card))
}
