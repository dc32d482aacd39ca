//! The page of a person whose account was suspended or closed while they were signed in: every
//! page they open leads here (their browser still holds the ended session), saying what
//! happened, that their data stay, and whom to ask. Leaving forgets the session.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::domain::account::AccountState;

/// Where the pages of a suspended or closed account lead.
pub const PATH: &str = "/compte-suspendu";

#[component]
pub fn SuspendedPage() -> impl IntoView {
    // Rendered on the server only: the request's session says which it is.
    #[cfg(feature = "ssr")]
    let state = crate::state::caller().access_ended;
    #[cfg(not(feature = "ssr"))]
    let state: Option<AccountState> = None;
    let (title, said) = match state {
        Some(AccountState::Closed) => (
            "Votre compte est clos",
            "Votre compte France Sésame a été clos. Vous ne pouvez plus vous connecter avec lui.",
        ),
        Some(AccountState::Suspended) => (
            "Votre compte est suspendu",
            "Votre compte France Sésame a été suspendu. Vous ne pouvez plus l'utiliser tant qu'il n'est pas réactivé.",
        ),
        _ => (
            "Compte suspendu ou clos",
            "Si votre compte France Sésame a été suspendu ou clos, vous ne pouvez plus l'utiliser pour l'instant.",
        ),
    };
    view! {
        <Title text=title />
        <div class="fr-container fr-my-6w">
            <h1>{title}</h1>
            <p class="fr-text--lead">{said}</p>
            <p>
                "Vos données sont conservées. Le motif de la décision vous a été envoyé par courriel, à votre adresse professionnelle. "
                "La décision a été prise par l'administration technique de la plateforme ou par un chef de service des postes où vous intervenez."
            </p>
            <p>"Pour la contester ou demander des précisions, écrivez à l'assistance de France Sésame depuis la page « Contact »."</p>
            <ul class="fr-btns-group fr-btns-group--inline-md">
                <li>
                    <form method="post" action="/deconnexion">
                        <button class="fr-btn" type="submit">"Quitter cette session"</button>
                    </form>
                </li>
                <li><a class="fr-btn fr-btn--secondary" href="/">"Page d'accueil"</a></li>
            </ul>
        </div>
    }
}
