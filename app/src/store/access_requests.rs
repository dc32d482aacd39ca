//! The requests of people the customs account signed in without naming their company: opened
//! at the sign-in, completed with the SIRET they declare, decided by the company's
//! administrator (see [`crate::domain::access_request`]).

use chrono::{DateTime, Utc};

use super::{on_pool, on_tx, Store, StoreError, Tx};
use crate::domain::access_request::{
    AccessRequest, AccessRequestState, CompanyVerification, WaitingRequest,
};
use crate::domain::references::Locode;

#[derive(sqlx::FromRow)]
struct RequestRow {
    id: i64,
    full_name: String,
    email: String,
    state: String,
    siret: Option<String>,
    company_name: Option<String>,
    reason: Option<String>,
    created_at: DateTime<Utc>,
    new_company: bool,
}

impl RequestRow {
    fn request(self, sites: Vec<String>) -> Result<AccessRequest, StoreError> {
        Ok(AccessRequest {
            id: self.id,
            full_name: self.full_name,
            email: self.email,
            state: AccessRequestState::from_code(&self.state).ok_or_else(|| {
                StoreError::Corrupt(format!("état de demande inconnu : {}", self.state))
            })?,
            siret: self.siret,
            company_name: self.company_name,
            reason: self.reason,
            created_at: self.created_at,
            new_company: self.new_company,
            sites,
        })
    }
}

/// The sites of new companies' requests, by request and name: the callers say which requests.
const REQUEST_SITES: &str = "SELECT rs.request_id, s.name FROM access_request_site rs
     JOIN site s ON s.code = rs.site_code";

/// The extract of the company registry a new company's request carries, once the antivirus
/// found it clean (or on a deployment without antivirus, unscanned).
#[derive(Clone, Debug)]
pub struct RegistryExtract {
    pub sha256: String,
    pub file_name: String,
    pub media: crate::domain::document::MediaType,
    pub size: i64,
    pub scanned: bool,
}

/// A new company's request waiting for verification, as the decision needs it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct PendingVerification {
    pub id: i64,
    pub provider: String,
    pub subject: String,
    pub email: String,
    pub full_name: String,
    pub siret: String,
    pub new_company_name: String,
    /// The sites it declares, by code (the agents of any of them decide).
    #[sqlx(skip)]
    pub sites: Vec<Locode>,
}

/// Where the bytes of a request's extract are, for its download.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ExtractFile {
    pub sha256: String,
    pub file_name: String,
    pub media: String,
    pub size: i64,
}

/// A request waiting for its company's administrator, as the decision needs it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct PendingRequest {
    pub id: i64,
    pub company_id: i64,
    pub provider: String,
    pub subject: String,
    pub email: String,
    pub full_name: String,
    /// The name of the company it asks to join, for the letter that answers it.
    pub company_name: String,
}

/// An open request, as its declaration needs it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct OpenRequest {
    pub id: i64,
    /// The company it waits for, once declared.
    pub company_id: Option<i64>,
    pub full_name: String,
    pub email: String,
}

