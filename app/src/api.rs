//! Server functions, grouped by domain. Each one runs on the server, reads what it needs from
//! [`crate::state`], and returns domain types the browser can render.

pub mod account;
pub mod alerts;
pub mod appointments;
pub mod directory;
pub mod dossiers;
pub mod partner_keys;
