//! The technical administrator creates and revokes the keys of partner systems
//! (`/administration/cles-partenaires`); the command line does the same through
//! [`create_key`] and [`revoke_key`].

use axum::extract::{Path, State};
use axum::http::header;
use axum::{Extension, Form};
use chrono::{Duration, Utc};
use serde::Deserialize;

use super::FRESH_KEY_COOKIE;
use crate::domain::access::{EntryPoint, Target};
use crate::domain::journey::EventSource;
use crate::domain::references::Locode;
use crate::forms::{back, check_viewer, done, Forms, Outcome};
use crate::state::Caller;
use crate::store::Store;
use crate::ui::notices::{Done, Problem};

const KEYS: &str = "/administration/cles-partenaires";

#[derive(Deserialize)]
pub struct KeyForm {
    #[serde(default)]
    nom: String,
    #[serde(default)]
    sources: String,
    #[serde(default)]
    sites: String,
}

/// Creates a key; the page shows it once, from a short-lived cookie it then removes.
#[tracing::instrument(skip_all)]
pub async fn create(
    State(forms): State<Forms>,
    Extension(caller): Extension<Caller>,
    Form(form): Form<KeyForm>,
) -> Outcome {
    let viewer = check_viewer(&caller, EntryPoint::ManagePartnerKeys, Target::Nothing)?;
    // Every site only when asked for with "*": an empty field is a mistake, not a wish.
    let sites = form.sites.trim();
    let refill = [
        ("nom", form.nom.as_str()),
        ("sources", form.sources.as_str()),
        ("sites", sites),
    ];
    if key_name(&form.nom).is_none() {
        return Err(back(KEYS, Problem::KeyNameInvalid, &refill));
    }
    if parse_scope(&form.sources, "*").is_err() {
        return Err(back(KEYS, Problem::KeySourceInvalid, &refill));
    }
    if sites.is_empty() || parse_scope("*", sites).is_err() {
        return Err(back(KEYS, Problem::KeySitesInvalid, &refill));
    }
    let actor = Actor {
        id: Some(viewer.user_id),
        name: &viewer.email,
        address: &caller.ip,
    };
    let (id, key) = create_key(&forms.store, &form.nom, &form.sources, sites, &actor)
        .await
        .map_err(|error| {
            tracing::error!(%error, "clé partenaire : création impossible");
            back(KEYS, Problem::KeyNotCreated, &refill)
        })?;
    let mut response = done(KEYS, Done::KeyCreated)?;
    response.headers_mut().append(
        header::SET_COOKIE,
        crate::state::set_cookie(
            FRESH_KEY_COOKIE,
            &format!("{id}:{key}"),
            caller.over_https,
            Duration::minutes(2),
        ),
    );
    Ok(response)
}

/// Revokes a key: every request presenting it is refused from now on.
#[tracing::instrument(skip_all)]
pub async fn revoke(
    State(forms): State<Forms>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<i64>,
) -> Outcome {
    let viewer = check_viewer(&caller, EntryPoint::ManagePartnerKeys, Target::Nothing)?;
    let actor = Actor {
        id: Some(viewer.user_id),
        name: &viewer.email,
        address: &caller.ip,
    };
    match revoke_key(&forms.store, id, &actor).await {
        Ok(true) => done(KEYS, Done::KeyRevoked),
        Ok(false) => Err(back(KEYS, Problem::KeyUnknown, &[])),
        Err(error) => {
            tracing::error!(%error, "clé partenaire : révocation impossible");
            Err(back(KEYS, Problem::KeyUnknown, &[]))
        }
    }
}

/// The sources and sites of a key as the command line writes them (`*` for all).
pub fn parse_scope(sources: &str, sites: &str) -> Result<(String, String), String> {
    let sources = sources.trim();
    if sources != "*" {
        for code in sources.split(',').map(str::trim) {
            if EventSource::from_code(code).is_none() {
                return Err(format!(
                    "source « {code} » inconnue (attendu : traces, customs, port_community, airport_community, sivep, ou *)"
                ));
            }
        }
    }
    let sites = sites.trim();
    if sites != "*" {
        for code in sites.split(',').map(str::trim) {
            Locode::parse(code).map_err(|error| format!("site « {code} » : {error}"))?;
        }
    }
    Ok((
        sources.replace(' ', ""),
        sites.replace(' ', "").to_uppercase(),
    ))
}

/// Who creates or revokes a key, for the audit trail.
pub struct Actor<'a> {
    pub id: Option<i64>,
    pub name: &'a str,
    pub address: &'a str,
}

impl Actor<'_> {
    /// Records, in the transaction, what this person did to key `id`.
    async fn audit(
        &self,
        tx: &mut crate::store::Tx,
        action: &str,
        id: i64,
        detail: &str,
        now: chrono::DateTime<Utc>,
    ) -> Result<(), String> {
        let event = crate::store::AuditEvent {
            actor_id: self.id,
            actor: self.name,
            action,
            object: &format!("cle_partenaire:{id}"),
            address: self.address,
            detail,
            // Only sign-ins are counted per client.
            client_key: "",
            personal_detail: "",
        };
        tx.audit(&event, now)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}

/// A partner system's name as keys are labelled: 1 to 100 characters once trimmed.
pub fn key_name(name: &str) -> Option<&str> {
    let name = name.trim();
    (!name.is_empty() && name.chars().count() <= 100).then_some(name)
}

/// Creates a key for a partner system: the key itself is returned once and only its hash kept.
#[tracing::instrument(skip_all)]
pub async fn create_key(
    store: &Store,
    name: &str,
    sources: &str,
    sites: &str,
    actor: &Actor<'_>,
) -> Result<(i64, String), String> {
    let name =
        key_name(name).ok_or("le nom du système partenaire doit compter de 1 à 100 caractères")?;
    let (sources, sites) = parse_scope(sources, sites)?;
    let (secret, _) = crate::http::new_token();
    let key = format!("sesame_{secret}");
    let now = Utc::now();
    let store_error = |error: crate::store::StoreError| error.to_string();
    let mut tx = store.begin().await.map_err(store_error)?;
    let id = tx
        .insert_partner_key(name, &crate::state::token_hash(&key), &sources, &sites, now)
        .await
        .map_err(store_error)?;
    let detail = format!("{name} (sources {sources}, sites {sites})");
    actor
        .audit(&mut tx, "cle_partenaire_creee", id, &detail, now)
        .await?;
    tx.commit().await.map_err(store_error)?;
    Ok((id, key))
}

/// Revokes a key: at once, every request with it is refused. The revocation and its audit entry
/// are written together, or neither is.
#[tracing::instrument(skip_all)]
pub async fn revoke_key(store: &Store, id: i64, actor: &Actor<'_>) -> Result<bool, String> {
    let now = Utc::now();
    let mut tx = store.begin().await.map_err(|e| e.to_string())?;
    let revoked = tx
        .revoke_partner_key(id, now)
        .await
        .map_err(|e| e.to_string())?;
    if revoked {
        actor
            .audit(&mut tx, "cle_partenaire_revoquee", id, "", now)
            .await?;
    }
    tx.commit().await.map_err(|e| e.to_string())?;
    Ok(revoked)
}
