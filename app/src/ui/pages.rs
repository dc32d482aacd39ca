//! One module per page (or family of pages).

pub mod access_request;
pub mod account;
pub mod accounts;
pub mod alert_desk;
pub mod appointments;
pub mod company_verifications;
pub mod dashboards;
pub mod dossier;
pub mod dossier_documents;
pub mod dossiers;
pub mod habilitations;
pub mod home;
pub mod information;
pub mod legal;
pub mod messaging;
pub mod not_found;
pub mod notifications;
pub mod operators;
pub mod partner_keys;
pub mod personal_data;
pub mod service;
pub mod sign_in;
pub mod sites;
pub mod suspended;
pub mod webhooks;
pub mod welcome;
