//! The messaging's exchanges and their entries. Every write is one transaction with its line in
//! the audit trail, its notifications and its announcement on the change feed: an exchange is
//! never half-opened, a message never sent without its trace. Entries are only ever added (the
//! tables refuse the rest).

use chrono::{DateTime, NaiveDate, Utc};

use super::documents::NewDocument;
use super::feed::Committed;
use super::notifications::Written;
use super::{decode, on_pool, on_tx, AuditEvent, Store, StoreError, Tx};
use crate::domain::access::local_day;
use crate::domain::directory::Administration;
use crate::domain::exchange::{EntryKind, ExchangeStatus, Subject};
use crate::domain::notification::{fill, DEFAULT_DIGEST_HOUR};
use crate::domain::references::Locode;

/// An exchange, as lists and its page read it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExchangeRecord {
    pub id: i64,
    pub site: Locode,
    pub site_name: String,
    pub company_id: i64,
    pub company_name: String,
    pub dossier_id: Option<i64>,
    /// The dossier's first reference, when it is about one.
    pub reference: Option<String>,
    pub administration: Option<Administration>,
    pub subject: Subject,
    pub title: String,
    pub status: ExchangeStatus,
    pub assigned_user_id: Option<i64>,
    pub assigned_name: Option<String>,
    /// An agent opened it (a request for further information).
    pub opened_by_administration: bool,
    pub answer_due: Option<NaiveDate>,
    pub operator_last_at: Option<DateTime<Utc>>,
    pub administration_last_at: Option<DateTime<Utc>>,
    pub opened_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct ExchangeRow {
    id: i64,
    site_code: String,
    site_name: String,
    company_id: i64,
    company_name: String,
    dossier_id: Option<i64>,
    reference: Option<String>,
    administration: Option<String>,
    subject: String,
    title: String,
    status: String,
    assigned_user_id: Option<i64>,
    assigned_name: Option<String>,
    opened_by: String,
    answer_due: Option<NaiveDate>,
    operator_last_at: Option<DateTime<Utc>>,
    administration_last_at: Option<DateTime<Utc>>,
    opened_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl TryFrom<ExchangeRow> for ExchangeRecord {
    type Error = StoreError;

    fn try_from(row: ExchangeRow) -> Result<ExchangeRecord, StoreError> {
        Ok(ExchangeRecord {
            id: row.id,
            site: Locode::parse(&row.site_code)
                .map_err(|error| StoreError::Corrupt(error.to_string()))?,
            site_name: row.site_name,
            company_id: row.company_id,
            company_name: row.company_name,
            dossier_id: row.dossier_id,
            reference: row.reference,
            administration: row
                .administration
                .as_deref()
                .map(|code| decode("administration", code, Administration::from_code))
                .transpose()?,
            subject: decode("objet d'échange", &row.subject, Subject::from_code)?,
            title: row.title,
            status: decode("statut d'échange", &row.status, ExchangeStatus::from_code)?,
            assigned_user_id: row.assigned_user_id,
            assigned_name: row.assigned_name,
            opened_by_administration: row.opened_by == "administration",
            answer_due: row.answer_due,
            operator_last_at: row.operator_last_at,
            administration_last_at: row.administration_last_at,
            opened_at: row.opened_at,
            updated_at: row.updated_at,
        })
    }
}

const SELECT: &str = "SELECT e.id, e.site_code, s.name AS site_name, e.company_id,
        c.name AS company_name, e.dossier_id,
        COALESCE(d.container, d.awb, d.ched, d.bill_of_lading, d.mrn) AS reference,
        e.administration, e.subject, e.title, e.status, e.assigned_user_id,
        u.full_name AS assigned_name, e.opened_by, e.answer_due, e.operator_last_at,
        e.administration_last_at, e.opened_at, e.updated_at
 FROM exchange e JOIN site s ON s.code = e.site_code JOIN company c ON c.id = e.company_id
 LEFT JOIN dossier d ON d.id = e.dossier_id
 LEFT JOIN app_user u ON u.id = e.assigned_user_id";

/// One entry of an exchange, with the documents it carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntryRecord {
    pub id: i64,
    pub kind: EntryKind,
    pub from_operator: bool,
    pub author_label: String,
    pub text: String,
    pub at: DateTime<Utc>,
    /// (document id, title, file name, whether the antivirus let it through).
    pub attachments: Vec<(i64, String, String, bool)>,
}

