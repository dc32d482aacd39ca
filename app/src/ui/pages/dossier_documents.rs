//! The documents of a dossier on its page (the digital import file): each with its kind, title,
//! author, date, size and fingerprint, where it stands with the antivirus, and what corrects it;
//! and the form that adds one, a plain multipart form (it works without JavaScript) that an
//! island enhances with the progress of the sending.

use leptos::prelude::*;

use crate::api::documents::{Adding, DossierDocuments};
use crate::domain::document::{Document, DocumentKind, ScanState};
use crate::ui::format;

#[component]
pub fn DossierDocumentsSection(
    documents: DossierDocuments,
    /// The convocations of the dossier's appointments: number and title.
    convocations: Vec<(i64, String)>,
) -> impl IntoView {
    let dossier_id = documents.dossier_id;
    let scanning = documents.scanning();
    let titles: Vec<(i64, String)> = documents
        .documents
        .iter()
        .map(|document| (document.id, document.title.clone()))
        .collect();
    let list = if documents.documents.is_empty() {
        view! {
            <p>"Aucun document pour l'instant. Les documents des systèmes de la douane, du SIVEP et de TRACES s'ajoutent ici dès leur réception, avec ceux que l'entreprise et les services de contrôle joignent au dossier."</p>
        }
        .into_any()
    } else {
        view! {
            <ul class="sesame-documents">
                {documents
                    .documents
                    .into_iter()
                    .map(|document| {
                        let replaced_by = document
                            .superseded_by
                            .and_then(|id| titles.iter().find(|(known, _)| *known == id))
                            .map(|(_, title)| title.clone());
                        view! { <DocumentItem document replaced_by /> }
                    })
                    .collect_view()}
            </ul>
        }
        .into_any()
    };
    view! {
        <section class="fr-mt-4w" id="documents" aria-labelledby="titre-documents" data-analyse=scanning.then_some("en-cours")>
            <h2 id="titre-documents">"Documents du dossier"</h2>
            {list}
            <MadeDocuments dossier_id convocations />
            {documents.adding.map(|adding| view! { <AddDocument dossier_id adding /> })}
            {scanning.then(|| view! { <ScanWatch dossier_id /> })}
        </section>
    }
    .into_any()
}

/// What the platform makes for the dossier, made when downloaded: the summary, the
/// convocations; and the whole dossier as one archive.
#[component]
fn MadeDocuments(dossier_id: i64, convocations: Vec<(i64, String)>) -> impl IntoView {
    view! {
        <div class="fr-mt-3w sesame-made-documents">
            <h3 class="fr-h6 fr-mb-1w">"Établis par France Sésame"</h3>
            <ul class="fr-links-group">
                <li>
                    <a class="fr-link fr-link--download" href=format!("/dossiers/{dossier_id}/recapitulatif.pdf") download>
                        "Récapitulatif du dossier"
                        <span class="fr-link__detail">"PDF à jour au moment du téléchargement"</span>
                    </a>
                </li>
                {convocations
                    .into_iter()
                    .map(|(id, title)| view! {
                        <li>
                            <a class="fr-link fr-link--download" href=format!("/rendez-vous/{id}/convocation.pdf") download>
                                {title}
                                <span class="fr-link__detail">"PDF, avec le code de pointage"</span>
                            </a>
                        </li>
                    })
                    .collect_view()}
            </ul>
            <p class="fr-mt-2w fr-mb-1v">
                <a class="fr-btn fr-btn--secondary" href=format!("/dossiers/{dossier_id}/archive.zip") download>
                    "Télécharger tout le dossier (ZIP)"
                </a>
            </p>
            <p class="fr-text--xs sesame-muted">"L'archive contient le récapitulatif, les convocations, les documents analysés par l'antivirus et le fichier manifeste.json, qui donne l'empreinte SHA-256, l'auteur et la date de chaque fichier."</p>
        </div>
    }
}

