//! Creating technical administrators (the first one from the command line of a fresh
//! deployment, `server admin create`), and opening sites and border control posts — from the
//! administration's page or the command line, through the same functions.

use axum::extract::State;
use axum::{Extension, Form};
use chrono::{DateTime, Duration, Utc};

use crate::domain::access::{EntryPoint, Target};
use crate::domain::account::{parse_email, parse_full_name};
use crate::domain::administration::{parse_post, parse_site, Fields};
use crate::domain::appointment::Calendar;
use crate::domain::directory::{Post, Role, Site};
use crate::forms::{back, check, done, Failure, Forms, Outcome};
use crate::http::new_token;
use crate::state::Caller;
use crate::store::{Actor, AuditEvent, NewUser, Store, StoreError, TokenPurpose};
use crate::ui::notices::{Done, Problem};

/// How long the link to choose the first password stays valid: a deployment's first
/// administrator may well open it the next working day.
pub const FIRST_PASSWORD_LIFETIME: Duration = Duration::hours(72);

/// An administrator's account just opened: the single-use link that sets its password.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Opened {
    pub user_id: i64,
    pub email: String,
    pub link: String,
    pub expires_at: DateTime<Utc>,
}

/// Opens a technical administrator's account, its address taken as verified (whoever runs the
/// command holds the deployment), without a password: the link it gives sets one, once. Refuses,
/// changing nothing, when the address is taken, or when an administrator already exists and
/// `additional` was not asked for — so that running the first-time command twice is never
/// silent. Audited as done from the command line.
pub async fn create_administrator(
    store: &Store,
    email: &str,
    full_name: &str,
    additional: bool,
    base_url: &str,
    now: DateTime<Utc>,
) -> Result<Opened, String> {
    let email = parse_email(email).map_err(|error| format!("--email : {error}"))?;
    let full_name = parse_full_name(full_name).map_err(|error| format!("--name : {error}"))?;
    let unavailable = |error: StoreError| {
        tracing::error!(%error, "administrateur : création impossible");
        "La base de données n'a pas pu enregistrer le compte : rien n'a été créé. Vérifiez qu'elle est joignable, puis relancez la commande.".to_owned()
    };
    let mut tx = store.begin().await.map_err(unavailable)?;
    let existing = tx
        .count_role(Role::Administrateur)
        .await
        .map_err(unavailable)?;
    if existing > 0 && !additional {
        return Err(format!(
            "Cette plateforme a déjà {} : rien n'a été créé. Pour en ajouter un autre, relancez la commande avec --supplementaire.",
            crate::ui::format::count(existing, "administrateur technique", "administrateurs techniques")
        ));
    }
    if tx.email_taken(&email).await.map_err(unavailable)? {
        return Err(format!(
            "Un compte existe déjà avec l'adresse {email} : rien n'a été créé."
        ));
    }
    let user_id = tx
        .insert_user(
            &NewUser {
                email: email.clone(),
                full_name,
                role: Role::Administrateur,
                company_id: None,
                administration: None,
                company_admin: false,
                email_verified: true,
                password_hash: None,
            },
            now,
        )
        .await
        .map_err(unavailable)?;
    let (token, hash) = new_token();
    let expires_at = now + FIRST_PASSWORD_LIFETIME;
    tx.insert_token(&hash, user_id, TokenPurpose::Reset, None, now, expires_at)
        .await
        .map_err(unavailable)?;
    let object = format!("utilisateur:{user_id}");
    tx.audit(
        &AuditEvent {
            actor_id: None,
            actor: "ligne de commande",
            action: "administrateur_cree",
            object: &object,
            address: "-",
            detail: if additional {
                "supplementaire"
            } else {
                "premier"
            },
            client_key: "",
            personal_detail: "",
        },
        now,
    )
    .await
    .map_err(unavailable)?;
    tx.commit().await.map_err(unavailable)?;
    Ok(Opened {
        user_id,
        email,
        link: format!(
            "{}/mot-de-passe/nouveau?jeton={token}",
            base_url.trim_end_matches('/')
        ),
        expires_at,
    })
}

/// Why a site or a post was not opened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refused {
    /// A field is wrong: what to correct, in French.
    Invalid(String),
    /// A site or a post already has this code.
    Taken(String),
    /// The post's site does not exist.
    NoSite(String),
    /// The database could not record it.
    Unavailable,
}

impl Refused {
    pub fn message(&self) -> String {
        match self {
            Refused::Invalid(message) => message.clone(),
            Refused::Taken(code) => format!("Le code {code} est déjà celui d'un site ou d'un poste de la plateforme : rien n'a été créé."),
            Refused::NoSite(code) => format!("Aucun site {code} n'existe : ouvrez d'abord le site (les cinq premiers caractères du code du poste), puis ses postes."),
            Refused::Unavailable => "La base de données n'a pas pu enregistrer l'ouverture : rien n'a été créé. Réessayez dans quelques instants.".into(),
        }
    }
}

