//! The accounts of the platform. The technical administrator's page (`/administration/comptes`)
//! finds accounts by name or address (names and addresses only, never what the accounts see) and
//! invites the State's accounts: heads of service of the posts, supervisors, the DGITM. An
//! account's page (`/comptes/{id}`) shows its state and the decisions about it, and takes a new
//! one with its reason: for the technical administrator, and for a head of service about the
//! people of their sites.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::administration::{load_account, load_accounts, AccountCard, AccountsDesk};
use crate::domain::account::{parse_reason, AccountDecision, AccountState, REASON_CHARS};
use crate::domain::administration::{parse_state_account, Fields};
use crate::domain::directory::{Administration, Role};
use crate::ui::components::loaded::Loaded;
use crate::ui::components::table::DataTable;
use crate::ui::format;
use crate::ui::notices::Notice;
use crate::ui::pages::account::InvitationsTable;

/// The roles the search may be narrowed to.
const ROLES: [Role; 7] = [
    Role::Operateur,
    Role::AgentDgddi,
    Role::AgentSivep,
    Role::ChefService,
    Role::Superviseur,
    Role::Dgitm,
    Role::Administrateur,
];

fn state_badge(state: AccountState) -> impl IntoView {
    let class = match state {
        AccountState::Active => "fr-badge fr-badge--success fr-badge--sm",
        AccountState::Suspended => "fr-badge fr-badge--warning fr-badge--sm",
        AccountState::Closed => "fr-badge fr-badge--sm",
    };
    view! { <span class=class>{state.label()}</span> }
}

#[component]
pub fn AccountsPage() -> impl IntoView {
    let query = use_query_map();
    let search = query.with_untracked(|q| q.get("recherche").unwrap_or_default());
    let role = query.with_untracked(|q| q.get("role").unwrap_or_default());
    let desk = Resource::new(
        move || (search.clone(), role.clone()),
        |(search, role)| load_accounts(search, role),
    );
    view! {
        <Title text="Comptes" />
        <div class="fr-container fr-my-6w">
            <h1>"Comptes de la plateforme"</h1>
            <p>
                "Retrouvez un compte par son nom ou son adresse pour le suspendre, le réactiver ou le clore. "
                "Vous voyez les noms et adresses des comptes, jamais les dossiers ni les données qu'ils consultent. "
                "Les chefs de service, les superviseurs et la DGITM reçoivent leur compte par une invitation envoyée d'ici : "
                "le rôle donné par un fournisseur d'identité n'accorde jamais d'habilitation."
            </p>
            <Notice />
            <Loaded resource=desk loading="Chargement des comptes…" failed="Les comptes n'ont pas pu être chargés" let:desk>
                <Desk desk />
            </Loaded>
        </div>
    }
}

#[component]
fn Desk(desk: AccountsDesk) -> impl IntoView {
    let query = use_query_map();
    let typed = move |name: &str| query.with_untracked(|q| q.get(name).unwrap_or_default());
    let (search, role) = (typed("recherche"), typed("role"));
    let rows = desk
        .accounts
        .into_iter()
        .map(|account| {
            let belongs = account.belongs();
            view! {
                <tr>
                    <th scope="row"><a href=format!("/comptes/{}", account.id)>{account.full_name}</a></th>
                    <td>{account.email}</td>
                    <td>{account.role.label()}</td>
                    <td>{belongs}</td>
                    <td>{state_badge(account.state)}</td>
                </tr>
            }
        })
        .collect_view();
    let more = desk.more.then(|| {
        view! { <p class="fr-text--sm">{format!("Seuls les {} premiers comptes sont affichés : précisez la recherche.", crate::domain::account::ACCOUNTS_SHOWN)}</p> }
    });
    view! {
        <section class="fr-mb-6w" aria-labelledby="titre-recherche">
            <h2 id="titre-recherche">"Rechercher un compte"</h2>
            <form method="get" action="/administration/comptes" class="sesame-narrow">
                <div class="fr-input-group">
                    <label class="fr-label" for="compte-recherche">
                        "Nom ou adresse électronique"
                        <span class="fr-hint-text">"Une partie suffit ; laissez vide pour tous les comptes."</span>
                    </label>
                    <input class="fr-input" type="search" id="compte-recherche" name="recherche" value=search />
                </div>
                <div class="fr-select-group">
                    <label class="fr-label" for="compte-role">"Rôle"</label>
                    <select class="fr-select" id="compte-role" name="role">
                        <option value="" selected=role.is_empty()>"Tous les rôles"</option>
                        {ROLES.into_iter().map(|r| view! { <option value=r.code() selected=r.code() == role>{r.label()}</option> }).collect_view()}
                    </select>
                </div>
                <button class="fr-btn" type="submit">"Rechercher"</button>
            </form>
        </section>
        <section class="fr-mb-6w" aria-labelledby="titre-comptes">
            <h2 id="titre-comptes">"Comptes"</h2>
            <DataTable caption="Comptes trouvés, par nom">
                <thead>
                    <tr>
                        <th scope="col">"Nom"</th>
                        <th scope="col">"Adresse électronique"</th>
                        <th scope="col">"Rôle"</th>
                        <th scope="col">"Rattachement"</th>
                        <th scope="col">"État"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </DataTable>
            {more}
        </section>
        <StateInvitation posts=desk.posts />
        <section class="fr-mb-6w" aria-labelledby="titre-invitations">
            <InvitationsTable
                accounts=desk.invitations.iter().map(|(_, account)| account.describe()).collect()
                invitations=desk.invitations.into_iter().map(|(invitation, _)| invitation).collect()
                withdraw=|id| format!("/administration/invitations/{id}/retrait")
            />
        </section>
    }
}