/// Which exchanges a list shows: always within the reader's scope (a company's, or the sites'
/// of an agent), then narrowed by the filters.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExchangeQuery {
    /// An operator's company: its exchanges only, and those of the companies it represents at
    /// the sites of their mandates in force (importer, site).
    pub company_id: Option<i64>,
    pub represented: Vec<(i64, String)>,
    /// An agent's sites (`None`: every site, for supervisors).
    pub sites: Option<Vec<String>>,
    pub site: Option<String>,
    /// `dgddi`, `dgal`, or `a_orienter` for those addressed to neither yet.
    pub administration: Option<String>,
    pub status: Option<ExchangeStatus>,
    pub dossier_id: Option<i64>,
    /// A reference of the dossier (exact, any of its kinds), or words of the title.
    pub text: Option<String>,
    /// Moved on or after this instant, and before that one.
    pub from: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    /// Assigned to this person.
    pub assigned_to: Option<i64>,
    pub limit: i64,
}

enum Value {
    Text(String),
    Time(DateTime<Utc>),
    Number(i64),
}

impl ExchangeQuery {
    fn conditions(&self) -> (String, Vec<Value>) {
        let mut clauses = Vec::new();
        let mut values = Vec::new();
        let mut next = |value: Value| {
            values.push(value);
            format!("${}", values.len())
        };
        if let Some(company) = self.company_id {
            let mut either = vec![format!("e.company_id = {}", next(Value::Number(company)))];
            for (importer, site) in &self.represented {
                either.push(format!(
                    "(e.company_id = {} AND e.site_code = {})",
                    next(Value::Number(*importer)),
                    next(Value::Text(site.clone()))
                ));
            }
            clauses.push(format!("({})", either.join(" OR ")));
        }
        if let Some(sites) = &self.sites {
            if sites.is_empty() {
                clauses.push("FALSE".to_owned());
            } else {
                let list: Vec<String> = sites
                    .iter()
                    .map(|site| next(Value::Text(site.clone())))
                    .collect();
                clauses.push(format!("e.site_code IN ({})", list.join(", ")));
            }
        }
        if let Some(site) = &self.site {
            clauses.push(format!("e.site_code = {}", next(Value::Text(site.clone()))));
        }
        match self.administration.as_deref() {
            None => {}
            Some("a_orienter") => clauses.push("e.administration IS NULL".to_owned()),
            Some(code) => {
                clauses.push(format!(
                    "e.administration = {}",
                    next(Value::Text(code.to_owned()))
                ));
            }
        }
        if let Some(status) = self.status {
            clauses.push(format!(
                "e.status = {}",
                next(Value::Text(status.code().to_owned()))
            ));
        }
        if let Some(dossier) = self.dossier_id {
            clauses.push(format!("e.dossier_id = {}", next(Value::Number(dossier))));
        }
        if let Some(person) = self.assigned_to {
            clauses.push(format!(
                "e.assigned_user_id = {}",
                next(Value::Number(person))
            ));
        }
        if let Some(text) = &self.text {
            let reference = next(Value::Text(text.to_uppercase()));
            let words = next(Value::Text(format!(
                "%{}%",
                text.to_lowercase().replace(['%', '_'], "")
            )));
            clauses.push(format!(
                "(d.container = {reference} OR d.awb = {reference} OR d.ched = {reference}
                  OR d.bill_of_lading = {reference} OR d.mrn = {reference}
                  OR LOWER(e.title) LIKE {words})"
            ));
        }
        if let Some(from) = self.from {
            clauses.push(format!("e.updated_at >= {}", next(Value::Time(from))));
        }
        if let Some(until) = self.until {
            clauses.push(format!("e.updated_at < {}", next(Value::Time(until))));
        }
        if clauses.is_empty() {
            clauses.push("TRUE".to_owned());
        }
        (clauses.join(" AND "), values)
    }
}

