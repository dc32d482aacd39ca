//! The rights of the persons concerned: the request form and the list of one's requests on
//! « Mes données personnelles », and the DGDDI's rights desk (`/droits`: the requests by
//! deadline and the form that records one received outside the platform; `/droits/{id}`: one
//! request, its person's account, the extension, the answer and the holds).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::rights::{load_my_rights_requests, load_rights_desk, load_rights_request};
use crate::domain::access::local_day;
use crate::domain::account::{parse_email, parse_full_name, parse_reason, REASON_CHARS};
use crate::domain::dates::DAY_PLACEHOLDER;
use crate::domain::rights::{
    day_text, parse_answer, parse_details, parse_extension_reason, parse_received_on, Channel,
    Decision, Desk, DossierHold, RequestFile, RightKind, RightsRequest, ANSWER_CHARS,
    DETAILS_CHARS, REASON_CHARS as EXTENSION_CHARS,
};
use crate::ui::components::loaded::Loaded;
use crate::ui::components::table::DataTable;
use crate::ui::format;
use crate::ui::notices::Notice;
use crate::ui::pages::not_found::set_not_found_status;

/// The desk's page.
pub const DESK: &str = "/droits";

/// What a refused form sent back: its fields, when the error is `code`.
fn refilled<const N: usize>(code: &str, names: [&str; N]) -> Option<[String; N]> {
    let query = use_query_map();
    query.with_untracked(|q| {
        (q.get("erreur").as_deref() == Some(code))
            .then(|| names.map(|name| q.get(name).unwrap_or_default()))
    })
}

fn mistake(message: Option<String>) -> impl IntoView {
    message.map(|message| {
        view! {
            <div class="fr-alert fr-alert--error fr-alert--sm fr-mb-2w" role="alert"><p>{message}</p></div>
        }
    })
}

fn kind_options(chosen: &str) -> impl IntoView {
    RightKind::ALL
        .into_iter()
        .map(|kind| {
            view! { <option value=kind.code() selected=kind.code() == chosen>{kind.label()}</option> }
        })
        .collect_view()
}

/// The request form of the personal space, and the person's requests.
#[component]
pub fn MyRightsRequests() -> impl IntoView {
    let requests = Resource::new(|| (), |_| load_my_rights_requests());
    let [kind, details] =
        refilled("demande-droits-invalide", ["nature", "texte"]).unwrap_or_default();
    let message = (!kind.is_empty() || !details.is_empty()).then(|| {
        if RightKind::from_code(&kind).is_none() {
            "Choisissez la nature de votre demande.".to_owned()
        } else {
            parse_details(&details).err().unwrap_or_default()
        }
    });
    let (min, max) = DETAILS_CHARS;
    view! {
        <section class="fr-mb-6w" aria-labelledby="titre-demande" id="demande">
            <h2 id="titre-demande">"Présenter une demande"</h2>
            <p>
                "Votre demande part au guichet des droits de la DGDDI, point de contact des responsables conjoints du traitement. "
                "Il vous répond par courriel dans le délai d'un mois à compter de sa réception ; ce délai peut être prolongé de deux mois pour une demande complexe, et vous en êtes alors informé avec le motif."
            </p>
            {mistake(message.filter(|message| !message.is_empty()))}
            <form method="post" action="/espace/donnees/demandes" class="sesame-narrow" novalidate>
                <div class="fr-select-group">
                    <label class="fr-label" for="demande-nature">"Nature de la demande"</label>
                    <select class="fr-select" id="demande-nature" name="nature" required>
                        <option value="" selected=kind.is_empty() disabled>"Choisissez"</option>
                        {kind_options(&kind)}
                    </select>
                </div>
                <div class="fr-input-group">
                    <label class="fr-label" for="demande-texte">
                        "Votre demande"
                        <span class="fr-hint-text">{format!("Ce que vous souhaitez, et sur quelles données ({min} à {max} caractères). Pour une rectification, indiquez la donnée exacte et sa correction.")}</span>
                    </label>
                    <textarea class="fr-input" id="demande-texte" name="texte" rows="5" maxlength=max.to_string() required>{details}</textarea>
                </div>
                <button class="fr-btn" type="submit">"Envoyer ma demande"</button>
            </form>
        </section>
        <section class="fr-mb-6w" aria-labelledby="titre-mes-demandes" id="mes-demandes">
            <h2 id="titre-mes-demandes">"Mes demandes"</h2>
            <Loaded resource=requests loading="Chargement de vos demandes…" failed="Vos demandes n'ont pas pu être chargées" let:requests>
                <MyRequestList requests />
            </Loaded>
        </section>
    }
    .into_any()
}

