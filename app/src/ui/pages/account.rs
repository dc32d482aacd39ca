//! The personal space: one's profile (rectified here; a new address is confirmed first), one's
//! password, the company and its people for operators, the habilitations for agents, and the open sessions,
//! each of which can be ended.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::account::{load_account_space, AccountSpace};
use crate::domain::account::PASSWORD_MIN_CHARS;
use crate::domain::directory::{Habilitation, Role};
use crate::ui::components::loaded::Loaded;
use crate::ui::components::table::DataTable;
use crate::ui::format;
use crate::ui::notices::{Notice, Problem};

#[component]
pub fn AccountPage() -> impl IntoView {
    let space = Resource::new(|| (), |_| load_account_space());
    view! {
        <Title text="Mon espace" />
        <div class="fr-container fr-my-6w">
            <h1>"Mon espace"</h1>
            <Notice />
            <Loaded resource=space loading="Chargement de votre espace…" failed="Votre espace n'a pas pu être chargé" let:space>
                <AccountView space />
            </Loaded>
        </div>
    }
}

#[component]
fn AccountView(space: AccountSpace) -> impl IntoView {
    let viewer = space.viewer.clone();
    let query = use_query_map();
    let typed = |name: &'static str| query.with_untracked(|q| q.get(name));
    let name = typed("nom").unwrap_or_else(|| viewer.full_name.clone());
    let email = typed("adresse").unwrap_or_else(|| viewer.email.clone());
    let role = match (viewer.role, viewer.administration) {
        (Role::Operateur, _) if viewer.company_admin => {
            "Opérateur, administrateur de l'entreprise".to_owned()
        }
        (role, Some(administration)) if role != Role::AgentDgddi && role != Role::AgentSivep => {
            format!("{} — {}", role.label(), administration.label())
        }
        (role, _) => role.label().to_owned(),
    };
    let is_operator = viewer.role == Role::Operateur;
    let is_agent = matches!(viewer.role, Role::AgentDgddi | Role::AgentSivep);
    view! {
        <section class="fr-mb-6w" aria-labelledby="titre-profil">
            <h2 id="titre-profil">"Mon profil"</h2>
            <p>"Rôle : " <strong>{role}</strong></p>
            <form method="post" action="/espace/profil" class="sesame-narrow" novalidate>
                <div class="fr-input-group">
                    <label class="fr-label" for="profil-nom">"Prénom et nom"</label>
                    <input class="fr-input" type="text" id="profil-nom" name="nom" autocomplete="name" required value=name />
                </div>
                <div class="fr-input-group">
                    <label class="fr-label" for="profil-adresse">
                        "Adresse électronique"
                        <span class="fr-hint-text">"Une nouvelle adresse ne remplace l'actuelle qu'une fois confirmée par le lien que nous y envoyons."</span>
                    </label>
                    <input class="fr-input" type="email" id="profil-adresse" name="adresse" autocomplete="email" required value=email />
                </div>
                <button class="fr-btn" type="submit">"Enregistrer mon profil"</button>
            </form>
        </section>
        <PasswordSection has_password=space.has_password />
        {is_operator.then(|| view! { <CompanySection space=space.clone() /> })}
        {is_agent.then(|| view! { <HabilitationsSection habilitations=space.habilitations.clone() today=space.today /> })}
        {(!space.gate_passes.is_empty()).then(|| view! { <GatePassesSection passes=space.gate_passes.clone() /> })}
        <SessionsSection space />
        <section class="fr-mb-6w" aria-labelledby="titre-donnees">
            <h2 id="titre-donnees">"Mes données personnelles"</h2>
            <p>
                "Téléchargez une copie scellée de vos données et voyez comment exercer vos droits : "
                <a href=crate::ui::pages::personal_data::PATH>"Mes données personnelles"</a>"."
            </p>
        </section>
    }
}

