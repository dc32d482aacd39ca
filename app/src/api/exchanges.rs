//! The messaging (« Messagerie ») as people use it: the exchanges a person may read (their
//! company's, or the inboxes of an agent's sites), one exchange with its entries (the agents'
//! internal notes never reach an operator), and what the form of a new exchange offers. The
//! writes are plain forms (`exchanges::forms`). Every entry asks the one policy; an exchange
//! that does not exist and one that is not the reader's answer alike.

#[cfg(feature = "ssr")]
pub mod export;
#[cfg(feature = "ssr")]
pub mod forms;

use chrono::{DateTime, NaiveDate, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::exchange::{ExchangeStatus, Subject};

/// The most exchanges a list shows at once (the most recently moved).
pub const LIST_LIMIT: i64 = 100;
/// The most files a message carries.
pub const MAX_ATTACHMENTS: usize = 5;
/// How many exchanges a person of an operator company may open in a day, and an agent.
pub const OPERATOR_OPENINGS_PER_DAY: i64 = 20;
pub const AGENT_OPENINGS_PER_DAY: i64 = 200;

/// One exchange in a list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExchangeLine {
    pub id: i64,
    pub title: String,
    pub subject: Subject,
    pub status: ExchangeStatus,
    /// To whom it is addressed, as people read it.
    pub addressee: String,
    pub site_name: String,
    pub company_id: i64,
    pub company_name: String,
    pub dossier_id: Option<i64>,
    pub reference: Option<String>,
    pub assigned_name: Option<String>,
    /// An agent opened it (a request for further information).
    pub opened_by_administration: bool,
    pub answer_due: Option<NaiveDate>,
    pub updated_at: DateTime<Utc>,
    /// How long the operator has waited since their last message still unanswered.
    pub waiting_minutes: Option<i64>,
}

/// A list of exchanges and the choices of its filters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExchangeList {
    pub lines: Vec<ExchangeLine>,
    /// The limit was reached: narrow the filters to see older ones.
    pub more: bool,
    /// The sites the reader may filter on: (code, name); empty for operators.
    pub sites: Vec<(String, String)>,
    /// The reader is an agent: the list is their sites' inboxes.
    pub inbox: bool,
    /// The reader may write a new exchange (operators) from this page.
    pub may_open: bool,
}

/// The filters of a list, as the page's address carries them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExchangeFilters {
    pub site: Option<String>,
    /// `dgddi`, `dgal`, `a_orienter`.
    pub administration: Option<String>,
    pub status: Option<String>,
    /// A reference of the dossier, or words of the title.
    pub text: Option<String>,
    /// `AAAA-MM-JJ`: moved on or after that day, on or before this one (Paris days).
    pub from: Option<String>,
    pub until: Option<String>,
    pub dossier: Option<i64>,
    /// `moi`: assigned to the reader.
    pub mine: Option<String>,
}

/// One entry of an exchange as its reader may see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryView {
    pub id: i64,
    pub kind: crate::domain::exchange::EntryKind,
    pub from_operator: bool,
    pub author: String,
    pub text: String,
    pub at: DateTime<Utc>,
    /// (document id, title, file name, downloadable).
    pub attachments: Vec<(i64, String, String, bool)>,
}

/// An exchange's page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExchangePage {
    pub line: ExchangeLine,
    pub entries: Vec<EntryView>,
    /// The reader may write a message to the other side.
    pub may_reply: bool,
    /// The reader handles it: internal notes, assignment, status, transfer.
    pub may_handle: bool,
    /// The reader is of the operator company (sees no notes; writes « pour » the company).
    pub operator_side: bool,
    /// Who may take it: (id, name), the reader first.
    pub handlers: Vec<(i64, String)>,
    /// The administration it may be transferred to.
    pub transfer_to: Option<(String, String)>,
    /// Attachments need a dossier: the exchange is about one.
    pub attachments_allowed: bool,
    pub max_mib: u64,
}