/// An exchange to open, with its first message.
pub struct NewExchange<'a> {
    pub site: &'a Locode,
    pub company_id: i64,
    pub dossier_id: Option<i64>,
    pub administration: Option<Administration>,
    pub subject: Subject,
    pub title: &'a str,
    /// Opened by an agent: a request for further information, awaited by this day.
    pub answer_due: Option<NaiveDate>,
    pub author: Author<'a>,
    pub text: &'a str,
}

/// Who writes an entry.
#[derive(Clone, Copy, Debug)]
pub struct Author<'a> {
    pub user_id: i64,
    /// The name shown beside the entry: « Prénom Nom (Entreprise) », « Prénom Nom (Douane) ».
    pub label: &'a str,
    pub from_operator: bool,
}

/// What a person does to an exchange besides writing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Handling {
    /// Assigns it (to the agent themselves or a colleague), and takes it for their
    /// administration when it was still to orient.
    Assign {
        user_id: i64,
        administration: Administration,
    },
    /// Sets its status.
    Status(ExchangeStatus),
    /// Hands it to the other administration, with a note.
    Transfer { to: Administration, note: String },
}

/// What became of a write on an exchange.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExchangeWrite {
    Done {
        entry_id: i64,
    },
    /// Nothing to change: it already stands so.
    Unchanged,
}

impl Store {
    /// One exchange.
    #[tracing::instrument(skip_all)]
    pub async fn exchange(&self, id: i64) -> Result<Option<ExchangeRecord>, StoreError> {
        let sql = format!("{SELECT} WHERE e.id = $1");
        let row: Option<ExchangeRow> = on_pool!(self, pool => {
            sqlx::query_as(&sql).bind(id).fetch_optional(pool).await
        })?;
        row.map(ExchangeRecord::try_from).transpose()
    }

    /// The exchanges `query` selects, the most recently moved first.
    #[tracing::instrument(skip_all)]
    pub async fn exchanges(
        &self,
        query: &ExchangeQuery,
    ) -> Result<Vec<ExchangeRecord>, StoreError> {
        let (conditions, values) = query.conditions();
        let sql = format!(
            "{SELECT} WHERE {conditions} ORDER BY e.updated_at DESC, e.id DESC LIMIT {}",
            query.limit.clamp(1, 500)
        );
        let rows: Vec<ExchangeRow> = on_pool!(self, pool => {
            let mut q = sqlx::query_as(&sql);
            for value in &values {
                q = match value {
                    Value::Text(text) => q.bind(text.clone()),
                    Value::Time(at) => q.bind(*at),
                    Value::Number(n) => q.bind(*n),
                };
            }
            q.fetch_all(pool).await
        })?;
        rows.into_iter().map(ExchangeRecord::try_from).collect()
    }

    /// The entries of an exchange in order, the internal notes only when `notes_too`, with the
    /// documents each carries.
    #[tracing::instrument(skip_all)]
    pub async fn exchange_entries(
        &self,
        exchange_id: i64,
        notes_too: bool,
    ) -> Result<Vec<EntryRecord>, StoreError> {
        #[allow(clippy::type_complexity)]
        let (entries, attachments): (
            Vec<(i64, String, String, String, String, DateTime<Utc>)>,
            Vec<(i64, i64, String, String, String)>,
        ) = on_pool!(self, pool => {
            tokio::try_join!(
                sqlx::query_as(
                    "SELECT id, kind, side, author_label, text, at FROM exchange_entry
                     WHERE exchange_id = $1 AND (kind <> 'note' OR $2) ORDER BY id",
                )
                .bind(exchange_id)
                .bind(notes_too)
                .fetch_all(pool),
                sqlx::query_as(
                    "SELECT a.entry_id, d.id, d.title, d.file_name, d.scan
                     FROM exchange_attachment a JOIN exchange_entry x ON x.id = a.entry_id
                     JOIN document d ON d.id = a.document_id
                     WHERE x.exchange_id = $1 AND (NOT d.internal OR $2) ORDER BY d.id",
                )
                .bind(exchange_id)
                .bind(notes_too)
                .fetch_all(pool),
            )?
        });
        let names = self
            .assignee_names(entries.iter().map(|entry| entry.4.as_str()))
            .await?;
        entries
            .into_iter()
            .map(|(id, kind, side, author_label, text, at)| {
                let text = name_assignees(text, &names);
                Ok(EntryRecord {
                    id,
                    kind: decode("type d'entrée", &kind, EntryKind::from_code)?,
                    from_operator: side == "operateur",
                    author_label,
                    text,
                    at,
                    attachments: attachments
                        .iter()
                        .filter(|row| row.0 == id)
                        .map(|(_, document, title, file, scan)| {
                            (
                                document.to_owned(),
                                title.clone(),
                                file.clone(),
                                scan == "sain",
                            )
                        })
                        .collect(),
                })
            })
            .collect()
    }

