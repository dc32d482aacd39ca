//! France Sésame's shared crate: the domain (compiled for the browser and the server alike), the
//! user interface, the server functions, and — behind the `ssr` feature — the store and the state
//! the server hands to them.

pub mod api;
pub mod domain;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod state;
#[cfg(feature = "ssr")]
pub mod store;

pub use ui::{shell, App};
