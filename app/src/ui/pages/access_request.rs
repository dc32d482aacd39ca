//! The page of someone the customs account signed in without naming their company: where their
//! request to join a company stands, what happens next and who decides; the SIRET to declare
//! while it is still to complete (or to correct while it waits).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::account::load_access_request;
use crate::domain::access_request::{AccessRequest, AccessRequestState};
use crate::ui::components::loaded::Loaded;
use crate::ui::format;
use crate::ui::notices::Notice;

/// Where a request is followed.
pub const PATH: &str = "/demande-acces";

#[component]
pub fn AccessRequestPage() -> impl IntoView {
    let request = Resource::new(|| (), |_| load_access_request());
    view! {
        <Title text="Votre demande d'accès" />
        <div class="fr-container fr-my-6w">
            <h1>"Votre demande d'accès à France Sésame"</h1>
            <Notice />
            <Loaded resource=request loading="Chargement de votre demande…" failed="Votre demande n'a pas pu être chargée" let:request>
                {match request {
                    Some(request) => view! { <RequestView request /> }.into_any(),
                    None => view! {
                        <p>"Aucune demande d'accès n'est ouverte dans ce navigateur."</p>
                        <p>"Connectez-vous avec votre compte douane : si vous n'avez pas encore de compte France Sésame, votre demande s'ouvre à ce moment-là, et cette page vous dit où elle en est."</p>
                        <p><a class="fr-btn" href="/connexion">"Se connecter"</a></p>
                    }.into_any(),
                }}
            </Loaded>
        </div>
    }
}

#[component]
fn RequestView(request: AccessRequest) -> impl IntoView {
    let AccessRequest {
        full_name,
        email,
        state,
        siret,
        company_name,
        reason,
        created_at,
        ..
    } = request;
    let company = company_name.unwrap_or_default();
    match state {
        AccessRequestState::ToComplete => view! {
            <p class="fr-text--lead">{format!("Bonjour {full_name}.")}</p>
            <p>{format!("Votre compte douane ({email}) ne dit pas de quelle entreprise vous relevez : France Sésame ne peut pas encore vous ouvrir de compte.")}</p>
            <h2>"Ce qui se passe ensuite"</h2>
            <ol>
                <li>"Vous indiquez le SIRET de l'établissement de votre entreprise."</li>
                <li>"Votre demande est envoyée aux administrateurs du compte de cette entreprise sur France Sésame : ce sont eux qui l'acceptent ou la refusent."</li>
                <li>"Vous recevez un courriel dès qu'ils ont décidé. Une fois la demande acceptée, vous vous connectez avec votre compte douane."</li>
            </ol>
            <SiretForm label="Envoyer ma demande" />
        }
        .into_any(),
        AccessRequestState::Waiting => view! {
            <div class="fr-callout">
                <p class="fr-callout__text">
                    {format!(
                        "Votre demande, ouverte le {}, attend la décision de l'entreprise {company} (SIRET {}).",
                        format::date_time(created_at),
                        siret.unwrap_or_default(),
                    )}
                </p>
            </div>
            <p>{format!("Ce sont les administrateurs du compte de cette entreprise sur France Sésame qui décident. Vous recevrez un courriel à l'adresse {email} dès qu'ils l'auront acceptée ou refusée ; une fois acceptée, connectez-vous avec votre compte douane.")}</p>
            <h2>"Vous vous êtes trompé d'établissement ?"</h2>
            <p>"Indiquez le bon SIRET : votre demande est alors envoyée à cette entreprise à la place."</p>
            <SiretForm label="Corriger ma demande" />
        }
        .into_any(),
        AccessRequestState::Accepted => view! {
            <p class="fr-text--lead">{format!("Votre demande est acceptée : votre compte est ouvert dans l'entreprise {company}.")}</p>
            <p><a class="fr-btn" href="/connexion">"Se connecter avec mon compte douane"</a></p>
        }
        .into_any(),
        AccessRequestState::Refused => view! {
            <p class="fr-text--lead">{format!("L'entreprise {company} a refusé votre demande.")}</p>
            <p>{format!("Motif : « {} »", reason.unwrap_or_default())}</p>
            <p>"Si vous relevez d'une autre entreprise, reconnectez-vous avec votre compte douane : une nouvelle demande s'ouvre, où vous indiquerez son SIRET. Pour toute question, adressez-vous à l'entreprise, ou à l'assistance de France Sésame depuis la page « Contact »."</p>
            <p><a class="fr-btn" href="/connexion">"Se connecter"</a></p>
        }
        .into_any(),
    }
}

/// The SIRET to declare, refilled with what was typed when it was refused.
#[component]
fn SiretForm(label: &'static str) -> impl IntoView {
    let typed = use_query_map().with_untracked(|query| query.get("siret").unwrap_or_default());
    view! {
        <form method="post" action=PATH class="sesame-narrow" novalidate>
            <div class="fr-input-group">
                <label class="fr-label" for="demande-siret">
                    "SIRET de l'établissement"
                    <span class="fr-hint-text">"14 chiffres : le SIREN de l'entreprise, puis le NIC de l'établissement. Il figure sur l'extrait Kbis et sur l'avis de situation au répertoire SIRENE (INSEE)."</span>
                </label>
                <input class="fr-input" type="text" id="demande-siret" name="siret" inputmode="numeric" autocomplete="off" required value=typed />
            </div>
            <button class="fr-btn" type="submit">{label}</button>
        </form>
    }
}