impl Store {
    /// The request whose cookie's token has this hash, whatever its state.
    #[tracing::instrument(skip_all)]
    pub async fn access_request_by_token(
        &self,
        token_hash: &str,
    ) -> Result<Option<AccessRequest>, StoreError> {
        let row: Option<RequestRow> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT r.id, r.full_name, r.email, r.state, r.siret,
                        COALESCE(c.name, r.new_company_name) AS company_name,
                        r.reason, r.created_at, r.new_company_name IS NOT NULL AS new_company
                 FROM access_request r LEFT JOIN company c ON c.id = r.company_id
                 WHERE r.token_hash = $1",
            )
            .bind(token_hash)
            .fetch_optional(pool)
            .await
        })?;
        let Some(row) = row else {
            return Ok(None);
        };
        let sites = if row.new_company {
            let sql = format!("{REQUEST_SITES} WHERE rs.request_id = $1 ORDER BY s.name");
            let sites: Vec<(i64, String)> = on_pool!(self, pool => {
                sqlx::query_as(&sql).bind(row.id).fetch_all(pool).await
            })?;
            sites.into_iter().map(|(_, name)| name).collect()
        } else {
            Vec::new()
        };
        row.request(sites).map(Some)
    }

    /// The new companies waiting for verification that declare one of `sites`, the oldest
    /// first (at most 200: a queue longer than that is worked from its head).
    #[tracing::instrument(skip_all)]
    pub async fn company_verifications(
        &self,
        sites: &[Locode],
    ) -> Result<Vec<CompanyVerification>, StoreError> {
        if sites.is_empty() {
            return Ok(Vec::new());
        }
        let codes: Vec<String> = sites.iter().map(|site| site.as_str().to_owned()).collect();
        let marks = (1..=codes.len())
            .map(|n| format!("${n}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT r.id, r.new_company_name, r.siret, r.full_name, r.email, r.extract_name,
                    r.extract_media, r.extract_size, r.extract_scan = 'sain', r.declared_at
             FROM access_request r
             WHERE r.state = 'en_attente' AND r.company_id IS NULL
               AND r.id IN (SELECT request_id FROM access_request_site WHERE site_code IN ({marks}))
             ORDER BY r.declared_at, r.id LIMIT 200"
        );
        type Row = (
            i64,
            String,
            String,
            String,
            String,
            String,
            String,
            i64,
            bool,
            DateTime<Utc>,
        );
        let rows: Vec<Row> = on_pool!(self, pool => {
            let mut query = sqlx::query_as(&sql);
            for code in &codes {
                query = query.bind(code);
            }
            query.fetch_all(pool).await
        })?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let ids = rows
            .iter()
            .map(|row| row.0.to_string())
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!("{REQUEST_SITES} WHERE rs.request_id IN ({ids}) ORDER BY s.name");
        let names: Vec<(i64, String)> = on_pool!(self, pool => {
            sqlx::query_as(&sql).fetch_all(pool).await
        })?;
        Ok(rows
            .into_iter()
            .map(
                |(
                    id,
                    company_name,
                    siret,
                    full_name,
                    email,
                    extract_name,
                    extract_media,
                    extract_size,
                    extract_scanned,
                    declared_at,
                )| CompanyVerification {
                    id,
                    company_name,
                    siret,
                    full_name,
                    email,
                    sites: names
                        .iter()
                        .filter(|(request, _)| *request == id)
                        .map(|(_, name)| name.clone())
                        .collect(),
                    extract_name,
                    extract_media,
                    extract_size,
                    extract_scanned,
                    declared_at,
                },
            )
            .collect())
    }

    /// The extract of a new company's request still waiting for verification, with the sites
    /// it declares (who may read it), in one read; none when it is decided, or is not a new
    /// company's.
    #[tracing::instrument(skip_all)]
    pub async fn waiting_extract(
        &self,
        id: i64,
    ) -> Result<Option<(Vec<Locode>, ExtractFile)>, StoreError> {
        #[derive(sqlx::FromRow)]
        struct Row {
            site_code: String,
            #[sqlx(flatten)]
            file: ExtractFile,
        }
        let rows: Vec<Row> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT rs.site_code, r.extract_sha256 AS sha256, r.extract_name AS file_name,
                        r.extract_media AS media, r.extract_size AS size
                 FROM access_request r JOIN access_request_site rs ON rs.request_id = r.id
                 WHERE r.id = $1 AND r.state = 'en_attente' AND r.company_id IS NULL
                   AND r.extract_sha256 IS NOT NULL
                 ORDER BY rs.site_code",
            )
            .bind(id)
            .fetch_all(pool)
            .await
        })?;
        let Some(file) = rows.first().map(|row| row.file.clone()) else {
            return Ok(None);
        };
        let sites = rows
            .iter()
            .map(|row| {
                Locode::parse(&row.site_code)
                    .map_err(|_| StoreError::Corrupt(format!("site inconnu : {}", row.site_code)))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Some((sites, file)))
    }

    /// The requests waiting for a company's administrator, the oldest first.
    #[tracing::instrument(skip_all)]
    pub async fn waiting_requests(
        &self,
        company_id: i64,
    ) -> Result<Vec<WaitingRequest>, StoreError> {
        let rows: Vec<(i64, String, String, DateTime<Utc>)> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT id, full_name, email, declared_at FROM access_request
                 WHERE company_id = $1 AND state = 'en_attente' ORDER BY declared_at, id",
            )
            .bind(company_id)
            .fetch_all(pool)
            .await
        })?;
        Ok(rows
            .into_iter()
            .map(|(id, full_name, email, declared_at)| WaitingRequest {
                id,
                full_name,
                email,
                declared_at,
            })
            .collect())
    }
}

