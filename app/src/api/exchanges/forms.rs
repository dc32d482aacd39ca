//! The forms of the messaging: writing a new exchange (an operator's request, or an agent's
//! « demande de compléments »), writing in one (a message, or an agent's internal note), and the
//! agents' handling (assignment, status, transfer to the other administration). Messages are
//! multipart forms that may carry files: they join the exchange's dossier as its documents do,
//! through the same intake and antivirus. Each handler asks the policy about the exchange itself,
//! answers an exchange that does not exist and one that is not the caller's alike, and writes in
//! one transaction with its audit line.

use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Form};
use chrono::{NaiveDate, Utc};
use serde::Deserialize;

use super::{target_of, AGENT_OPENINGS_PER_DAY, MAX_ATTACHMENTS, OPERATOR_OPENINGS_PER_DAY};
use crate::documents::files::{spool, storage_key, SpoolFailure, Spooled};
use crate::domain::access::{local_day, EntryPoint, Refusal, Target, Viewer};
use crate::domain::directory::{Administration, Role};
use crate::domain::document::{safe_file_name, AuthorKind, DocumentKind, ScanState};
use crate::domain::exchange::{check_text, check_title, EntryKind, ExchangeStatus, Subject};
use crate::forms::{back, check_viewer, done, Failure, Forms, Outcome};
use crate::state::Caller;
use crate::store::{Author, ExchangeRecord, ExchangeWrite, Handling, NewDocument, NewExchange};
use crate::ui::notices::{Done, Problem};

const INBOX: &str = "/messagerie";
const NEW: &str = "/messagerie/nouvelle";

fn page(id: i64) -> String {
    format!("{INBOX}/{id}")
}

/// The exchange `id` if the caller may use `entry` on it; otherwise, whether it exists or not,
/// the same answer.
async fn exchange_in_reach(
    forms: &Forms,
    caller: &Caller,
    id: i64,
    entry: EntryPoint,
) -> Result<ExchangeRecord, Failure> {
    let unknown = || back(INBOX, Problem::ExchangeUnknown, &[]);
    let Some(record) = forms.store.exchange(id).await? else {
        return Err(unknown());
    };
    let viewer = caller
        .viewer
        .as_ref()
        .ok_or(Failure::Refused(Refusal::SignInRequired))?;
    if crate::domain::access::authorize(Some(viewer), EntryPoint::ReadExchange, target_of(&record))
        .is_err()
    {
        return Err(unknown());
    }
    if crate::domain::access::authorize(Some(viewer), entry, target_of(&record)).is_err() {
        let problem = match entry {
            EntryPoint::ReplyExchange => Problem::ExchangeNotYoursToAnswer,
            _ => Problem::ExchangeNotYoursToHandle,
        };
        return Err(back(&page(id), problem, &[]));
    }
    Ok(record)
}

/// What a message form sent: its text fields and its files, spooled.
#[derive(Default)]
struct Received {
    fields: std::collections::HashMap<String, String>,
    files: Vec<(Spooled, Option<String>)>,
}

impl Received {
    fn field(&self, name: &str) -> &str {
        self.fields
            .get(name)
            .map(String::as_str)
            .unwrap_or_default()
    }
}

/// Reads a multipart message form, its files spooled (at most [`MAX_ATTACHMENTS`], each within
/// the documents' size); `to` is the page a failure goes back to.
async fn receive(
    forms: &Forms,
    multipart: Result<Multipart, MultipartRejection>,
    to: &str,
) -> Result<Received, Failure> {
    let services = &forms.documents;
    let mut multipart = multipart.map_err(|_| back(to, Problem::DocumentUploadInterrupted, &[]))?;
    let mut received = Received::default();
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(error) if error.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(back(to, Problem::DocumentTooLarge, &[]))
            }
            Err(_) => return Err(back(to, Problem::DocumentUploadInterrupted, &[])),
        };
        let name = field.name().unwrap_or_default().to_owned();
        if name == "fichiers" {
            let given = field.file_name().map(str::to_owned);
            let spooled =
                match spool(services.files.spool_folder(), services.max_bytes, field).await {
                    Ok(spooled) => spooled,
                    Err(SpoolFailure::TooLarge) => {
                        return Err(back(to, Problem::DocumentTooLarge, &[]))
                    }
                    Err(SpoolFailure::Request(_)) => {
                        return Err(back(to, Problem::DocumentUploadInterrupted, &[]))
                    }
                    Err(SpoolFailure::Disk(error)) => {
                        tracing::error!(%error, "messagerie : réception impossible");
                        return Err(back(to, Problem::DocumentNotSaved, &[]));
                    }
                };
            // A browser sends an empty part when no file was chosen.
            if spooled.size == 0 && given.as_deref().is_none_or(str::is_empty) {
                continue;
            }
            if spooled.size == 0 {
                return Err(back(to, Problem::DocumentFileEmpty, &[]));
            }
            received.files.push((spooled, given));
            if received.files.len() > MAX_ATTACHMENTS {
                return Err(back(to, Problem::ExchangeTooManyFiles, &[]));
            }
            continue;
        }
        if !matches!(
            name.as_str(),
            "dossier"
                | "site"
                | "destinataire"
                | "objet"
                | "titre"
                | "texte"
                | "echeance"
                | "nature"
                | "attente"
        ) {
            continue;
        }
        match field.text().await {
            Ok(text) if text.len() <= 64 * 1024 => {
                received.fields.insert(name, text);
            }
            Ok(_) => return Err(back(to, Problem::MessageTooLong, &[])),
            Err(_) => return Err(back(to, Problem::DocumentUploadInterrupted, &[])),
        }
    }
    Ok(received)
}

