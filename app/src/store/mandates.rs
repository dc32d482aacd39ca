//! Mandates of representation (see [`crate::domain::mandate`]): given and revoked by an
//! importer's administrators, read by both companies, and what a representative's people may
//! see today.

use chrono::{DateTime, NaiveDate, Utc};

use super::{on_pool, on_tx, Store, StoreError, Tx};
use crate::domain::mandate::{Mandate, MandateDraft, MandateState};
use crate::domain::references::Locode;

/// The companies representing company `{company}` at site `{site}` on day `{day}` (SQL
/// expressions named by the caller), as a subquery of their ids.
pub(crate) fn representatives_sql(company: &str, site: &str, day: &str) -> String {
    format!(
        "SELECT m.representative_id FROM mandate m JOIN mandate_site ms ON ms.mandate_id = m.id
         WHERE m.importer_id = {company} AND ms.site_code = {site} AND m.revoked_at IS NULL
           AND m.starts_on <= {day} AND (m.ends_on IS NULL OR m.ends_on >= {day})"
    )
}

/// Whether company `{representative}` represents company `{company}` at site `{site}` on day
/// `{day}` (a person's company, a webhook's).
pub(crate) fn represents_sql(representative: &str, company: &str, site: &str, day: &str) -> String {
    format!(
        "{representative} IN ({})",
        representatives_sql(company, site, day)
    )
}

/// A mandate to revoke, locked.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct LockedMandate {
    pub importer_id: i64,
    pub representative_id: i64,
    pub revoked: bool,
    pub ends_on: Option<NaiveDate>,
}

#[derive(sqlx::FromRow)]
struct MandateRow {
    id: i64,
    importer: String,
    representative: String,
    representative_siret: String,
    starts_on: NaiveDate,
    ends_on: Option<NaiveDate>,
    revoked: bool,
}

const MANDATES: &str = "SELECT m.id, i.name AS importer, r.name AS representative,
        r.siret AS representative_siret, m.starts_on, m.ends_on,
        m.revoked_at IS NOT NULL AS revoked
 FROM mandate m JOIN company i ON i.id = m.importer_id JOIN company r ON r.id = m.representative_id";

impl Store {
    /// The companies `company_id` represents on `day`, each at the sites of a mandate in force
    /// (importer, site).
    #[tracing::instrument(skip_all)]
    pub async fn represented(
        &self,
        company_id: i64,
        day: NaiveDate,
    ) -> Result<Vec<(i64, Locode)>, StoreError> {
        let rows: Vec<(i64, String)> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT DISTINCT m.importer_id, ms.site_code
                 FROM mandate m JOIN mandate_site ms ON ms.mandate_id = m.id
                 WHERE m.representative_id = $1 AND m.revoked_at IS NULL
                   AND m.starts_on <= $2 AND (m.ends_on IS NULL OR m.ends_on >= $2)
                 ORDER BY m.importer_id, ms.site_code",
            )
            .bind(company_id)
            .bind(day)
            .fetch_all(pool)
            .await
        })?;
        rows.into_iter()
            .map(|(importer, site)| {
                Locode::parse(&site)
                    .map(|site| (importer, site))
                    .map_err(|error| StoreError::Corrupt(error.to_string()))
            })
            .collect()
    }

    /// The mandates a company gave (`given`) or received, the most recent first, as they stand
    /// on `today`; with `sites`, only what they cover among those sites (an agent's card).
    #[tracing::instrument(skip_all)]
    pub async fn mandates(
        &self,
        company_id: i64,
        given: bool,
        today: NaiveDate,
        sites: Option<&[Locode]>,
    ) -> Result<Vec<Mandate>, StoreError> {
        if sites.is_some_and(|sites| sites.is_empty()) {
            return Ok(Vec::new());
        }
        // An agent's card shows the 200 most recent mandates that cover one of their sites.
        let covering = match sites {
            Some(sites) => format!(
                " AND EXISTS (SELECT 1 FROM mandate_site ms WHERE ms.mandate_id = m.id
                                AND ms.site_code IN ({}))",
                (2..sites.len() + 2)
                    .map(|n| format!("${n}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            None => String::new(),
        };
        let sql = format!(
            "{MANDATES} WHERE m.{} = $1{covering} ORDER BY m.given_at DESC, m.id DESC LIMIT 200",
            if given {
                "importer_id"
            } else {
                "representative_id"
            }
        );
        let rows: Vec<MandateRow> = on_pool!(self, pool => {
            let mut query = sqlx::query_as(&sql).bind(company_id);
            for site in sites.unwrap_or_default() {
                query = query.bind(site.as_str());
            }
            query.fetch_all(pool).await
        })?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let ids = rows
            .iter()
            .map(|row| row.id.to_string())
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT ms.mandate_id, s.code, s.name FROM mandate_site ms JOIN site s ON s.code = ms.site_code
             WHERE ms.mandate_id IN ({ids}) ORDER BY s.name"
        );
        let covered: Vec<(i64, String, String)> = on_pool!(self, pool => {
            sqlx::query_as(&sql).fetch_all(pool).await
        })?;
        let covered: Vec<(i64, String)> = covered
            .into_iter()
            .filter(|(_, code, _)| {
                sites.is_none_or(|sites| sites.iter().any(|site| site.as_str() == code))
            })
            .map(|(mandate, _, name)| (mandate, name))
            .collect();
        Ok(rows
            .into_iter()
            .filter(|row| covered.iter().any(|(mandate, _)| *mandate == row.id))
            .map(|row| Mandate {
                id: row.id,
                importer: row.importer,
                representative: row.representative,
                representative_siret: row.representative_siret,
                sites: covered
                    .iter()
                    .filter(|(mandate, _)| *mandate == row.id)
                    .map(|(_, name)| name.clone())
                    .collect(),
                starts_on: row.starts_on,
                ends_on: row.ends_on,
                state: MandateState::on(row.starts_on, row.ends_on, row.revoked, today),
            })
            .collect())
    }
}

