//! The operator's card: a company's identity, and its activity at the sites a reader may see.
//! Every figure is read through an index that starts with the company (its dossiers by opening,
//! its tallies, its appointments, its exchanges), so a card costs what the company's own activity
//! costs, not what the platform holds.

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::{decode, on_pool, ExchangeQuery, Store, StoreError};
use crate::domain::dossier::DossierStatus;
use crate::domain::journey::{StepKind, StepState};
use crate::domain::operator::{
    month_bounds, CardAlert, CardDossier, CardExchange, CardMonth, CardNonConformity,
    CardPostAppointments, Identity, OperatorCard, OperatorHit, OperatorSearch, CARD_LINES,
};
use crate::domain::references::Locode;

/// The sites a card or a search covers: `None` for every site (supervisors).
pub type CardScope<'a> = Option<&'a [Locode]>;

/// `column IN ($n, …)` for the sites of `scope`, numbering placeholders after `bound` values;
/// `TRUE` for every site.
fn sites_clause(column: &str, scope: CardScope, bound: usize) -> String {
    match scope {
        None => "TRUE".to_owned(),
        Some([]) => "FALSE".to_owned(),
        Some(sites) => {
            let list: Vec<String> = (0..sites.len())
                .map(|index| format!("${}", bound + index + 1))
                .collect();
            format!("{column} IN ({})", list.join(", "))
        }
    }
}

/// Binds the sites of `scope` after a query's other values.
macro_rules! bind_sites {
    ($query:expr, $scope:expr) => {{
        let mut query = $query;
        for site in $scope.unwrap_or(&[]) {
            query = query.bind(site.as_str().to_owned());
        }
        query
    }};
}

const REFERENCE: &str = "COALESCE(d.container, d.awb, d.ched, d.bill_of_lading, d.mrn)";