#[component]
fn MyRequestList(requests: Vec<RightsRequest>) -> impl IntoView {
    if requests.is_empty() {
        return view! { <p>"Vous n'avez présenté aucune demande."</p> }.into_any();
    }
    let today = local_day(chrono::Utc::now());
    requests
        .into_iter()
        .map(|request| {
            let extension = request.extension.clone().map(|(_, reason)| {
                view! { <p class="fr-mb-1w">{format!("Délai prolongé de deux mois. Motif : « {reason} »")}</p> }
            });
            let answer = request.answer.clone().filter(|text| !text.is_empty()).map(|text| {
                view! {
                    <p class="fr-mb-1w"><strong>"Réponse : "</strong></p>
                    <p class="sesame-prewrap">{text}</p>
                }
            });
            view! {
                <article class="fr-mb-4w" aria-labelledby=format!("ma-demande-{}", request.id)>
                    <h3 class="fr-h6 fr-mb-1w" id=format!("ma-demande-{}", request.id)>
                        {format!("Demande n° {} — {}", request.id, request.kind.label())}
                    </h3>
                    <p class="fr-mb-1w">
                        {format!(
                            "Reçue le {} · réponse due au plus tard le {} · {}",
                            day_text(request.received_on),
                            day_text(request.due_on),
                            request.state_label(today)
                        )}
                    </p>
                    <p class="fr-mb-1w sesame-prewrap">{request.details.clone()}</p>
                    {extension}
                    {answer}
                </article>
            }
        })
        .collect_view()
        .into_any()
}

/// `/droits`.
#[component]
pub fn RightsDeskPage() -> impl IntoView {
    let desk = Resource::new(|| (), |_| load_rights_desk());
    view! {
        <Title text="Guichet des droits" />
        <div class="fr-container fr-my-6w">
            <h1>"Guichet des droits"</h1>
            <p class="fr-text--lead">
                "Les demandes des personnes sur leurs données (RGPD, articles 15 à 21) : une réponse dans le mois de la réception, "
                "ou dans les trois mois si le délai est prolongé avec un motif communiqué à la personne."
            </p>
            <Notice />
            <Loaded resource=desk loading="Chargement des demandes…" failed="Les demandes n'ont pas pu être chargées" let:desk>
                <DeskLists desk />
            </Loaded>
            <RecordForm />
        </div>
    }
}

fn request_rows(requests: Vec<RightsRequest>, today: chrono::NaiveDate) -> impl IntoView {
    requests
        .into_iter()
        .map(|request| {
            let late = request.late(today);
            let badge = if late {
                "fr-badge fr-badge--error fr-badge--sm"
            } else if request.answered() {
                "fr-badge fr-badge--success fr-badge--sm"
            } else {
                "fr-badge fr-badge--info fr-badge--sm"
            };
            view! {
                <tr>
                    <td><a href=format!("{DESK}/{}", request.id)>{format!("n° {}", request.id)}</a></td>
                    <td>{request.full_name.clone()}</td>
                    <td>{request.kind.label()}</td>
                    <td>{request.channel.label()}</td>
                    <td>{day_text(request.received_on)}</td>
                    <td>{day_text(request.due_on)}</td>
                    <td><span class=badge>{request.state_label(today)}</span></td>
                </tr>
            }
        })
        .collect_view()
}

