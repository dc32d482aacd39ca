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
    let message = french(&message).to_owned();
    view! {
        <div class="fr-alert fr-alert--error" role="alert">
            {heading}
            <p>{message}</p>
        </div>
    }
}

/// The server's French sentence without the English words server_fn writes around it (pages pass
/// `error.to_string()`); any other failure (the server unreachable, an answer unreadable) as one
/// French sentence.
fn french(message: &str) -> &str {
    match message.strip_prefix("error running server function: ") {
        Some(sentence) => sentence,
        None if message.starts_with("error ") || message.starts_with("missing argument") => {
            "Le serveur n'a pas pu répondre. Réessayez dans quelques instants."
        }
        None => message,
    }
}

#[cfg(test)]
mod tests {
    use super::french;

    #[test]
    fn the_page_shows_the_french_sentence_only() {
        assert_eq!(
            french("error running server function: Connectez-vous pour continuer."),
            "Connectez-vous pour continuer."
        );
        assert_eq!(
            french("error reaching server to call server function: TypeError"),
            "Le serveur n'a pas pu répondre. Réessayez dans quelques instants."
        );
        assert_eq!(
            french("Ce dossier n'existe pas."),
            "Ce dossier n'existe pas."
        );
    }
}