impl Tx {
    /// Records a mandate `importer_id` gives `representative_id`: its number.
    #[tracing::instrument(skip_all)]
    pub async fn insert_mandate(
        &mut self,
        importer_id: i64,
        representative_id: i64,
        draft: &MandateDraft,
        given_by: i64,
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let id: i64 = on_tx!(self, conn => {
            sqlx::query_scalar(
                "INSERT INTO mandate (importer_id, representative_id, starts_on, ends_on, given_by, given_at)
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(importer_id)
            .bind(representative_id)
            .bind(draft.starts_on)
            .bind(draft.ends_on)
            .bind(given_by)
            .bind(now)
            .fetch_one(conn)
            .await
        })?;
        self.link_sites("mandate_site", "mandate_id", id, &draft.sites)
            .await?;
        Ok(id)
    }

    /// A mandate, its row locked until its revocation is written.
    #[tracing::instrument(skip_all)]
    pub async fn lock_mandate(&mut self, id: i64) -> Result<Option<LockedMandate>, StoreError> {
        let lock = self.row_lock();
        let sql = format!(
            "SELECT importer_id, representative_id, revoked_at IS NOT NULL AS revoked, ends_on
             FROM mandate WHERE id = $1{lock}"
        );
        Ok(on_tx!(self, conn => {
            sqlx::query_as(&sql).bind(id).fetch_optional(conn).await
        })?)
    }

    /// Revokes a mandate locked by `lock_mandate`.
    #[tracing::instrument(skip_all)]
    pub async fn revoke_mandate(
        &mut self,
        id: i64,
        by: i64,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        on_tx!(self, conn => {
            sqlx::query(
                "UPDATE mandate SET revoked_by = $2, revoked_at = $3 WHERE id = $1 AND revoked_at IS NULL",
            )
            .bind(id)
            .bind(by)
            .bind(now)
            .execute(conn)
            .await
            .map(|_| ())
        })?;
        Ok(())
    }

    /// The names of a mandate's sites, for what its companies are told.
    #[tracing::instrument(skip_all)]
    pub async fn mandate_site_names(&mut self, id: i64) -> Result<Vec<String>, StoreError> {
        Ok(on_tx!(self, conn => {
            sqlx::query_scalar(
                "SELECT s.name FROM mandate_site ms JOIN site s ON s.code = ms.site_code
                 WHERE ms.mandate_id = $1 ORDER BY s.name",
            )
            .bind(id)
            .fetch_all(conn)
            .await
        })?)
    }

    /// A company's name.
    #[tracing::instrument(skip_all)]
    pub async fn company_name(&mut self, company_id: i64) -> Result<String, StoreError> {
        let name: Option<String> = on_tx!(self, conn => {
            sqlx::query_scalar("SELECT name FROM company WHERE id = $1")
                .bind(company_id)
                .fetch_optional(conn)
                .await
        })?;
        name.ok_or_else(|| StoreError::Corrupt(format!("entreprise {company_id} introuvable")))
    }

    /// Tells the open pages of every account of a company that what they may see changed.
    #[tracing::instrument(skip_all)]
    pub async fn announce_company_access(&mut self, company_id: i64) -> Result<(), StoreError> {
        let users: Vec<i64> = on_tx!(self, conn => {
            sqlx::query_scalar("SELECT id FROM app_user WHERE company_id = $1 ORDER BY id")
                .bind(company_id)
                .fetch_all(conn)
                .await
        })?;
        for user in users {
            self.announce_access(user).await?;
        }
        Ok(())
    }
}