impl Store {
    /// The companies a search finds among those the scope reaches (a company reaches an agent's
    /// sites when it has dossiers there, or a mandate to represent someone there), by name, at
    /// most [`CARD_LINES`].
    #[tracing::instrument(skip_all)]
    pub async fn search_operators(
        &self,
        search: &OperatorSearch,
        scope: CardScope<'_>,
    ) -> Result<Vec<OperatorHit>, StoreError> {
        let (condition, value) = match search {
            OperatorSearch::Siret(siret) => ("c.siret = $1", siret.clone()),
            OperatorSearch::Eori(eori) => ("c.eori = $1", eori.clone()),
            OperatorSearch::Name(words) => (
                "LOWER(c.name) LIKE $1",
                format!("%{}%", words.replace(['%', '_'], "")),
            ),
        };
        let reach = match scope {
            None => "TRUE".to_owned(),
            Some(_) => format!(
                "(EXISTS (SELECT 1 FROM company_dossier_tally t WHERE t.company_id = c.id
                  AND t.dossiers > 0 AND {})
                 OR EXISTS (SELECT 1 FROM mandate m JOIN mandate_site ms ON ms.mandate_id = m.id
                  WHERE m.representative_id = c.id AND {}))",
                sites_clause("t.site_code", scope, 1),
                sites_clause("ms.site_code", scope, 1)
            ),
        };
        let sql = format!(
            "SELECT c.id, c.name, c.siret, c.eori FROM company c WHERE {condition} AND {reach}
             ORDER BY c.name, c.id LIMIT {CARD_LINES}"
        );
        let rows: Vec<(i64, String, String, Option<String>)> = on_pool!(self, pool => {
            bind_sites!(sqlx::query_as(&sql).bind(value), scope).fetch_all(pool).await
        })?;
        Ok(rows
            .into_iter()
            .map(|(id, name, siret, eori)| OperatorHit {
                id,
                name,
                siret,
                eori,
            })
            .collect())
    }

    /// The sites where a company has dossiers or was given a mandate to represent someone (none
    /// for an unknown company).
    #[tracing::instrument(skip_all)]
    pub async fn operator_sites(&self, company_id: i64) -> Result<Vec<Locode>, StoreError> {
        let codes: Vec<String> = on_pool!(self, pool => {
            sqlx::query_scalar(
                "SELECT site_code FROM company_dossier_tally WHERE company_id = $1 AND dossiers > 0
                 UNION
                 SELECT ms.site_code FROM mandate m JOIN mandate_site ms ON ms.mandate_id = m.id
                 WHERE m.representative_id = $1
                 ORDER BY site_code",
            )
            .bind(company_id)
            .fetch_all(pool)
            .await
        })?;
        codes
            .iter()
            .map(|code| Locode::parse(code).map_err(|error| StoreError::Corrupt(error.to_string())))
            .collect()
    }

    /// A company's identity, or `None` when there is no such company. Its people whose
    /// processing the rights desk limited are left out.
    #[tracing::instrument(skip_all)]
    pub async fn operator_identity(&self, company_id: i64) -> Result<Option<Identity>, StoreError> {
        #[allow(clippy::type_complexity)]
        let (company, people): (
            Option<(i64, String, String, Option<String>, Option<String>)>,
            Vec<(i64, String, String, bool)>,
        ) = on_pool!(self, pool => {
            tokio::try_join!(
                sqlx::query_as("SELECT id, name, siret, eori, address FROM company WHERE id = $1")
                    .bind(company_id)
                    .fetch_optional(pool),
                sqlx::query_as(
                    "SELECT id, full_name, email, company_admin FROM app_user
                     WHERE company_id = $1 AND limited_at IS NULL
                     ORDER BY company_admin DESC, full_name, id",
                )
                .bind(company_id)
                .fetch_all(pool),
            )?
        });
        Ok(company.map(|(id, name, siret, eori, address)| Identity {
            id,
            name,
            siret,
            eori,
            address,
            people,
        }))
    }

    /// The card of a company whose identity is known, over the sites of `scope` (already limited
    /// to where the company has dossiers), as it stands at `now`.
    #[tracing::instrument(skip_all)]
    pub async fn operator_card(
        &self,
        identity: Identity,
        scope: CardScope<'_>,
        site_names: Vec<String>,
        now: DateTime<Utc>,
    ) -> Result<OperatorCard, StoreError> {
        let company = identity.id;
        let (by_status, by_step, open, non_conformities) = tokio::try_join!(
            self.card_statuses(company, scope),
            self.card_steps(company, scope),
            self.card_open(company, scope, now),
            self.card_non_conformities(company, scope),
        )?;
        let (appointments, exchanges, alerts, months) = tokio::try_join!(
            self.card_appointments(company, scope, now),
            self.card_exchanges(company, scope),
            self.card_alerts(company, scope),
            self.card_months(company, scope, now),
        )?;
        let today = crate::domain::access::local_day(now);
        let (mandates_given, mandates_received) = tokio::try_join!(
            self.mandates(company, true, today, scope),
            self.mandates(company, false, today, scope),
        )?;
        Ok(OperatorCard {
            identity,
            all_sites: scope.is_none(),
            sites: site_names,
            by_status,
            by_step,
            open,
            non_conformities,
            appointments,
            exchanges,
            alerts,
            months,
            mandates_given,
            mandates_received,
        })
    }

    async fn card_statuses(
        &self,
        company: i64,
        scope: CardScope<'_>,
    ) -> Result<Vec<(DossierStatus, i64)>, StoreError> {
        let sql = format!(
            "SELECT status, CAST(SUM(dossiers) AS BIGINT) FROM company_dossier_tally
             WHERE company_id = $1 AND {} GROUP BY status",
            sites_clause("site_code", scope, 1)
        );
        let rows: Vec<(String, i64)> = on_pool!(self, pool => {
            bind_sites!(sqlx::query_as(&sql).bind(company), scope).fetch_all(pool).await
        })?;
        let mut counts = Vec::new();
        for status in DossierStatus::ALL {
            let count = rows
                .iter()
                .find(|(code, _)| code == status.code())
                .map_or(0, |(_, count)| *count);
            counts.push((status, count));
        }
        Ok(counts)
    }

    async fn card_steps(
        &self,
        company: i64,
        scope: CardScope<'_>,
    ) -> Result<Vec<(Option<StepKind>, i64)>, StoreError> {
        let sql = format!(
            "SELECT d.current_step, COUNT(*) FROM dossier d
             WHERE d.company_id = $1 AND d.status IN ('en_cours', 'bloque') AND {}
             GROUP BY d.current_step",
            sites_clause("d.site_code", scope, 1)
        );
        let rows: Vec<(Option<String>, i64)> = on_pool!(self, pool => {
            bind_sites!(sqlx::query_as(&sql).bind(company), scope).fetch_all(pool).await
        })?;
        let mut counts = rows
            .into_iter()
            .map(|(step, count)| {
                let step = step
                    .as_deref()
                    .map(|code| decode("étape", code, StepKind::from_code))
                    .transpose()?;
                Ok((step, count))
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        // In the order of a crossing.
        counts.sort_by_key(|(step, _)| step.map(|kind| kind as usize + 1).unwrap_or(0));
        Ok(counts)
    }

    async fn card_open(
        &self,
        company: i64,
        scope: CardScope<'_>,
        now: DateTime<Utc>,
    ) -> Result<Vec<CardDossier>, StoreError> {
        let sql = format!(
            "SELECT d.id, {REFERENCE}, s.name, d.status, d.current_step,
                    COALESCE(st.started_at, d.opened_at) AS since
             FROM dossier d JOIN site s ON s.code = d.site_code
             LEFT JOIN step st ON st.dossier_id = d.id AND st.kind = d.current_step
             WHERE d.company_id = $1 AND d.status IN ('en_cours', 'bloque') AND {}
             ORDER BY since, d.id LIMIT {CARD_LINES}",
            sites_clause("d.site_code", scope, 1)
        );
        #[allow(clippy::type_complexity)]
        let rows: Vec<(i64, String, String, String, Option<String>, DateTime<Utc>)> = on_pool!(self, pool => {
            bind_sites!(sqlx::query_as(&sql).bind(company), scope).fetch_all(pool).await
        })?;
        rows.into_iter()
            .map(|(id, reference, site_name, status, step, since)| {
                Ok(CardDossier {
                    id,
                    reference,
                    site_name,
                    status: decode("statut", &status, DossierStatus::from_code)?,
                    step: step
                        .as_deref()
                        .map(|code| decode("étape", code, StepKind::from_code))
                        .transpose()?,
                    waiting_since: since,
                    waiting_minutes: (now - since).num_minutes().max(0),
                })
            })
            .collect()
    }

    async fn card_non_conformities(
        &self,
        company: i64,
        scope: CardScope<'_>,
    ) -> Result<Vec<CardNonConformity>, StoreError> {
        let sql = format!(
            "SELECT d.id, {REFERENCE}, s.name, st.kind, st.outcome,
                    COALESCE(st.ended_at, st.started_at) AS at, fu.state
             FROM dossier d JOIN site s ON s.code = d.site_code
             JOIN step st ON st.dossier_id = d.id AND st.state = 'non_conforme'
             LEFT JOIN step fu ON fu.dossier_id = d.id AND fu.kind = 'follow_up'
             WHERE d.company_id = $1 AND {}
             ORDER BY at DESC, d.id DESC LIMIT {CARD_LINES}",
            sites_clause("d.site_code", scope, 1)
        );
        #[allow(clippy::type_complexity)]
        let rows: Vec<(
            i64,
            String,
            String,
            String,
            Option<String>,
            Option<DateTime<Utc>>,
            Option<String>,
        )> = on_pool!(self, pool => {
            bind_sites!(sqlx::query_as(&sql).bind(company), scope).fetch_all(pool).await
        })?;
        rows.into_iter()
            .map(
                |(dossier_id, reference, site_name, kind, outcome, at, follow_up)| {
                    Ok(CardNonConformity {
                        dossier_id,
                        reference,
                        site_name,
                        step: decode("étape", &kind, StepKind::from_code)?,
                        outcome,
                        at,
                        follow_up: follow_up
                            .as_deref()
                            .map(|code| decode("état d'étape", code, StepState::from_code))
                            .transpose()?,
                    })
                },
            )
            .collect()
    }

    async fn card_appointments(
        &self,
        company: i64,
        scope: CardScope<'_>,
        now: DateTime<Utc>,
    ) -> Result<Vec<CardPostAppointments>, StoreError> {
        let own_sql = format!(
            "SELECT p.code, p.name,
                    CAST(SUM(CASE WHEN a.state IN ('demande', 'confirme', 'reporte')
                                   AND sl.starts_at >= $2 THEN 1 ELSE 0 END) AS BIGINT),
                    CAST(SUM(CASE WHEN a.state = 'honore' THEN 1 ELSE 0 END) AS BIGINT),
                    CAST(SUM(CASE WHEN a.state = 'refuse' THEN 1 ELSE 0 END) AS BIGINT),
                    CAST(SUM(CASE WHEN a.state = 'absent' THEN 1 ELSE 0 END) AS BIGINT)
             FROM appointment a JOIN slot sl ON sl.id = a.slot_id
             JOIN post p ON p.code = sl.post_code
             WHERE a.company_id = $1 AND {}
             GROUP BY p.code, p.name ORDER BY p.code",
            sites_clause("p.site_code", scope, 2)
        );
        let own: Vec<(String, String, i64, i64, i64, i64)> = on_pool!(self, pool => {
            bind_sites!(sqlx::query_as(&own_sql).bind(company).bind(now), scope)
                .fetch_all(pool)
                .await
        })?;
        if own.is_empty() {
            return Ok(Vec::new());
        }
        // The posts' own figures, every company: the last year of appointments.
        let posts: Vec<String> = own.iter().map(|row| row.0.clone()).collect();
        let list: Vec<String> = (0..posts.len()).map(|i| format!("${}", i + 3)).collect();
        let post_sql = format!(
            "SELECT sl.post_code, COUNT(*),
                    CAST(SUM(CASE WHEN a.state = 'absent' THEN 1 ELSE 0 END) AS BIGINT)
             FROM slot sl JOIN appointment a ON a.slot_id = sl.id
             WHERE sl.starts_at >= $1 AND sl.starts_at < $2 AND a.state IN ('honore', 'absent')
               AND sl.post_code IN ({})
             GROUP BY sl.post_code",
            list.join(", ")
        );
        let year_ago = now - chrono::Duration::days(365);
        let per_post: Vec<(String, i64, i64)> = on_pool!(self, pool => {
            let mut query = sqlx::query_as(&post_sql).bind(year_ago).bind(now);
            for post in &posts {
                query = query.bind(post.clone());
            }
            query.fetch_all(pool).await
        })?;
        Ok(own
            .into_iter()
            .map(
                |(post_code, post_name, upcoming, honoured, refused, no_shows)| {
                    let (post_attended, post_no_shows) = per_post
                        .iter()
                        .find(|row| row.0 == post_code)
                        .map_or((0, 0), |row| (row.1, row.2));
                    CardPostAppointments {
                        post_code,
                        post_name,
                        upcoming,
                        honoured,
                        refused,
                        no_shows,
                        post_attended,
                        post_no_shows,
                    }
                },
            )
            .collect())
    }

    async fn card_exchanges(
        &self,
        company: i64,
        scope: CardScope<'_>,
    ) -> Result<Vec<CardExchange>, StoreError> {
        let query = ExchangeQuery {
            company_id: Some(company),
            sites: scope.map(|sites| sites.iter().map(|site| site.as_str().to_owned()).collect()),
            limit: CARD_LINES,
            ..ExchangeQuery::default()
        };
        Ok(self
            .exchanges(&query)
            .await?
            .into_iter()
            .map(|record| CardExchange {
                id: record.id,
                title: record.title,
                site_name: record.site_name,
                status_label: record.status.label().to_owned(),
                reference: record.reference,
                updated_at: record.updated_at,
            })
            .collect())
    }

    async fn card_alerts(
        &self,
        company: i64,
        scope: CardScope<'_>,
    ) -> Result<Vec<CardAlert>, StoreError> {
        let sql = format!(
            "SELECT a.id, a.title, s.name, a.state, a.opened_at
             FROM dossier d JOIN alert a ON a.dossier_id = d.id JOIN site s ON s.code = a.site_code
             WHERE d.company_id = $1 AND a.state <> 'close' AND {}
             ORDER BY a.opened_at DESC, a.id DESC LIMIT {CARD_LINES}",
            sites_clause("d.site_code", scope, 1)
        );
        let rows: Vec<(i64, String, String, String, DateTime<Utc>)> = on_pool!(self, pool => {
            bind_sites!(sqlx::query_as(&sql).bind(company), scope).fetch_all(pool).await
        })?;
        Ok(rows
            .into_iter()
            .map(|(id, title, site_name, state, opened_at)| CardAlert {
                id,
                title,
                site_name,
                taken: state == "prise",
                opened_at,
            })
            .collect())
    }

    async fn card_months(
        &self,
        company: i64,
        scope: CardScope<'_>,
        now: DateTime<Utc>,
    ) -> Result<Vec<CardMonth>, StoreError> {
        let bounds = month_bounds(now);
        let months = bounds.len() - 1;
        let mut columns = Vec::new();
        for month in 0..months {
            let (from, until) = (month + 2, month + 3);
            columns.push(format!(
                "CAST(SUM(CASE WHEN d.opened_at >= ${from} AND d.opened_at < ${until}
                               THEN 1 ELSE 0 END) AS BIGINT)"
            ));
            columns.push(format!(
                "CAST(SUM(CASE WHEN d.opened_at >= ${from} AND d.opened_at < ${until}
                               AND d.status = 'non_conforme' THEN 1 ELSE 0 END) AS BIGINT)"
            ));
        }
        let last = months + 2;
        let sql = format!(
            "SELECT {} FROM dossier d
             WHERE d.company_id = $1 AND d.opened_at >= $2 AND d.opened_at < ${last} AND {}",
            columns.join(", "),
            sites_clause("d.site_code", scope, last)
        );
        let figures: Vec<Option<i64>> = on_pool!(self, pool => {
            let mut query = sqlx::query(&sql).bind(company);
            for (_, instant) in &bounds {
                query = query.bind(*instant);
            }
            let row = bind_sites!(query, scope).fetch_one(pool).await?;
            (0..months * 2)
                .map(|index| row.try_get::<Option<i64>, _>(index))
                .collect::<Result<Vec<_>, sqlx::Error>>()
        })?;
        Ok(bounds
            .iter()
            .take(months)
            .enumerate()
            .map(|(index, (month, _))| CardMonth {
                month: *month,
                opened: figures[index * 2].unwrap_or(0),
                non_compliant: figures[index * 2 + 1].unwrap_or(0),
            })
            .collect())
    }
}
