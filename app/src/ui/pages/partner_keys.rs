//! The technical administrator's desk for the keys of partner systems: create a key limited to
//! sources and sites (shown once), list them, revoke one.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::partner_keys::{load_partner_key_desk, PartnerKeyDesk, PartnerKeyRow};
use crate::domain::journey::EventSource;
use crate::ui::components::loaded::Loaded;
use crate::ui::components::table::DataTable;
use crate::ui::format;
use crate::ui::notices::Notice;

#[component]
pub fn PartnerKeysPage() -> impl IntoView {
    let desk = Resource::new(|| (), |_| load_partner_key_desk());
    view! {
        <Title text="Clés des systèmes partenaires" />
        <div class="fr-container fr-my-6w">
            <h1>"Clés des systèmes partenaires"</h1>
            <p>
                "Chaque système d'information qui envoie des événements (TRACES NT, douane, guichets portuaires et aéroportuaires, SIVEP) "
                "s'authentifie avec sa propre clé, limitée à ses sources et à ses sites. Seule l'empreinte de la clé est conservée."
            </p>
            <Notice />
            <Loaded resource=desk loading="Chargement des clés…" failed="Les clés n'ont pas pu être chargées" let:desk>
                <Desk desk />
            </Loaded>
        </div>
    }
}

/// `*` or a list of codes, in words.
fn scope_label(text: &str, all: &str) -> String {
    if text.trim() == "*" {
        all.to_owned()
    } else {
        text.split(',')
            .map(|code| {
                EventSource::from_code(code.trim())
                    .map(|source| source.label().to_owned())
                    .unwrap_or_else(|| code.trim().to_owned())
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[component]
fn Desk(desk: PartnerKeyDesk) -> impl IntoView {
    let query = use_query_map();
    let typed = move |name: &'static str| query.with_untracked(|q| q.get(name).unwrap_or_default());
    let name = typed("nom");
    let chosen_source = typed("sources");
    let sites = {
        let typed = typed("sites");
        if typed.is_empty() {
            "*".to_owned()
        } else {
            typed
        }
    };
    let known_sites = desk
        .sites
        .iter()
        .map(|site| format!("{} ({})", site.code, site.name))
        .collect::<Vec<_>>()
        .join(", ");
    let rows = desk
        .keys
        .into_iter()
        .map(|key| view! { <KeyRow key /> })
        .collect_view();
    view! {
        {desk.fresh.map(|(id, key)| view! {
            <div class="fr-alert fr-alert--warning fr-mb-4w" role="status" id="cle-creee">
                <h2 class="fr-alert__title">{format!("Clé n° {id} : copiez-la maintenant")}</h2>
                <p>"Elle ne sera plus jamais affichée. Transmettez-la au système partenaire par un canal sûr."</p>
                <p><label class="fr-label" for="cle-valeur">"Clé"</label>
                <input class="fr-input" id="cle-valeur" readonly value=key /></p>
            </div>
        })}
        <section class="fr-mb-6w" aria-labelledby="titre-creer">
            <h2 id="titre-creer">"Créer une clé"</h2>
            <form method="post" action="/administration/cles-partenaires" class="sesame-narrow" novalidate>
                <div class="fr-input-group">
                    <label class="fr-label" for="cle-nom">
                        "Système partenaire"
                        <span class="fr-hint-text">"Par exemple « TRACES NT » ou « Douane — Delta G » (1 à 100 caractères)."</span>
                    </label>
                    <input class="fr-input" id="cle-nom" name="nom" required maxlength="100" value=name />
                </div>
                <div class="fr-select-group">
                    <label class="fr-label" for="cle-sources">"Source autorisée"</label>
                    <select class="fr-select" id="cle-sources" name="sources">
                        <option value="*" selected=chosen_source.is_empty() || chosen_source == "*">"Toutes les sources"</option>
                        {EventSource::ALL
                            .into_iter()
                            .map(|source| view! {
                                <option value=source.code() selected=chosen_source == source.code()>{source.label()}</option>
                            })
                            .collect_view()}
                    </select>
                </div>
                <div class="fr-input-group">
                    <label class="fr-label" for="cle-sites">
                        "Sites autorisés"
                        <span class="fr-hint-text">{format!("Codes UN/LOCODE séparés par des virgules, ou * pour tous. Sites de la plateforme : {known_sites}.")}</span>
                    </label>
                    <input class="fr-input" id="cle-sites" name="sites" required value=sites />
                </div>
                <button class="fr-btn" type="submit">"Créer la clé"</button>
            </form>
        </section>
        <section aria-labelledby="titre-cles">
            <h2 id="titre-cles">"Clés"</h2>
            <DataTable caption="Clés des systèmes partenaires">
                <thead>
                    <tr>
                        <th scope="col">"N°"</th>
                        <th scope="col">"Système partenaire"</th>
                        <th scope="col">"Sources"</th>
                        <th scope="col">"Sites"</th>
                        <th scope="col">"Créée le"</th>
                        <th scope="col">"État"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </DataTable>
        </section>
    }
}

#[component]
fn KeyRow(key: PartnerKeyRow) -> impl IntoView {
    let action = format!("/administration/cles-partenaires/{}/revocation", key.id);
    let label = format!("Révoquer la clé n° {} de {}", key.id, key.name);
    view! {
        <tr>
            <td>{key.id}</td>
            <td>{key.name.clone()}</td>
            <td>{scope_label(&key.sources, "Toutes")}</td>
            <td>{scope_label(&key.sites, "Tous")}</td>
            <td>{format::date_time(key.created_at)}</td>
            <td>
                {match key.revoked_at {
                    Some(at) => view! { <span>{format!("Révoquée le {}", format::date_time(at))}</span> }.into_any(),
                    None => view! {
                        <form method="post" action=action>
                            <span>"Active "</span>
                            <button class="fr-btn fr-btn--sm fr-btn--tertiary" type="submit" aria-label=label>"Révoquer"</button>
                        </form>
                    }
                    .into_any(),
                }}
            </td>
        </tr>
    }
}
