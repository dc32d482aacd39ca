//! Each concern's server functions (its reads: each runs on the server, reads what it needs from
//! [`crate::state`], and returns domain types the browser can render) and, in a folder of the same
//! name, its form handlers (its writes, server side only, on [`crate::forms`]).

pub mod account;
pub mod administration;
pub mod alerts;
pub mod appointments;
pub mod dashboards;
pub mod directory;
pub mod documents;
pub mod dossiers;
pub mod exchanges;
pub mod notifications;
pub mod operators;
pub mod partner_keys;
pub mod rights;
pub mod service;
