//! What the server hands to every server function and to server-side rendering, and the small
//! helpers that fetch it from the reactive context without panicking.

use axum::extract::FromRef;
use leptos::prelude::*;

use crate::store::Store;
use crate::ui::Branding;

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub store: Store,
    pub branding: Branding,
}

/// The store of the running server.
pub fn store() -> Result<Store, ServerFnError> {
    use_context::<AppState>()
        .map(|state| state.store)
        .ok_or_else(|| ServerFnError::new("état du serveur indisponible"))
}

/// Turns a server-side failure into an opaque French message for the browser, after logging its
/// whole cause chain.
pub fn internal(error: impl std::error::Error) -> ServerFnError {
    let mut chain = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        chain.push_str(": ");
        chain.push_str(&cause.to_string());
        source = cause.source();
    }
    tracing::error!(error = %chain, "échec d'une fonction serveur");
    ServerFnError::new(
        "Le service est momentanément indisponible. Veuillez réessayer dans quelques instants.",
    )
}