/// Changing one's password: the current one, then the new one twice, with the rules said before
/// they are broken. An account that signs in through an identity provider is told where.
#[component]
fn PasswordSection(has_password: bool) -> impl IntoView {
    let query = use_query_map();
    let problem =
        query.with_untracked(|q| q.get("erreur").and_then(|code| Problem::from_code(&code)));
    let current_invalid = matches!(
        problem,
        Some(Problem::CurrentPasswordWrong | Problem::CurrentPasswordMissing)
    );
    let new_invalid = matches!(
        problem,
        Some(
            Problem::PasswordTooShort
                | Problem::PasswordTooLong
                | Problem::PasswordCommon
                | Problem::PasswordContainsAddress
                | Problem::PasswordUnchanged
                | Problem::ConfirmationMismatch
        )
    );
    let invalid = |yes: bool| yes.then_some("true");
    let described = |yes: bool| yes.then_some("erreur-formulaire");
    let body = if has_password {
        view! {
            <p>"Après le changement, vos autres sessions sont fermées ; celle-ci reste ouverte. Un courriel vous prévient."</p>
            <form method="post" action="/espace/mot-de-passe" class="sesame-narrow" novalidate>
                <div class="fr-input-group" class:fr-input-group--error=current_invalid>
                    <label class="fr-label" for="mot-de-passe-actuel">"Mot de passe actuel"</label>
                    <input class="fr-input" class:fr-input--error=current_invalid type="password" id="mot-de-passe-actuel" name="actuel" autocomplete="current-password" required aria-invalid=invalid(current_invalid) aria-describedby=described(current_invalid) />
                </div>
                <div class="fr-input-group" class:fr-input-group--error=new_invalid>
                    <label class="fr-label" for="mot-de-passe-nouveau">
                        "Nouveau mot de passe"
                        <span class="fr-hint-text">
                            {format!("Au moins {PASSWORD_MIN_CHARS} caractères. Une phrase de plusieurs mots est facile à retenir et difficile à deviner. Les mots de passe trop courants sont refusés.")}
                        </span>
                    </label>
                    <input class="fr-input" class:fr-input--error=new_invalid type="password" id="mot-de-passe-nouveau" name="mot_de_passe" autocomplete="new-password" required minlength=PASSWORD_MIN_CHARS.to_string() aria-invalid=invalid(new_invalid) aria-describedby=described(new_invalid) />
                </div>
                <div class="fr-input-group" class:fr-input-group--error=new_invalid>
                    <label class="fr-label" for="mot-de-passe-confirmation">"Confirmation du nouveau mot de passe"</label>
                    <input class="fr-input" class:fr-input--error=new_invalid type="password" id="mot-de-passe-confirmation" name="confirmation" autocomplete="new-password" required aria-invalid=invalid(new_invalid) aria-describedby=described(new_invalid) />
                </div>
                <button class="fr-btn" type="submit">"Changer mon mot de passe"</button>
            </form>
        }
        .into_any()
    } else {
        view! {
            <p>"Votre compte se connecte par un fournisseur d'identité : il n'a pas de mot de passe France Sésame. Votre mot de passe se change chez ce fournisseur, avec le compte que vous utilisez pour vous y connecter."</p>
        }
        .into_any()
    };
    view! {
        <section class="fr-mb-6w" id="mot-de-passe" aria-labelledby="titre-mot-de-passe">
            <h2 id="titre-mot-de-passe">"Mon mot de passe"</h2>
            {body}
        </section>
    }
}