    /// The current names of the agents the status lines `texts` mark.
    async fn assignee_names<'a>(
        &self,
        texts: impl Iterator<Item = &'a str>,
    ) -> Result<Vec<(i64, String)>, StoreError> {
        let mut ids: Vec<i64> = texts.flat_map(marked_assignees).collect();
        ids.sort_unstable();
        ids.dedup();
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let list = ids
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!("SELECT id, full_name FROM app_user WHERE id IN ({list})");
        Ok(on_pool!(self, pool => sqlx::query_as(&sql).fetch_all(pool).await)?)
    }

    /// How many exchanges this person opened since `since`: their budget.
    #[tracing::instrument(skip_all)]
    pub async fn exchanges_opened_by(
        &self,
        user_id: i64,
        since: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_scalar(
                "SELECT COUNT(*) FROM exchange WHERE opened_by_user_id = $1 AND opened_at >= $2",
            )
            .bind(user_id)
            .bind(since)
            .fetch_one(pool)
            .await
        })?)
    }

    /// The agents and heads of service who may take an exchange of `site` for `administration`
    /// today: (id, name), by name. A colleague whose processing the rights desk limited is not
    /// offered (being given work uses their data); `asking` may still take it themselves.
    #[tracing::instrument(skip_all)]
    pub async fn exchange_handlers(
        &self,
        site: &Locode,
        administration: Administration,
        asking: i64,
        now: DateTime<Utc>,
    ) -> Result<Vec<(i64, String)>, StoreError> {
        let sql = format!(
            "SELECT u.id, u.full_name FROM app_user u
             WHERE {active} AND (u.limited_at IS NULL OR u.id = $4) AND {HANDLERS}
             ORDER BY u.full_name, u.id",
            active = super::ACTIVE_USER
        );
        Ok(on_pool!(self, pool => {
            sqlx::query_as(&sql)
                .bind(administration.code())
                .bind(site.as_str())
                .bind(local_day(now))
                .bind(asking)
                .fetch_all(pool)
                .await
        })?)
    }

    /// Opens an exchange with its first message and the documents it carries (already kept, for
    /// its dossier), its audit line, its notifications and its announcement; its id.
    #[tracing::instrument(skip_all)]
    pub async fn open_exchange(
        &self,
        new: &NewExchange<'_>,
        attachments: &[NewDocument<'_>],
        audit: &AuditEvent<'_>,
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let mut tx = self.begin().await?;
        let from_operator = new.author.from_operator;
        let status = if from_operator {
            ExchangeStatus::New
        } else {
            ExchangeStatus::AwaitingOperator
        };
        let id: i64 = on_tx!(tx, conn => {
            sqlx::query_scalar(
                "INSERT INTO exchange (site_code, company_id, dossier_id, administration, subject,
                     title, status, assigned_user_id, opened_by, opened_by_user_id, answer_due,
                     operator_last_at, administration_last_at, opened_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14)
                 RETURNING id",
            )
            .bind(new.site.as_str())
            .bind(new.company_id)
            .bind(new.dossier_id)
            .bind(new.administration.map(Administration::code))
            .bind(new.subject.code())
            .bind(new.title)
            .bind(status.code())
            .bind((!from_operator).then_some(new.author.user_id))
            .bind(if from_operator { "operateur" } else { "administration" })
            .bind(new.author.user_id)
            .bind(new.answer_due)
            .bind(from_operator.then_some(now))
            .bind((!from_operator).then_some(now))
            .bind(now)
            .fetch_one(conn)
            .await
        })?;
        let entry_id = tx
            .append_entry(id, EntryKind::Message, &new.author, new.text, now)
            .await?;
        tx.attach(entry_id, attachments, audit, now).await?;
        let object = format!("echange:{id}");
        let detail = format!(
            "{}{} objet:{}",
            new.dossier_id
                .map(|dossier| format!("dossier:{dossier} "))
                .unwrap_or_default(),
            new.administration
                .map(Administration::code)
                .unwrap_or("a_orienter"),
            new.subject.code()
        );
        let mut event = audit.clone();
        event.object = &object;
        event.detail = &detail;
        tx.audit(&event, now).await?;
        let record = tx.exchange_in_tx(id).await?;
        if from_operator {
            tx.notify_exchange(&record, "messagerie_demande", entry_id, now)
                .await?;
        } else {
            tx.notify_exchange(&record, "messagerie_complements", entry_id, now)
                .await?;
        }
        tx.announce(Committed::Exchange {
            id,
            internal: false,
        })
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Adds a message (or, from an agent, an internal note) to an exchange, with the documents
    /// it carries; a message moves the status as [`ExchangeStatus::after_message`] says, or to
    /// `awaiting` when the agent asks the operator for something.
    #[tracing::instrument(skip_all)]
    #[allow(clippy::too_many_arguments)]
    pub async fn write_in_exchange(
        &self,
        exchange_id: i64,
        kind: EntryKind,
        author: &Author<'_>,
        text: &str,
        awaiting: bool,
        attachments: &[NewDocument<'_>],
        audit: &AuditEvent<'_>,
        now: DateTime<Utc>,
    ) -> Result<ExchangeWrite, StoreError> {
        let mut tx = self.begin().await?;
        let record = tx.exchange_in_tx(exchange_id).await?;
        let entry_id = tx
            .append_entry(exchange_id, kind, author, text, now)
            .await?;
        tx.attach(entry_id, attachments, audit, now).await?;
        let mut moved = None;
        if kind == EntryKind::Message {
            let status = if awaiting && !author.from_operator {
                ExchangeStatus::AwaitingOperator
            } else {
                record.status.after_message(author.from_operator)
            };
            let side_column = if author.from_operator {
                "operator_last_at"
            } else {
                "administration_last_at"
            };
            let sql = format!(
                "UPDATE exchange SET status = $2, {side_column} = $3, updated_at = $3 WHERE id = $1"
            );
            on_tx!(tx, conn => {
                sqlx::query(&sql)
                    .bind(exchange_id)
                    .bind(status.code())
                    .bind(now)
                    .execute(conn)
                    .await
                    .map(|_| ())
            })?;
            moved = Some(status).filter(|status| *status != record.status);
        } else {
            on_tx!(tx, conn => {
                sqlx::query("UPDATE exchange SET updated_at = $2 WHERE id = $1")
                    .bind(exchange_id)
                    .bind(now)
                    .execute(conn)
                    .await
                    .map(|_| ())
            })?;
        }
        let object = format!("echange:{exchange_id}");
        let detail = format!(
            "entree:{entry_id} {}{}",
            kind.code(),
            moved
                .map(|status| format!(" statut {}", status.code()))
                .unwrap_or_default()
        );
        let mut event = audit.clone();
        event.object = &object;
        event.detail = &detail;
        tx.audit(&event, now).await?;
        match (kind, author.from_operator) {
            (EntryKind::Message, true) => {
                tx.notify_exchange(&record, "messagerie_message", entry_id, now)
                    .await?;
            }
            (EntryKind::Message, false) => {
                tx.notify_exchange(&record, "messagerie_reponse", entry_id, now)
                    .await?;
            }
            _ => {}
        }
        tx.announce(Committed::Exchange {
            id: exchange_id,
            internal: kind == EntryKind::Note,
        })
        .await?;
        tx.commit().await?;
        Ok(ExchangeWrite::Done { entry_id })
    }

    /// Assigns an exchange, sets its status or transfers it, told in its entries and the audit
    /// trail. A transfer's note is an internal note.
    #[tracing::instrument(skip_all)]
    pub async fn handle_exchange(
        &self,
        exchange_id: i64,
        handling: &Handling,
        author: &Author<'_>,
        audit: &AuditEvent<'_>,
        now: DateTime<Utc>,
    ) -> Result<ExchangeWrite, StoreError> {
        let mut tx = self.begin().await?;
        let record = tx.exchange_in_tx(exchange_id).await?;
        let (set, told, detail) = match handling {
            Handling::Assign {
                user_id,
                administration,
            } => {
                if record.assigned_user_id == Some(*user_id)
                    && record.administration == Some(*administration)
                {
                    return Ok(ExchangeWrite::Unchanged);
                }
                let status = if record.status == ExchangeStatus::New {
                    ExchangeStatus::InProgress
                } else {
                    record.status
                };
                // The agent by number, named when read: an erased account reads as its label.
                let mut told = format!("Attribuée à {}", assignee_mark(*user_id));
                if record.administration.is_none() {
                    told.push_str(&format!(
                        " ; orientée vers : {}",
                        crate::domain::exchange::addressee_label(Some(*administration))
                    ));
                }
                if status != record.status {
                    told.push_str(&format!(" ; statut : {}", status.label()));
                }
                (
                    (Some(*user_id), Some(*administration), status),
                    told,
                    format!("attribution utilisateur:{user_id}"),
                )
            }
            Handling::Status(status) => {
                if *status == record.status {
                    return Ok(ExchangeWrite::Unchanged);
                }
                (
                    (record.assigned_user_id, record.administration, *status),
                    format!("Statut : {}", status.label()),
                    format!("statut {}", status.code()),
                )
            }
            Handling::Transfer { to, .. } => {
                if record.administration == Some(*to) {
                    return Ok(ExchangeWrite::Unchanged);
                }
                let status = if record.status == ExchangeStatus::Closed {
                    ExchangeStatus::Closed
                } else {
                    ExchangeStatus::New
                };
                (
                    (None, Some(*to), status),
                    format!(
                        "Transférée à : {}",
                        crate::domain::exchange::addressee_label(Some(*to))
                    ),
                    format!("transfert {}", to.code()),
                )
            }
        };
        let (assigned, administration, status) = set;
        on_tx!(tx, conn => {
            sqlx::query(
                "UPDATE exchange SET assigned_user_id = $2, administration = $3, status = $4, updated_at = $5
                 WHERE id = $1",
            )
            .bind(exchange_id)
            .bind(assigned)
            .bind(administration.map(Administration::code))
            .bind(status.code())
            .bind(now)
            .execute(conn)
            .await
            .map(|_| ())
        })?;
        let entry_id = tx
            .append_entry(exchange_id, EntryKind::Change, author, &told, now)
            .await?;
        if let Handling::Transfer { note, .. } = handling {
            tx.append_entry(exchange_id, EntryKind::Note, author, note, now)
                .await?;
        }
        let object = format!("echange:{exchange_id}");
        let mut event = audit.clone();
        event.object = &object;
        event.detail = &detail;
        tx.audit(&event, now).await?;
        if let Handling::Transfer { .. } = handling {
            let moved = tx.exchange_in_tx(exchange_id).await?;
            tx.notify_exchange(&moved, "messagerie_demande", entry_id, now)
                .await?;
        }
        tx.announce(Committed::Exchange {
            id: exchange_id,
            internal: false,
        })
        .await?;
        tx.commit().await?;
        Ok(ExchangeWrite::Done { entry_id })
    }
}

/// The people who handle a site's exchanges for administration `$1` at site `$2` on day `$3`:
/// agents of a habilitation valid that day, heads of service of the site's posts of that
/// administration; active accounts.
const HANDLERS: &str =
    "((u.role = CASE $1 WHEN 'dgal' THEN 'agent_sivep' WHEN 'dgddi' THEN 'agent_dgddi' ELSE '' END
         AND EXISTS (SELECT 1 FROM habilitation h
                     WHERE h.user_id = u.id AND h.site_code = $2 AND h.administration = $1
                       AND h.withdrawn_at IS NULL AND h.starts_on <= $3
                       AND (h.ends_on IS NULL OR h.ends_on >= $3)))
     OR (u.role = 'chef_service' AND u.administration = $1
         AND EXISTS (SELECT 1 FROM post_head ph JOIN post hp ON hp.code = ph.post_code
                     WHERE ph.user_id = u.id AND hp.site_code = $2)))";