/// What the form of a new exchange offers the reader.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewExchangeChoices {
    /// The dossier it is about: (id, reference, site name).
    pub dossier: Option<(i64, String, String)>,
    /// The sites an operator may write about without a dossier: (code, name).
    pub sites: Vec<(String, String)>,
    /// An agent writes a request for further information (about a dossier only).
    pub complements: bool,
    pub max_mib: u64,
    /// How many more exchanges the reader may open today.
    pub remaining: i64,
}

#[cfg(feature = "ssr")]
fn line_of(record: &crate::store::ExchangeRecord, now: DateTime<Utc>) -> ExchangeLine {
    ExchangeLine {
        id: record.id,
        title: record.title.clone(),
        subject: record.subject,
        status: record.status,
        addressee: crate::domain::exchange::addressee_label(record.administration).to_owned(),
        site_name: record.site_name.clone(),
        company_id: record.company_id,
        company_name: record.company_name.clone(),
        dossier_id: record.dossier_id,
        reference: record.reference.clone(),
        assigned_name: record.assigned_name.clone(),
        opened_by_administration: record.opened_by_administration,
        answer_due: record.answer_due,
        updated_at: record.updated_at,
        waiting_minutes: crate::domain::exchange::waiting_minutes(
            record.status,
            record.operator_last_at,
            record.administration_last_at,
            now,
        ),
    }
}

/// What the dossier page shows of the dossier's exchanges.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DossierExchanges {
    pub dossier_id: i64,
    pub lines: Vec<ExchangeLine>,
    /// The reader may write about the dossier: an operator's request, an agent's request for
    /// further information.
    pub may_open: bool,
    pub operator_side: bool,
}

/// The exchanges about a dossier the caller reads (the dossier page's reading covers them as a
/// consultation).
#[cfg(feature = "ssr")]
pub async fn exchanges_of_dossier(
    caller: &crate::state::Caller,
    store: &crate::store::Store,
    summary: &crate::domain::dossier::DossierSummary,
) -> Result<DossierExchanges, ServerFnError> {
    use crate::domain::access::{authorize, EntryPoint, Target};
    let Some(viewer) = caller.viewer.as_ref() else {
        return Err(ServerFnError::new(
            crate::domain::access::Refusal::SignInRequired.message(),
        ));
    };
    let target = Target::Dossier {
        site: &summary.site,
        company_id: summary.company_id,
    };
    let records = if authorize(Some(viewer), EntryPoint::Messaging, Target::Nothing).is_ok() {
        store
            .exchanges(&crate::store::ExchangeQuery {
                dossier_id: Some(summary.id),
                limit: LIST_LIMIT,
                ..Default::default()
            })
            .await
            .map_err(crate::state::internal)?
    } else {
        Vec::new()
    };
    let now = Utc::now();
    Ok(DossierExchanges {
        dossier_id: summary.id,
        // Each is checked as its own page checks it (a dossier's exchanges are its company's).
        lines: records
            .iter()
            .filter(|record| {
                authorize(Some(viewer), EntryPoint::ReadExchange, target_of(record)).is_ok()
            })
            .map(|record| line_of(record, now))
            .collect(),
        may_open: summary.company_id.is_some()
            && authorize(Some(viewer), EntryPoint::OpenExchange, target).is_ok(),
        operator_side: viewer.role == crate::domain::directory::Role::Operateur,
    })
}

/// The exchange's target for the policy.
#[cfg(feature = "ssr")]
pub fn target_of(record: &crate::store::ExchangeRecord) -> crate::domain::access::Target<'_> {
    crate::domain::access::Target::Exchange {
        site: &record.site,
        company_id: Some(record.company_id),
        administration: record.administration,
    }
}