/// The text of a message, or the problem to show.
fn text_of(received: &Received, to: &str) -> Result<String, Failure> {
    check_text(received.field("texte")).map_err(|reason| {
        let problem = if reason.contains("vide") {
            Problem::MessageEmpty
        } else if reason.contains("caractères,") {
            Problem::MessageTooLong
        } else {
            Problem::MessageInvalidCharacters
        };
        back(to, problem, &[])
    })
}

/// Who attaches files to a message, and how they join the dossier (none: an exchange about a
/// site, which carries no file).
struct Attaching<'a> {
    dossier_id: Option<i64>,
    author: AuthorKind,
    label: &'a str,
    user_id: i64,
    /// An internal note's files are internal documents.
    internal: bool,
    scan: ScanState,
}

/// Keeps the files of a message and describes them as documents of the dossier; `to` is the
/// page a failure goes back to.
async fn keep_files<'a>(
    forms: &Forms,
    files: &'a [(Spooled, Option<String>)],
    names: &'a [Named],
    attaching: Attaching<'a>,
    to: &str,
) -> Result<Vec<NewDocument<'a>>, Failure> {
    let mut documents = Vec::new();
    let Some(dossier_id) = attaching.dossier_id else {
        return Ok(documents);
    };
    for ((spooled, _), named) in files.iter().zip(names) {
        let (title, file_name, key) = (&named.title, &named.file_name, &named.key);
        if let Err(error) = forms.documents.files.keep(&spooled.path, key).await {
            tracing::error!(%error, "messagerie : conservation impossible");
            return Err(back(to, Problem::DocumentNotSaved, &[]));
        }
        documents.push(NewDocument {
            dossier_id,
            kind: DocumentKind::Other,
            title,
            file_name,
            media: named.media,
            size: spooled.size as i64,
            sha256: &spooled.sha256,
            storage_key: key,
            author: attaching.author,
            author_label: attaching.label,
            author_user_id: Some(attaching.user_id),
            internal: attaching.internal,
            supersedes: None,
            scan: attaching.scan,
        });
    }
    Ok(documents)
}

/// A received file as a document names it.
struct Named {
    title: String,
    file_name: String,
    key: String,
    media: crate::domain::document::MediaType,
}

/// The title, file name, storage key and type of each file, or the problem when a type is
/// refused (recognised by the content, never by the name).
fn names_of(files: &[(Spooled, Option<String>)], to: &str) -> Result<Vec<Named>, Failure> {
    files
        .iter()
        .map(|(spooled, given)| {
            let media = spooled
                .media
                .ok_or_else(|| back(to, Problem::DocumentTypeRefused, &[]))?;
            let given = given.clone().unwrap_or_default();
            let file_name = safe_file_name(&given, media);
            let title = file_name
                .rsplit_once('.')
                .map(|(stem, _)| stem.to_owned())
                .unwrap_or_else(|| file_name.clone());
            Ok(Named {
                title: format!(
                    "Pièce jointe : {}",
                    title.chars().take(150).collect::<String>()
                ),
                file_name,
                key: storage_key(&spooled.sha256),
                media,
            })
        })
        .collect()
}