fn request_table(caption: &'static str, requests: Vec<RightsRequest>) -> impl IntoView {
    let today = local_day(chrono::Utc::now());
    view! {
        <DataTable caption=caption>
            <thead>
                <tr>
                    <th scope="col">"Demande"</th>
                    <th scope="col">"Personne"</th>
                    <th scope="col">"Nature"</th>
                    <th scope="col">"Canal"</th>
                    <th scope="col">"Reçue le"</th>
                    <th scope="col">"Échéance"</th>
                    <th scope="col">"État"</th>
                </tr>
            </thead>
            <tbody>{request_rows(requests, today)}</tbody>
        </DataTable>
    }
}

#[component]
fn DeskLists(desk: Desk) -> impl IntoView {
    let open = if desk.open.is_empty() {
        view! { <p id="aucune-demande">"Aucune demande n'attend de réponse."</p> }.into_any()
    } else {
        request_table(
            "Demandes en cours, l'échéance la plus proche d'abord",
            desk.open,
        )
        .into_any()
    };
    let answered = if desk.answered.is_empty() {
        view! { <p>"Aucune demande n'a encore reçu de réponse."</p> }.into_any()
    } else {
        request_table(
            "Dernières demandes traitées, la plus récente d'abord",
            desk.answered,
        )
        .into_any()
    };
    view! {
        <section class="fr-mb-6w" aria-labelledby="titre-en-cours">
            <h2 id="titre-en-cours">"Demandes en cours"</h2>
            {open}
        </section>
        <section class="fr-mb-6w" aria-labelledby="titre-traitees">
            <h2 id="titre-traitees">"Demandes traitées"</h2>
            {answered}
        </section>
        <DossierHolds holds=desk.dossier_holds />
    }
    .into_any()
}

/// The dossiers held, and the form that holds one.
#[component]
fn DossierHolds(holds: Vec<DossierHold>) -> impl IntoView {
    let typed = refilled("gel-dossier-invalide", ["dossier", "motif"]);
    let message = typed.as_ref().map(|[number, reason]| {
        if number.trim().trim_start_matches("n°").trim().parse::<i64>().is_err() {
            "Indiquez le numéro du dossier : celui de son adresse, par exemple 123 pour /dossiers/123.".to_owned()
        } else {
            parse_reason(reason)
                .err()
                .unwrap_or_else(|| "Aucun dossier ne porte ce numéro.".to_owned())
        }
    });
    let [number, reason] = typed.unwrap_or_default();
    let (min, max) = REASON_CHARS;
    let list = if holds.is_empty() {
        view! { <p>"Aucun dossier n'est gelé."</p> }.into_any()
    } else {
        view! {
            <ul>
                {holds.into_iter().map(|hold| view! {
                    <li class="fr-mb-2w">
                        {format!(
                            "Dossier n° {} ({}) — gel n° {} posé le {} : « {} »",
                            hold.dossier_id,
                            hold.site,
                            hold.id,
                            format::date_time(hold.placed_at),
                            hold.reason
                        )}
                        <form method="post" action=format!("{DESK}/gels/{}/levee", hold.id) class="fr-mt-1w">
                            <button class="fr-btn fr-btn--sm fr-btn--tertiary" type="submit">{format!("Lever le gel n° {}", hold.id)}</button>
                        </form>
                    </li>
                }).collect_view()}
            </ul>
        }
        .into_any()
    };
    view! {
        <section class="fr-mb-6w" aria-labelledby="titre-gels" id="gels">
            <h2 id="titre-gels">"Dossiers gelés"</h2>
            <p>"Un dossier en litige est gelé avec un motif : tant que le gel dure, les personnes qui y ont agi (messages, documents, rendez-vous) gardent leur identité dans ses pièces, qui peuvent servir de preuve."</p>
            {list}
            {mistake(message)}
            <form method="post" action=format!("{DESK}/gels") class="sesame-narrow" novalidate>
                <div class="fr-input-group">
                    <label class="fr-label" for="gel-dossier">
                        "Numéro du dossier"
                        <span class="fr-hint-text">"Celui de son adresse : 123 pour /dossiers/123."</span>
                    </label>
                    <input class="fr-input" type="text" inputmode="numeric" id="gel-dossier" name="dossier" value=number required autocomplete="off" />
                </div>
                <div class="fr-input-group">
                    <label class="fr-label" for="gel-dossier-motif">
                        "Motif du gel"
                        <span class="fr-hint-text">{format!("De {min} à {max} caractères, par exemple la référence du litige.")}</span>
                    </label>
                    <input class="fr-input" type="text" id="gel-dossier-motif" name="motif" value=reason maxlength=max.to_string() required />
                </div>
                <button class="fr-btn fr-btn--secondary" type="submit">"Geler ce dossier"</button>
            </form>
        </section>
    }
}