/// The exchanges the reader may read, filtered, the most recently moved first: an operator's
/// company's, an agent's sites' (both administrations: they see every exchange of their sites),
/// every one for supervisors. Each opening by the administrations is a consultation.
#[server(endpoint = "echanges")]
pub async fn list_exchanges(filters: ExchangeFilters) -> Result<ExchangeList, ServerFnError> {
    use crate::domain::access::{authorize, dossier_scope, DossierScope, EntryPoint, Target};
    use crate::domain::appointment::paris_instant;
    let paris_day_start = |day: NaiveDate| paris_instant(day, chrono::NaiveTime::MIN);
    let caller = crate::state::caller();
    let viewer = crate::state::signed_in(&caller, EntryPoint::Messaging, Target::Nothing)?;
    let store = crate::state::store()?;
    let clean =
        |value: Option<String>| value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
    let day = |value: Option<String>| {
        clean(value).and_then(|text| NaiveDate::parse_from_str(&text, "%Y-%m-%d").ok())
    };
    let mut query = crate::store::ExchangeQuery {
        site: clean(filters.site),
        administration: clean(filters.administration)
            .filter(|code| matches!(code.as_str(), "dgddi" | "dgal" | "a_orienter")),
        // An unknown status selects nothing rather than everything.
        status: match clean(filters.status) {
            None => None,
            Some(code) => Some(ExchangeStatus::from_code(&code).ok_or_else(|| {
                ServerFnError::new("Statut inconnu : choisissez-en un dans la liste.")
            })?),
        },
        text: clean(filters.text).map(|text| text.chars().take(100).collect()),
        from: day(filters.from).map(paris_day_start),
        until: day(filters.until)
            .and_then(|day| day.succ_opt())
            .map(paris_day_start),
        dossier_id: filters.dossier,
        assigned_to: (clean(filters.mine).as_deref() == Some("moi")).then_some(viewer.user_id),
        limit: LIST_LIMIT + 1,
        ..Default::default()
    };
    match dossier_scope(&viewer) {
        DossierScope::All => {}
        DossierScope::Company { id, represented } => {
            query.company_id = Some(id);
            query.represented = represented
                .into_iter()
                .map(|(importer, site)| (importer, site.as_str().to_owned()))
                .collect();
        }
        DossierScope::Sites(sites) => {
            query.sites = Some(sites.iter().map(|s| s.as_str().to_owned()).collect())
        }
        DossierScope::Nothing => query.sites = Some(Vec::new()),
    }
    caller
        .audit_consultation(&store, "consultation_messagerie", "messagerie", "")
        .await?;
    let mut records = store
        .exchanges(&query)
        .await
        .map_err(crate::state::internal)?;
    let more = records.len() as i64 > LIST_LIMIT;
    records.truncate(LIST_LIMIT as usize);
    let now = Utc::now();
    let operator = viewer.role == crate::domain::directory::Role::Operateur;
    let sites = if operator {
        Vec::new()
    } else {
        store
            .sites()
            .await
            .map_err(crate::state::internal)?
            .into_iter()
            .filter(|site| query.sites.is_none() || viewer.on_site(&site.code))
            .map(|site| (site.code.as_str().to_owned(), site.name))
            .collect()
    };
    Ok(ExchangeList {
        lines: records.iter().map(|record| line_of(record, now)).collect(),
        more,
        sites,
        inbox: matches!(
            viewer.role,
            crate::domain::directory::Role::AgentDgddi
                | crate::domain::directory::Role::AgentSivep
                | crate::domain::directory::Role::ChefService
        ),
        may_open: operator
            && authorize(Some(&viewer), EntryPoint::Messaging, Target::Nothing).is_ok(),
    })
}