/// The scan state files get, or the problem when the antivirus cannot take them now.
async fn intake(
    forms: &Forms,
    files: &[(Spooled, Option<String>)],
    to: &str,
) -> Result<ScanState, Failure> {
    if files.is_empty() {
        return Ok(ScanState::Pending);
    }
    forms
        .documents
        .intake()
        .await
        .map_err(|_| back(to, Problem::DocumentScannerUnavailable, &[]))
}

/// Whether the person has opened as many exchanges as a day allows.
async fn within_budget(forms: &Forms, viewer: &Viewer) -> Result<bool, Failure> {
    let budget = if viewer.role == Role::Operateur {
        OPERATOR_OPENINGS_PER_DAY
    } else {
        AGENT_OPENINGS_PER_DAY
    };
    let since = Utc::now() - chrono::Duration::days(1);
    Ok(forms
        .store
        .exchanges_opened_by(viewer.user_id, since)
        .await?
        < budget)
}

/// `POST /messagerie/nouvelle`: a new exchange. An operator writes about a dossier of their
/// company (`dossier`) or about a site (`site`), to `destinataire` (`dgddi`, `dgal` or
/// `inconnu`), with `objet`, `titre`, `texte` and up to five `fichiers` (about a dossier only).
/// An agent writes a « demande de compléments » about a dossier of their sites, with the day the
/// answer is awaited by (`echeance`).
#[tracing::instrument(skip_all)]
pub async fn open(
    State(forms): State<Forms>,
    Extension(caller): Extension<Caller>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Outcome {
    let viewer = check_viewer(&caller, EntryPoint::Messaging, Target::Nothing)?.clone();
    let received = receive(&forms, multipart, NEW).await?;
    let dossier_id = match received.field("dossier").trim() {
        "" => None,
        text => Some(
            text.parse::<i64>()
                .map_err(|_| back(INBOX, Problem::ExchangeUnknown, &[]))?,
        ),
    };
    let to = match dossier_id {
        Some(id) => format!("{NEW}?dossier={id}"),
        None => NEW.to_owned(),
    };
    let operator = viewer.role == Role::Operateur;
    // Where it goes: the dossier's site and company (with its name, for a representative's
    // label), or the site an operator chose.
    let (site, company_id, importer_name) = match dossier_id {
        Some(id) => {
            let summary = forms.store.dossier_summary(id).await?;
            let Some(summary) = summary.filter(|summary| {
                summary.company_id.is_some()
                    && crate::domain::access::authorize(
                        Some(&viewer),
                        EntryPoint::OpenExchange,
                        Target::Dossier {
                            site: &summary.site,
                            company_id: summary.company_id,
                        },
                    )
                    .is_ok()
            }) else {
                return Err(back(INBOX, Problem::ExchangeUnknown, &[]));
            };
            (
                summary.site,
                summary.company_id.unwrap_or_default(),
                summary.company_name,
            )
        }
        None if operator => {
            let code = received.field("site").trim().to_uppercase();
            let known = forms.store.sites().await?;
            let Some(site) = known.into_iter().find(|site| site.code.as_str() == code) else {
                return Err(back(&to, Problem::ExchangeSiteMissing, &[]));
            };
            let Some(company_id) = viewer.company_id else {
                return Err(Failure::Refused(Refusal::Forbidden));
            };
            (site.code, company_id, None)
        }
        None => return Err(back(INBOX, Problem::ExchangeUnknown, &[])),
    };
    let administration = if operator {
        match received.field("destinataire").trim() {
            "dgddi" => Some(Administration::Dgddi),
            "dgal" => Some(Administration::Dgal),
            "inconnu" => None,
            _ => return Err(back(&to, Problem::ExchangeAddresseeMissing, &[])),
        }
    } else {
        viewer.administration
    };
    let subject = Subject::from_code(received.field("objet").trim())
        .ok_or_else(|| back(&to, Problem::ExchangeSubjectMissing, &[]))?;
    let title = check_title(received.field("titre"))
        .map_err(|_| back(&to, Problem::ExchangeTitleInvalid, &[]))?;
    let text = text_of(&received, &to)?;
    let answer_due = if operator {
        None
    } else {
        let today = local_day(Utc::now());
        let due = NaiveDate::parse_from_str(received.field("echeance").trim(), "%Y-%m-%d")
            .ok()
            .filter(|due| *due > today && *due <= today + chrono::Duration::days(92))
            .ok_or_else(|| back(&to, Problem::ExchangeDueDateInvalid, &[]))?;
        Some(due)
    };
    if !received.files.is_empty() && dossier_id.is_none() {
        return Err(back(&to, Problem::ExchangeFilesNeedDossier, &[]));
    }
    let names = names_of(&received.files, &to)?;
    if !within_budget(&forms, &viewer).await? {
        return Err(back(&to, Problem::ExchangeBudgetReached, &[]));
    }
    let scan = intake(&forms, &received.files, &to).await?;
    let importer = importer_name.as_deref().map(|name| (company_id, name));
    let label = crate::api::documents::author_label(&forms.store, &viewer, importer).await?;
    let author_kind =
        AuthorKind::of_role(viewer.role).ok_or(Failure::Refused(Refusal::Forbidden))?;
    let attachments = keep_files(
        &forms,
        &received.files,
        &names,
        Attaching {
            dossier_id,
            author: author_kind,
            label: &label,
            user_id: viewer.user_id,
            internal: false,
            scan,
        },
        &to,
    )
    .await?;
    let new = NewExchange {
        site: &site,
        company_id,
        dossier_id,
        administration,
        subject,
        title: &title,
        answer_due,
        author: Author {
            user_id: viewer.user_id,
            label: &label,
            from_operator: operator,
        },
        text: &text,
    };
    let action = if operator {
        "echange_ouvert"
    } else {
        "demande_complements"
    };
    let audit = caller.audit_event(action, "", "");
    let id = forms
        .store
        .open_exchange(&new, &attachments, &audit, Utc::now())
        .await?;
    if !attachments.is_empty() {
        forms.scanner.notify_one();
    }
    done(
        &page(id),
        if operator {
            Done::ExchangeOpened
        } else {
            Done::ComplementsRequested
        },
    )
}

/// `POST /messagerie/{id}/messages`: a message to the other side (`texte`, up to five
/// `fichiers` when the exchange is about a dossier), or, from an agent who handles it, an
/// internal note (`nature=note`); an agent's message may put the exchange in wait of the
/// operator (`attente=oui`).
#[tracing::instrument(skip_all)]
pub async fn write(
    State(forms): State<Forms>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<i64>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Outcome {
    let viewer = check_viewer(&caller, EntryPoint::Messaging, Target::Nothing)?.clone();
    let received = receive(&forms, multipart, &page(id)).await?;
    let kind = match received.field("nature").trim() {
        "" | "message" => EntryKind::Message,
        "note" => EntryKind::Note,
        _ => return Err(back(&page(id), Problem::UnknownAction, &[])),
    };
    let entry = if kind == EntryKind::Note {
        EntryPoint::HandleExchange
    } else {
        EntryPoint::ReplyExchange
    };
    let record = exchange_in_reach(&forms, &caller, id, entry).await?;
    let to = page(id);
    let text = text_of(&received, &to)?;
    if !received.files.is_empty() && record.dossier_id.is_none() {
        return Err(back(&to, Problem::ExchangeFilesNeedDossier, &[]));
    }
    let names = names_of(&received.files, &to)?;
    let scan = intake(&forms, &received.files, &to).await?;
    let importer = Some((record.company_id, record.company_name.as_str()));
    let label = crate::api::documents::author_label(&forms.store, &viewer, importer).await?;
    let operator = viewer.role == Role::Operateur;
    let author_kind =
        AuthorKind::of_role(viewer.role).ok_or(Failure::Refused(Refusal::Forbidden))?;
    let attachments = keep_files(
        &forms,
        &received.files,
        &names,
        Attaching {
            dossier_id: record.dossier_id,
            author: author_kind,
            label: &label,
            user_id: viewer.user_id,
            internal: kind == EntryKind::Note,
            scan,
        },
        &to,
    )
    .await?;
    let author = Author {
        user_id: viewer.user_id,
        label: &label,
        from_operator: operator,
    };
    let action = if kind == EntryKind::Note {
        "note_interne"
    } else {
        "message_envoye"
    };
    let audit = caller.audit_event(action, "", "");
    forms
        .store
        .write_in_exchange(
            id,
            kind,
            &author,
            &text,
            received.field("attente").trim() == "oui",
            &attachments,
            &audit,
            Utc::now(),
        )
        .await?;
    if !attachments.is_empty() {
        forms.scanner.notify_one();
    }
    done(
        &format!("{to}#fil"),
        if kind == EntryKind::Note {
            Done::NoteAdded
        } else {
            Done::MessageSent
        },
    )
}

/// The caller and the exchange `id`, when they handle it (the prelude of the handling forms),
/// with the administration it is handled for: its own, or the caller's while it is to orient.
async fn handled_by_caller(
    forms: &Forms,
    caller: &Caller,
    id: i64,
) -> Result<(Viewer, ExchangeRecord, Administration), Failure> {
    let viewer = check_viewer(caller, EntryPoint::Messaging, Target::Nothing)?.clone();
    let record = exchange_in_reach(forms, caller, id, EntryPoint::HandleExchange).await?;
    let administration = record
        .administration
        .or(viewer.administration)
        .ok_or(Failure::Refused(Refusal::Forbidden))?;
    Ok((viewer, record, administration))
}

#[derive(Deserialize)]
pub struct AssignForm {
    /// The agent's id; empty: the caller.
    #[serde(default)]
    agent: String,
}

/// `POST /messagerie/{id}/attribution`: an agent takes the exchange (for their administration,
/// when it was still to orient) or gives it to a colleague who may handle it.
#[tracing::instrument(skip_all)]
pub async fn assign(
    State(forms): State<Forms>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<i64>,
    Form(form): Form<AssignForm>,
) -> Outcome {
    let (viewer, record, administration) = handled_by_caller(&forms, &caller, id).await?;
    let handlers = forms
        .store
        .exchange_handlers(&record.site, administration, viewer.user_id, Utc::now())
        .await?;
    let chosen = match form.agent.trim() {
        "" => viewer.user_id,
        text => text
            .parse::<i64>()
            .map_err(|_| back(&page(id), Problem::ExchangeAssigneeUnknown, &[]))?,
    };
    let Some((user_id, _)) = handlers.into_iter().find(|(user, _)| *user == chosen) else {
        return Err(back(&page(id), Problem::ExchangeAssigneeUnknown, &[]));
    };
    handle(
        &forms,
        &caller,
        &viewer,
        id,
        Handling::Assign {
            user_id,
            administration,
        },
    )
    .await
}

#[derive(Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    statut: String,
}

/// `POST /messagerie/{id}/statut`: an agent who handles the exchange sets its status.
#[tracing::instrument(skip_all)]
pub async fn status(
    State(forms): State<Forms>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<i64>,
    Form(form): Form<StatusForm>,
) -> Outcome {
    let (viewer, ..) = handled_by_caller(&forms, &caller, id).await?;
    let status = ExchangeStatus::from_code(form.statut.trim())
        .ok_or_else(|| back(&page(id), Problem::ExchangeStatusUnknown, &[]))?;
    handle(&forms, &caller, &viewer, id, Handling::Status(status)).await
}

#[derive(Deserialize)]
pub struct TransferForm {
    #[serde(default)]
    note: String,
}

/// `POST /messagerie/{id}/transfert`: an agent hands the exchange to the other administration of
/// the site, with an internal note that says why.
#[tracing::instrument(skip_all)]
pub async fn transfer(
    State(forms): State<Forms>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<i64>,
    Form(form): Form<TransferForm>,
) -> Outcome {
    let (viewer, _, administration) = handled_by_caller(&forms, &caller, id).await?;
    let to = administration.other();
    let note = check_text(&form.note)
        .map_err(|_| back(&page(id), Problem::ExchangeTransferNoteMissing, &[]))?;
    handle(
        &forms,
        &caller,
        &viewer,
        id,
        Handling::Transfer { to, note },
    )
    .await
}

async fn handle(
    forms: &Forms,
    caller: &Caller,
    viewer: &Viewer,
    id: i64,
    handling: Handling,
) -> Outcome {
    let label = crate::api::documents::author_label(&forms.store, viewer, None).await?;
    let author = Author {
        user_id: viewer.user_id,
        label: &label,
        from_operator: false,
    };
    let (action, said) = match &handling {
        Handling::Assign { .. } => ("echange_attribue", Done::ExchangeAssigned),
        Handling::Status(_) => ("echange_statut", Done::ExchangeStatusSet),
        Handling::Transfer { .. } => ("echange_transfere", Done::ExchangeTransferred),
    };
    let audit = caller.audit_event(action, "", "");
    match forms
        .store
        .handle_exchange(id, &handling, &author, &audit, Utc::now())
        .await?
    {
        ExchangeWrite::Done { .. } => done(&page(id), said),
        ExchangeWrite::Unchanged => Err(back(&page(id), Problem::ExchangeUnchanged, &[])),
    }
}
