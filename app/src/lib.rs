//! France Sésame's shared crate: the domain (compiled for the browser and the server alike), the
//! user interface, the server functions, and — behind the `ssr` feature — the store and the state
//! the server hands to them.

// Leptos views are deeply nested types; computing their layout for the WASM build needs more
// than the default depth.
#![recursion_limit = "512"]

pub mod api;
pub mod assets;
pub mod branding;
pub mod domain;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod documents;
#[cfg(feature = "ssr")]
pub mod forms;
#[cfg(feature = "fuzz")]
pub mod fuzz;
#[cfg(feature = "ssr")]
pub mod http;
#[cfg(feature = "ssr")]
pub mod security;
#[cfg(feature = "ssr")]
pub mod state;
#[cfg(feature = "ssr")]
pub mod store;

pub use ui::{shell, App};