/// The form recording a request received by post, by mail or through the DGAL.
#[component]
fn RecordForm() -> impl IntoView {
    let fields = refilled(
        "demande-droits-invalide",
        ["nom", "adresse", "nature", "canal", "recue", "texte"],
    );
    let today = local_day(chrono::Utc::now());
    let message = fields
        .as_ref()
        .map(|[name, email, kind, channel, received, details]| {
            parse_full_name(name)
                .err()
                .or_else(|| parse_email(email).err())
                .or_else(|| {
                    RightKind::from_code(kind)
                        .is_none()
                        .then(|| "Choisissez la nature de la demande.".to_owned())
                })
                .or_else(|| {
                    Channel::from_code(channel)
                        .filter(|channel| Channel::RECORDED.contains(channel))
                        .is_none()
                        .then(|| "Choisissez par quel canal la demande est arrivée.".to_owned())
                })
                .or_else(|| parse_received_on(received, today).err())
                .or_else(|| parse_details(details).err())
                .unwrap_or_default()
        });
    let [name, email, kind, channel, received, details] = fields.unwrap_or_default();
    let (_, max) = DETAILS_CHARS;
    view! {
        <section class="fr-mb-6w" aria-labelledby="titre-enregistrer" id="enregistrer">
            <h2 id="titre-enregistrer">"Enregistrer une demande reçue hors de la plateforme"</h2>
            <p>
                "Une demande arrivée par courrier ou par courriel au bureau Comint 2, ou reçue par la DGAL, est enregistrée ici avec le jour de sa réception, d'où court le délai d'un mois. "
                "La personne reçoit un accusé de réception à l'adresse indiquée ; si un compte porte cette adresse, la demande lui est rattachée."
            </p>
            {mistake(message.filter(|message| !message.is_empty()))}
            <form method="post" action="/droits/demandes" class="sesame-narrow" novalidate>
                <div class="fr-input-group">
                    <label class="fr-label" for="enregistrer-nom">"Prénom et nom de la personne"</label>
                    <input class="fr-input" type="text" id="enregistrer-nom" name="nom" value=name required autocomplete="off" />
                </div>
                <div class="fr-input-group">
                    <label class="fr-label" for="enregistrer-adresse">
                        "Adresse électronique de la personne"
                        <span class="fr-hint-text">"La réponse y est envoyée."</span>
                    </label>
                    <input class="fr-input" type="email" id="enregistrer-adresse" name="adresse" value=email required autocomplete="off" />
                </div>
                <div class="fr-select-group">
                    <label class="fr-label" for="enregistrer-nature">"Nature de la demande"</label>
                    <select class="fr-select" id="enregistrer-nature" name="nature" required>
                        <option value="" selected=kind.is_empty() disabled>"Choisissez"</option>
                        {kind_options(&kind)}
                    </select>
                </div>
                <div class="fr-select-group">
                    <label class="fr-label" for="enregistrer-canal">"Arrivée par"</label>
                    <select class="fr-select" id="enregistrer-canal" name="canal" required>
                        <option value="" selected=channel.is_empty() disabled>"Choisissez"</option>
                        {Channel::RECORDED.into_iter().map(|c| view! {
                            <option value=c.code() selected=c.code() == channel>{c.label()}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="fr-input-group">
                    <label class="fr-label" for="enregistrer-recue">
                        "Reçue le"
                        <span class="fr-hint-text">{DAY_PLACEHOLDER}</span>
                    </label>
                    <input class="fr-input" type="text" id="enregistrer-recue" name="recue" value=received required autocomplete="off" />
                </div>
                <div class="fr-input-group">
                    <label class="fr-label" for="enregistrer-texte">
                        "Ce que la personne demande"
                        <span class="fr-hint-text">"Résumez sa demande et les pièces reçues."</span>
                    </label>
                    <textarea class="fr-input" id="enregistrer-texte" name="texte" rows="4" maxlength=max.to_string() required>{details}</textarea>
                </div>
                <button class="fr-btn" type="submit">"Enregistrer la demande"</button>
            </form>
        </section>
    }
    .into_any()
}

/// `/droits/{id}`.
#[component]
pub fn RightsRequestPage() -> impl IntoView {
    let params = use_params_map();
    let id = params.with_untracked(|p| p.get("id").and_then(|id| id.parse::<i64>().ok()));
    let file = Resource::new(
        move || id,
        |id| async move {
            match id {
                Some(id) => load_rights_request(id).await,
                None => Ok(None),
            }
        },
    );
    view! {
        <Title text="Demande au guichet des droits" />
        <div class="fr-container fr-my-6w">
            <nav role="navigation" class="fr-breadcrumb" aria-label="vous êtes ici :">
                <ol class="fr-breadcrumb__list">
                    <li><a class="fr-breadcrumb__link" href=DESK>"Guichet des droits"</a></li>
                    <li><a class="fr-breadcrumb__link" aria-current="page">"Demande"</a></li>
                </ol>
            </nav>
            <Loaded resource=file loading="Chargement de la demande…" failed="La demande n'a pas pu être chargée" page_heading=true let:file>
                {match file {
                    Some(file) => view! { <RequestView file /> }.into_any(),
                    None => {
                        set_not_found_status();
                        view! {
                        <h1>"Demande introuvable"</h1>
                        <p>"Cette demande n'existe pas. Retrouvez les demandes sur la page du guichet des droits."</p>
                    }.into_any()
                    }
                }}
            </Loaded>
        </div>
    }
}

#[component]
fn RequestView(file: RequestFile) -> impl IntoView {
    let request = file.request;
    let today = local_day(chrono::Utc::now());
    let id = request.id;
    let account = file.account.clone().map(|account| {
        let mut state = Vec::new();
        if account.erased {
            state.push("identité effacée".to_owned());
        } else if account.erasure_granted {
            state.push("effacement accordé : identité effacée au prochain passage de la purge quotidienne".to_owned());
        }
        if account.closed && !account.erased {
            state.push("clos".to_owned());
        }
        if account.limited {
            state.push("traitement limité (ni notifications, ni fiche opérateur)".to_owned());
        }
        if state.is_empty() {
            state.push("ouvert".to_owned());
        }
        view! {
            <section class="fr-mb-6w" aria-labelledby="titre-compte">
                <h2 id="titre-compte">"Le compte de la personne"</h2>
                <dl class="sesame-facts">
                    <dt>"Compte"</dt><dd>{format!("n° {}", account.id)}</dd>
                    <dt>"Rôle"</dt><dd>{account.role_label.clone()}</dd>
                    <dt>"Entreprise"</dt><dd>{account.company.clone().unwrap_or_else(|| "—".into())}</dd>
                    <dt>"Dernière connexion"</dt><dd>{account.last_sign_in_at.map(format::date_time).unwrap_or_else(|| "—".into())}</dd>
                    <dt>"État"</dt><dd>{state.join(" ; ")}</dd>
                </dl>
                {(account.limited && !account.erased).then(|| view! { <LiftLimitationForm id /> })}
                {(account.company.is_some() && !account.erased).then(|| view! { <SoleTraderForm id sole_trader=account.sole_trader /> })}
                <HoldSection request=id holds=account.holds.clone() />
            </section>
        }
    });
    let no_account = file.account.is_none().then(|| view! {
        <p>"Aucun compte France Sésame ne porte cette adresse : la réponse ne change rien dans la plateforme."</p>
    });
    let extension = request.extension.clone().map(|(at, reason)| {
        view! {
            <p>{format!("Délai prolongé le {} : « {reason} »", format::date_time(at))}</p>
        }
    });
    let answered = request.answered().then(|| {
        let resend = (!request.answer_mailed).then(|| view! {
            <form method="post" action=format!("{DESK}/{id}/renvoi")>
                <p>"Le courriel de la réponse n'est pas parti."</p>
                <button class="fr-btn fr-btn--secondary" type="submit">"Renvoyer la réponse par courriel"</button>
            </form>
        });
        view! {
            <section class="fr-mb-6w" aria-labelledby="titre-reponse">
                <h2 id="titre-reponse">"Réponse"</h2>
                <p>{format!(
                    "{} le {}",
                    request.decision.map(Decision::label).unwrap_or_default(),
                    request.answered_at.map(format::date_time).unwrap_or_default()
                )}</p>
                <p class="sesame-prewrap">{request.answer.clone().unwrap_or_default()}</p>
                {resend}
            </section>
        }
    });
    let open = (!request.answered()).then(|| {
        view! {
            {request.extension.is_none().then(|| view! { <ExtensionForm id /> })}
            <AnswerForm id kind=request.kind has_account=file.account.is_some() />
        }
    });
    view! {
        <h1>{format!("Demande n° {id} — {}", request.kind.label())}</h1>
        <Notice />
        <dl class="sesame-facts fr-mb-4w">
            <dt>"Personne"</dt><dd>{request.full_name.clone()}</dd>
            <dt>"Adresse électronique"</dt><dd>{request.email.clone()}</dd>
            <dt>"Arrivée par"</dt><dd>{request.channel.label()}</dd>
            <dt>"Reçue le"</dt><dd>{day_text(request.received_on)}</dd>
            <dt>"Réponse due le"</dt><dd>{day_text(request.due_on)}</dd>
            <dt>"État"</dt><dd>{request.state_label(today)}</dd>
        </dl>
        <section class="fr-mb-6w" aria-labelledby="titre-texte">
            <h2 id="titre-texte">"La demande"</h2>
            <p class="sesame-prewrap">{request.details.clone()}</p>
            {extension}
        </section>
        {account}
        {no_account}
        {answered}
        {open}
    }
    .into_any()
}

#[component]
fn ExtensionForm(id: i64) -> impl IntoView {
    let typed = refilled("prolongation-invalide", ["motif"]);
    let message = typed
        .as_ref()
        .and_then(|[reason]| parse_extension_reason(reason).err());
    let [reason] = typed.unwrap_or_default();
    let (min, max) = EXTENSION_CHARS;
    view! {
        <section class="fr-mb-6w" aria-labelledby="titre-prolonger">
            <h2 id="titre-prolonger">"Prolonger le délai"</h2>
            <p>"Une fois, de deux mois, si la demande est complexe ou si les demandes sont nombreuses (article 12, paragraphe 3, du RGPD). La personne reçoit le motif par courriel."</p>
            {mistake(message)}
            <form method="post" action=format!("{DESK}/{id}/prolongation") class="sesame-narrow" novalidate>
                <div class="fr-input-group">
                    <label class="fr-label" for="prolonger-motif">
                        "Motif de la prolongation"
                        <span class="fr-hint-text">{format!("De {min} à {max} caractères.")}</span>
                    </label>
                    <textarea class="fr-input" id="prolonger-motif" name="motif" rows="3" maxlength=max.to_string() required>{reason}</textarea>
                </div>
                <button class="fr-btn fr-btn--secondary" type="submit">"Prolonger de deux mois"</button>
            </form>
        </section>
    }
}

#[component]
fn AnswerForm(id: i64, kind: RightKind, has_account: bool) -> impl IntoView {
    let typed = refilled("reponse-invalide", ["decision", "reponse"]);
    // Refused for what the request would change: what was typed comes back, the notice says why.
    let kept = refilled("effacement-gele", ["decision", "reponse"])
        .or_else(|| refilled("reponse-protegee", ["decision", "reponse"]));
    let message = typed.as_ref().map(|[decision, answer]| {
        if Decision::from_code(decision).is_none() {
            "Choisissez la décision.".to_owned()
        } else {
            parse_answer(answer).err().unwrap_or_default()
        }
    });
    let [decision, answer] = typed.or(kept).unwrap_or_default();
    let effect = match (kind, has_account) {
        (RightKind::Effacement, true) => Some("Accordée, l'effacement clôt le compte aussitôt : ses sessions se ferment, ses rendez-vous à venir sont annulés, et, une fois la réponse partie, la purge quotidienne remplace son identité par un nom neutre. Les dossiers et les échanges restent, au titre de l'article 17, paragraphe 3, point b, du RGPD. Il ne peut pas être accordé tant qu'un gel garde ce compte ou un dossier où la personne a agi."),
        (RightKind::Limitation | RightKind::Opposition, true) => Some("Accordée, la demande limite le traitement : le compte reste ouvert et ses données conservées, mais la personne ne reçoit plus de notifications et n'apparaît plus sur la fiche opérateur de son entreprise."),
        _ => None,
    };
    let (_, max) = ANSWER_CHARS;
    view! {
        <section class="fr-mb-6w" aria-labelledby="titre-repondre">
            <h2 id="titre-repondre">"Répondre"</h2>
            <p>"La réponse est envoyée par courriel à la personne et conservée avec la demande. Dites ce qui a été fait, ou pourquoi la demande est refusée, et rappelez la possibilité d'une réclamation auprès de la CNIL (ajoutée au courriel)."</p>
            {effect.map(|effect| view! { <p><strong>{effect}</strong></p> })}
            {mistake(message.filter(|message| !message.is_empty()))}
            <form method="post" action=format!("{DESK}/{id}/reponse") class="sesame-narrow" novalidate>
                <div class="fr-select-group">
                    <label class="fr-label" for="repondre-decision">"Décision"</label>
                    <select class="fr-select" id="repondre-decision" name="decision" required>
                        <option value="" selected=decision.is_empty() disabled>"Choisissez"</option>
                        {Decision::ALL.into_iter().map(|d| view! {
                            <option value=d.code() selected=d.code() == decision>{d.label()}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="fr-input-group">
                    <label class="fr-label" for="repondre-texte">"Réponse à la personne"</label>
                    <textarea class="fr-input" id="repondre-texte" name="reponse" rows="6" maxlength=max.to_string() required>{answer}</textarea>
                </div>
                <button class="fr-btn" type="submit">"Envoyer la réponse"</button>
            </form>
        </section>
    }
}

/// Ends a granted limitation; the person is told why (GDPR art. 18(3)).
#[component]
fn LiftLimitationForm(id: i64) -> impl IntoView {
    let typed = refilled("levee-limitation-invalide", ["motif"]);
    let message = typed
        .as_ref()
        .and_then(|[reason]| parse_reason(reason).err());
    let [reason] = typed.unwrap_or_default();
    let (min, max) = REASON_CHARS;
    view! {
        <h3>"Lever la limitation"</h3>
        <p>"Quand la raison de la limitation cesse (la contestation est tranchée, par exemple), la limitation est levée : la personne reçoit de nouveau les notifications et figure de nouveau sur la fiche de son entreprise. Elle reçoit le motif par courriel (article 18, paragraphe 3, du RGPD)."</p>
        {mistake(message)}
        <form method="post" action=format!("{DESK}/{id}/limitation/levee") class="sesame-narrow fr-mb-4w" novalidate>
            <div class="fr-input-group">
                <label class="fr-label" for="levee-motif">
                    "Motif de la levée"
                    <span class="fr-hint-text">{format!("De {min} à {max} caractères, dit à la personne.")}</span>
                </label>
                <input class="fr-input" type="text" id="levee-motif" name="motif" value=reason maxlength=max.to_string() required />
            </div>
            <button class="fr-btn fr-btn--secondary" type="submit">"Lever la limitation"</button>
        </form>
    }
}

/// Whether the person's company is a sole trader's: the person tells the desk, which records it.
#[component]
fn SoleTraderForm(id: i64, sole_trader: bool) -> impl IntoView {
    let (said, value, button) = if sole_trader {
        (
            "Cette entreprise est traitée comme une entreprise individuelle (une personne) : son nom et son adresse seront effacés avec les données de ses personnes, deux ans après leur dernière activité.",
            "non",
            "Ne plus la traiter comme une entreprise individuelle",
        )
    } else {
        (
            "Cette entreprise n'est pas marquée comme une entreprise individuelle : son nom et son adresse restent avec ses dossiers. Si la personne dit que son entreprise est elle-même (entrepreneur individuel), marquez-la : son nom suivra alors la conservation des données personnelles.",
            "oui",
            "La traiter comme une entreprise individuelle",
        )
    };
    view! {
        <h3>"Entreprise individuelle"</h3>
        <p>{said}</p>
        <form method="post" action=format!("{DESK}/{id}/entreprise-individuelle") class="fr-mb-4w">
            <input type="hidden" name="valeur" value=value />
            <button class="fr-btn fr-btn--tertiary" type="submit">{button}</button>
        </form>
    }
}

#[component]
fn HoldSection(request: i64, holds: Vec<crate::domain::rights::Hold>) -> impl IntoView {
    let typed = refilled("gel-invalide", ["gel"]);
    let message = typed
        .as_ref()
        .and_then(|[reason]| parse_reason(reason).err());
    let [reason] = typed.unwrap_or_default();
    let (min, max) = REASON_CHARS;
    let list = if holds.is_empty() {
        view! { <p>"Aucun gel n'est en cours : la conservation ordinaire s'applique."</p> }
            .into_any()
    } else {
        view! {
            <ul>
                {holds.into_iter().map(|hold| view! {
                    <li class="fr-mb-2w">
                        {format!("Gel n° {} posé le {} : « {} »", hold.id, format::date_time(hold.placed_at), hold.reason)}
                        <form method="post" action=format!("{DESK}/{request}/gels/{}/levee", hold.id) class="fr-mt-1w">
                            <button class="fr-btn fr-btn--sm fr-btn--tertiary" type="submit">{format!("Lever le gel n° {}", hold.id)}</button>
                        </form>
                    </li>
                }).collect_view()}
            </ul>
        }.into_any()
    };
    view! {
        <h3>"Gel des données"</h3>
        <p>"Tant qu'un gel dure, les données de ce compte ne sont pas purgées : les dossiers en litige peuvent servir de preuve, comme le prévoient les conditions d'utilisation."</p>
        {list}
        {mistake(message)}
        <form method="post" action=format!("{DESK}/{request}/gel") class="sesame-narrow" novalidate>
            <div class="fr-input-group">
                <label class="fr-label" for="gel-motif">
                    "Motif du gel"
                    <span class="fr-hint-text">{format!("De {min} à {max} caractères, par exemple la référence du litige.")}</span>
                </label>
                <input class="fr-input" type="text" id="gel-motif" name="gel" value=reason maxlength=max.to_string() required />
            </div>
            <button class="fr-btn fr-btn--secondary" type="submit">"Geler les données de ce compte"</button>
        </form>
    }
}
