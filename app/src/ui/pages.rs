//! One module per page (or family of pages).

pub mod dossier;
pub mod dossiers;
pub mod home;
pub mod information;
pub mod legal;
pub mod not_found;