impl Tx {
    /// A request still waiting for its company's administrator, by its number, its row locked
    /// until the decision is written (a second click, or another administrator, then finds it
    /// decided).
    #[tracing::instrument(skip_all)]
    pub async fn lock_waiting_request(
        &mut self,
        id: i64,
    ) -> Result<Option<PendingRequest>, StoreError> {
        let lock = self.row_lock();
        let sql = format!(
            "SELECT id, company_id, provider, subject, email, full_name,
                    (SELECT name FROM company WHERE company.id = company_id) AS company_name
             FROM access_request WHERE id = $1 AND state = 'en_attente' AND company_id IS NOT NULL{lock}"
        );
        Ok(on_tx!(self, conn => {
            sqlx::query_as(&sql).bind(id).fetch_optional(conn).await
        })?)
    }

    /// A new company's request still waiting for verification, by its number, with its sites,
    /// its row locked until the decision is written.
    #[tracing::instrument(skip_all)]
    pub async fn lock_verification(
        &mut self,
        id: i64,
    ) -> Result<Option<PendingVerification>, StoreError> {
        let lock = self.row_lock();
        let sql = format!(
            "SELECT id, provider, subject, email, full_name, siret, new_company_name
             FROM access_request
             WHERE id = $1 AND state = 'en_attente' AND company_id IS NULL
               AND new_company_name IS NOT NULL{lock}"
        );
        let found: Option<PendingVerification> = on_tx!(self, conn => {
            sqlx::query_as(&sql).bind(id).fetch_optional(conn).await
        })?;
        let Some(mut found) = found else {
            return Ok(None);
        };
        let codes: Vec<String> = on_tx!(self, conn => {
            sqlx::query_scalar("SELECT site_code FROM access_request_site WHERE request_id = $1 ORDER BY site_code")
                .bind(id)
                .fetch_all(conn)
                .await
        })?;
        found.sites = codes
            .iter()
            .map(|code| {
                Locode::parse(code)
                    .map_err(|_| StoreError::Corrupt(format!("site inconnu : {code}")))
            })
            .collect::<Result<_, _>>()?;
        Ok(Some(found))
    }

    /// Declares a company not yet registered for an open request: its SIRET, its name, the
    /// sites where it works and the extract proving it; the request then waits for an agent of
    /// one of those sites (declaring again replaces what was declared).
    #[tracing::instrument(skip_all)]
    pub async fn declare_new_company(
        &mut self,
        id: i64,
        (siret, name): (&str, &str),
        sites: &[Locode],
        extract: &RegistryExtract,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        on_tx!(self, conn => {
            sqlx::query(
                "UPDATE access_request SET state = 'en_attente', siret = $2, company_id = NULL,
                        new_company_name = $3, extract_sha256 = $4, extract_name = $5,
                        extract_media = $6, extract_size = $7, extract_scan = $8, declared_at = $9
                 WHERE id = $1 AND state IN ('a_completer', 'en_attente')",
            )
            .bind(id)
            .bind(siret)
            .bind(name)
            .bind(&extract.sha256)
            .bind(&extract.file_name)
            .bind(extract.media.mime())
            .bind(extract.size)
            .bind(if extract.scanned { "sain" } else { "non_analyse" })
            .bind(now)
            .execute(conn)
            .await
            .map(|_| ())
        })?;
        self.forget_request_sites(id).await?;
        self.link_sites("access_request_site", "request_id", id, sites)
            .await
    }

    async fn forget_request_sites(&mut self, id: i64) -> Result<(), StoreError> {
        on_tx!(self, conn => {
            sqlx::query("DELETE FROM access_request_site WHERE request_id = $1")
                .bind(id)
                .execute(conn)
                .await
                .map(|_| ())
        })?;
        Ok(())
    }

    /// Closes a new company's request locked by `lock_verification`: accepted, the company
    /// created and the account opened in it, or refused with a reason; `verification` is what
    /// the agent checked.
    #[tracing::instrument(skip_all)]
    pub async fn close_verification(
        &mut self,
        id: i64,
        outcome: Result<(i64, i64), &str>,
        verification: &str,
        by: i64,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let (state, company_id, user_id, reason) = match outcome {
            Ok((company_id, user_id)) => (
                AccessRequestState::Accepted,
                Some(company_id),
                Some(user_id),
                None,
            ),
            Err(reason) => (AccessRequestState::Refused, None, None, Some(reason)),
        };
        on_tx!(self, conn => {
            sqlx::query(
                "UPDATE access_request SET state = $2, company_id = $3, user_id = $4, reason = $5,
                        verification = $6, decided_by = $7, decided_at = $8
                 WHERE id = $1 AND state = 'en_attente' AND company_id IS NULL",
            )
            .bind(id)
            .bind(state.code())
            .bind(company_id)
            .bind(user_id)
            .bind(reason)
            .bind(verification)
            .bind(by)
            .bind(now)
            .execute(conn)
            .await
            .map(|_| ())
        })?;
        Ok(())
    }

