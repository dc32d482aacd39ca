//! The messaging (« Messagerie »): the list of exchanges (an operator's company's, an agent's
//! sites' inboxes) with its search, the form of a new exchange, and an exchange's page with its
//! thread, the form of a message and, for the agents who handle it, internal notes, assignment,
//! status and transfer. Every form is a plain form (multipart when it may carry files): the pages
//! work without JavaScript; the live bar brings them up to date when the exchange moves.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::exchanges::{
    list_exchanges, new_exchange_form, read_exchange, EntryView, ExchangeFilters, ExchangeLine,
    ExchangeList, ExchangePage, NewExchangeChoices, MAX_ATTACHMENTS,
};
use crate::domain::exchange::{
    EntryKind, ExchangeStatus, Subject, MAX_TEXT_CHARS, MAX_TITLE_CHARS,
};
use crate::ui::components::loaded::Loaded;
use crate::ui::format;
use crate::ui::live::{LiveBar, LiveWatch};
use crate::ui::notices::Notice;
use crate::ui::pages::not_found::set_not_found_status;
use crate::ui::pages::operators::OperatorName;

/// The badge of a status, with its tone.
fn status_badge(status: ExchangeStatus) -> impl IntoView {
    let tone = match status {
        ExchangeStatus::New => "fr-badge--new",
        ExchangeStatus::InProgress => "fr-badge--info",
        ExchangeStatus::AwaitingOperator => "fr-badge--warning",
        ExchangeStatus::Closed => "fr-badge--success",
    };
    view! { <span class=format!("fr-badge fr-badge--sm {tone}")>{status.label()}</span> }
}

#[component]
pub fn MessagingPage() -> impl IntoView {
    let params = use_query_map();
    let filters = Memo::new(move |_| {
        params.with(|p| {
            let get = |name: &str| p.get(name).filter(|value| !value.trim().is_empty());
            ExchangeFilters {
                site: get("site"),
                administration: get("administration"),
                status: get("statut"),
                text: get("recherche"),
                from: get("du"),
                until: get("au"),
                dossier: None,
                mine: get("attribue"),
            }
        })
    });
    let list = Resource::new(move || filters.get(), list_exchanges);
    view! {
        <Title text="Messagerie" />
        <div class="fr-container fr-my-6w">
            <h1>"Messagerie"</h1>
            <div class="sesame-live-bar">
                <LiveBar watch=LiveWatch::Exchanges pause=true />
            </div>
            <Notice />
            <div id="messagerie-direct" data-direct>
                <Loaded resource=list loading="Chargement des échanges…" failed="Les échanges n'ont pas pu être chargés" let:list>
                    <ListView list filters=filters.get_untracked() />
                </Loaded>
            </div>
        </div>
    }
}

