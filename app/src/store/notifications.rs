//! Notifications and their mails. A notification is written in the transaction of the change
//! that causes it, for the people who may see its dossier at that moment, with its mail to send
//! (an outbox): a change rolled back notifies nobody, a change committed loses no mail. The
//! mails are then leased by whichever instance asks first (`FOR UPDATE SKIP LOCKED` on
//! PostgreSQL; SQLite's writers are serialised), sent, and marked; a failure is tried again later.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};

use super::{feed::Committed, on_pool, on_tx, Store, StoreError, Tx};
use crate::domain::access::local_day;
use crate::domain::journey::EventKind;
use crate::domain::notification::{
    event_notices, extra_recipient_text, fill, next_digest, KindPreference, MailMode, Notification,
    NotificationKind, Preferences, DEFAULT_DIGEST_HOUR,
};
use crate::domain::timeline::FactData;
use crate::domain::webhook::{WebhookDossier, WebhookPayload};

/// How many notifications the centre shows at once.
pub const PAGE: i64 = 50;

/// A mail leased for sending: to whom, and the notifications it carries that its recipient may
/// still read (checked again at sending time; none when their rights are gone).
#[derive(Clone, Debug)]
pub struct LeasedMail {
    pub id: i64,
    pub attempts: i32,
    pub created_at: DateTime<Utc>,
    /// Set for a daily digest.
    pub digest_at: Option<DateTime<Utc>>,
    pub email: String,
    pub full_name: String,
    pub items: Vec<MailItem>,
}

/// One notification in a mail.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct MailItem {
    pub title: String,
    pub body: String,
    pub link: String,
    pub action_required: bool,
}

/// Which outbox a mail is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MailQueue {
    /// A person's: one notification, or their digest.
    Person,
    /// An extra recipient's.
    ExtraRecipient,
    /// The webhooks' deliveries (not mails, but leased and sent the same way).
    Webhook,
}

impl MailQueue {
    fn table(self) -> &'static str {
        match self {
            MailQueue::Person => "notification_mail",
            MailQueue::ExtraRecipient => "extra_recipient_mail",
            MailQueue::Webhook => "webhook_delivery",
        }
    }
}

/// A notification to create about a dossier, for whoever may see the dossier among the kind's
/// audience.
pub(crate) struct Notice {
    pub kind: &'static str,
    pub dossier_id: i64,
    /// What caused it: the same cause notifies a person once per kind.
    pub cause: String,
    /// The fields only the cause knows; the dossier's reference, site and post are added.
    pub fields: Vec<(&'static str, String)>,
    pub link: String,
}

/// A notice worded for its audience, before its recipients are known.
struct Prepared<'a> {
    notice: &'a Notice,
    /// Its audience is the dossier's company's people (else the inspection's).
    operators: bool,
    action_required: bool,
    title: String,
    body: String,
}

/// The notices of what the event `event_id` says about dossier `dossier_id` (`opened`: it
/// opened the dossier).
pub(crate) fn event_notices_of(
    dossier_id: i64,
    event_id: i64,
    opened: bool,
    kind: EventKind,
    fact: &FactData,
) -> Vec<Notice> {
    event_notices(kind, fact, opened)
        .into_iter()
        .map(|notice| Notice {
            kind: notice.kind,
            dossier_id,
            cause: format!("evenement:{event_id}"),
            fields: notice.fields,
            link: format!("/dossiers/{dossier_id}{}", notice.link_suffix),
        })
        .collect()
}

#[derive(sqlx::FromRow)]
struct NotificationRow {
    id: i64,
    kind: String,
    kind_label: String,
    action_required: bool,
    title: String,
    body: String,
    link: String,
    created_at: DateTime<Utc>,
    read_at: Option<DateTime<Utc>>,
}

impl From<NotificationRow> for Notification {
    fn from(row: NotificationRow) -> Notification {
        Notification {
            id: row.id,
            kind: row.kind,
            kind_label: row.kind_label,
            action_required: row.action_required,
            title: row.title,
            body: row.body,
            link: row.link,
            created_at: row.created_at,
            read: row.read_at.is_some(),
        }
    }
}

/// Whether the person `u` may see the dossier `d` on the day `$day` (a parameter named by the
/// caller), to be told of it: an active account and, for a dossier, unless the rights desk
/// limited the person's processing, the company's operators and those of a
/// company it gave a mandate in force that day for the dossier's site, the agents of a
/// habilitation valid that day on its site, the heads of its site's posts, the supervisors.
fn allowed_sql(day: &str) -> String {
    format!(
        "{active} AND (d.id IS NULL
          OR (u.limited_at IS NULL
              AND ((u.role = 'operateur' AND u.company_id IS NOT NULL
                    AND (u.company_id = d.company_id OR {represents}))
                   OR {works_there}
                   OR u.role = 'superviseur')))",
        active = super::ACTIVE_USER,
        works_there = works_at_sql(&|column| format!("{column} = d.site_code"), day),
        represents =
            super::mandates::represents_sql("u.company_id", "d.company_id", "d.site_code", day),
    )
}