    /// The open request of a provider's person, its cookie's token renewed and what the provider
    /// says of them refreshed, or a new one to complete: its number.
    #[tracing::instrument(skip_all)]
    pub async fn open_access_request(
        &mut self,
        (provider, subject): (&str, &str),
        (email, full_name): (&str, &str),
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let open: Option<i64> = on_tx!(self, conn => {
            sqlx::query_scalar(
                "UPDATE access_request SET token_hash = $3, email = $4, full_name = $5
                 WHERE provider = $1 AND subject = $2 AND state IN ('a_completer', 'en_attente')
                 RETURNING id",
            )
            .bind(provider)
            .bind(subject)
            .bind(token_hash)
            .bind(email)
            .bind(full_name)
            .fetch_optional(conn)
            .await
        })?;
        if let Some(id) = open {
            return Ok(id);
        }
        Ok(on_tx!(self, conn => {
            sqlx::query_scalar(
                "INSERT INTO access_request (provider, subject, email, full_name, token_hash, state, created_at)
                 VALUES ($1, $2, $3, $4, $5, 'a_completer', $6) RETURNING id",
            )
            .bind(provider)
            .bind(subject)
            .bind(email)
            .bind(full_name)
            .bind(token_hash)
            .bind(now)
            .fetch_one(conn)
            .await
        })?)
    }

    /// The open request (to complete, or waiting) of this cookie's token, locked for its
    /// declaration.
    #[tracing::instrument(skip_all)]
    pub async fn open_request_of_token(
        &mut self,
        token_hash: &str,
    ) -> Result<Option<OpenRequest>, StoreError> {
        let lock = self.row_lock();
        let sql = format!(
            "SELECT id, company_id, full_name, email FROM access_request
             WHERE token_hash = $1 AND state IN ('a_completer', 'en_attente'){lock}"
        );
        Ok(on_tx!(self, conn => {
            sqlx::query_as(&sql).bind(token_hash).fetch_optional(conn).await
        })?)
    }

    /// Declares the SIRET of an open request, for the company of that SIRET (declaring again,
    /// while it waits, sends it to that company instead, and forgets a new company declared
    /// before).
    #[tracing::instrument(skip_all)]
    pub async fn declare_siret(
        &mut self,
        id: i64,
        siret: &str,
        company_id: i64,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        on_tx!(self, conn => {
            sqlx::query(
                "UPDATE access_request SET state = 'en_attente', siret = $2, company_id = $3, declared_at = $4,
                        new_company_name = NULL, extract_sha256 = NULL, extract_name = NULL,
                        extract_media = NULL, extract_size = NULL, extract_scan = NULL
                 WHERE id = $1 AND state IN ('a_completer', 'en_attente')",
            )
            .bind(id)
            .bind(siret)
            .bind(company_id)
            .bind(now)
            .execute(conn)
            .await
            .map(|_| ())
        })?;
        self.forget_request_sites(id).await
    }

    /// Closes a request still waiting for this company, locked by `lock_waiting_request`:
    /// accepted with the account opened for it, or refused with a reason.
    #[tracing::instrument(skip_all)]
    pub async fn close_access_request(
        &mut self,
        id: i64,
        company_id: i64,
        outcome: Result<i64, &str>,
        by: i64,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let (state, user_id, reason) = match outcome {
            Ok(user_id) => (AccessRequestState::Accepted, Some(user_id), None),
            Err(reason) => (AccessRequestState::Refused, None, Some(reason)),
        };
        on_tx!(self, conn => {
            sqlx::query(
                "UPDATE access_request SET state = $3, user_id = $4, reason = $5, decided_by = $6, decided_at = $7
                 WHERE id = $1 AND company_id = $2 AND state = 'en_attente'",
            )
            .bind(id)
            .bind(company_id)
            .bind(state.code())
            .bind(user_id)
            .bind(reason)
            .bind(by)
            .bind(now)
            .execute(conn)
            .await
            .map(|_| ())
        })?;
        Ok(())
    }
}