/// The invitation of a head of service, a supervisor or the DGITM.
#[component]
fn StateInvitation(posts: Vec<crate::domain::directory::Post>) -> impl IntoView {
    let query = use_query_map();
    let refused =
        query.with_untracked(|q| q.get("erreur").as_deref() == Some("compte-etat-invalide"));
    let fields: Fields = ["nom", "adresse", "compte", "administration", "poste"]
        .into_iter()
        .map(|name| {
            (
                name.to_owned(),
                query.with_untracked(|q| q.get(name).unwrap_or_default()),
            )
        })
        .collect();
    let mistake = refused
        .then(|| parse_state_account(&fields, &posts).err())
        .flatten()
        .map(|message| {
            view! {
                <div class="fr-alert fr-alert--error fr-alert--sm fr-mb-2w" role="alert">
                    <p>{message}</p>
                </div>
            }
        });
    let value = |name: &str| fields.get(name).cloned().unwrap_or_default();
    let (name, email, kind, administration, chosen_post) = (
        value("nom"),
        value("adresse"),
        value("compte"),
        value("administration"),
        value("poste"),
    );
    let kinds = [
        ("chef_service", "Chef de service d'un poste", "Dirige un poste pour son administration : il invite et habilite les agents, règle les calendriers et les seuils d'alerte."),
        ("superviseur", "Superviseur", "Consulte tous les sites et les tableaux de bord de son administration, sans agir sur les dossiers."),
        ("dgitm", "DGITM", "Consulte les statistiques agrégées, sans aucune donnée individuelle."),
    ];
    view! {
        <section class="fr-mb-6w" id="invitations" aria-labelledby="titre-inviter-compte">
            <h2 id="titre-inviter-compte">"Inviter un chef de service, un superviseur ou la DGITM"</h2>
            <p>"La personne reçoit un courriel pour choisir son mot de passe : son compte est ouvert à ce moment-là. Le lien est valable sept jours ; inviter de nouveau la même adresse remplace l'invitation."</p>
            {mistake}
            <form method="post" action="/administration/invitations" class="sesame-narrow" novalidate>
                <div class="fr-input-group">
                    <label class="fr-label" for="etat-nom">"Prénom et nom"</label>
                    <input class="fr-input" type="text" id="etat-nom" name="nom" autocomplete="off" required value=name />
                </div>
                <div class="fr-input-group">
                    <label class="fr-label" for="etat-adresse">
                        "Adresse électronique professionnelle"
                        <span class="fr-hint-text">"Format attendu : prenom.nom@administration.gouv.fr"</span>
                    </label>
                    <input class="fr-input" type="email" id="etat-adresse" name="adresse" autocomplete="off" required value=email />
                </div>
                <fieldset class="fr-fieldset" aria-labelledby="etat-compte-legende">
                    <legend class="fr-fieldset__legend" id="etat-compte-legende">"Compte à ouvrir"</legend>
                    {kinds.into_iter().map(|(code, label, hint)| {
                        let id = format!("etat-compte-{code}");
                        view! {
                            <div class="fr-fieldset__element">
                                <div class="fr-radio-group">
                                    <input type="radio" id=id.clone() name="compte" value=code checked=kind == code />
                                    <label class="fr-label" for=id>{label}<span class="fr-hint-text">{hint}</span></label>
                                </div>
                            </div>
                        }
                    }).collect_view()}
                </fieldset>
                <div class="fr-select-group">
                    <label class="fr-label" for="etat-administration">
                        "Administration"
                        <span class="fr-hint-text">"Pour un chef de service ou un superviseur."</span>
                    </label>
                    <select class="fr-select" id="etat-administration" name="administration">
                        <option value="" selected=administration.is_empty()>"Choisir"</option>
                        {[Administration::Dgal, Administration::Dgddi].into_iter().map(|a| view! {
                            <option value=a.code() selected=a.code() == administration>{a.label()}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="fr-select-group">
                    <label class="fr-label" for="etat-poste">
                        "Poste de contrôle frontalier"
                        <span class="fr-hint-text">"Pour un chef de service : le poste qu'il dirige."</span>
                    </label>
                    <select class="fr-select" id="etat-poste" name="poste">
                        <option value="" selected=chosen_post.is_empty()>"Choisir"</option>
                        {posts.iter().map(|post| {
                            let code = post.code.to_string();
                            let selected = code == chosen_post;
                            view! { <option value=code.clone() selected=selected>{format!("{} — {}", code, post.name)}</option> }
                        }).collect_view()}
                    </select>
                </div>
                <button class="fr-btn" type="submit">"Envoyer l'invitation"</button>
            </form>
        </section>
    }
}

#[component]
pub fn AccountPage() -> impl IntoView {
    let params = use_params_map();
    let id = params.with_untracked(|p| p.get("id").and_then(|id| id.parse::<i64>().ok()));
    let card = Resource::new(
        move || id,
        |id| async move {
            match id {
                Some(id) => load_account(id).await,
                None => Ok(None),
            }
        },
    );
    view! {
        <Title text="Compte" />
        <div class="fr-container fr-my-6w">
            <Loaded resource=card loading="Chargement du compte…" failed="Le compte n'a pas pu être chargé" page_heading=true let:card>
                {match card {
                    Some(card) => view! { <Card card /> }.into_any(),
                    None => view! {
                        <h1>"Compte introuvable"</h1>
                        <p>"Ce compte n'existe pas, ou aucune décision à son sujet ne vous revient."</p>
                    }.into_any(),
                }}
            </Loaded>
        </div>
    }
}

#[component]
fn Card(card: AccountCard) -> impl IntoView {
    let account = card.account;
    let query = use_query_map();
    let refused = query.with_untracked(|q| q.get("erreur").as_deref() == Some("motif-invalide"));
    let typed_decision = query.with_untracked(|q| q.get("decision").unwrap_or_default());
    let typed_reason = query.with_untracked(|q| q.get("motif").unwrap_or_default());
    let (min, max) = REASON_CHARS;
    let history = if card.decisions.is_empty() {
        view! { <p>"Aucune décision n'a été prise sur ce compte."</p> }.into_any()
    } else {
        view! {
            <DataTable caption="Décisions sur ce compte, la plus récente d'abord">
                <thead>
                    <tr>
                        <th scope="col">"Date"</th>
                        <th scope="col">"Décision"</th>
                        <th scope="col">"Motif"</th>
                        <th scope="col">"Par"</th>
                    </tr>
                </thead>
                <tbody>
                    {card.decisions.into_iter().map(|line| view! {
                        <tr>
                            <td>{format::date_time(line.at)}</td>
                            <td>{line.decision.label()}</td>
                            <td>{line.reason}</td>
                            <td>{line.by}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </DataTable>
        }
        .into_any()
    };
    let closed = card.possible.is_empty();
    let forms = card
        .possible
        .into_iter()
        .map(|decision| {
            let code = decision.code();
            let id = format!("motif-{code}");
            let (title, button, hint, class) = match decision {
                AccountDecision::Suspension => (
                    "Suspendre le compte",
                    "Suspendre",
                    "Ses sessions sont fermées et ses pages ouvertes ne reçoivent plus rien ; ses rendez-vous à venir sont annulés et leurs postes prévenus. Ses données sont conservées.",
                    "fr-btn fr-btn--secondary",
                ),
                AccountDecision::Reactivation => (
                    "Réactiver le compte",
                    "Réactiver",
                    "Son titulaire peut de nouveau se connecter ; ses rendez-vous annulés ne sont pas repris.",
                    "fr-btn",
                ),
                AccountDecision::Closing => (
                    "Clore le compte",
                    "Clore définitivement",
                    "Le compte ne pourra plus jamais se connecter ; ses données sont conservées le temps prévu par les conditions générales d'utilisation.",
                    "fr-btn fr-btn--tertiary",
                ),
            };
            let mine = typed_decision == code;
            let mistake = (refused && mine)
                .then(|| parse_reason(&typed_reason).err())
                .flatten()
                .map(|message| view! {
                    <div class="fr-alert fr-alert--error fr-alert--sm fr-mb-2w" role="alert"><p>{message}</p></div>
                });
            let reason = if mine { typed_reason.clone() } else { String::new() };
            view! {
                <section class="fr-mb-4w" aria-labelledby=format!("titre-{code}")>
                    <h3 id=format!("titre-{code}")>{title}</h3>
                    <p class="fr-text--sm">{hint}</p>
                    {mistake}
                    <form method="post" action=format!("/comptes/{}/{code}", account.id) class="sesame-narrow" novalidate>
                        <div class="fr-input-group">
                            <label class="fr-label" for=id.clone()>
                                "Motif"
                                <span class="fr-hint-text">{format!("De {min} à {max} caractères, communiqué par courriel au titulaire du compte.")}</span>
                            </label>
                            <textarea class="fr-input" id=id name="motif" rows="3" maxlength=max.to_string() required>{reason}</textarea>
                        </div>
                        <button class=class type="submit">{button}</button>
                    </form>
                </section>
            }
        })
        .collect_view();
    view! {
        <h1>{format!("Compte de {}", account.full_name)}</h1>
        <Notice />
        <dl class="sesame-facts fr-mb-4w">
            <dt>"Adresse électronique"</dt><dd>{account.email.clone()}</dd>
            <dt>"Rôle"</dt><dd>{account.role.label()}</dd>
            <dt>"Rattachement"</dt><dd>{account.belongs()}</dd>
            <dt>"État"</dt><dd>{state_badge(account.state)}</dd>
        </dl>
        {card.head_posts.map(|posts| view! { <HeadPostsSection id=account.id posts /> })}
        {card.rights_desk.map(|member| view! { <RightsDeskSection id=account.id member /> })}
        <section class="fr-mb-6w" aria-labelledby="titre-decider">
            <h2 id="titre-decider">"Décider"</h2>
            {closed.then(|| view! { <p>"Ce compte est clos : aucune décision n'est plus possible."</p> })}
            {forms}
        </section>
        <section aria-labelledby="titre-historique">
            <h2 id="titre-historique">"Historique"</h2>
            {history}
        </section>
    }
}

/// Whether this account of the DGDDI holds the rights desk, and the button that opens or closes it.
#[component]
fn RightsDeskSection(id: i64, member: bool) -> impl IntoView {
    let (said, action, button) = if member {
        (
            "Ce compte tient le guichet des droits : il reçoit les demandes des personnes sur leurs données, y répond et peut geler un dossier en litige.",
            format!("/comptes/{id}/guichet-droits/retrait"),
            "Retirer le guichet des droits",
        )
    } else {
        (
            "Le guichet des droits reçoit les demandes des personnes sur leurs données (accès, rectification, effacement, limitation, opposition), y répond dans le délai légal et peut geler un dossier en litige. Les conditions d'utilisation en confient la charge à la DGDDI.",
            format!("/comptes/{id}/guichet-droits"),
            "Confier le guichet des droits",
        )
    };
    view! {
        <section class="fr-mb-6w" aria-labelledby="titre-guichet">
            <h2 id="titre-guichet">"Guichet des droits"</h2>
            <p>{said}</p>
            <form method="post" action=action>
                <button class="fr-btn fr-btn--secondary" type="submit">{button}</button>
            </form>
        </section>
    }
}

/// The posts a head of service heads, each of which may be withdrawn but the last, and the
/// form that names them to a further post of their administration.
#[component]
fn HeadPostsSection(id: i64, posts: crate::api::administration::HeadPosts) -> impl IntoView {
    let last = posts.headed.len() <= 1;
    let headed = posts
        .headed
        .into_iter()
        .map(|(code, name)| {
            let action = format!("/comptes/{id}/postes/{code}/retrait");
            let label = format!("Retirer la direction du poste {code}");
            view! {
                <li>
                    {format!("{code} — {name}")}
                    {(!last).then(|| view! {
                        <form method="post" action=action class="fr-mt-1w fr-mb-2w">
                            <button class="fr-btn fr-btn--sm fr-btn--tertiary" type="submit" aria-label=label>"Retirer ce poste"</button>
                        </form>
                    })}
                </li>
            }
        })
        .collect_view();
    let form = if posts.others.is_empty() {
        view! { <p>"Son administration ne contrôle à aucun autre poste ouvert."</p> }.into_any()
    } else {
        let options = posts
            .others
            .into_iter()
            .map(|(code, name)| view! { <option value=code.clone()>{format!("{code} — {name}")}</option> })
            .collect_view();
        view! {
            <form method="post" action=format!("/comptes/{id}/postes") class="sesame-narrow" novalidate>
                <div class="fr-select-group">
                    <label class="fr-label" for="chef-poste">"Poste à diriger aussi"</label>
                    <select class="fr-select" id="chef-poste" name="poste" required>{options}</select>
                </div>
                <button class="fr-btn" type="submit">"Nommer à ce poste"</button>
            </form>
        }
        .into_any()
    };
    view! {
        <section class="fr-mb-6w" aria-labelledby="titre-postes">
            <h2 id="titre-postes">"Postes dirigés"</h2>
            <ul>{headed}</ul>
            {last.then(|| view! { <p class="fr-text--sm">"Un chef de service dirige au moins un poste : pour mettre fin à ses fonctions, suspendez ou clôturez son compte."</p> })}
            {form}
        </section>
    }
}