#[component]
fn CompanySection(space: AccountSpace) -> impl IntoView {
    let admin = space.viewer.company_admin;
    let mandates = view! {
        <Mandates
            given=space.mandates_given
            received=space.mandates_received
            sites=space.mandate_sites
            today=space.today
            admin
        />
    }
    .into_any();
    let invited = admin && space.colleagues_invited;
    let me = space.viewer.user_id;
    let query = use_query_map();
    let invited_name = query.with_untracked(|q| q.get("collegue_nom").unwrap_or_default());
    let invited_email = query.with_untracked(|q| q.get("collegue_adresse").unwrap_or_default());
    let company = space.company.map(|company| {
        view! {
            <p>
                <strong>{company.name}</strong>
                " — SIRET " {company.siret.to_string()}
                {company.eori.map(|eori| format!(" — EORI {eori}"))}
            </p>
        }
    });
    let rows = space
        .colleagues
        .into_iter()
        .map(|colleague| {
            let removable = admin && colleague.id != me;
            let action = format!("/espace/collegues/{}/retrait", colleague.id);
            let label = format!("Retirer {}", colleague.full_name);
            view! {
                <tr>
                    <td>{colleague.full_name}</td>
                    <td>{colleague.email}</td>
                    <td>{if colleague.company_admin { "Administrateur" } else { "Membre" }}</td>
                    <td>
                        {removable.then(|| view! {
                            <form method="post" action=action>
                                <button class="fr-btn fr-btn--sm fr-btn--tertiary" type="submit" aria-label=label>"Retirer"</button>
                            </form>
                        })}
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="fr-mb-6w" id="collegues" aria-labelledby="titre-entreprise">
            <h2 id="titre-entreprise">"Mon entreprise"</h2>
            {company}
            <DataTable caption="Les personnes de votre entreprise">
                <thead>
                    <tr>
                        <th scope="col">"Nom"</th>
                        <th scope="col">"Adresse électronique"</th>
                        <th scope="col">"Rôle"</th>
                        <th scope="col">"Action"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </DataTable>
            {admin.then(|| view! { <AccessRequests requests=space.access_requests /> })}
            {invited.then(|| view! { <InvitationsTable invitations=space.invitations /> })}
            {(admin && !invited).then(|| view! {
                <h3>"Faire entrer un collègue"</h3>
                <p>"Sur France Sésame, les opérateurs se connectent avec leur compte douane. Votre collègue s'y connecte une première fois : si son compte douane indique votre entreprise, il la rejoint aussitôt ; sinon, il indique le SIRET de votre entreprise, sa demande apparaît ci-dessus dans « Demandes d'accès », et vous l'acceptez."</p>
            })}
            {invited.then(|| view! {
                <h3>"Inviter un collègue"</h3>
                <p>"Votre collègue reçoit un courriel pour choisir son mot de passe : son compte est ouvert à ce moment-là. Le lien est valable sept jours ; inviter de nouveau la même adresse le renouvelle."</p>
                <form method="post" action="/espace/collegues" class="sesame-narrow" novalidate>
                    <div class="fr-input-group">
                        <label class="fr-label" for="collegue-nom">"Prénom et nom du collègue"</label>
                        <input class="fr-input" type="text" id="collegue-nom" name="nom" required value=invited_name />
                    </div>
                    <div class="fr-input-group">
                        <label class="fr-label" for="collegue-adresse">"Adresse électronique du collègue"</label>
                        <input class="fr-input" type="email" id="collegue-adresse" name="adresse" required value=invited_email />
                    </div>
                    <button class="fr-btn" type="submit">"Envoyer l'invitation"</button>
                </form>
            })}
        </section>
        {mandates}
    }
}

/// The mandates of representation: those the company received (whose dossiers its people see
/// and act on), and, for its administrators, those it gave, each revocable while it still
/// gives something, and the form to give one (refilled, with what is wrong, when refused).
#[component]
fn Mandates(
    given: Vec<crate::domain::mandate::Mandate>,
    received: Vec<crate::domain::mandate::Mandate>,
    sites: Vec<crate::domain::directory::Site>,
    today: chrono::NaiveDate,
    admin: bool,
) -> impl IntoView {
    use crate::domain::mandate::{parse_mandate, site_field, Mandate, MandateState};
    let query = use_query_map();
    let typed = |name: &str| query.with_untracked(|q| q.get(name).unwrap_or_default());
    let period =
        |mandate: &Mandate| crate::domain::mandate::period(mandate.starts_on, mandate.ends_on);
    let received_rows = received
        .iter()
        .map(|mandate| {
            view! {
                <tr>
                    <td>{mandate.importer.clone()}</td>
                    <td>{mandate.sites.join(", ")}</td>
                    <td>{period(mandate)}</td>
                    <td>{mandate.state.label()}</td>
                </tr>
            }
        })
        .collect_view();
    let given_rows = given
        .iter()
        .map(|mandate| {
            let revocable = matches!(mandate.state, MandateState::Upcoming | MandateState::InForce);
            let action = format!("/espace/mandats/{}/revocation", mandate.id);
            let label = format!("Révoquer le mandat de {}", mandate.representative);
            view! {
                <tr>
                    <td>{format!("{} (SIRET {})", mandate.representative, mandate.representative_siret)}</td>
                    <td>{mandate.sites.join(", ")}</td>
                    <td>{period(mandate)}</td>
                    <td>{mandate.state.label()}</td>
                    <td>
                        {revocable.then(|| view! {
                            <form method="post" action=action>
                                <button class="fr-btn fr-btn--sm fr-btn--tertiary" type="submit" aria-label=label>"Révoquer"</button>
                            </form>
                        })}
                    </td>
                </tr>
            }
        })
        .collect_view();
    // What was wrong with the mandate typed, precisely, once the server refused it.
    let mistake = (typed("erreur") == "mandat-invalide")
        .then(|| {
            let fields = query.with_untracked(|q| {
                q.clone()
                    .into_iter()
                    .map(|(name, value)| (name.to_string(), value))
                    .collect::<crate::domain::administration::Fields>()
            });
            parse_mandate(&fields, &sites, today).err()
        })
        .flatten()
        .map(|message| view! {
            <div class="fr-alert fr-alert--error fr-alert--sm fr-mb-2w" role="alert"><p>{message}</p></div>
        });
    let choices = sites
        .iter()
        .map(|site| {
            let field = site_field(&site.code);
            let id = format!("mandat-{field}");
            let ticked = typed(&field) == "oui";
            view! {
                <div class="fr-fieldset__element">
                    <div class="fr-checkbox-group">
                        <input type="checkbox" id=id.clone() name=field value="oui" checked=ticked />
                        <label class="fr-label" for=id>{site.name.clone()}</label>
                    </div>
                </div>
            }
        })
        .collect_view();
    let form = admin.then(|| {
        view! {
            <h3>"Donner un mandat"</h3>
            <p>"Votre représentant (représentant en douane enregistré, commissionnaire de transport) voit alors vos dossiers des sites choisis et agit pour votre compte : rendez-vous, documents, échanges avec les administrations. Ses administrateurs en sont prévenus ; vous révoquez le mandat à tout moment."</p>
            {mistake}
            <form method="post" action="/espace/mandats" class="sesame-narrow" novalidate>
                <div class="fr-input-group">
                    <label class="fr-label" for="mandat-siret">
                        "SIRET de l'établissement du représentant"
                        <span class="fr-hint-text">"14 chiffres. Son entreprise doit avoir un compte sur France Sésame."</span>
                    </label>
                    <input class="fr-input" type="text" id="mandat-siret" name="siret" inputmode="numeric" autocomplete="off" required value=typed("siret") />
                </div>
                <fieldset class="fr-fieldset" aria-labelledby="mandat-sites-legende">
                    <legend class="fr-fieldset__legend" id="mandat-sites-legende">"Sites où il agit pour votre entreprise"</legend>
                    {choices}
                </fieldset>
                <div class="fr-input-group">
                    <label class="fr-label" for="mandat-debut">
                        "Premier jour"
                        <span class="fr-hint-text">"Laissé vide : aujourd'hui."</span>
                    </label>
                    <input class="fr-input" type="date" id="mandat-debut" name="debut" value=typed("debut") />
                </div>
                <div class="fr-input-group">
                    <label class="fr-label" for="mandat-fin">
                        "Dernier jour"
                        <span class="fr-hint-text">"Laissé vide : jusqu'à sa révocation."</span>
                    </label>
                    <input class="fr-input" type="date" id="mandat-fin" name="fin" value=typed("fin") />
                </div>
                <button class="fr-btn" type="submit">"Donner le mandat"</button>
            </form>
        }
        .into_any()
    });
    view! {
        <section class="fr-mb-6w" id="mandats" aria-labelledby="titre-mandats">
            <h2 id="titre-mandats">"Mandats de représentation"</h2>
            <h3>"Les entreprises que vous représentez"</h3>
            {if received.is_empty() {
                view! { <p>"Aucune entreprise ne vous a donné de mandat."</p> }.into_any()
            } else {
                view! {
                    <DataTable caption="Les mandats reçus par votre entreprise">
                        <thead>
                            <tr>
                                <th scope="col">"Entreprise représentée"</th>
                                <th scope="col">"Sites"</th>
                                <th scope="col">"Période"</th>
                                <th scope="col">"État"</th>
                            </tr>
                        </thead>
                        <tbody>{received_rows}</tbody>
                    </DataTable>
                }.into_any()
            }}
            {admin.then(|| view! {
                <h3>"Vos représentants"</h3>
                {if given.is_empty() {
                    view! { <p>"Votre entreprise n'a donné aucun mandat."</p> }.into_any()
                } else {
                    view! {
                        <DataTable caption="Les mandats donnés par votre entreprise">
                            <thead>
                                <tr>
                                    <th scope="col">"Représentant"</th>
                                    <th scope="col">"Sites"</th>
                                    <th scope="col">"Période"</th>
                                    <th scope="col">"État"</th>
                                    <th scope="col">"Action"</th>
                                </tr>
                            </thead>
                            <tbody>{given_rows}</tbody>
                        </DataTable>
                    }.into_any()
                }}
            })}
            {form}
        </section>
    }
    .into_any()
}

/// The requests to join the company waiting for its administrators: each accepted, or refused
/// with a reason the requester is told (refilled when it was refused).
#[component]
fn AccessRequests(requests: Vec<crate::domain::access_request::WaitingRequest>) -> impl IntoView {
    let query = use_query_map();
    let refused = query
        .with_untracked(|q| q.get("demande"))
        .unwrap_or_default();
    let typed = query.with_untracked(|q| q.get("motif")).unwrap_or_default();
    let items = requests
        .into_iter()
        .map(|request| {
            let accept = format!("/espace/demandes/{}/acceptation", request.id);
            let refuse = format!("/espace/demandes/{}/refus", request.id);
            let field = format!("motif-demande-{}", request.id);
            let mine = refused == request.id.to_string();
            let motif = mine.then(|| typed.clone());
            // What was wrong with the reason typed for this request, precisely.
            let mistake = mine
                .then(|| crate::domain::account::parse_reason(&typed).err())
                .flatten()
                .map(|message| view! {
                    <div class="fr-alert fr-alert--error fr-alert--sm fr-mb-2w" role="alert"><p>{message}</p></div>
                });
            view! {
                <li class="fr-mb-3w">
                    <h4 class="fr-h6 fr-mb-1w">{request.full_name.clone()}</h4>
                    <p class="fr-mb-1w">
                        {format!("{} — demande du {}", request.email, format::date_time(request.declared_at))}
                    </p>
                    <form method="post" action=accept class="fr-mb-1w">
                        <button class="fr-btn fr-btn--sm" type="submit">{format!("Accepter {}", request.full_name)}</button>
                    </form>
                    {mistake}
                    <RefusalForm
                        action=refuse
                        field
                        about=request.full_name.clone()
                        typed=motif.unwrap_or_default()
                        button=("Refuser", format!(" la demande de {}", request.full_name))
                    />
                </li>
            }
        })
        .collect_view();
    view! {
        <h3 id="demandes">"Demandes d'accès"</h3>
        <p>"Les personnes que leur compte douane a connectées sans dire de quelle entreprise elles relèvent, et qui ont indiqué le SIRET de votre entreprise. Accepter ouvre leur compte dans votre entreprise ; elles se connectent avec leur compte douane."</p>
        {if items.is_empty() {
            view! { <p>"Aucune demande en attente."</p> }.into_any()
        } else {
            view! { <ul class="sesame-requests">{items}</ul> }.into_any()
        }}
    }
}

/// The refusal of a request, with its reason (`motif`, told to the person by mail): `field` is
/// the input's id, `about` whom or what it refuses, `typed` what was typed before, and `button`
/// its words and what they mean for a screen reader.
#[component]
pub fn RefusalForm(
    action: String,
    field: String,
    about: String,
    typed: String,
    button: (&'static str, String),
) -> impl IntoView {
    view! {
        <form method="post" action=action class="sesame-narrow" novalidate>
            <div class="fr-input-group">
                <label class="fr-label" for=field.clone()>
                    {format!("Motif du refus pour {about}")}
                    <span class="fr-hint-text">"10 à 500 caractères, communiqués à la personne par courriel."</span>
                </label>
                <input class="fr-input" type="text" id=field name="motif" required value=typed />
            </div>
            <button class="fr-btn fr-btn--sm fr-btn--secondary" type="submit">
                {button.0}<span class="fr-sr-only">{button.1}</span>
            </button>
        </form>
    }
}

/// The invitations not accepted yet, each of which may be withdrawn (`withdraw` gives the form's
/// address for an invitation's id); with `accounts`, what each opens (in the same order), in a
/// column of its own.
#[component]
pub fn InvitationsTable(
    invitations: Vec<crate::domain::account::PendingInvitation>,
    #[prop(default = |id| format!("/espace/invitations/{id}/retrait"))] withdraw: fn(i64) -> String,
    #[prop(optional)] accounts: Vec<String>,
) -> impl IntoView {
    let with_accounts = !accounts.is_empty();
    let mut accounts = accounts.into_iter();
    if invitations.is_empty() {
        return view! {
            <h3 id="titre-invitations">"Invitations en attente"</h3>
            <p>"Aucune invitation en attente."</p>
        }
        .into_any();
    }
    let rows = invitations
        .into_iter()
        .map(|invitation| {
            let action = withdraw(invitation.id);
            let label = format!("Retirer l'invitation de {}", invitation.full_name);
            let expiry = if !invitation.expired {
                format!("jusqu'au {}", format::date_time(invitation.expires_at))
            } else {
                format!("expirée le {}", format::date_time(invitation.expires_at))
            };
            let account = accounts.next();
            view! {
                <tr>
                    <td>{invitation.full_name}</td>
                    <td>{invitation.email}</td>
                    {with_accounts.then(|| view! { <td>{account}</td> })}
                    <td>{expiry}</td>
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
        <h3 id="titre-invitations">"Invitations en attente"</h3>
        <DataTable caption="Les invitations en attente" hide_caption=true>
            <thead>
                <tr>
                    <th scope="col">"Nom"</th>
                    <th scope="col">"Adresse électronique"</th>
                    {with_accounts.then(|| view! { <th scope="col">"Compte"</th> })}
                    <th scope="col">"Lien valable"</th>
                    <th scope="col">"Action"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </DataTable>
    }
    .into_any()
}

/// How a habilitation stands today.
pub fn habilitation_state(habilitation: &Habilitation, today: chrono::NaiveDate) -> &'static str {
    if habilitation.withdrawn {
        "Retirée"
    } else if habilitation.valid_on(today) {
        "En vigueur"
    } else if habilitation.starts_on > today {
        "À venir"
    } else {
        "Échue"
    }
}

#[component]
fn HabilitationsSection(
    habilitations: Vec<Habilitation>,
    today: chrono::NaiveDate,
) -> impl IntoView {
    let empty = habilitations.is_empty();
    let rows = habilitations
        .into_iter()
        .map(|habilitation| {
            let state = habilitation_state(&habilitation, today);
            view! {
                <tr>
                    <td>{format!("{} ({})", habilitation.site_name, habilitation.site)}</td>
                    <td>{habilitation.administration.label()}</td>
                    <td>{format::date(habilitation.starts_on)}</td>
                    <td>{habilitation.ends_on.map(format::date).unwrap_or_else(|| "—".into())}</td>
                    <td>{state}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="fr-mb-6w" aria-labelledby="titre-habilitations">
            <h2 id="titre-habilitations">"Mes habilitations"</h2>
            {if empty {
                view! { <p>"Vous n'avez encore aucune habilitation : votre chef de service vous les accorde."</p> }.into_any()
            } else {
                view! {
                    <DataTable caption="Les sites sur lesquels vous êtes habilité">
                        <thead>
                            <tr>
                                <th scope="col">"Site"</th>
                                <th scope="col">"Administration"</th>
                                <th scope="col">"Du"</th>
                                <th scope="col">"Au"</th>
                                <th scope="col">"État"</th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </DataTable>
                }
                .into_any()
            }}
        </section>
    }
}

/// The passes of today the agent's devices hold for the gate without network, each revocable.
#[component]
fn GatePassesSection(passes: Vec<crate::domain::gate::GatePass>) -> impl IntoView {
    let rows = passes
        .into_iter()
        .map(|pass| {
            let action = format!("/espace/acces-hors-ligne/{}/revocation", pass.id);
            let label = format!(
                "Révoquer l'accès hors ligne ouvert le {}",
                format::date_time(pass.created_at)
            );
            view! {
                <tr>
                    <td>{format::date_time(pass.created_at)}</td>
                    <td>{format::date_time(pass.last_used_at)}</td>
                    <td>{crate::domain::account::browser_label(&pass.device)}</td>
                    <td>
                        <form method="post" action=action>
                            <button class="fr-btn fr-btn--sm fr-btn--tertiary" type="submit" aria-label=label>
                                "Révoquer"
                            </button>
                        </form>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="fr-mb-6w" id="acces-hors-ligne" aria-labelledby="titre-acces-hors-ligne">
            <h2 id="titre-acces-hors-ligne">"Mes accès hors ligne du jour"</h2>
            <p>"Ouvrir le contrôle à l'arrivée donne à l'appareil un accès valable jusqu'à minuit, qui lui permet d'envoyer les pointages faits sans réseau. Si vous ne reconnaissez pas un appareil ou l'avez perdu, révoquez son accès."</p>
            <DataTable caption="Appareils pouvant envoyer vos pointages aujourd'hui">
                <thead>
                    <tr>
                        <th scope="col">"Ouvert le"</th>
                        <th scope="col">"Dernier envoi ou ouverture"</th>
                        <th scope="col">"Navigateur"</th>
                        <th scope="col">"Action"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </DataTable>
        </section>
    }
}

#[component]
fn SessionsSection(space: AccountSpace) -> impl IntoView {
    let current = space.current_session;
    let rows = space
        .sessions
        .into_iter()
        .map(|session| {
            let is_current = Some(session.id) == current;
            let action = format!("/espace/sessions/{}/fin", session.id);
            // The name starts with what is seen, then says which session.
            let shown = if is_current { "Fermer (session actuelle)" } else { "Fermer" };
            let label = format!(
                "{shown} : session ouverte le {}",
                format::date_time(session.created_at)
            );
            view! {
                <tr>
                    <td>{format::date_time(session.created_at)}</td>
                    <td>{format::date_time(session.last_seen_at)}</td>
                    <td>{session.browser_label()}</td>
                    <td>{session.ip.clone()}</td>
                    <td>{session.method_label()}</td>
                    <td>
                        <form method="post" action=action>
                            <button class="fr-btn fr-btn--sm fr-btn--tertiary" type="submit" aria-label=label>
                                {shown}
                            </button>
                        </form>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="fr-mb-6w" id="sessions" aria-labelledby="titre-sessions">
            <h2 id="titre-sessions">"Mes sessions ouvertes"</h2>
            <p>"Une session se ferme d'elle-même après une période d'inactivité. Si vous ne reconnaissez pas une session, fermez-la et changez votre mot de passe."</p>
            <DataTable caption="Sessions ouvertes sur votre compte">
                <thead>
                    <tr>
                        <th scope="col">"Ouverte le"</th>
                        <th scope="col">"Dernière activité"</th>
                        <th scope="col">"Navigateur"</th>
                        <th scope="col">"Adresse IP"</th>
                        <th scope="col">"Connexion"</th>
                        <th scope="col">"Action"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </DataTable>
        </section>
    }
}