#[component]
fn DocumentItem(document: Document, replaced_by: Option<String>) -> impl IntoView {
    let href = format!(
        "/dossiers/{}/documents/{}",
        document.dossier_id, document.id
    );
    let detail = format!(
        "{} – {}",
        document.media.label(),
        format::size(document.size)
    );
    let state = match document.scan {
        ScanState::Pending => view! {
            <p class="fr-badge fr-badge--info fr-badge--sm">"Analyse antivirus en cours"</p>
        }
        .into_any(),
        ScanState::Infected => view! {
            <p class="fr-badge fr-badge--error fr-badge--sm">"Refusé : menace détectée par l'antivirus"</p>
        }
        .into_any(),
        ScanState::Clean | ScanState::NotScanned => view! {
            <a class="fr-link fr-link--download" href=href download=document.file_name.clone()>
                {format!("Télécharger « {} »", document.title)}
                <span class="fr-link__detail">{detail}</span>
            </a>
        }
        .into_any(),
    };
    view! {
        <li class="sesame-document">
            <h3 class="fr-h6 fr-mb-1v">{document.title.clone()}</h3>
            <p class="fr-text--sm fr-mb-1v">
                {document.kind.label()}
                {document.internal.then_some(" · interne aux services de contrôle")}
            </p>
            <p class="fr-text--sm fr-mb-1v">
                {format!("Ajouté le {} par {}", format::date_time(document.added_at), document.author_label)}
            </p>
            {replaced_by.map(|title| view! {
                <p class="fr-text--sm fr-mb-1v"><strong>{format!("Remplacé par « {title} »")}</strong></p>
            })}
            {match document.scan {
                ScanState::NotScanned => Some(view! {
                    <p class="fr-text--xs fr-mb-1v">"Non analysé par un antivirus (environnement de développement)."</p>
                }.into_any()),
                ScanState::Clean => Some(view! {
                    <p class="fr-text--xs fr-mb-1v">"Analysé par l'antivirus : aucune menace détectée."</p>
                }.into_any()),
                ScanState::Pending | ScanState::Infected => None,
            }}
            {state}
            <p class="fr-text--xs fr-mb-0 sesame-muted sesame-fingerprint">
                {format!("Empreinte SHA-256 : {}", document.sha256)}
            </p>
        </li>
    }
}

#[component]
fn AddDocument(dossier_id: i64, adding: Adding) -> impl IntoView {
    let kinds = adding.kinds.clone();
    view! {
        <form
            class="fr-mt-3w sesame-document-form"
            id="formulaire-document"
            method="post"
            enctype="multipart/form-data"
            action=format!("/dossiers/{dossier_id}/documents")
            novalidate
            aria-labelledby="titre-ajout-document"
        >
            <h3 id="titre-ajout-document" class="fr-h5">"Ajouter un document"</h3>
            <div class="fr-select-group">
                <label class="fr-label" for="document-type">"Type de document"</label>
                <select class="fr-select" id="document-type" name="type" required>
                    <option value="" selected disabled>"Choisissez le type"</option>
                    {kinds
                        .into_iter()
                        .map(|kind: DocumentKind| view! { <option value=kind.code()>{kind.label()}</option> })
                        .collect_view()}
                </select>
            </div>
            <div class="fr-input-group">
                <label class="fr-label" for="document-titre">
                    "Titre"
                    <span class="fr-hint-text">"Ce que les autres lecteurs du dossier verront. Exemple : Facture n° 2026-118"</span>
                </label>
                <input class="fr-input" id="document-titre" name="titre" type="text" maxlength="200" required />
            </div>
            <div class="fr-upload-group">
                <label class="fr-label" for="document-fichier">
                    "Fichier"
                    <span class="fr-hint-text">{format!(
                        "PDF, JPEG, PNG ou XML, {} Mio au plus. Sur un téléphone, vous pouvez photographier le document.",
                        adding.max_mib
                    )}</span>
                </label>
                <input
                    class="fr-upload"
                    id="document-fichier"
                    name="fichier"
                    type="file"
                    accept=".pdf,.jpg,.jpeg,.png,.xml,application/pdf,image/jpeg,image/png,application/xml,text/xml"
                    required
                />
            </div>
            {(!adding.correctable.is_empty()).then(|| view! {
                <div class="fr-select-group">
                    <label class="fr-label" for="document-remplace">
                        "Remplace un document (facultatif)"
                        <span class="fr-hint-text">"Pour une version corrigée : l'ancienne reste listée, marquée remplacée."</span>
                    </label>
                    <select class="fr-select" id="document-remplace" name="remplace">
                        <option value="" selected>"Aucun : c'est un nouveau document"</option>
                        {adding
                            .correctable
                            .iter()
                            .map(|(id, title)| view! { <option value=id.to_string()>{title.clone()}</option> })
                            .collect_view()}
                    </select>
                </div>
            })}
            {adding.internal_choice.then(|| view! {
                <fieldset class="fr-fieldset" id="document-visibilite" aria-labelledby="document-visibilite-legende">
                    <legend class="fr-fieldset__legend" id="document-visibilite-legende">"Qui peut le lire ?"</legend>
                    <div class="fr-fieldset__element">
                        <div class="fr-radio-group">
                            <input type="radio" id="document-visible" name="interne" value="non" />
                            <label class="fr-label" for="document-visible">"L'opérateur et les services de contrôle"</label>
                        </div>
                    </div>
                    <div class="fr-fieldset__element">
                        <div class="fr-radio-group">
                            <input type="radio" id="document-interne" name="interne" value="oui" />
                            <label class="fr-label" for="document-interne">"Les services de contrôle seulement (document interne)"</label>
                        </div>
                    </div>
                </fieldset>
            })}
            <SendProgress />
            <button class="fr-btn" type="submit">"Ajouter le document"</button>
        </form>
    }
    .into_any()
}

