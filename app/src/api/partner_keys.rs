//! The technical administrator's desk for the keys of partner systems (the command line
//! `server partner-key` does the same). A key is shown once, right after its creation, and only
//! its hash is kept.

#[cfg(feature = "ssr")]
pub mod manage;

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::directory::Site;

/// The cookie that carries a key just created to the page that shows it, once.
pub const FRESH_KEY_COOKIE: &str = "sesame_cle_creee";

/// A key as listed: never the key itself.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartnerKeyRow {
    pub id: i64,
    pub name: String,
    /// `*` or codes separated by commas.
    pub sources: String,
    pub sites: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// What the desk shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartnerKeyDesk {
    pub keys: Vec<PartnerKeyRow>,
    pub sites: Vec<Site>,
    /// The key created a moment ago, with its number: shown this once.
    pub fresh: Option<(i64, String)>,
}

/// The keys, the sites to choose from, and the key just created if there is one.
#[server(endpoint = "cles-partenaires")]
pub async fn load_partner_key_desk() -> Result<PartnerKeyDesk, ServerFnError> {
    use crate::domain::access::{EntryPoint, Target};
    let caller = crate::state::caller();
    crate::state::signed_in(&caller, EntryPoint::ManagePartnerKeys, Target::Nothing)?;
    let store = crate::state::store()?;
    let keys = store
        .partner_keys()
        .await
        .map_err(crate::state::internal)?
        .into_iter()
        .map(|key| PartnerKeyRow {
            id: key.id,
            name: key.name,
            sources: key.sources,
            sites: key.sites,
            created_at: key.created_at,
            revoked_at: key.revoked_at,
        })
        .collect();
    let sites = store.sites().await.map_err(crate::state::internal)?;
    // Read once, then forgotten by the browser.
    let fresh = crate::state::take_fresh_secret(FRESH_KEY_COOKIE).and_then(|value| {
        let (id, key) = value.split_once(':')?;
        Some((id.parse().ok()?, key.to_owned()))
    });
    Ok(PartnerKeyDesk { keys, sites, fresh })
}
