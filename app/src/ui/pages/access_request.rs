//! The page of someone the customs account signed in without naming their company: where their
//! request to join a company stands, what happens next and who decides; the SIRET to declare
//! while it is still to complete (or to correct while it waits), or the company not yet
//! registered to declare, with its sites and its extract of the company registry.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::account::load_access_request;
use crate::domain::access_request::{AccessRequest, AccessRequestState};
use crate::domain::directory::Site;
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
            <Loaded resource=request loading="Chargement de votre demande…" failed="Votre demande n'a pas pu être chargée" let:space>
                {match space.request {
                    Some(request) => view! { <RequestView request sites=space.sites max_mib=space.max_mib /> }.into_any(),
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
fn RequestView(request: AccessRequest, sites: Vec<Site>, max_mib: u64) -> impl IntoView {
    let AccessRequest {
        full_name,
        email,
        state,
        siret,
        company_name,
        reason,
        created_at,
        new_company,
        sites: declared,
        ..
    } = request;
    let company = company_name.unwrap_or_default();
    let siret = siret.unwrap_or_default();
    let opened = format::date_time(created_at);
    let new_company_form = move || {
        view! {
            <h2>"Votre entreprise n'est pas encore inscrite sur France Sésame ?"</h2>
            <p>"Déclarez-la : un agent des services de contrôle des sites que vous indiquez vérifie son SIRET et sa raison sociale sur l'extrait du registre que vous joignez. Une fois l'inscription acceptée, l'entreprise est ouverte et vous êtes l'administrateur de son compte : c'est vous qui acceptez ensuite les demandes de vos collègues."</p>
            <NewCompanyForm sites max_mib />
        }
    };
    match (state, new_company) {
        (AccessRequestState::Waiting, true) => view! {
            <Waiting
                status=format!(
                    "Votre demande d'inscription de l'entreprise {company} (SIRET {siret}), ouverte le {opened}, attend la vérification des services de contrôle de : {}.",
                    declared.join(", "),
                )
                next=format!("Un agent de l'un de ces sites vérifie le SIRET et la raison sociale sur l'extrait du registre que vous avez joint. Vous recevrez un courriel à l'adresse {email} dès qu'il aura décidé ; une fois l'inscription acceptée, connectez-vous avec votre compte douane : vous serez l'administrateur du compte de l'entreprise.")
                other="Votre entreprise est déjà inscrite ?"
                instead="Indiquez le SIRET de son établissement : votre demande est alors envoyée à ses administrateurs à la place."
                label="Rejoindre l'entreprise"
            />
            {new_company_form()}
        }
        .into_any(),
        (AccessRequestState::Waiting, false) => view! {
            <Waiting
                status=format!("Votre demande, ouverte le {opened}, attend la décision de l'entreprise {company} (SIRET {siret}).")
                next=format!("Ce sont les administrateurs du compte de cette entreprise sur France Sésame qui décident. Vous recevrez un courriel à l'adresse {email} dès qu'ils l'auront acceptée ou refusée ; une fois acceptée, connectez-vous avec votre compte douane.")
                other="Vous vous êtes trompé d'établissement ?"
                instead="Indiquez le bon SIRET : votre demande est alors envoyée à cette entreprise à la place."
                label="Corriger ma demande"
            />
            {new_company_form()}
        }
        .into_any(),
        (AccessRequestState::ToComplete, _) => view! {
            <p class="fr-text--lead">{format!("Bonjour {full_name}.")}</p>
            <p>{format!("Votre compte douane ({email}) ne dit pas de quelle entreprise vous relevez : France Sésame ne peut pas encore vous ouvrir de compte.")}</p>
            <h2>"Ce qui se passe ensuite"</h2>
            <ol>
                <li>"Vous indiquez le SIRET de l'établissement de votre entreprise."</li>
                <li>"Votre demande est envoyée aux administrateurs du compte de cette entreprise sur France Sésame : ce sont eux qui l'acceptent ou la refusent."</li>
                <li>"Vous recevez un courriel dès qu'ils ont décidé. Une fois la demande acceptée, vous vous connectez avec votre compte douane."</li>
            </ol>
            <SiretForm label="Envoyer ma demande" />
            {new_company_form()}
        }
        .into_any(),
        (AccessRequestState::Accepted, new_company) => view! {
            <Decided
                lead=if new_company {
                    format!("L'entreprise {company} est inscrite : votre compte y est ouvert, et vous êtes l'administrateur de son compte.")
                } else {
                    format!("Votre demande est acceptée : votre compte est ouvert dans l'entreprise {company}.")
                }
                reason=None
                next=None
                button="Se connecter avec mon compte douane"
            />
        }
        .into_any(),
        (AccessRequestState::Refused, new_company) => view! {
            <Decided
                lead=if new_company {
                    format!("Les services de contrôle ont refusé l'inscription de l'entreprise {company}.")
                } else {
                    format!("L'entreprise {company} a refusé votre demande.")
                }
                reason=Some(reason.unwrap_or_default())
                next=Some(if new_company {
                    "Reconnectez-vous avec votre compte douane pour déclarer de nouveau l'entreprise, avec un extrait du registre à jour, ou pour rejoindre une entreprise déjà inscrite. Pour toute question, adressez-vous à l'assistance de France Sésame depuis la page « Contact »."
                } else {
                    "Si vous relevez d'une autre entreprise, reconnectez-vous avec votre compte douane : une nouvelle demande s'ouvre, où vous indiquerez son SIRET. Pour toute question, adressez-vous à l'entreprise, ou à l'assistance de France Sésame depuis la page « Contact »."
                })
                button="Se connecter"
            />
        }
        .into_any(),
    }
}

/// A request that waits: where it stands, who decides and when the person hears of it, and
/// the SIRET to give instead.
#[component]
fn Waiting(
    status: String,
    next: String,
    other: &'static str,
    instead: &'static str,
    label: &'static str,
) -> impl IntoView {
    view! {
        <div class="fr-callout">
            <p class="fr-callout__text">{status}</p>
        </div>
        <p>{next}</p>
        <h2>{other}</h2>
        <p>{instead}</p>
        <SiretForm label />
    }
}

/// A request decided: what was decided (and why, when refused), what to do next, and the way
/// back in.
#[component]
fn Decided(
    lead: String,
    reason: Option<String>,
    next: Option<&'static str>,
    button: &'static str,
) -> impl IntoView {
    view! {
        <p class="fr-text--lead">{lead}</p>
        {reason.map(|reason| view! { <p>{format!("Motif : « {reason} »")}</p> })}
        {next.map(|next| view! { <p>{next}</p> })}
        <p><a class="fr-btn" href="/connexion">{button}</a></p>
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

/// A company not yet registered: its SIRET, its name, the sites where it has its goods checked,
/// and its extract of the company registry; refilled with what was typed when it was refused.
#[component]
fn NewCompanyForm(sites: Vec<Site>, max_mib: u64) -> impl IntoView {
    let query = use_query_map();
    let typed = |name: &str| query.with_untracked(|query| query.get(name).unwrap_or_default());
    let (siret, name) = (typed("entreprise_siret"), typed("raison_sociale"));
    let choices = sites
        .into_iter()
        .map(|site| {
            let id = format!("entreprise-site-{}", site.code.as_str());
            view! {
                <div class="fr-fieldset__element">
                    <div class="fr-checkbox-group">
                        <input type="checkbox" id=id.clone() name="sites" value=site.code.as_str().to_owned() />
                        <label class="fr-label" for=id>{format!("{} ({})", site.name, site.kind.label())}</label>
                    </div>
                </div>
            }
        })
        .collect_view();
    view! {
        <form method="post" action="/demande-acces/entreprise" enctype="multipart/form-data" class="sesame-narrow" novalidate>
            <div class="fr-input-group">
                <label class="fr-label" for="entreprise-siret">
                    "SIRET de l'établissement"
                    <span class="fr-hint-text">"14 chiffres, tels qu'ils figurent sur l'extrait joint."</span>
                </label>
                <input class="fr-input" type="text" id="entreprise-siret" name="siret" inputmode="numeric" autocomplete="off" required value=siret />
            </div>
            <div class="fr-input-group">
                <label class="fr-label" for="entreprise-nom">
                    "Raison sociale"
                    <span class="fr-hint-text">"Comme sur l'extrait du registre."</span>
                </label>
                <input class="fr-input" type="text" id="entreprise-nom" name="raison_sociale" autocomplete="organization" maxlength="200" required value=name />
            </div>
            <fieldset class="fr-fieldset" aria-labelledby="entreprise-sites-legende">
                <legend class="fr-fieldset__legend" id="entreprise-sites-legende">
                    "Sites où l'entreprise fait contrôler ses marchandises"
                    <span class="fr-hint-text">"Les services de contrôle de ces sites vérifient l'inscription."</span>
                </legend>
                {choices}
            </fieldset>
            <div class="fr-upload-group fr-mb-3w">
                <label class="fr-label" for="entreprise-extrait">
                    "Extrait du registre de l'entreprise"
                    <span class="fr-hint-text">{format!(
                        "Un extrait Kbis, ou l'avis de situation au répertoire SIRENE (INSEE), de moins de trois mois : PDF, JPEG ou PNG, {max_mib} Mio au plus. Il passe par l'antivirus et n'est lu que par les agents qui vérifient l'inscription."
                    )}</span>
                </label>
                <input class="fr-upload" type="file" id="entreprise-extrait" name="extrait" required accept=".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png" />
            </div>
            <button class="fr-btn" type="submit">"Demander l'inscription de l'entreprise"</button>
        </form>
    }
}