/// Whether person `u` is an agent with a habilitation of their administration valid on day
/// `{day}`, or a head of service of a post, at a site `site_is` accepts (it words the condition
/// on the site column it is given).
fn works_at_sql(site_is: &dyn Fn(&str) -> String, day: &str) -> String {
    format!(
        "((u.role IN ('agent_sivep', 'agent_dgddi') AND EXISTS (
              SELECT 1 FROM habilitation h
              WHERE h.user_id = u.id AND {habilitation} AND h.withdrawn_at IS NULL
                AND h.starts_on <= {day} AND (h.ends_on IS NULL OR h.ends_on >= {day})
                AND h.administration = CASE WHEN u.role = 'agent_sivep' THEN 'dgal' ELSE 'dgddi' END))
          OR (u.role = 'chef_service' AND EXISTS (
              SELECT 1 FROM post_head ph JOIN post po ON po.code = ph.post_code
              WHERE ph.user_id = u.id AND {headed})))",
        habilitation = site_is("h.site_code"),
        headed = site_is("po.site_code"),
    )
}

/// A notification as written for each of its recipients.
pub(crate) struct Written<'a> {
    pub kind: &'a str,
    pub action_required: bool,
    pub dossier_id: Option<i64>,
    pub cause: &'a str,
    pub title: &'a str,
    pub body: &'a str,
    pub link: &'a str,
}

/// The roles a kind's audience is made of (`operators`: the audience is `operateur`).
fn audience_roles(operators: bool) -> &'static str {
    if operators {
        "('operateur')"
    } else {
        // The inspection decides on appointments: its agents and heads of service.
        "('agent_sivep', 'chef_service')"
    }
}

/// A notification kind as stored: title and body templates, audience, whether it asks for an
/// action, label.
pub(crate) type KindRow = (String, String, String, bool, String);

impl Tx {
    /// Creates the notification for every person of the kind's audience who may see the dossier
    /// now and has none for this cause, with its mail as each person chose (at once, in their
    /// daily digest, or none); the texts carry the dossier's reference, site and post only, which
    /// they all see. How many were created.
    #[tracing::instrument(skip_all)]
    pub(crate) async fn notify(
        &mut self,
        notice: &Notice,
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        self.notify_all(std::slice::from_ref(notice), now).await
    }

    /// [`Tx::notify`] for many notices (those of a batch of events), in order: the dossiers they
    /// are about read once, and their recipients found in one read per audience.
    #[tracing::instrument(skip_all, fields(notices = notices.len()))]
    pub(crate) async fn notify_all(
        &mut self,
        notices: &[Notice],
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        #[derive(sqlx::FromRow)]
        struct About {
            id: i64,
            reference: Option<String>,
            site_name: String,
            site_code: String,
            post_code: Option<String>,
            post_name: Option<String>,
            company_name: Option<String>,
        }
        if notices.is_empty() {
            return Ok(0);
        }
        let ids: BTreeSet<i64> = notices.iter().map(|notice| notice.dossier_id).collect();
        let ids: Vec<i64> = ids.into_iter().collect();
        let rows: Vec<About> = self
            .read_for_dossiers(
                "SELECT d.id, COALESCE(d.container, d.awb, d.ched, d.bill_of_lading, d.mrn) AS reference,
                        s.name AS site_name, d.site_code, d.post_code, p.name AS post_name, c.name AS company_name
                 FROM dossier d JOIN site s ON s.code = d.site_code
                 LEFT JOIN post p ON p.code = d.post_code
                 LEFT JOIN company c ON c.id = d.company_id
                 WHERE d.id IN",
                &ids,
            )
            .await?;
        let about: HashMap<i64, About> = rows.into_iter().map(|row| (row.id, row)).collect();
        // Each notice as its recipients read it, by audience; a notice about a dossier gone
        // notifies nobody.
        let mut prepared: Vec<Prepared> = Vec::new();
        for notice in notices {
            let Some(about) = about.get(&notice.dossier_id) else {
                continue;
            };
            let (title, body, audience, action_required, label) =
                self.notification_kind(notice.kind).await?;
            let post = match (&about.post_name, &about.post_code) {
                (Some(name), Some(code)) => format!("{name} ({code})"),
                (None, Some(code)) => code.clone(),
                _ => "désigné par le service d'inspection".to_owned(),
            };
            let reference = about
                .reference
                .clone()
                .unwrap_or_else(|| format!("dossier n° {}", notice.dossier_id));
            if audience == "operateur" {
                if let Some(company) = &about.company_name {
                    self.mail_extra_recipients(
                        notice.dossier_id,
                        &notice.cause,
                        notice.kind,
                        &format!("{reference} : {label}"),
                        &extra_recipient_text(company, &label, &reference, &post),
                        now,
                    )
                    .await?;
                }
            }
            let mut fields = vec![
                ("reference", reference.clone()),
                ("site", about.site_name.clone()),
                ("poste", post),
            ];
            fields.extend(notice.fields.iter().cloned());
            let (title, body) = (fill(&title, &fields), fill(&body, &fields));
            if audience == "operateur" && about.company_name.is_some() {
                self.queue_webhooks(
                    notice.dossier_id,
                    &notice.cause,
                    &WebhookPayload {
                        id: super::webhooks::new_payload_id(),
                        kind: notice.kind.to_owned(),
                        created_at: now,
                        action_required,
                        title: title.clone(),
                        text: body.clone(),
                        dossier: Some(WebhookDossier {
                            id: notice.dossier_id,
                            reference,
                            site: about.site_code.clone(),
                            post: about.post_code.clone(),
                            url: notice.link.clone(),
                        }),
                    },
                )
                .await?;
            }
            prepared.push(Prepared {
                notice,
                operators: audience == "operateur",
                action_required,
                title,
                body,
            });
        }
        let mut recipients: HashMap<usize, Vec<(i64, String, i32)>> = HashMap::new();
        for operators in [true, false] {
            let group: Vec<(usize, &Prepared)> = prepared
                .iter()
                .enumerate()
                .filter(|(_, prepared)| prepared.operators == operators)
                .collect();
            let size = self.rows_a_statement(4);
            for rows in group.chunks(size) {
                for (index, recipient) in self.notice_recipients(rows, operators, now).await? {
                    recipients.entry(index).or_default().push(recipient);
                }
            }
        }
        let mut created = 0;
        for (index, prepared) in prepared.iter().enumerate() {
            let Some(recipients) = recipients.get(&index) else {
                continue;
            };
            let written = Written {
                kind: prepared.notice.kind,
                action_required: prepared.action_required,
                dossier_id: Some(prepared.notice.dossier_id),
                cause: &prepared.notice.cause,
                title: &prepared.title,
                body: &prepared.body,
                link: &prepared.notice.link,
            };
            self.write_notifications(&written, recipients, now).await?;
            created += recipients.len();
        }
        Ok(created)
    }