fn unavailable(error: StoreError) -> Refused {
    tracing::error!(%error, "administration : enregistrement impossible");
    Refused::Unavailable
}

/// Opens a site, audited. Its posts are opened next.
pub async fn open_site(
    store: &Store,
    fields: &Fields,
    actor: &Actor<'_>,
    now: DateTime<Utc>,
) -> Result<Site, Refused> {
    let site = parse_site(fields).map_err(Refused::Invalid)?;
    let mut tx = store.begin().await.map_err(unavailable)?;
    if tx
        .place_exists(site.code.as_str())
        .await
        .map_err(unavailable)?
    {
        return Err(Refused::Taken(site.code.as_str().to_owned()));
    }
    tx.insert_site(&site).await.map_err(unavailable)?;
    let object = format!("site:{}", site.code);
    tx.audit(&actor.audit_event("site_ouvert", &object, ""), now)
        .await
        .map_err(unavailable)?;
    tx.commit().await.map_err(unavailable)?;
    Ok(site)
}

/// Opens a post at its site with what every service needs to work there, in the same
/// transaction: the goods it is approved for, the standard rendez-vous calendar (validating
/// each request or not, as asked), and — by the database itself, for any post — the default
/// alert thresholds and step responsibilities. Its messaging inboxes are its site's. Audited.
pub async fn open_post(
    store: &Store,
    fields: &Fields,
    actor: &Actor<'_>,
    now: DateTime<Utc>,
) -> Result<Post, Refused> {
    let draft = parse_post(fields).map_err(Refused::Invalid)?;
    let post = draft.post;
    let mut tx = store.begin().await.map_err(unavailable)?;
    if tx
        .place_exists(post.code.as_str())
        .await
        .map_err(unavailable)?
    {
        return Err(Refused::Taken(post.code.as_str().to_owned()));
    }
    // Its site's code is five characters, a post's longer: the site is the place of that code.
    if !tx
        .place_exists(post.site.as_str())
        .await
        .map_err(unavailable)?
    {
        return Err(Refused::NoSite(post.site.as_str().to_owned()));
    }
    tx.insert_post(&post).await.map_err(unavailable)?;
    tx.save_calendar(
        &post.code,
        &Calendar::standard(draft.requires_validation),
        now,
    )
    .await
    .map_err(unavailable)?;
    let object = format!("poste:{}", post.code);
    tx.audit(&actor.audit_event("poste_ouvert", &object, ""), now)
        .await
        .map_err(unavailable)?;
    tx.commit().await.map_err(unavailable)?;
    Ok(post)
}

/// The administration's page of sites and posts.
const SITES: &str = "/administration/sites";

/// Back to the page with what was typed, so that it explains and keeps it.
fn refill(fields: &Fields) -> Vec<(&str, &str)> {
    let mut pairs: Vec<(&str, &str)> = fields
        .iter()
        .filter(|(name, value)| name.len() <= 40 && value.len() <= 200)
        .map(|(name, value)| (name.as_str(), value.as_str()))
        .collect();
    pairs.sort();
    pairs
}

fn refused(refusal: Refused, invalid: Problem, fields: &Fields, anchor: &str) -> Failure {
    let problem = match refusal {
        Refused::Invalid(_) => invalid,
        Refused::Taken(_) => Problem::PlaceTaken,
        Refused::NoSite(_) => Problem::PostWithoutSite,
        Refused::Unavailable => Problem::PlaceNotOpened,
    };
    let mut pairs = refill(fields);
    pairs.push(("formulaire", anchor));
    back(SITES, problem, &pairs)
}

/// Back to the page with what was opened, or with what was typed and why it was refused.
fn answer<T>(
    opened: Result<T, Refused>,
    fields: &Fields,
    (anchor, invalid, done_code): (&str, Problem, Done),
) -> Outcome {
    opened.map_err(|refusal| refused(refusal, invalid, fields, anchor))?;
    done(SITES, done_code)
}

/// `POST /administration/sites`: opens a site.
#[tracing::instrument(skip_all)]
pub async fn site(
    State(forms): State<Forms>,
    Extension(caller): Extension<Caller>,
    Form(fields): Form<Fields>,
) -> Outcome {
    check(&caller, EntryPoint::ManageSites, Target::Nothing)?;
    let opened = open_site(&forms.store, &fields, &caller.actor(), Utc::now()).await;
    answer(
        opened,
        &fields,
        ("site", Problem::SiteInvalid, Done::SiteOpened),
    )
}

/// `POST /administration/postes`: opens a post at its site.
#[tracing::instrument(skip_all)]
pub async fn post(
    State(forms): State<Forms>,
    Extension(caller): Extension<Caller>,
    Form(fields): Form<Fields>,
) -> Outcome {
    check(&caller, EntryPoint::ManageSites, Target::Nothing)?;
    let opened = open_post(&forms.store, &fields, &caller.actor(), Utc::now()).await;
    answer(
        opened,
        &fields,
        ("poste", Problem::PostInvalid, Done::PostOpened),
    )
}
