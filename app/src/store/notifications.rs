//! Notifications and their mails. A notification is written in the transaction of the change
//! that causes it, for the people who may see its dossier at that moment, with its mail to send
//! (an outbox): a change rolled back notifies nobody, a change committed loses no mail. The
//! mails are then leased by whichever instance asks first (`FOR UPDATE SKIP LOCKED` on
//! PostgreSQL; SQLite's writers are serialised), sent, and marked; a failure is tried again later.

use chrono::{DateTime, Utc};

use super::{feed::Committed, on_pool, on_tx, Store, StoreError, Tx};
use crate::domain::journey::EventKind;
use crate::domain::notification::{event_notices, fill, Notification, NotificationKind};
use crate::domain::timeline::FactData;

/// How many notifications the centre shows at once.
pub const PAGE: i64 = 50;

/// A mail leased for sending, with what it needs to be written, and whether its recipient may
/// still receive it (checked again at sending time).
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct LeasedMail {
    pub id: i64,
    pub notification_id: i64,
    pub attempts: i32,
    pub created_at: DateTime<Utc>,
    pub email: String,
    pub full_name: String,
    pub title: String,
    pub body: String,
    pub link: String,
    pub action_required: bool,
    /// The person's account is active and, for a dossier's notification, they may still see
    /// the dossier.
    pub allowed: bool,
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

/// Whether the recipient of a notification may see it now: an active account and, for a
/// dossier's, an operator of the dossier's company (`n`, `u` and `d` joined).
const ALLOWED_SQL: &str = "u.disabled_at IS NULL
     AND (n.dossier_id IS NULL
          OR (u.role = 'operateur' AND u.company_id IS NOT NULL AND u.company_id = d.company_id))";

impl Tx {
    /// Notifies the operators of the dossier's company of what the event `event_id` says
    /// (`opened`: it opened the dossier), each on the app and by mail. The texts carry the
    /// dossier's reference, site and post only, which its operators see.
    #[tracing::instrument(skip_all)]
    pub(crate) async fn notify_event(
        &mut self,
        dossier_id: i64,
        event_id: i64,
        opened: bool,
        kind: EventKind,
        fact: &FactData,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let notices = event_notices(kind, fact, opened);
        if notices.is_empty() {
            return Ok(());
        }
        #[derive(sqlx::FromRow)]
        struct About {
            company_id: Option<i64>,
            reference: Option<String>,
            site_name: String,
            post_code: Option<String>,
            post_name: Option<String>,
        }
        let about: Option<About> = on_tx!(self, conn => {
            sqlx::query_as(
                "SELECT d.company_id, COALESCE(d.container, d.awb, d.ched, d.bill_of_lading, d.mrn) AS reference,
                        s.name AS site_name, d.post_code, p.name AS post_name
                 FROM dossier d JOIN site s ON s.code = d.site_code
                 LEFT JOIN post p ON p.code = d.post_code
                 WHERE d.id = $1",
            )
            .bind(dossier_id)
            .fetch_optional(conn)
            .await
        })?;
        let Some(about) = about else {
            return Ok(());
        };
        let Some(company_id) = about.company_id else {
            // No company known yet: nobody outside the administrations sees the dossier.
            return Ok(());
        };
        let post = match (&about.post_name, &about.post_code) {
            (Some(name), Some(code)) => format!("{name} ({code})"),
            (None, Some(code)) => code.clone(),
            _ => "désigné par le service d'inspection".to_owned(),
        };
        let cause = format!("evenement:{event_id}");
        for notice in notices {
            let template: Option<(String, String)> = on_tx!(self, conn => {
                sqlx::query_as("SELECT title, body FROM notification_kind WHERE code = $1")
                    .bind(notice.kind)
                    .fetch_optional(conn)
                    .await
            })?;
            let Some((title, body)) = template else {
                return Err(StoreError::Corrupt(format!(
                    "type de notification « {} » absent",
                    notice.kind
                )));
            };
            let mut fields = vec![
                (
                    "reference",
                    about
                        .reference
                        .clone()
                        .unwrap_or_else(|| format!("dossier n° {dossier_id}")),
                ),
                ("site", about.site_name.clone()),
                ("poste", post.clone()),
            ];
            fields.extend(notice.fields.iter().cloned());
            let link = format!("/dossiers/{dossier_id}{}", notice.link_suffix);
            let created: Vec<(i64, i64)> = on_tx!(self, conn => {
                sqlx::query_as(
                    "INSERT INTO notification (user_id, kind, dossier_id, cause, title, body, link, created_at)
                     SELECT u.id, $1, $2, $3, $4, $5, $6, $7 FROM app_user u
                     WHERE u.company_id = $8 AND u.role = 'operateur' AND u.disabled_at IS NULL
                       AND NOT EXISTS (SELECT 1 FROM notification n
                                       WHERE n.user_id = u.id AND n.cause = $3 AND n.kind = $1)
                     RETURNING id, user_id",
                )
                .bind(notice.kind)
                .bind(dossier_id)
                .bind(&cause)
                .bind(fill(&title, &fields))
                .bind(fill(&body, &fields))
                .bind(&link)
                .bind(now)
                .bind(company_id)
                .fetch_all(conn)
                .await
            })?;
            for (notification_id, user_id) in created {
                on_tx!(self, conn => {
                    sqlx::query(
                        "INSERT INTO notification_mail (notification_id, created_at, next_attempt_at)
                         VALUES ($1, $2, $2)",
                    )
                    .bind(notification_id)
                    .bind(now)
                    .execute(conn)
                    .await
                    .map(|_| ())
                })?;
                self.announce(Committed::Notification(user_id)).await?;
            }
        }
        Ok(())
    }

    /// Marks one of the person's notifications read; `false` when they have none of this id
    /// (another person's answers the same as one that does not exist).
    #[tracing::instrument(skip_all)]
    pub async fn mark_notification_read(
        &mut self,
        user_id: i64,
        id: i64,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let found: Option<i64> = on_tx!(self, conn => {
            sqlx::query_scalar(
                "UPDATE notification SET read_at = COALESCE(read_at, $3)
                 WHERE id = $1 AND user_id = $2 RETURNING id",
            )
            .bind(id)
            .bind(user_id)
            .bind(now)
            .fetch_optional(conn)
            .await
        })?;
        if found.is_some() {
            self.announce(Committed::Notification(user_id)).await?;
        }
        Ok(found.is_some())
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

impl Store {
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

    /// Every kind of notification, in their order, for the centre's filter.
    #[tracing::instrument(skip_all)]
    pub async fn notification_kinds(&self) -> Result<Vec<NotificationKind>, StoreError> {
        let rows: Vec<(String, String, bool)> = on_pool!(self, pool => {
            sqlx::query_as("SELECT code, label, action_required FROM notification_kind ORDER BY position")
                .fetch_all(pool)
                .await
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

    /// Leases up to `limit` mails due at `now` for `instance`, until `until`: no other instance
    /// takes them meanwhile. A lease that lapsed (its instance stopped while sending) is taken
    /// again.
    #[tracing::instrument(skip_all)]
    pub async fn lease_mails(
        &self,
        instance: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<LeasedMail>, StoreError> {
        let lock = match self.backend() {
            super::Backend::Postgres => " FOR UPDATE SKIP LOCKED",
            super::Backend::Sqlite => "",
        };
        let leased: Vec<i64> = on_pool!(self, pool => {
            sqlx::query_scalar(&format!(
                "UPDATE notification_mail SET leased_until = $2, leased_by = $3
                 WHERE id IN (SELECT id FROM notification_mail
                              WHERE sent_at IS NULL AND given_up_at IS NULL AND next_attempt_at <= $1
                                AND (leased_until IS NULL OR leased_until < $1)
                              ORDER BY next_attempt_at, id LIMIT {limit}{lock})
                 RETURNING id"
            ))
            .bind(now)
            .bind(until)
            .bind(instance)
            .fetch_all(pool)
            .await
        })?;
        let mut mails = Vec::with_capacity(leased.len());
        for id in leased {
            let mail: Option<LeasedMail> = on_pool!(self, pool => {
                sqlx::query_as(&format!(
                    "SELECT m.id, m.notification_id, m.attempts, m.created_at, u.email, u.full_name,
                            n.title, n.body, n.link, k.action_required,
                            CASE WHEN {ALLOWED_SQL} THEN TRUE ELSE FALSE END AS allowed
                     FROM notification_mail m
                     JOIN notification n ON n.id = m.notification_id
                     JOIN notification_kind k ON k.code = n.kind
                     JOIN app_user u ON u.id = n.user_id
                     LEFT JOIN dossier d ON d.id = n.dossier_id
                     WHERE m.id = $1"
                ))
                .bind(id)
                .fetch_optional(pool)
                .await
            })?;
            mails.extend(mail);
        }
        Ok(mails)
    }

    /// A leased mail was sent (`leased_by` then tells which instance sent it); `false` when the
    /// lease was lost meanwhile (nothing changed).
    #[tracing::instrument(skip_all)]
    pub async fn mail_sent(
        &self,
        id: i64,
        instance: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let done = on_pool!(self, pool => {
            sqlx::query(
                "UPDATE notification_mail SET sent_at = $3, attempts = attempts + 1,
                        leased_until = NULL, last_error = NULL
                 WHERE id = $1 AND leased_by = $2 AND sent_at IS NULL",
            )
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
        id: i64,
        instance: &str,
        now: DateTime<Utc>,
        retry_at: Option<DateTime<Utc>>,
        error: &str,
    ) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            sqlx::query(
                "UPDATE notification_mail SET attempts = attempts + 1, leased_until = NULL, leased_by = NULL,
                        next_attempt_at = COALESCE($3, next_attempt_at),
                        given_up_at = CASE WHEN $3 IS NULL THEN $4 ELSE NULL END,
                        last_error = $5
                 WHERE id = $1 AND leased_by = $2 AND sent_at IS NULL",
            )
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