    /// Who may see each notice's dossier now, among its kind's audience (`operators`: the
    /// company's people, else the inspection's), with their choices, and has none for its
    /// cause: by notice (its index among those given), in one read.
    async fn notice_recipients(
        &mut self,
        notices: &[(usize, &Prepared<'_>)],
        operators: bool,
        now: DateTime<Utc>,
    ) -> Result<Vec<(usize, (i64, String, i32))>, StoreError> {
        let day = local_day(now);
        let values = (0..notices.len())
            .map(|n| {
                let first = 2 + n * 4;
                format!(
                    "(CAST(${} AS BIGINT), CAST(${} AS BIGINT), CAST(${} AS TEXT), CAST(${} AS TEXT))",
                    first,
                    first + 1,
                    first + 2,
                    first + 3
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        // `n.column1`: the notice's index, then its dossier, kind and cause.
        let sql = format!(
            "SELECT n.column1 AS notice, u.id, COALESCE(p.mail, 'immediat') AS mail,
                    COALESCE(hr.hour, {DEFAULT_DIGEST_HOUR}) AS hour
             FROM (VALUES {values}) AS n
             JOIN dossier d ON d.id = n.column2 JOIN app_user u ON {join}
             LEFT JOIN notification_preference p ON p.user_id = u.id AND p.kind = n.column3
             LEFT JOIN notification_digest_hour hr ON hr.user_id = u.id
             WHERE u.role IN {roles} AND {allowed}
               AND NOT EXISTS (SELECT 1 FROM notification x
                               WHERE x.user_id = u.id AND x.cause = n.column4 AND x.kind = n.column3)
             ORDER BY n.column1, u.id",
            // The company's people, and its representatives' (`allowed` checks their mandate).
            join = if operators {
                "(u.company_id = d.company_id OR u.company_id IN (
                     SELECT m.representative_id FROM mandate m WHERE m.importer_id = d.company_id))"
            } else {
                "TRUE"
            },
            roles = audience_roles(operators),
            allowed = allowed_sql("$1"),
        );
        let rows: Vec<(i64, i64, String, i32)> = on_tx!(self, conn => {
            let mut query = sqlx::query_as(&sql).bind(day);
            for (index, prepared) in notices {
                query = query
                    .bind(*index as i64)
                    .bind(prepared.notice.dossier_id)
                    .bind(prepared.notice.kind)
                    .bind(&prepared.notice.cause);
            }
            query.fetch_all(conn).await
        })?;
        Ok(rows
            .into_iter()
            .map(|(index, user, mail, hour)| (index as usize, (user, mail, hour)))
            .collect())
    }

    /// Tells the active administrators of a company, in the app and by mail at once, what a kind
    /// about the company's account (no dossier) says with `fields`.
    pub(crate) async fn tell_company_admins(
        &mut self,
        company_id: i64,
        kind: &'static str,
        fields: &[(&'static str, String)],
        cause: &str,
        link: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        // Each is told once of a cause, with its mail as they chose.
        let sql = format!(
            "SELECT u.id, COALESCE(p.mail, 'immediat') AS mail,
                    COALESCE(hr.hour, {}) AS hour
             FROM app_user u
             LEFT JOIN notification_preference p ON p.user_id = u.id AND p.kind = $3
             LEFT JOIN notification_digest_hour hr ON hr.user_id = u.id
             WHERE u.company_id = $1 AND u.company_admin AND u.role = 'operateur' AND {}
               AND NOT EXISTS (SELECT 1 FROM notification n
                               WHERE n.user_id = u.id AND n.cause = $2 AND n.kind = $3)
             ORDER BY u.id",
            crate::domain::notification::DEFAULT_DIGEST_HOUR,
            super::NOTIFIED_USER
        );
        let recipients: Vec<(i64, String, i32)> = on_tx!(self, conn => {
            sqlx::query_as(&sql)
            .bind(company_id)
            .bind(cause)
            .bind(kind)
            .fetch_all(conn)
            .await
        })?;
        self.tell_of_no_dossier(kind, fields, (cause, link), &recipients, now)
            .await
    }

    /// Tells one account, in the app and by mail as they chose, what a kind about no dossier
    /// says with `fields`; once per cause. About the account itself (that it will go): told even
    /// to a person whose processing the rights desk limited, since it serves their rights.
    pub(crate) async fn tell_user(
        &mut self,
        user_id: i64,
        kind: &'static str,
        fields: &[(&'static str, String)],
        cause: &str,
        link: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let sql = format!(
            "SELECT u.id, COALESCE(p.mail, 'immediat') AS mail,
                    COALESCE(hr.hour, {}) AS hour
             FROM app_user u
             LEFT JOIN notification_preference p ON p.user_id = u.id AND p.kind = $3
             LEFT JOIN notification_digest_hour hr ON hr.user_id = u.id
             WHERE u.id = $1 AND {}
               AND NOT EXISTS (SELECT 1 FROM notification n
                               WHERE n.user_id = u.id AND n.cause = $2 AND n.kind = $3)",
            crate::domain::notification::DEFAULT_DIGEST_HOUR,
            super::ACTIVE_USER
        );
        let recipients: Vec<(i64, String, i32)> = on_tx!(self, conn => {
            sqlx::query_as(&sql)
                .bind(user_id)
                .bind(cause)
                .bind(kind)
                .fetch_all(conn)
                .await
        })?;
        self.tell_of_no_dossier(kind, fields, (cause, link), &recipients, now)
            .await
    }

    /// Tells the agents with a habilitation in force today at one of `sites`, and the heads of
    /// the posts of those sites, in the app and by mail as each chose, what a kind about no
    /// dossier says with `fields`; each once per cause.
    pub(crate) async fn tell_site_agents(
        &mut self,
        sites: &[crate::domain::references::Locode],
        kind: &'static str,
        fields: &[(&'static str, String)],
        cause: &str,
        link: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        if sites.is_empty() {
            return Ok(());
        }
        let marks = (4..4 + sites.len())
            .map(|n| format!("${n}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT u.id, COALESCE(p.mail, 'immediat') AS mail,
                    COALESCE(hr.hour, {hour}) AS hour
             FROM app_user u
             LEFT JOIN notification_preference p ON p.user_id = u.id AND p.kind = $3
             LEFT JOIN notification_digest_hour hr ON hr.user_id = u.id
             WHERE {active} AND {works_there}
               AND NOT EXISTS (SELECT 1 FROM notification n
                               WHERE n.user_id = u.id AND n.cause = $2 AND n.kind = $3)
             ORDER BY u.id",
            hour = crate::domain::notification::DEFAULT_DIGEST_HOUR,
            active = super::NOTIFIED_USER,
            works_there = works_at_sql(&|column| format!("{column} IN ({marks})"), "$1"),
        );
        let today = local_day(now);
        let recipients: Vec<(i64, String, i32)> = on_tx!(self, conn => {
            let mut query = sqlx::query_as(&sql).bind(today).bind(cause).bind(kind);
            for site in sites {
                query = query.bind(site.as_str());
            }
            query.fetch_all(conn).await
        })?;
        self.tell_of_no_dossier(kind, fields, (cause, link), &recipients, now)
            .await
    }

    /// Writes a kind about no dossier, filled with `fields`, for each of `recipients` (id, mail
    /// choice, digest hour), with its mail as they chose.
    async fn tell_of_no_dossier(
        &mut self,
        kind: &'static str,
        fields: &[(&'static str, String)],
        (cause, link): (&str, &str),
        recipients: &[(i64, String, i32)],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let (title, body, action_required) = self.notification_template(kind).await?;
        let (title, body) = (
            crate::domain::notification::fill(&title, fields),
            crate::domain::notification::fill(&body, fields),
        );
        let written = Written {
            kind,
            action_required,
            dossier_id: None,
            cause,
            title: &title,
            body: &body,
            link,
        };
        self.write_notifications(&written, recipients, now).await
    }

    /// A kind's templates, audience, whether it asks for an action and label; read once in a
    /// transaction that remembers (see [`Tx::remember`]). A kind the program names is in the
    /// table (a migration adds it): its absence is a corrupt store.
    async fn notification_kind(&mut self, code: &str) -> Result<KindRow, StoreError> {
        if let Some(kept) = self.remembered.as_ref().and_then(|r| r.kinds.get(code)) {
            return Ok(kept.clone());
        }
        let kind: Option<KindRow> = on_tx!(self, conn => {
            sqlx::query_as(
                "SELECT title, body, audience, action_required, label FROM notification_kind WHERE code = $1",
            )
            .bind(code)
            .fetch_optional(conn)
            .await
        })?;
        let kind = kind.ok_or_else(|| {
            StoreError::Corrupt(format!("type de notification « {code} » absent"))
        })?;
        if let Some(kept) = &mut self.remembered {
            kept.kinds.insert(code.to_owned(), kind.clone());
        }
        Ok(kind)
    }

    /// The title and body templates of a kind, and whether it asks for an action.
    pub(crate) async fn notification_template(
        &mut self,
        kind: &str,
    ) -> Result<(String, String, bool), StoreError> {
        let (title, body, _, action_required, _) = self.notification_kind(kind).await?;
        Ok((title, body, action_required))
    }

    /// Writes one notification for each recipient (id, mail choice, digest hour), with its mail
    /// as each chose, and tells their open pages.
    pub(crate) async fn write_notifications(
        &mut self,
        written: &Written<'_>,
        recipients: &[(i64, String, i32)],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        for (user_id, mail, hour) in recipients {
            let mode = MailMode::from_code(mail)
                .ok_or_else(|| StoreError::Corrupt(format!("préférence « {mail} »")))?
                .applied(written.action_required);
            let mail_id: Option<i64> = match mode {
                MailMode::Never => None,
                MailMode::Immediate => Some(on_tx!(self, conn => {
                    sqlx::query_scalar(
                        "INSERT INTO notification_mail (user_id, created_at, next_attempt_at)
                         VALUES ($1, $2, $2) RETURNING id",
                    )
                    .bind(user_id)
                    .bind(now)
                    .fetch_one(conn)
                    .await
                })?),
                MailMode::Daily => {
                    let due = next_digest(now, (*hour).clamp(0, 23) as u32);
                    Some(on_tx!(self, conn => {
                        sqlx::query(
                            "INSERT INTO notification_mail (user_id, digest_at, created_at, next_attempt_at)
                             VALUES ($1, $2, $3, $2) ON CONFLICT (user_id, digest_at) DO NOTHING",
                        )
                        .bind(user_id)
                        .bind(due)
                        .bind(now)
                        .execute(&mut *conn)
                        .await?;
                        sqlx::query_scalar(
                            "SELECT id FROM notification_mail WHERE user_id = $1 AND digest_at = $2",
                        )
                        .bind(user_id)
                        .bind(due)
                        .fetch_one(&mut *conn)
                        .await
                    })?)
                }
            };
            on_tx!(self, conn => {
                sqlx::query(
                    "INSERT INTO notification (user_id, kind, dossier_id, cause, title, body, link, created_at, mail_id)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                )
                .bind(user_id)
                .bind(written.kind)
                .bind(written.dossier_id)
                .bind(written.cause)
                .bind(written.title)
                .bind(written.body)
                .bind(written.link)
                .bind(now)
                .bind(mail_id)
                .execute(conn)
                .await
                .map(|_| ())
            })?;
            self.announce(Committed::Notification(*user_id)).await?;
        }
        Ok(())
    }

    /// Opens one of the person's notifications: marks it read and gives where it says to act (a
    /// path of the platform); `None` when they have none of this id.
    #[tracing::instrument(skip_all)]
    pub async fn open_notification(
        &mut self,
        user_id: i64,
        id: i64,
        now: DateTime<Utc>,
    ) -> Result<Option<String>, StoreError> {
        let row: Option<(String, bool)> = on_tx!(self, conn => {
            sqlx::query_as(
                "UPDATE notification SET read_at = COALESCE(read_at, $3)
                 WHERE id = $1 AND user_id = $2
                 RETURNING link, CASE WHEN read_at = $3 THEN TRUE ELSE FALSE END AS now_read",
            )
            .bind(id)
            .bind(user_id)
            .bind(now)
            .fetch_optional(conn)
            .await
        })?;
        let Some((link, now_read)) = row else {
            return Ok(None);
        };
        if now_read {
            self.announce(Committed::Notification(user_id)).await?;
        }
        // Written by the platform; a path of its own, never another site.
        if !link.starts_with('/') || link.starts_with("//") {
            return Err(StoreError::Corrupt(format!(
                "lien de notification « {link} »"
            )));
        }
        Ok(Some(link))
    }

    /// Marks every unread notification of the person read; how many were.
    #[tracing::instrument(skip_all)]
    pub async fn mark_all_notifications_read(
        &mut self,
        user_id: i64,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let done = on_tx!(self, conn => {
            sqlx::query("UPDATE notification SET read_at = $2 WHERE user_id = $1 AND read_at IS NULL")
                .bind(user_id)
                .bind(now)
                .execute(conn)
                .await
                .map(|done| done.rows_affected())
        })?;
        if done > 0 {
            self.announce(Committed::Notification(user_id)).await?;
        }
        Ok(done)
    }
}

impl Tx {
    /// Records a person's choices: the hour of their digest and a mode per kind (kinds that ask
    /// for an action are not stored: they are always mailed at once). Replaces what they chose
    /// before.
    #[tracing::instrument(skip_all)]
    pub async fn save_notification_preferences(
        &mut self,
        user_id: i64,
        digest_hour: u32,
        kinds: &[(String, MailMode)],
    ) -> Result<(), StoreError> {
        on_tx!(self, conn => {
            sqlx::query("DELETE FROM notification_preference WHERE user_id = $1")
                .bind(user_id)
                .execute(&mut *conn)
                .await?;
            for (kind, mode) in kinds {
                sqlx::query(
                    "INSERT INTO notification_preference (user_id, kind, mail)
                     SELECT $1, code, $3 FROM notification_kind WHERE code = $2 AND NOT action_required",
                )
                .bind(user_id)
                .bind(kind)
                .bind(mode.code())
                .execute(&mut *conn)
                .await?;
            }
            sqlx::query("DELETE FROM notification_digest_hour WHERE user_id = $1")
                .bind(user_id)
                .execute(&mut *conn)
                .await?;
            sqlx::query("INSERT INTO notification_digest_hour (user_id, hour) VALUES ($1, $2)")
                .bind(user_id)
                .bind(digest_hour.min(23) as i32)
                .execute(&mut *conn)
                .await
                .map(|_| ())
        })?;
        Ok(())
    }
}

impl Store {
    /// What waits to be sent: notification mails, and webhook deliveries (neither sent nor
    /// given up), for the operations' metrics. Both counts read a partial index.
    #[tracing::instrument(skip_all)]
    pub async fn backlogs(&self) -> Result<(i64, i64), StoreError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT (SELECT COUNT(*) FROM notification_mail
                         WHERE sent_at IS NULL AND given_up_at IS NULL),
                        (SELECT COUNT(*) FROM webhook_delivery
                         WHERE sent_at IS NULL AND given_up_at IS NULL)",
            )
            .fetch_one(pool)
            .await
        })?)
    }

    /// A person's choices, for the kinds of their audience.
    #[tracing::instrument(skip_all)]
    pub async fn notification_preferences(
        &self,
        user_id: i64,
        audience: &str,
    ) -> Result<Preferences, StoreError> {
        let rows: Vec<(String, String, bool, Option<String>)> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT k.code, k.label, k.action_required, p.mail
                 FROM notification_kind k
                 LEFT JOIN notification_preference p ON p.kind = k.code AND p.user_id = $1
                 WHERE k.audience = $2
                   AND (k.about_dossier OR EXISTS (SELECT 1 FROM app_user u WHERE u.id = $1 AND u.company_admin))
                 ORDER BY k.position",
            )
            .bind(user_id)
            .bind(audience)
            .fetch_all(pool)
            .await
        })?;
        let hour: Option<i32> = on_pool!(self, pool => {
            sqlx::query_scalar("SELECT hour FROM notification_digest_hour WHERE user_id = $1")
                .bind(user_id)
                .fetch_optional(pool)
                .await
        })?;
        let mut kinds = Vec::with_capacity(rows.len());
        for (code, label, action_required, mail) in rows {
            let mail = match mail {
                Some(mail) => MailMode::from_code(&mail)
                    .ok_or_else(|| StoreError::Corrupt(format!("préférence « {mail} »")))?,
                None => MailMode::Immediate,
            };
            kinds.push(KindPreference {
                code,
                label,
                action_required,
                mail: mail.applied(action_required),
            });
        }
        Ok(Preferences {
            digest_hour: hour.map_or(DEFAULT_DIGEST_HOUR, |hour| hour.clamp(0, 23) as u32),
            kinds,
        })
    }

    /// Reminds the operators of the appointments that start soon: the day before (within the
    /// next 24 hours, but more than two hours ahead) and two hours before, each once (several
    /// instances may run this at once: the appointment's row is claimed in the transaction).
    /// How many reminders were sent.
    #[tracing::instrument(skip_all)]
    pub async fn send_reminders(&self, now: DateTime<Utc>) -> Result<usize, StoreError> {
        let mut sent = 0;
        for (column, kind, from, to) in [
            (
                "reminded_day_before_at",
                "rappel_veille",
                chrono::Duration::hours(2),
                chrono::Duration::hours(24),
            ),
            (
                "reminded_two_hours_at",
                "rappel_deux_heures",
                chrono::Duration::zero(),
                chrono::Duration::hours(2),
            ),
        ] {
            let due: Vec<(i64, i64, String, DateTime<Utc>)> = on_pool!(self, pool => {
                sqlx::query_as(&format!(
                    "SELECT a.id, a.dossier_id, a.check_kind, s.starts_at
                     FROM slot s JOIN appointment a ON a.slot_id = s.id
                     WHERE s.starts_at > $1 AND s.starts_at <= $2
                       AND a.state IN ('confirme', 'reporte') AND a.{column} IS NULL"
                ))
                .bind(now + from)
                .bind(now + to)
                .fetch_all(pool)
                .await
            })?;
            for (id, dossier_id, check, starts_at) in due {
                let mut tx = self.begin().await?;
                let claimed = on_tx!(tx, conn => {
                    sqlx::query(&format!(
                        "UPDATE appointment SET {column} = $2 WHERE id = $1 AND {column} IS NULL"
                    ))
                    .bind(id)
                    .bind(now)
                    .execute(conn)
                    .await
                    .map(|done| done.rows_affected())
                })?;
                if claimed == 0 {
                    continue;
                }
                tx.notify(
                    &Notice {
                        kind,
                        dossier_id,
                        cause: format!("rendez-vous:{id}:{kind}"),
                        fields: appointment_fields(&check, starts_at, None),
                        link: format!("/dossiers/{dossier_id}/rendez-vous"),
                    },
                    now,
                )
                .await?;
                tx.commit().await?;
                sent += 1;
            }
        }
        Ok(sent)
    }

    /// Tells the operators of the steps under way that have waited more than half again the 80th
    /// percentile of their forecast (the durations observed at the dossier's post, or site, for
    /// its goods), once per step and start, several instances running it or not; only those
    /// that crossed that line in the last day. How many.
    #[tracing::instrument(skip_all)]
    pub async fn notify_late_steps(&self, now: DateTime<Utc>) -> Result<usize, StoreError> {
        // p80 × 1.5 minutes is p80 × 90 seconds; crossed in the last day only, so that steps
        // late for long (records migrated in, a worker stopped for days) are not told in a burst.
        let late = format!(
            "{} AND {}",
            self.later("s.started_at", "f.p80_minutes * 90", "<", "$1"),
            self.later("s.started_at", "f.p80_minutes * 90", ">", "$2")
        );
        let sql = format!(
            "SELECT s.dossier_id, s.kind, s.started_at, f.p80_minutes
             FROM step s JOIN dossier d ON d.id = s.dossier_id
             JOIN forecast_basis f ON f.place = CASE WHEN d.post_code IS NULL THEN 'site:' || d.site_code
                                                    ELSE 'poste:' || d.post_code END
                                  AND f.goods_category = d.goods_category AND f.kind = s.kind
             WHERE s.state IN ('en_cours', 'bloque') AND s.started_at IS NOT NULL
               AND f.p80_minutes IS NOT NULL AND {late}
               AND NOT EXISTS (SELECT 1 FROM late_step l WHERE l.dossier_id = s.dossier_id
                               AND l.kind = s.kind AND l.started_at = s.started_at)
             ORDER BY s.started_at LIMIT 500"
        );
        let steps: Vec<(i64, String, DateTime<Utc>, i64)> = on_pool!(self, pool => {
            sqlx::query_as(&sql)
                .bind(now)
                .bind(now - chrono::Duration::days(1))
                .fetch_all(pool)
                .await
        })?;
        let mut told = 0;
        for (dossier_id, kind, started_at, p80) in steps {
            let mut tx = self.begin().await?;
            let claimed = on_tx!(tx, conn => {
                sqlx::query(
                    "INSERT INTO late_step (dossier_id, kind, started_at, noticed_at)
                     VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                )
                .bind(dossier_id)
                .bind(&kind)
                .bind(started_at)
                .bind(now)
                .execute(conn)
                .await
                .map(|done| done.rows_affected())
            })?;
            if claimed == 0 {
                continue;
            }
            let step = crate::domain::journey::StepKind::from_code(&kind)
                .map(|step| step.label().to_owned())
                .unwrap_or(kind.clone());
            tx.notify(
                &Notice {
                    kind: "etape_en_retard",
                    dossier_id,
                    cause: format!("etape:{kind}:{}", started_at.timestamp()),
                    fields: vec![
                        ("etape", step),
                        ("depuis", crate::ui::format::date_time(started_at)),
                        (
                            "habitude",
                            format!(
                                "8 fois sur 10, moins de {}",
                                crate::ui::format::duration_minutes(p80)
                            ),
                        ),
                    ],
                    link: format!("/dossiers/{dossier_id}"),
                },
                now,
            )
            .await?;
            tx.commit().await?;
            told += 1;
        }
        Ok(told)
    }

    /// The person's notifications, newest first, a page of [`PAGE`] before `before` (an id), of
    /// one kind or unread only when asked.
    #[tracing::instrument(skip_all)]
    pub async fn notifications(
        &self,
        user_id: i64,
        kind: Option<&str>,
        unread_only: bool,
        before: Option<i64>,
    ) -> Result<Vec<Notification>, StoreError> {
        let mut sql = String::from(
            "SELECT n.id, n.kind, k.label AS kind_label, k.action_required, n.title, n.body, n.link,
                    n.created_at, n.read_at
             FROM notification n JOIN notification_kind k ON k.code = n.kind
             WHERE n.user_id = $1",
        );
        let mut next = 2;
        if kind.is_some() {
            sql.push_str(&format!(" AND n.kind = ${next}"));
            next += 1;
        }
        if unread_only {
            sql.push_str(" AND n.read_at IS NULL");
        }
        if before.is_some() {
            sql.push_str(&format!(" AND n.id < ${next}"));
        }
        sql.push_str(&format!(" ORDER BY n.id DESC LIMIT {PAGE}"));
        let rows: Vec<NotificationRow> = on_pool!(self, pool => {
            let mut query = sqlx::query_as(&sql).bind(user_id);
            if let Some(kind) = kind {
                query = query.bind(kind);
            }
            if let Some(before) = before {
                query = query.bind(before);
            }
            query.fetch_all(pool).await
        })?;
        Ok(rows.into_iter().map(Notification::from).collect())
    }

    /// The kinds about a dossier an operator company may send outside (to its extra recipients
    /// and its webhooks), in their order.
    #[tracing::instrument(skip_all)]
    pub async fn company_kinds(&self) -> Result<Vec<NotificationKind>, StoreError> {
        self.kinds("WHERE audience = 'operateur' AND about_dossier AND sent_outside")
            .await
    }

    /// Every kind of notification, in their order, for the centre's filter.
    #[tracing::instrument(skip_all)]
    pub async fn notification_kinds(&self) -> Result<Vec<NotificationKind>, StoreError> {
        self.kinds("").await
    }

    async fn kinds(&self, filter: &str) -> Result<Vec<NotificationKind>, StoreError> {
        let sql = format!(
            "SELECT code, label, action_required FROM notification_kind {filter} ORDER BY position"
        );
        let rows: Vec<(String, String, bool)> = on_pool!(self, pool => {
            sqlx::query_as(&sql).fetch_all(pool).await
        })?;
        Ok(rows
            .into_iter()
            .map(|(code, label, action_required)| NotificationKind {
                code,
                label,
                action_required,
            })
            .collect())
    }

    /// Leases up to `limit` mails of `queue` due at `now` for `instance`, until `until`: no other
    /// instance takes them meanwhile (on PostgreSQL, rows another is leasing are skipped, not
    /// waited for). A lease that lapsed (its instance stopped while sending) is taken again.
    /// Their ids.
    pub(crate) async fn lease(
        &self,
        queue: MailQueue,
        instance: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<i64>, StoreError> {
        let lock = match self.backend() {
            super::Backend::Postgres => " FOR UPDATE SKIP LOCKED",
            super::Backend::Sqlite => "",
        };
        let table = queue.table();
        let due = "sent_at IS NULL AND given_up_at IS NULL AND next_attempt_at <= $1
                   AND (leased_until IS NULL OR leased_until < $1)";
        let chosen = match queue {
            // One delivery in flight per endpoint, whichever instance sends it: an endpoint slow
            // to answer takes one place, never a whole batch. The outer query repeats what makes a
            // row due: on PostgreSQL, a row another instance leased meanwhile is checked again
            // on its new version only against the conditions of the locking query itself.
            MailQueue::Webhook => format!(
                "SELECT id FROM webhook_delivery WHERE {due} AND id IN (
                     SELECT MIN(w.id) FROM webhook_delivery w
                     WHERE {due} AND NOT EXISTS (
                         SELECT 1 FROM webhook_delivery o
                         WHERE o.endpoint_id = w.endpoint_id AND o.sent_at IS NULL
                           AND o.given_up_at IS NULL AND o.leased_until >= $1)
                     GROUP BY w.endpoint_id)
                 ORDER BY next_attempt_at, id LIMIT {limit}{lock}"
            ),
            _ => format!(
                "SELECT id FROM {table} WHERE {due} ORDER BY next_attempt_at, id LIMIT {limit}{lock}"
            ),
        };
        Ok(on_pool!(self, pool => {
            sqlx::query_scalar(&format!(
                "UPDATE {table} SET leased_until = $2, leased_by = $3 WHERE id IN ({chosen}) RETURNING id"
            ))
            .bind(now)
            .bind(until)
            .bind(instance)
            .fetch_all(pool)
            .await
        })?)
    }

    /// Leases up to `limit` of the people's mails due at `now` (see [`Store::lease`]), with
    /// what they carry.
    #[tracing::instrument(skip_all)]
    pub async fn lease_mails(
        &self,
        instance: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<LeasedMail>, StoreError> {
        let leased = self
            .lease(MailQueue::Person, instance, now, until, limit)
            .await?;
        let day = local_day(now);
        let items_sql = format!(
            "SELECT n.title, n.body, n.link, k.action_required
             FROM notification n
             JOIN notification_kind k ON k.code = n.kind
             JOIN app_user u ON u.id = n.user_id
             LEFT JOIN dossier d ON d.id = n.dossier_id
             WHERE n.mail_id = $1 AND {}
             ORDER BY n.id",
            allowed_sql("$2")
        );
        let mut mails = Vec::with_capacity(leased.len());
        for id in leased {
            #[derive(sqlx::FromRow)]
            struct Head {
                attempts: i32,
                created_at: DateTime<Utc>,
                digest_at: Option<DateTime<Utc>>,
                email: String,
                full_name: String,
            }
            let head: Option<Head> = on_pool!(self, pool => {
                sqlx::query_as(
                    "SELECT m.attempts, m.created_at, m.digest_at, u.email, u.full_name
                     FROM notification_mail m JOIN app_user u ON u.id = m.user_id
                     WHERE m.id = $1",
                )
                .bind(id)
                .fetch_optional(pool)
                .await
            })?;
            let Some(head) = head else {
                continue;
            };
            let items: Vec<MailItem> = on_pool!(self, pool => {
                sqlx::query_as(&items_sql)
                    .bind(id)
                    .bind(day)
                    .fetch_all(pool)
                    .await
            })?;
            mails.push(LeasedMail {
                id,
                attempts: head.attempts,
                created_at: head.created_at,
                digest_at: head.digest_at,
                email: head.email,
                full_name: head.full_name,
                items,
            });
        }
        Ok(mails)
    }

    /// A leased mail was sent (`leased_by` then tells which instance sent it); `false` when the
    /// lease was lost meanwhile (nothing changed).
    #[tracing::instrument(skip_all)]
    pub async fn mail_sent(
        &self,
        queue: MailQueue,
        id: i64,
        instance: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let done = on_pool!(self, pool => {
            sqlx::query(&format!(
                "UPDATE {} SET sent_at = $3, attempts = attempts + 1,
                        leased_until = NULL, last_error = NULL
                 WHERE id = $1 AND leased_by = $2 AND sent_at IS NULL",
                queue.table()
            ))
            .bind(id)
            .bind(instance)
            .bind(now)
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
        })?;
        Ok(done == 1)
    }

    /// A leased mail could not be sent: tried again at `retry_at`, or given up when `None`.
    #[tracing::instrument(skip_all)]
    pub async fn mail_failed(
        &self,
        queue: MailQueue,
        id: i64,
        instance: &str,
        now: DateTime<Utc>,
        retry_at: Option<DateTime<Utc>>,
        error: &str,
    ) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            sqlx::query(&format!(
                "UPDATE {} SET attempts = attempts + 1, leased_until = NULL, leased_by = NULL,
                        next_attempt_at = COALESCE($3, next_attempt_at),
                        given_up_at = CASE WHEN $3 IS NULL THEN $4 ELSE NULL END,
                        last_error = $5
                 WHERE id = $1 AND leased_by = $2 AND sent_at IS NULL",
                queue.table()
            ))
            .bind(id)
            .bind(instance)
            .bind(retry_at)
            .bind(now)
            .bind(error)
            .execute(pool)
            .await
            .map(|_| ())
        })?;
        Ok(())
    }
}

/// The fields of an appointment's texts: the check, when (Paris time), and the reason given.
pub(crate) fn appointment_fields(
    check: &str,
    starts_at: DateTime<Utc>,
    reason: Option<&str>,
) -> Vec<(&'static str, String)> {
    use crate::domain::appointment::CheckKind;
    let check = match CheckKind::from_code(check) {
        Some(CheckKind::Identity) => "d'identité",
        _ => "physique",
    };
    let mut fields = vec![
        ("controle", check.to_owned()),
        ("quand", crate::ui::format::date_time(starts_at)),
    ];
    if let Some(reason) = reason {
        fields.push(("motif", reason.to_owned()));
    }
    fields
}
