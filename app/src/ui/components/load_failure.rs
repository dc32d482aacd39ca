//! What a page says when its data could not be loaded: a DSFR error alert with the server's
//! (already opaque and French) message.

use leptos::prelude::*;

#[component]
pub fn LoadFailure(
    /// What could not be loaded, as a sentence.
    title: &'static str,
    message: String,
    /// The alert is the page's main heading when nothing else on the page is.
    #[prop(optional)]
    page_heading: bool,
) -> impl IntoView {
    let heading = if page_heading {
        view! { <h1 class="fr-alert__title">{title}</h1> }.into_any()
    } else {
        view! { <h2 class="fr-alert__title">{title}</h2> }.into_any()
    };
    view! {
        <div class="fr-alert fr-alert--error" role="alert">
            {heading}
            <p>{message}</p>
        </div>
    }
}