/// The progress of the sending, said to screen readers; an island that sends the form itself
/// (the same request the browser would send without JavaScript) to follow its progress.
#[island]
fn SendProgress() -> impl IntoView {
    let percent = RwSignal::new(None::<u32>);
    let said = RwSignal::new(String::new());
    #[cfg(feature = "hydrate")]
    sending::wire(percent, said);
    view! {
        <div class="fr-mb-2w" id="document-envoi" role="status" aria-live="polite">
            {move || percent.get().map(|value| view! {
                <progress class="sesame-progress" max="100" value=value.to_string() aria-label="Envoi du document"></progress>
            })}
            <p class="fr-text--sm fr-mb-0">{move || said.get()}</p>
        </div>
    }
}

/// While a document of the page awaits the antivirus: asks every few seconds, and once none
/// does, has the page read itself again in place (see `ui::live`).
#[island]
fn ScanWatch(dossier_id: i64) -> impl IntoView {
    #[cfg(feature = "hydrate")]
    sending::watch(dossier_id);
    #[cfg(not(feature = "hydrate"))]
    let _ = dossier_id;
    view! {
        <p class="fr-text--xs sesame-muted">"Un document est en cours d'analyse antivirus : rechargez la page dans quelques secondes pour le télécharger."</p>
    }
}

#[cfg(feature = "hydrate")]
mod sending {
    use leptos::prelude::*;
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;

    /// Sends `#formulaire-document` with XMLHttpRequest, which reports the upload's progress,
    /// then goes where the server's answer leads (the page with its message).
    pub fn wire(percent: RwSignal<Option<u32>>, said: RwSignal<String>) {
        let Some(form) = document()
            .get_element_by_id("formulaire-document")
            .and_then(|element| element.dyn_into::<web_sys::HtmlFormElement>().ok())
        else {
            return;
        };
        let on_submit = Closure::<dyn FnMut(web_sys::Event)>::new({
            let form = form.clone();
            move |event: web_sys::Event| {
                if send(&form, percent, said).is_some() {
                    event.prevent_default();
                }
            }
        });
        let _ = form.add_event_listener_with_callback("submit", on_submit.as_ref().unchecked_ref());
        on_submit.forget();
    }

    /// Starts the sending; `None` leaves the browser to send the form itself.
    fn send(
        form: &web_sys::HtmlFormElement,
        percent: RwSignal<Option<u32>>,
        said: RwSignal<String>,
    ) -> Option<()> {
        let data = web_sys::FormData::new_with_form(form).ok()?;
        let request = web_sys::XmlHttpRequest::new().ok()?;
        request.open("POST", &form.action()).ok()?;
        let upload = request.upload().ok()?;
        let on_progress = Closure::<dyn FnMut(web_sys::ProgressEvent)>::new(
            move |event: web_sys::ProgressEvent| {
                if event.length_computable() && event.total() > 0.0 {
                    let value = (event.loaded() / event.total() * 100.0).round() as u32;
                    percent.set(Some(value.min(100)));
                    said.set(format!("Envoi du document : {value} %"));
                }
            },
        );
        upload
            .add_event_listener_with_callback("progress", on_progress.as_ref().unchecked_ref())
            .ok()?;
        on_progress.forget();
        let on_end = Closure::<dyn FnMut(web_sys::Event)>::new({
            let request = request.clone();
            move |_: web_sys::Event| {
                let status = request.status().unwrap_or(0);
                let address = request.response_url();
                if status == 200 && !address.is_empty() {
                    // The server answered with a redirection to the page and its message,
                    // which the request followed.
                    let _ = window().location().assign(&address);
                } else {
                    percent.set(None);
                    said.set(match status {
                        413 => {
                            "Le fichier dépasse la taille admise : rien n'a été ajouté.".to_owned()
                        }
                        429 => {
                            "Trop d'envois en peu de temps : réessayez dans une minute.".to_owned()
                        }
                        0 => "L'envoi a été interrompu : vérifiez votre connexion et réessayez."
                            .to_owned(),
                        _ => {
                            "Le document n'a pas pu être ajouté : réessayez dans quelques instants."
                                .to_owned()
                        }
                    });
                }
            }
        });
        request
            .add_event_listener_with_callback("loadend", on_end.as_ref().unchecked_ref())
            .ok()?;
        on_end.forget();
        percent.set(Some(0));
        said.set("Envoi du document : 0 %".to_owned());
        request.send_with_opt_form_data(Some(&data)).ok()?;
        Some(())
    }

    /// Asks every three seconds whether a document still awaits the antivirus; once none does,
    /// asks the live bar to read the page again.
    pub fn watch(dossier_id: i64) {
        fn again(dossier_id: i64) {
            set_timeout(
                move || {
                    leptos::task::spawn_local(async move {
                        match crate::api::documents::read_dossier_documents(dossier_id).await {
                            Ok(Some(documents)) if !documents.scanning() => {
                                let _ = document().dispatch_event(
                                    &web_sys::Event::new(crate::ui::live::READ_AGAIN_EVENT)
                                        .unwrap(),
                                );
                            }
                            Ok(Some(_)) | Err(_) => again(dossier_id),
                            Ok(None) => {}
                        }
                    });
                },
                std::time::Duration::from_secs(3),
            );
        }
        again(dossier_id);
    }
}
