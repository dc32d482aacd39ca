//! DSFR badges for the states of dossiers and steps, so that one colour means one thing everywhere.

use leptos::prelude::*;

use crate::domain::dossier::DossierStatus;
use crate::domain::journey::StepState;

#[component]
pub fn StatusBadge(status: DossierStatus) -> impl IntoView {
    let tone = match status {
        DossierStatus::EnCours => "fr-badge--info",
        DossierStatus::Bloque => "fr-badge--warning",
        DossierStatus::NonConforme => "fr-badge--error",
        DossierStatus::Termine => "fr-badge--success",
    };
    view! { <p class=format!("fr-badge fr-badge--sm {tone}")>{status.label()}</p> }
}

#[component]
pub fn StepBadge(state: StepState) -> impl IntoView {
    let tone = match state {
        StepState::AVenir => "fr-badge--no-icon",
        StepState::EnCours => "fr-badge--info",
        StepState::Termine => "fr-badge--success",
        StepState::NonConforme => "fr-badge--error",
        StepState::Bloque => "fr-badge--warning",
        StepState::NonRequis => "fr-badge--no-icon sesame-badge--muted",
    };
    view! { <p class=format!("fr-badge fr-badge--sm {tone}")>{state.label()}</p> }
}