/// One exchange as the reader may see it, or nothing when it is not theirs (the same answer as
/// an exchange that does not exist). Reading it is a consultation by the administrations.
#[server(endpoint = "echange")]
pub async fn read_exchange(id: i64) -> Result<Option<ExchangePage>, ServerFnError> {
    use crate::domain::access::{authorize, EntryPoint, Target};
    use crate::domain::directory::{Administration, Role};
    let caller = crate::state::caller();
    let viewer = crate::state::signed_in(&caller, EntryPoint::Messaging, Target::Nothing)?;
    let store = crate::state::store()?;
    let Some(record) = store.exchange(id).await.map_err(crate::state::internal)? else {
        return Ok(None);
    };
    if authorize(Some(&viewer), EntryPoint::ReadExchange, target_of(&record)).is_err() {
        return Ok(None);
    }
    caller
        .audit_consultation(&store, "consultation_echange", &format!("echange:{id}"), "")
        .await?;
    let operator_side = viewer.role == Role::Operateur;
    let entries = store
        .exchange_entries(id, !operator_side)
        .await
        .map_err(crate::state::internal)?
        .into_iter()
        .map(|entry| EntryView {
            id: entry.id,
            kind: entry.kind,
            from_operator: entry.from_operator,
            author: entry.author_label,
            text: entry.text,
            at: entry.at,
            attachments: entry.attachments,
        })
        .collect();
    let may_reply = authorize(Some(&viewer), EntryPoint::ReplyExchange, target_of(&record)).is_ok();
    let may_handle = authorize(
        Some(&viewer),
        EntryPoint::HandleExchange,
        target_of(&record),
    )
    .is_ok();
    let mut handlers = Vec::new();
    let mut transfer_to = None;
    if may_handle {
        if let Some(administration) = record.administration.or(viewer.administration) {
            handlers = store
                .exchange_handlers(&record.site, administration, viewer.user_id, Utc::now())
                .await
                .map_err(crate::state::internal)?;
            if let Some(at) = handlers.iter().position(|(id, _)| *id == viewer.user_id) {
                let me = handlers.remove(at);
                handlers.insert(0, me);
            }
        }
        let other = record
            .administration
            .or(viewer.administration)
            .map(Administration::other);
        transfer_to = other.map(|other| {
            (
                other.code().to_owned(),
                crate::domain::exchange::addressee_label(Some(other)).to_owned(),
            )
        });
    }
    Ok(Some(ExchangePage {
        line: line_of(&record, Utc::now()),
        entries,
        may_reply,
        may_handle,
        operator_side,
        handlers,
        transfer_to,
        attachments_allowed: record.dossier_id.is_some(),
        max_mib: crate::state::document_max_mib(),
    }))
}

/// What the form of a new exchange offers: about dossier `dossier` when given (nothing when the
/// reader may not write about it), or, for an operator, about a site.
#[server(endpoint = "nouvel-echange")]
pub async fn new_exchange_form(
    dossier: Option<i64>,
) -> Result<Option<NewExchangeChoices>, ServerFnError> {
    use crate::domain::access::{authorize, EntryPoint, Target};
    use crate::domain::directory::Role;
    let caller = crate::state::caller();
    let viewer = crate::state::signed_in(&caller, EntryPoint::Messaging, Target::Nothing)?;
    let store = crate::state::store()?;
    let operator = viewer.role == Role::Operateur;
    let about = match dossier {
        Some(id) => {
            let Some(summary) = store
                .dossier_summary(id)
                .await
                .map_err(crate::state::internal)?
            else {
                return Ok(None);
            };
            let target = Target::Dossier {
                site: &summary.site,
                company_id: summary.company_id,
            };
            if authorize(Some(&viewer), EntryPoint::OpenExchange, target).is_err()
                || summary.company_id.is_none()
            {
                return Ok(None);
            }
            Some((id, summary.references.headline(), summary.site_name.clone()))
        }
        // Agents write first about a dossier only: the page says where to do it.
        None => None,
    };
    let sites = if operator && about.is_none() {
        store
            .sites()
            .await
            .map_err(crate::state::internal)?
            .into_iter()
            .map(|site| (site.code.as_str().to_owned(), site.name))
            .collect()
    } else {
        Vec::new()
    };
    let budget = if operator {
        OPERATOR_OPENINGS_PER_DAY
    } else {
        AGENT_OPENINGS_PER_DAY
    };
    let opened = store
        .exchanges_opened_by(viewer.user_id, Utc::now() - chrono::Duration::days(1))
        .await
        .map_err(crate::state::internal)?;
    Ok(Some(NewExchangeChoices {
        dossier: about,
        sites,
        complements: !operator,
        max_mib: crate::state::document_max_mib(),
        remaining: (budget - opened).max(0),
    }))
}