impl Tx {
    async fn exchange_in_tx(&mut self, id: i64) -> Result<ExchangeRecord, StoreError> {
        let sql = format!("{SELECT} WHERE e.id = $1");
        let row: ExchangeRow = on_tx!(self, conn => {
            sqlx::query_as(&sql).bind(id).fetch_one(conn).await
        })?;
        ExchangeRecord::try_from(row)
    }

    async fn append_entry(
        &mut self,
        exchange_id: i64,
        kind: EntryKind,
        author: &Author<'_>,
        text: &str,
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        Ok(on_tx!(self, conn => {
            sqlx::query_scalar(
                "INSERT INTO exchange_entry (exchange_id, kind, side, author_user_id, author_label, text, at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(exchange_id)
            .bind(kind.code())
            .bind(if author.from_operator { "operateur" } else { "administration" })
            .bind(author.user_id)
            .bind(author.label)
            .bind(text)
            .bind(now)
            .fetch_one(conn)
            .await
        })?)
    }

    /// Records the documents an entry carries in its dossier, each with its audit line.
    async fn attach(
        &mut self,
        entry_id: i64,
        attachments: &[NewDocument<'_>],
        audit: &AuditEvent<'_>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        for document in attachments {
            let document_id = self.insert_document(document, None, now).await?;
            on_tx!(self, conn => {
                sqlx::query("INSERT INTO exchange_attachment (entry_id, document_id) VALUES ($1, $2)")
                    .bind(entry_id)
                    .bind(document_id)
                    .execute(conn)
                    .await
                    .map(|_| ())
            })?;
            let object = format!("document:{document_id}");
            let detail = format!(
                "dossier:{} sha256:{} messagerie{}",
                document.dossier_id,
                document.sha256,
                if document.internal { " interne" } else { "" }
            );
            let mut event = audit.clone();
            event.action = "ajout_document";
            event.object = &object;
            event.detail = &detail;
            self.audit(&event, now).await?;
        }
        Ok(())
    }

    /// Tells the other side of an exchange: its operators (`messagerie_reponse`,
    /// `messagerie_complements`), or the people who handle it at its site (`messagerie_demande`,
    /// `messagerie_message`): the agents of its administration, or of both while it is to be
    /// oriented, and when assigned, only the agent it is assigned to (for a new message). The
    /// texts carry the exchange's title, site and addressee, never what was written.
    async fn notify_exchange(
        &mut self,
        record: &ExchangeRecord,
        kind: &'static str,
        entry_id: i64,
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        let (title, body, action_required) = self.notification_template(kind).await?;
        let cause = format!("echange:{}:{entry_id}", record.id);
        // Each person's choice of mail for the kind, named by the query's parameter `kind`.
        let preferences = |kind: &str| {
            format!(
                "SELECT u.id, COALESCE(p.mail, 'immediat') AS mail, COALESCE(hr.hour, {DEFAULT_DIGEST_HOUR}) AS hour
                 FROM app_user u
                 LEFT JOIN notification_preference p ON p.user_id = u.id AND p.kind = {kind}
                 LEFT JOIN notification_digest_hour hr ON hr.user_id = u.id"
            )
        };
        let to_operators = matches!(kind, "messagerie_reponse" | "messagerie_complements");
        let recipients: Vec<(i64, String, i32)> = if to_operators {
            // The company's people, and those of a company representing it at the site today.
            let sql = format!(
                "{} WHERE {active} AND u.role = 'operateur'
                   AND (u.company_id = $1 OR {represents}) ORDER BY u.id",
                preferences("$2"),
                active = super::NOTIFIED_USER,
                represents = super::mandates::represents_sql("u.company_id", "$1", "$3", "$4"),
            );
            on_tx!(self, conn => {
                sqlx::query_as(&sql)
                    .bind(record.company_id)
                    .bind(kind)
                    .bind(record.site.as_str())
                    .bind(crate::domain::access::local_day(now))
                    .fetch_all(conn)
                    .await
            })?
        } else {
            let mut all = Vec::new();
            let administrations = match record.administration {
                Some(one) => vec![one],
                None => vec![Administration::Dgddi, Administration::Dgal],
            };
            let only = (kind == "messagerie_message")
                .then_some(record.assigned_user_id)
                .flatten();
            for administration in administrations {
                let sql = format!(
                    "{} WHERE {active} AND {HANDLERS} AND ($5 = 0 OR u.id = $5) ORDER BY u.id",
                    preferences("$4"),
                    active = super::NOTIFIED_USER
                );
                let some: Vec<(i64, String, i32)> = on_tx!(self, conn => {
                    sqlx::query_as(&sql)
                        .bind(administration.code())
                        .bind(record.site.as_str())
                        .bind(local_day(now))
                        .bind(kind)
                        .bind(only.unwrap_or(0))
                        .fetch_all(conn)
                        .await
                })?;
                all.extend(some);
            }
            all
        };
        let addressee = crate::domain::exchange::addressee_label(record.administration);
        let fields = [
            ("objet", record.title.clone()),
            ("site", record.site_name.clone()),
            ("administration", addressee.to_owned()),
            ("destinataire", addressee.to_owned()),
            (
                "echeance",
                record
                    .answer_due
                    .map(|day| day.format("%d/%m/%Y").to_string())
                    .unwrap_or_default(),
            ),
        ];
        let (title, body) = (fill(&title, &fields), fill(&body, &fields));
        let link = format!("/messagerie/{}", record.id);
        let written = Written {
            kind,
            action_required,
            dossier_id: record.dossier_id,
            cause: &cause,
            title: &title,
            body: &body,
            link: &link,
        };
        self.write_notifications(&written, &recipients, now).await?;
        Ok(recipients.len())
    }
}

/// How a status line marks the agent an exchange was assigned to: by their account's number,
/// named when read ([`name_assignees`]), so that the record, which never changes, holds no name.
fn assignee_mark(user_id: i64) -> String {
    format!("{{agent:{user_id}}}")
}

/// The accounts a status line marks.
fn marked_assignees(text: &str) -> Vec<i64> {
    text.split("{agent:")
        .skip(1)
        .filter_map(|rest| rest.split_once('}'))
        .filter_map(|(number, _)| number.parse().ok())
        .collect()
}

/// A status line with its marks replaced by the agents' current names.
fn name_assignees(text: String, names: &[(i64, String)]) -> String {
    if !text.contains("{agent:") {
        return text;
    }
    names.iter().fold(text, |text, (id, name)| {
        text.replace(&assignee_mark(*id), name)
    })
}

#[cfg(test)]
mod assignee_tests {
    use super::*;

    #[test]
    fn status_lines_name_the_agent_when_read() {
        let line = format!("Attribuée à {} ; statut : En cours", assignee_mark(12));
        assert_eq!(marked_assignees(&line), vec![12]);
        assert_eq!(
            name_assignees(line, &[(12, "Sophie Leroy".into())]),
            "Attribuée à Sophie Leroy ; statut : En cours"
        );
        assert_eq!(marked_assignees("Bonjour {agent:x}"), Vec::<i64>::new());
        assert_eq!(name_assignees("Bonjour".into(), &[]), "Bonjour");
    }
}