#[component]
fn ListView(list: ExchangeList, filters: ExchangeFilters) -> impl IntoView {
    let selected = |current: &Option<String>, value: &str| current.as_deref() == Some(value);
    let intro = if list.inbox {
        "Les demandes des opérateurs adressées aux administrations de vos sites, et les demandes de compléments des agents. \
         Les agents des deux administrations d'un site voient tous ses échanges ; seule l'administration responsable répond."
    } else if list.may_open {
        "Écrivez à la douane ou au SIVEP au sujet d'un dossier ou d'un site, et retrouvez leurs réponses et leurs demandes de compléments. \
         Vos collègues de l'entreprise voient les mêmes échanges."
    } else {
        "Les échanges entre les opérateurs et les administrations, en lecture."
    };
    let count = list.lines.len();
    view! {
        <p>{intro}</p>
        {list.may_open.then(|| view! {
            <p><a class="fr-btn" href="/messagerie/nouvelle">"Écrire une nouvelle demande"</a></p>
            <p class="fr-hint-text">"Pour joindre un document, écrivez depuis la page du dossier concerné (rubrique « Échanges »)."</p>
        })}
        <form method="get" action="/messagerie" class="sesame-filters" aria-label="Rechercher des échanges">
            <div class="fr-input-group">
                <label class="fr-label" for="echanges-recherche">"Référence ou objet"
                    <span class="fr-hint-text">"Conteneur, LTA, CHED, connaissement, MRN, ou des mots de l'objet"</span>
                </label>
                <input class="fr-input" id="echanges-recherche" name="recherche" type="search" maxlength="100" value=filters.text.clone().unwrap_or_default() />
            </div>
            <div class="fr-select-group">
                <label class="fr-label" for="echanges-statut">"Statut"</label>
                <select class="fr-select" id="echanges-statut" name="statut">
                    <option value="" selected=filters.status.is_none()>"Tous les statuts"</option>
                    {ExchangeStatus::ALL.into_iter().map(|status| view! {
                        <option value=status.code() selected=selected(&filters.status, status.code())>{status.label()}</option>
                    }).collect_view()}
                </select>
            </div>
            {(!list.sites.is_empty()).then(|| view! {
                <div class="fr-select-group">
                    <label class="fr-label" for="echanges-site">"Site"</label>
                    <select class="fr-select" id="echanges-site" name="site">
                        <option value="" selected=filters.site.is_none()>"Tous vos sites"</option>
                        {list.sites.iter().map(|(code, name)| view! {
                            <option value=code.clone() selected=selected(&filters.site, code)>{name.clone()}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="fr-select-group">
                    <label class="fr-label" for="echanges-administration">"Boîte de réception"</label>
                    <select class="fr-select" id="echanges-administration" name="administration">
                        <option value="" selected=filters.administration.is_none()>"Toutes"</option>
                        <option value="dgddi" selected=selected(&filters.administration, "dgddi")>"Douane (DGDDI)"</option>
                        <option value="dgal" selected=selected(&filters.administration, "dgal")>"SIVEP (DGAL)"</option>
                        <option value="a_orienter" selected=selected(&filters.administration, "a_orienter")>"À orienter"</option>
                    </select>
                </div>
            })}
            <div class="fr-input-group">
                <label class="fr-label" for="echanges-du">"Depuis le"</label>
                <input class="fr-input" id="echanges-du" name="du" type="date" value=filters.from.clone().unwrap_or_default() />
            </div>
            <div class="fr-input-group">
                <label class="fr-label" for="echanges-au">"Jusqu'au"</label>
                <input class="fr-input" id="echanges-au" name="au" type="date" value=filters.until.clone().unwrap_or_default() />
            </div>
            {list.inbox.then(|| view! {
                <div class="fr-checkbox-group">
                    <input type="checkbox" id="echanges-moi" name="attribue" value="moi" checked=filters.mine.is_some() />
                    <label class="fr-label" for="echanges-moi">"Seulement ceux qui me sont attribués"</label>
                </div>
            })}
            <div class="sesame-filters__actions">
                <button class="fr-btn" type="submit">"Rechercher"</button>
            </div>
        </form>
        <h2 class="fr-h4" id="nombre-echanges" aria-live="polite">
            {match count {
                0 => "Aucun échange".to_owned(),
                1 => "1 échange".to_owned(),
                n => format!("{n} échanges"),
            }}
        </h2>
        <ExchangeLines lines=list.lines heading_level=3 />
        {list.more.then(|| view! {
            <p>"Seuls les 100 échanges les plus récents sont affichés : précisez la recherche pour voir les autres."</p>
        })}
    }
}

/// Exchanges as cards, the most recently moved first.
#[component]
pub fn ExchangeLines(lines: Vec<ExchangeLine>, heading_level: u8) -> impl IntoView {
    view! {
        <ul class="sesame-exchanges">
            {lines.into_iter().map(|line| {
                let link = format!("/messagerie/{}", line.id);
                let title = line.title.clone();
                let heading = if heading_level == 3 {
                    view! { <h3 class="fr-h6 fr-mb-1v"><a href=link>{title}</a></h3> }.into_any()
                } else {
                    view! { <h4 class="fr-h6 fr-mb-1v"><a href=link>{title}</a></h4> }.into_any()
                };
                let about = match (&line.reference, line.dossier_id) {
                    (Some(reference), _) => format!("Dossier {reference}"),
                    (None, Some(id)) => format!("Dossier n° {id}"),
                    _ => "Question générale".to_owned(),
                };
                view! {
                    <li class="sesame-exchange" id=format!("echange-{}", line.id)>
                        {heading}
                        <p class="fr-mb-1v">
                            {status_badge(line.status)}
                            " "
                            <span class="fr-badge fr-badge--sm">{line.subject.label()}</span>
                            {line.opened_by_administration.then(|| view! { " " <span class="fr-badge fr-badge--sm fr-badge--purple-glycine">"Demande de compléments"</span> })}
                        </p>
                        <p class="fr-text--sm fr-mb-0">
                            {format!("{about} · {} · {} · {}", line.site_name, line.company_name, line.addressee)}
                        </p>
                        <p class="fr-text--sm fr-mb-0">
                            {format!("Mis à jour le {}", format::date_time(line.updated_at))}
                            {line.assigned_name.clone().map(|name| format!(" · attribué à {name}"))}
                            {line.waiting_minutes.map(|minutes| format!(" · en attente de réponse depuis {}", format::duration_minutes(minutes)))}
                            {line.answer_due.map(|day| format!(" · réponse attendue au plus tard le {}", format::date(day)))}
                        </p>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}

#[component]
pub fn NewExchangePage() -> impl IntoView {
    let params = use_query_map();
    let dossier =
        Memo::new(move |_| params.with(|p| p.get("dossier").and_then(|id| id.parse::<i64>().ok())));
    let form = Resource::new(move || dossier.get(), new_exchange_form);
    view! {
        <Title text="Nouvelle demande" />
        <div class="fr-container fr-my-6w">
            <nav role="navigation" class="fr-breadcrumb" aria-label="vous êtes ici :">
                <ol class="fr-breadcrumb__list">
                    <li><a class="fr-breadcrumb__link" href="/">"Accueil"</a></li>
                    <li><a class="fr-breadcrumb__link" href="/messagerie">"Messagerie"</a></li>
                    <li><a class="fr-breadcrumb__link" aria-current="page">"Nouvelle demande"</a></li>
                </ol>
            </nav>
            <Notice />
            <Loaded resource=form loading="Chargement du formulaire…" failed="Le formulaire n'a pas pu être chargé" page_heading=true let:form>
                {match form {
                    Some(form) => view! { <NewExchangeView form /> }.into_any(),
                    None => {
                        set_not_found_status();
                        view! {
                            <h1>"Dossier introuvable"</h1>
                            <p>"Vous ne pouvez pas écrire au sujet de ce dossier : il n'existe pas, ou ne relève pas de votre périmètre."</p>
                            <a class="fr-btn" href="/messagerie">"Retour à la messagerie"</a>
                        }.into_any()
                    }
                }}
            </Loaded>
        </div>
    }
}

#[component]
fn NewExchangeView(form: NewExchangeChoices) -> impl IntoView {
    let heading = if form.complements {
        "Demande de compléments"
    } else {
        "Nouvelle demande"
    };
    let today = crate::domain::access::local_day(chrono::Utc::now());
    let due_default = (today + chrono::Duration::days(5))
        .format("%Y-%m-%d")
        .to_string();
    let due_min = (today + chrono::Duration::days(1))
        .format("%Y-%m-%d")
        .to_string();
    let due_max = (today + chrono::Duration::days(92))
        .format("%Y-%m-%d")
        .to_string();
    let about = form.dossier.clone();
    let with_files = about.is_some();
    if form.complements && about.is_none() {
        return view! {
            <h1>"Demande de compléments"</h1>
            <p>"Une demande de compléments porte sur un dossier : ouvrez le dossier concerné, puis choisissez « Demander des compléments à l'opérateur » dans sa rubrique « Échanges »."</p>
            <a class="fr-btn" href="/dossiers">"Voir les dossiers"</a>
        }
        .into_any();
    }
    view! {
        <h1>{heading}</h1>
        {match &about {
            Some((_, reference, site)) => view! { <p>{format!("Au sujet du dossier {reference} ({site}).")}</p> }.into_any(),
            None => view! { <p>"Une question générale sur un site. Pour une question sur un dossier, écrivez depuis sa page : vous pourrez y joindre des documents."</p> }.into_any(),
        }}
        {(form.remaining == 0).then(|| view! {
            <div class="fr-alert fr-alert--warning fr-alert--sm fr-mb-3w">
                <p>"Vous avez ouvert le nombre maximal d'échanges pour 24 heures : écrivez dans un échange déjà ouvert, ou réessayez demain."</p>
            </div>
        })}
        <form method="post" action="/messagerie/nouvelle" enctype="multipart/form-data" class="sesame-message-form" aria-labelledby="titre-formulaire-echange" novalidate>
            <h2 class="fr-h5" id="titre-formulaire-echange">"Votre message"</h2>
            {about.as_ref().map(|(id, _, _)| view! { <input type="hidden" name="dossier" value=id.to_string() /> })}
            {(!form.sites.is_empty()).then(|| view! {
                <div class="fr-select-group">
                    <label class="fr-label" for="echange-site">"Site concerné"</label>
                    <select class="fr-select" id="echange-site" name="site" required>
                        <option value="" selected disabled>"Choisissez le port ou l'aéroport"</option>
                        {form.sites.iter().map(|(code, name)| view! { <option value=code.clone()>{name.clone()}</option> }).collect_view()}
                    </select>
                </div>
            })}
            {(!form.complements).then(|| view! {
                <fieldset class="fr-fieldset" id="echange-destinataire" aria-labelledby="echange-destinataire-legende">
                    <legend class="fr-fieldset__legend" id="echange-destinataire-legende">"À qui écrivez-vous ?"</legend>
                    <div class="fr-fieldset__element"><div class="fr-radio-group">
                        <input type="radio" id="destinataire-dgddi" name="destinataire" value="dgddi" required />
                        <label class="fr-label" for="destinataire-dgddi">"La douane (DGDDI)"<span class="fr-hint-text">"Dédouanement, déclaration, mainlevée douanière"</span></label>
                    </div></div>
                    <div class="fr-fieldset__element"><div class="fr-radio-group">
                        <input type="radio" id="destinataire-dgal" name="destinataire" value="dgal" />
                        <label class="fr-label" for="destinataire-dgal">"Le SIVEP (DGAL)"<span class="fr-hint-text">"Contrôles vétérinaires et phytosanitaires, CHED, rendez-vous de contrôle"</span></label>
                    </div></div>
                    <div class="fr-fieldset__element"><div class="fr-radio-group">
                        <input type="radio" id="destinataire-inconnu" name="destinataire" value="inconnu" />
                        <label class="fr-label" for="destinataire-inconnu">"Je ne sais pas"<span class="fr-hint-text">"Votre demande arrive aux deux administrations du site ; la première qui la prend la traite"</span></label>
                    </div></div>
                </fieldset>
            })}
            <div class="fr-select-group">
                <label class="fr-label" for="echange-objet">"Sujet"</label>
                <select class="fr-select" id="echange-objet" name="objet" required>
                    <option value="" selected disabled>"Choisissez le sujet"</option>
                    {Subject::ALL.into_iter().map(|subject| view! { <option value=subject.code()>{subject.label()}</option> }).collect_view()}
                </select>
            </div>
            <div class="fr-input-group">
                <label class="fr-label" for="echange-titre">"Objet"
                    <span class="fr-hint-text">"En quelques mots. Exemple : Horaire de présentation au poste"</span>
                </label>
                <input class="fr-input" id="echange-titre" name="titre" type="text" maxlength=MAX_TITLE_CHARS.to_string() required />
            </div>
            <div class="fr-input-group">
                <label class="fr-label" for="echange-texte">"Message"
                    <span class="fr-hint-text">{format!("{} caractères au plus. Un message envoyé ne se modifie pas : une précision se fait dans un nouveau message.", format::thousands(MAX_TEXT_CHARS as i64))}</span>
                </label>
                <textarea class="fr-input" id="echange-texte" name="texte" rows="8" maxlength=MAX_TEXT_CHARS.to_string() required></textarea>
            </div>
            {form.complements.then(|| view! {
                <div class="fr-input-group">
                    <label class="fr-label" for="echange-echeance">"Réponse attendue au plus tard le"</label>
                    <input class="fr-input" id="echange-echeance" name="echeance" type="date" required min=due_min.clone() max=due_max.clone() value=due_default.clone() />
                </div>
            })}
            {with_files.then(|| view! { <Files max_mib=form.max_mib /> })}
            <button class="fr-btn" type="submit">{if form.complements { "Envoyer la demande de compléments" } else { "Envoyer" }}</button>
        </form>
    }
    .into_any()
}

/// The files a message may carry.
#[component]
fn Files(max_mib: u64) -> impl IntoView {
    view! {
        <div class="fr-upload-group fr-mb-3w">
            <label class="fr-label" for="echange-fichiers">"Pièces jointes (facultatif)"
                <span class="fr-hint-text">{format!(
                    "Jusqu'à {MAX_ATTACHMENTS} fichiers PDF, JPEG, PNG ou XML, {max_mib} Mio au plus chacun. Ils rejoignent les documents du dossier après l'analyse antivirus."
                )}</span>
            </label>
            <input class="fr-upload" type="file" id="echange-fichiers" name="fichiers" multiple accept=".pdf,.jpg,.jpeg,.png,.xml,application/pdf,image/jpeg,image/png,application/xml" />
        </div>
    }
}

#[component]
pub fn ExchangePageView() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").and_then(|id| id.parse::<i64>().ok())));
    let exchange = Resource::new(
        move || id.get(),
        |id| async move {
            match id {
                Some(id) => read_exchange(id).await,
                None => Ok(None),
            }
        },
    );
    view! {
        <div class="fr-container fr-my-6w">
            <nav role="navigation" class="fr-breadcrumb" aria-label="vous êtes ici :">
                <ol class="fr-breadcrumb__list">
                    <li><a class="fr-breadcrumb__link" href="/">"Accueil"</a></li>
                    <li><a class="fr-breadcrumb__link" href="/messagerie">"Messagerie"</a></li>
                    <li><a class="fr-breadcrumb__link" aria-current="page">"Échange"</a></li>
                </ol>
            </nav>
            {id.get_untracked().map(|id| view! {
                <div class="sesame-live-bar">
                    <LiveBar watch=LiveWatch::Exchange(id) pause=true />
                </div>
            })}
            <Notice />
            <div id="echange-direct" data-direct>
                <Loaded resource=exchange loading="Chargement de l'échange…" failed="L'échange n'a pas pu être chargé" page_heading=true let:page>
                    {match page {
                        Some(page) => view! { <ExchangeView page /> }.into_any(),
                        None => {
                            set_not_found_status();
                            view! {
                                <Title text="Échange introuvable" />
                                <h1>"Échange introuvable"</h1>
                                <p>"Aucun échange que vous pouvez consulter ne porte ce numéro : vous voyez les échanges de votre entreprise et, pendant leur mandat, ceux des entreprises qu'elle représente, ou ceux des sites pour lesquels vous êtes habilité."</p>
                                <a class="fr-btn" href="/messagerie">"Retour à la messagerie"</a>
                            }.into_any()
                        }
                    }}
                </Loaded>
            </div>
        </div>
    }
}

#[component]
fn ExchangeView(page: ExchangePage) -> impl IntoView {
    let line = page.line.clone();
    let id = line.id;
    let about = match (&line.reference, line.dossier_id) {
        (Some(reference), Some(dossier)) => view! {
            <a class="fr-link" href=format!("/dossiers/{dossier}")>{format!("Dossier {reference}")}</a>
        }.into_any(),
        (None, Some(dossier)) => view! {
            <a class="fr-link" href=format!("/dossiers/{dossier}")>{format!("Dossier n° {dossier}")}</a>
        }.into_any(),
        _ => view! { <span>"Question générale sur le site"</span> }.into_any(),
    };
    let entries = page.entries.clone();
    view! {
        <Title text=format!("Échange : {}", line.title) />
        <h1>{line.title.clone()}</h1>
        <p>
            {status_badge(line.status)}
            " "
            <span class="fr-badge fr-badge--sm">{line.subject.label()}</span>
            {line.opened_by_administration.then(|| view! { " " <span class="fr-badge fr-badge--sm fr-badge--purple-glycine">"Demande de compléments"</span> })}
        </p>
        <dl class="sesame-facts">
            <dt>"Au sujet de"</dt><dd>{about}</dd>
            <dt>"Site"</dt><dd>{line.site_name.clone()}</dd>
            <dt>"Entreprise"</dt><dd><OperatorName company_id=Some(line.company_id) name=line.company_name.clone() /></dd>
            <dt>"Adressé à"</dt><dd>{line.addressee.clone()}</dd>
            <dt>"Attribué à"</dt><dd>{line.assigned_name.clone().unwrap_or_else(|| "Personne pour l'instant".to_owned())}</dd>
            {line.answer_due.map(|day| view! { <dt>"Réponse attendue au plus tard le"</dt><dd>{format::date(day)}</dd> })}
            {line.waiting_minutes.map(|minutes| view! { <dt>"En attente de réponse depuis"</dt><dd>{format::duration_minutes(minutes)}</dd> })}
        </dl>
        <section aria-labelledby="titre-fil" class="fr-mt-4w">
            <h2 id="titre-fil" class="fr-h4">"Fil de l'échange"</h2>
            <ol class="sesame-thread" id="fil">
                {entries.into_iter().map(|entry| view! { <Entry entry dossier=line.dossier_id /> }).collect_view()}
            </ol>
        </section>
        {page.may_reply.then(|| view! { <Reply page=page.clone() /> })}
        {(!page.may_reply).then(|| view! {
            <p class="fr-mt-3w">{if page.operator_side {
                "Vous ne pouvez pas écrire dans cet échange."
            } else if page.may_handle {
                "Attribuez-vous l'échange (ci-dessous) pour y répondre : il sera orienté vers votre administration."
            } else {
                "Vous lisez cet échange : seuls les agents de l'administration responsable y répondent."
            }}</p>
        })}
        {page.may_handle.then(|| view! { <Handling page=page.clone() /> })}
        <p class="fr-mt-3w">
            <a class="fr-link fr-link--download" href=format!("/messagerie/{id}/export.zip") download>
                "Télécharger l'échange (PDF et manifeste de preuve)"
                <span class="fr-link__detail">"ZIP : l'échange en PDF/A, ses pièces jointes et leurs empreintes SHA-256"</span>
            </a>
        </p>
        <p class="fr-mt-3w"><a class="fr-link" href="/messagerie">"Tous les échanges"</a>
            {format!(" (échange n° {id})")}
        </p>
    }
}

#[component]
fn Entry(entry: EntryView, dossier: Option<i64>) -> impl IntoView {
    let (class, who) = match (entry.kind, entry.from_operator) {
        (EntryKind::Note, _) => (
            "sesame-entry sesame-entry--note",
            "Note interne (invisible pour l'opérateur)",
        ),
        (EntryKind::Change, _) => ("sesame-entry sesame-entry--change", "Suivi"),
        (_, true) => ("sesame-entry sesame-entry--operator", "Opérateur"),
        (_, false) => (
            "sesame-entry sesame-entry--administration",
            "Administration",
        ),
    };
    view! {
        <li class=class id=format!("entree-{}", entry.id)>
            <p class="fr-text--sm fr-mb-1v">
                <strong>{entry.author.clone()}</strong>
                {format!(" · {who} · {}", format::date_time(entry.at))}
            </p>
            <p class="sesame-entry__text">{entry.text.clone()}</p>
            {(!entry.attachments.is_empty()).then(|| view! {
                <ul class="sesame-entry__files">
                    {entry.attachments.iter().map(|(document, title, file, clean)| {
                        if let (true, Some(dossier)) = (*clean, dossier) {
                            view! { <li><a class="fr-link fr-link--sm" href=format!("/dossiers/{dossier}/documents/{document}")>{format!("{title} ({file})")}</a></li> }.into_any()
                        } else {
                            view! { <li class="fr-text--sm">{format!("{title} ({file}) : analyse antivirus en cours ou fichier refusé")}</li> }.into_any()
                        }
                    }).collect_view()}
                </ul>
            })}
        </li>
    }
}

#[component]
fn Reply(page: ExchangePage) -> impl IntoView {
    let id = page.line.id;
    let agent = !page.operator_side;
    view! {
        <form method="post" action=format!("/messagerie/{id}/messages") enctype="multipart/form-data" class="fr-mt-4w sesame-message-form" aria-labelledby="titre-reponse" novalidate>
            <h2 class="fr-h5" id="titre-reponse">{if agent { "Répondre à l'opérateur" } else { "Écrire à l'administration" }}</h2>
            <input type="hidden" name="nature" value="message" />
            <div class="fr-input-group">
                <label class="fr-label" for="reponse-texte">"Message"
                    <span class="fr-hint-text">{format!("{} caractères au plus. Un message envoyé ne se modifie pas.", format::thousands(MAX_TEXT_CHARS as i64))}</span>
                </label>
                <textarea class="fr-input" id="reponse-texte" name="texte" rows="6" maxlength=MAX_TEXT_CHARS.to_string() required></textarea>
            </div>
            {agent.then(|| view! {
                <div class="fr-checkbox-group fr-mb-2w">
                    <input type="checkbox" id="reponse-attente" name="attente" value="oui" />
                    <label class="fr-label" for="reponse-attente">"J'attends une réponse ou un document de l'opérateur"</label>
                </div>
            })}
            {page.attachments_allowed.then(|| view! { <Files max_mib=page.max_mib /> })}
            <button class="fr-btn" type="submit">"Envoyer"</button>
        </form>
    }
}

#[component]
fn Handling(page: ExchangePage) -> impl IntoView {
    let id = page.line.id;
    let status = page.line.status;
    view! {
        <section class="fr-mt-4w sesame-handling" aria-labelledby="titre-traitement">
            <h2 class="fr-h4" id="titre-traitement">"Traitement (agents)"</h2>
            <form method="post" action=format!("/messagerie/{id}/messages") enctype="multipart/form-data" aria-labelledby="titre-note" novalidate>
                <h3 class="fr-h6" id="titre-note">"Note interne"</h3>
                <input type="hidden" name="nature" value="note" />
                <div class="fr-input-group">
                    <label class="fr-label" for="note-texte">"Note"
                        <span class="fr-hint-text">"Visible des seuls agents des administrations, jamais de l'opérateur."</span>
                    </label>
                    <textarea class="fr-input" id="note-texte" name="texte" rows="3" maxlength=MAX_TEXT_CHARS.to_string() required></textarea>
                </div>
                <button class="fr-btn fr-btn--secondary" type="submit">"Ajouter la note"</button>
            </form>
            <form method="post" action=format!("/messagerie/{id}/attribution") class="fr-mt-3w sesame-inline-form" novalidate>
                <div class="fr-select-group">
                    <label class="fr-label" for="attribution-agent">"Attribuer à"</label>
                    <select class="fr-select" id="attribution-agent" name="agent">
                        {page.handlers.iter().enumerate().map(|(at, (user, name))| view! {
                            <option value=user.to_string()>{if at == 0 { format!("{name} (moi)") } else { name.clone() }}</option>
                        }).collect_view()}
                    </select>
                </div>
                <button class="fr-btn fr-btn--secondary" type="submit">"Attribuer"</button>
            </form>
            <form method="post" action=format!("/messagerie/{id}/statut") class="fr-mt-3w sesame-inline-form" novalidate>
                <div class="fr-select-group">
                    <label class="fr-label" for="statut-echange">"Statut"</label>
                    <select class="fr-select" id="statut-echange" name="statut">
                        {ExchangeStatus::ALL.into_iter().map(|known| view! {
                            <option value=known.code() selected=known == status>{known.label()}</option>
                        }).collect_view()}
                    </select>
                </div>
                <button class="fr-btn fr-btn--secondary" type="submit">"Changer le statut"</button>
            </form>
            {page.transfer_to.clone().map(|(_, label)| view! {
                <form method="post" action=format!("/messagerie/{id}/transfert") class="fr-mt-3w" aria-labelledby="titre-transfert" novalidate>
                    <h3 class="fr-h6" id="titre-transfert">{format!("Transférer à : {label}")}</h3>
                    <div class="fr-input-group">
                        <label class="fr-label" for="transfert-note">"Note de transfert"
                            <span class="fr-hint-text">"Pourquoi l'autre administration doit traiter cet échange. Note interne, invisible pour l'opérateur."</span>
                        </label>
                        <textarea class="fr-input" id="transfert-note" name="note" rows="3" maxlength=MAX_TEXT_CHARS.to_string() required></textarea>
                    </div>
                    <button class="fr-btn fr-btn--tertiary" type="submit">"Transférer"</button>
                </form>
            })}
        </section>
    }
}

/// The exchanges about a dossier, on its page, and the way to write about it.
#[component]
pub fn DossierExchangesSection(
    exchanges: crate::api::exchanges::DossierExchanges,
) -> impl IntoView {
    let dossier_id = exchanges.dossier_id;
    let empty = exchanges.lines.is_empty();
    let write = if exchanges.operator_side {
        "Écrire à l'administration au sujet de ce dossier"
    } else {
        "Demander des compléments à l'opérateur"
    };
    view! {
        <section class="fr-mt-4w" id="echanges" aria-labelledby="titre-echanges">
            <h2 id="titre-echanges">"Échanges"</h2>
            {empty.then(|| view! { <p>"Aucun échange au sujet de ce dossier."</p> })}
            <ExchangeLines lines=exchanges.lines heading_level=3 />
            {exchanges.may_open.then(|| view! {
                <p><a class="fr-btn fr-btn--secondary" href=format!("/messagerie/nouvelle?dossier={dossier_id}")>{write}</a></p>
            })}
        </section>
    }
}
