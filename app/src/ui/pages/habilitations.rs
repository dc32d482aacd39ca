//! The head of service's desk: grant an agent of their administration a habilitation on a site of
//! the posts they head, with start and end dates; see and withdraw the ones in force; invite new
//! agents of their administration by mail, and withdraw the invitations not accepted yet.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::account::{load_habilitation_desk, HabilitationDesk};
use crate::ui::components::loaded::Loaded;
use crate::ui::components::table::DataTable;
use crate::ui::format;
use crate::ui::notices::Notice;
use crate::ui::pages::account::{habilitation_state, InvitationsTable};

#[component]
pub fn HabilitationsPage() -> impl IntoView {
    let desk = Resource::new(|| (), |_| load_habilitation_desk());
    view! {
        <Title text="Habilitations des agents" />
        <div class="fr-container fr-my-6w">
            <h1>"Habilitations des agents"</h1>
            <Notice />
            <Loaded resource=desk loading="Chargement des habilitations…" failed="Les habilitations n'ont pas pu être chargées" let:desk>
                <Desk desk />
            </Loaded>
        </div>
    }
}

#[component]
fn Desk(desk: HabilitationDesk) -> impl IntoView {
    let query = use_query_map();
    let typed = move |name: &'static str| query.with_untracked(|q| q.get(name).unwrap_or_default());
    let chosen_agent = typed("agent");
    let chosen_site = typed("site");
    let start = {
        let typed = typed("debut");
        if typed.is_empty() {
            desk.today.format("%Y-%m-%d").to_string()
        } else {
            typed
        }
    };
    let end = typed("fin");
    let invited_name = typed("invite_nom");
    let invited_email = typed("invite_adresse");
    let administration = desk.administration.label();
    let today = desk.today;
    let agent_options = desk
        .agents
        .iter()
        .map(|agent| {
            let value = agent.id.to_string();
            let selected = value == chosen_agent;
            view! { <option value=value selected=selected>{format!("{} — {}", agent.full_name, agent.email)}</option> }
        })
        .collect_view();
    let site_options = desk
        .sites
        .iter()
        .map(|site| {
            let value = site.code.to_string();
            let selected = value == chosen_site;
            view! { <option value=value selected=selected>{format!("{} ({})", site.name, site.code)}</option> }
        })
        .collect_view();
    let rows = desk
        .habilitations
        .into_iter()
        .map(|habilitation| {
            let state = habilitation_state(&habilitation, today);
            let action = format!("/habilitations/{}/retrait", habilitation.id);
            let label = format!(
                "Retirer l'habilitation de {} sur {} ({})",
                habilitation.agent_name, habilitation.site_name, habilitation.site
            );
            view! {
                <tr>
                    <td>
                        <a href=format!("/comptes/{}", habilitation.user_id)>{habilitation.agent_name.clone()}</a>
                        <br /><span class="fr-text--xs">{habilitation.agent_email.clone()}</span>
                    </td>
                    <td>{format!("{} ({})", habilitation.site_name, habilitation.site)}</td>
                    <td>{format::date(habilitation.starts_on)}</td>
                    <td>{habilitation.ends_on.map(format::date).unwrap_or_else(|| "—".into())}</td>
                    <td>{state}</td>
                    <td>
                        <form method="post" action=action>
                            <button class="fr-btn fr-btn--sm fr-btn--tertiary" type="submit" aria-label=label>"Retirer"</button>
                        </form>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <p>{format!("Administration : {}. Vous accordez des habilitations sur les sites des postes que vous dirigez.", desk.administration.label())}</p>
        <section class="fr-mb-6w" aria-labelledby="titre-accorder">
            <h2 id="titre-accorder">"Accorder une habilitation"</h2>
            <form method="post" action="/habilitations" class="sesame-narrow" novalidate>
                <div class="fr-select-group">
                    <label class="fr-label" for="habilitation-agent">"Agent"</label>
                    <select class="fr-select" id="habilitation-agent" name="agent" required>
                        <option value="" selected=chosen_agent.is_empty() disabled>"Choisir un agent"</option>
                        {agent_options}
                    </select>
                </div>
                <div class="fr-select-group">
                    <label class="fr-label" for="habilitation-site">"Site"</label>
                    <select class="fr-select" id="habilitation-site" name="site" required>
                        <option value="" selected=chosen_site.is_empty() disabled>"Choisir un site"</option>
                        {site_options}
                    </select>
                </div>
                <div class="fr-input-group">
                    <label class="fr-label" for="habilitation-debut">"Date de début"</label>
                    <input class="fr-input" type="date" placeholder=crate::domain::dates::DAY_PLACEHOLDER id="habilitation-debut" name="debut" required value=start />
                </div>
                <div class="fr-input-group">
                    <label class="fr-label" for="habilitation-fin">
                        "Date de fin (facultative)"
                        <span class="fr-hint-text">"Incluse. Sans date de fin, l'habilitation dure jusqu'à son retrait."</span>
                    </label>
                    <input class="fr-input" type="date" placeholder=crate::domain::dates::DAY_PLACEHOLDER id="habilitation-fin" name="fin" value=end />
                </div>
                <div class="fr-checkbox-group fr-mb-2w">
                    <input type="checkbox" id="habilitation-calendriers" name="calendriers" value="oui" />
                    <label class="fr-label" for="habilitation-calendriers">
                        "Peut aussi régler les calendriers des postes du site"
                        <span class="fr-hint-text">"Plages d'ouverture, places, délais et fermetures des rendez-vous"</span>
                    </label>
                </div>
                <button class="fr-btn" type="submit">"Accorder l'habilitation"</button>
            </form>
        </section>
        <section class="fr-mb-6w" id="invitations" aria-labelledby="titre-inviter">
            <h2 id="titre-inviter">"Inviter un agent"</h2>
            <p>{format!("L'agent reçoit un courriel pour choisir son mot de passe : son compte d'agent ({administration}) est ouvert à ce moment-là, sans aucune habilitation. Vous l'habilitez ensuite ci-dessus. Le lien est valable sept jours ; inviter de nouveau la même adresse le renouvelle.")}</p>
            <form method="post" action="/habilitations/invitations" class="sesame-narrow" novalidate>
                <div class="fr-input-group">
                    <label class="fr-label" for="invite-nom">"Prénom et nom de l'agent"</label>
                    <input class="fr-input" type="text" id="invite-nom" name="nom" autocomplete="off" required value=invited_name />
                </div>
                <div class="fr-input-group">
                    <label class="fr-label" for="invite-adresse">
                        "Adresse électronique professionnelle de l'agent"
                        <span class="fr-hint-text">"Format attendu : prenom.nom@administration.gouv.fr"</span>
                    </label>
                    <input class="fr-input" type="email" id="invite-adresse" name="adresse" autocomplete="off" required value=invited_email />
                </div>
                <button class="fr-btn" type="submit">"Envoyer l'invitation"</button>
            </form>
            <InvitationsTable invitations=desk.invitations withdraw=|id| format!("/habilitations/invitations/{id}/retrait") />
        </section>
        <section aria-labelledby="titre-en-vigueur">
            <h2 id="titre-en-vigueur">"Habilitations accordées"</h2>
            <DataTable caption="Habilitations sur les sites de vos postes">
                <thead>
                    <tr>
                        <th scope="col">"Agent"</th>
                        <th scope="col">"Site"</th>
                        <th scope="col">"Du"</th>
                        <th scope="col">"Au"</th>
                        <th scope="col">"État"</th>
                        <th scope="col">"Action"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </DataTable>
        </section>
    }
}
