//! The page shown for an address that leads nowhere, with a real 404 status.

use leptos::prelude::*;
use leptos_meta::Title;

/// Sets the HTTP status of the page being rendered on the server; nothing in the browser.
pub fn set_not_found_status() {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::NOT_FOUND);
    }
}

#[component]
pub fn NotFound() -> impl IntoView {
    set_not_found_status();
    view! {
        <Title text="Page non trouvée" />
        <div class="fr-container fr-my-6w">
            <h1>"Page non trouvée"</h1>
            <p class="fr-text--lead">"La page que vous cherchez est introuvable. Excusez-nous pour la gêne occasionnée."</p>
            <p>"Si vous avez tapé l'adresse dans votre navigateur, vérifiez qu'elle est correcte. La page n'est peut-être plus disponible."</p>
            <ul class="fr-btns-group fr-btns-group--inline-md">
                <li><a class="fr-btn" href="/">"Page d'accueil"</a></li>
            </ul>
        </div>
    }
}

/// The page a signed-in person gets for a page their role has no business on (403): what it is
/// not, and where they can go instead. The page itself never starts (no data, no live updates).
#[component]
pub fn NotForYou() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::FORBIDDEN);
    }
    view! {
        <Title text="Page non accessible avec votre compte" />
        <div class="fr-container fr-my-6w">
            <h1>"Cette page n'est pas accessible avec votre compte"</h1>
            <p class="fr-text--lead">
                "Votre rôle ne donne pas accès à cette page. Si vous pensez devoir y accéder, adressez-vous à votre chef de service ou à l'administrateur de votre entreprise."
            </p>
            <p>"Votre page d'accueil rassemble ce que vous pouvez faire sur France Sésame."</p>
            <ul class="fr-btns-group fr-btns-group--inline-md">
                <li><a class="fr-btn" href="/accueil">"Mon accueil"</a></li>
            </ul>
        </div>
    }
}
