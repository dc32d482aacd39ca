//! The user interface: the HTML shell, the application and its routes. Pages live in
//! `ui/pages`, shared pieces in `ui/components`.

pub mod components;
pub mod format;
pub mod pages;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{ParamSegment, SsrMode, StaticSegment};
use serde::{Deserialize, Serialize};

use components::layout::{Footer, Header, SkipLinks};
use pages::{
    dossier::DossierPage, dossiers::DossierListPage, home::HomePage, information, legal,
    not_found::NotFound,
};

/// How the deployment presents itself: with the State's brand block (Marianne, "République
/// Française") only when it is run by the State; otherwise a neutral header naming France Sésame.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Branding {
    pub state: bool,
}

/// The HTML document around the application, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    use_request_nonce();
    view! {
        <!DOCTYPE html>
        <html lang="fr" data-fr-scheme="light">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="format-detection" content="telephone=no" />
                <link rel="stylesheet" href="/dsfr/dsfr.min.css" />
                <link rel="stylesheet" href="/pkg/sesame.css" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// Gives the page the nonce the HTTP perimeter minted for this response (it is in the request's
/// extensions and in the response's Content-Security-Policy), so that the hydration script and
/// the resource scripts carry it. Replaces the nonce leptos_axum provides by itself, which no
/// header would name.
#[cfg(feature = "ssr")]
fn use_request_nonce() {
    let nonce = use_context::<axum::http::request::Parts>().and_then(|parts| {
        parts
            .extensions
            .get::<crate::security::PageNonce>()
            .cloned()
    });
    if let Some(crate::security::PageNonce(nonce)) = nonce {
        provide_context(leptos::nonce::Nonce::from_value(nonce));
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // Read on the server from the configuration, carried to the browser in the page.
    let branding = SharedValue::new(|| use_context::<Branding>().unwrap_or_default()).into_inner();
    provide_context(branding);
    // Lets people and tests tell that the page is interactive. Effects only run in the browser.
    Effect::new(move |_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });

    view! {
        <Title formatter=|page: String| format!("{page} — France Sésame") />
        <Router>
            <SkipLinks />
            <Header />
            <main id="contenu" role="main" tabindex="-1">
                <Routes fallback=|| view! { <NotFound /> }>
                    <Route path=StaticSegment("") view=HomePage />
                    // Pages that load data render whole (`Async`): the content is in the HTML
                    // itself, readable without JavaScript, and the status (404) is right.
                    <Route path=StaticSegment("dossiers") view=DossierListPage ssr=SsrMode::Async />
                    <Route
                        path=(StaticSegment("dossiers"), ParamSegment("id"))
                        view=DossierPage
                        ssr=SsrMode::Async
                    />
                    <Route path=StaticSegment("informations-reglementaires") view=information::RegulatoryInformation />
                    <Route path=StaticSegment("informations-pratiques") view=information::PracticalInformation />
                    <Route path=StaticSegment("guide") view=information::UserGuide />
                    <Route path=StaticSegment("faq") view=information::Faq />
                    <Route path=StaticSegment("contact") view=information::Contact />
                    <Route path=StaticSegment("cgu") view=legal::Cgu />
                    <Route path=StaticSegment("donnees-personnelles") view=legal::PersonalData />
                    <Route path=StaticSegment("accessibilite") view=legal::Accessibility />
                    <Route path=StaticSegment("mentions-legales") view=legal::LegalNotice />
                </Routes>
            </main>
            <Footer />
        </Router>
    }
}
