//! Sites, posts, companies, users and partner keys: who and where.

use chrono::{DateTime, Utc};

use super::{decode, on_pool, on_tx, Store, StoreError, Tx};
use crate::domain::directory::{
    ordered_approvals, Administration, Company, Post, Role, Site, SiteKind, User,
};
use crate::domain::dossier::GoodsCategory;
use crate::domain::references::{Eori, Locode, PostCode, Siret};

/// A user to create. The password hash is computed by the caller and never leaves the store.
pub struct NewUser {
    pub email: String,
    pub full_name: String,
    pub role: Role,
    pub company_id: Option<i64>,
    pub administration: Option<Administration>,
    pub company_admin: bool,
    /// Whether the address is already verified (accounts created by someone who checked it).
    pub email_verified: bool,
    pub password_hash: Option<String>,
}

#[derive(sqlx::FromRow)]
struct SiteRow {
    code: String,
    name: String,
    kind: String,
    time_zone: String,
}

impl TryFrom<SiteRow> for Site {
    type Error = StoreError;
    fn try_from(row: SiteRow) -> Result<Self, StoreError> {
        Ok(Site {
            code: Locode::parse(&row.code).map_err(|e| StoreError::Corrupt(e.to_string()))?,
            name: row.name,
            kind: decode("type de site", &row.kind, SiteKind::from_code)?,
            time_zone: row.time_zone,
        })
    }
}

#[derive(sqlx::FromRow)]
struct PostRow {
    code: String,
    site_code: String,
    name: String,
    dgal: bool,
    dgddi: bool,
}

impl TryFrom<PostRow> for Post {
    type Error = StoreError;
    fn try_from(row: PostRow) -> Result<Self, StoreError> {
        let mut administrations = Vec::new();
        if row.dgal {
            administrations.push(Administration::Dgal);
        }
        if row.dgddi {
            administrations.push(Administration::Dgddi);
        }
        Ok(Post {
            code: PostCode::parse(&row.code).map_err(|e| StoreError::Corrupt(e.to_string()))?,
            site: Locode::parse(&row.site_code).map_err(|e| StoreError::Corrupt(e.to_string()))?,
            name: row.name,
            administrations,
            // Read beside the posts (see `Store::posts`).
            approvals: Vec::new(),
        })
    }
}

#[derive(sqlx::FromRow)]
struct CompanyRow {
    id: i64,
    name: String,
    siret: String,
    eori: Option<String>,
}

impl TryFrom<CompanyRow> for Company {
    type Error = StoreError;
    fn try_from(row: CompanyRow) -> Result<Self, StoreError> {
        Ok(Company {
            id: row.id,
            name: row.name,
            siret: Siret::parse(&row.siret).map_err(|e| StoreError::Corrupt(e.to_string()))?,
            eori: super::decode_reference(row.eori, Eori::parse)?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct UserRow {
    id: i64,
    email: String,
    full_name: String,
    role: String,
    company_id: Option<i64>,
    administration: Option<String>,
    company_admin: bool,
    email_verified_at: Option<DateTime<Utc>>,
    suspended_at: Option<DateTime<Utc>>,
}

super::readers::from_reader!(UserRow {
    id,
    email,
    full_name,
    role,
    company_id,
    administration,
    company_admin,
    email_verified_at,
    suspended_at
});

/// The columns of [`UserRow`], for queries on `app_user u`.
pub(super) const USER_COLUMNS: &str =
    "u.id, u.email, u.full_name, u.role, u.company_id, u.administration, u.company_admin, u.email_verified_at,
     u.suspended_at";

impl TryFrom<UserRow> for User {
    type Error = StoreError;
    fn try_from(row: UserRow) -> Result<Self, StoreError> {
        Ok(User {
            id: row.id,
            email: row.email,
            full_name: row.full_name,
            role: decode("rôle", &row.role, Role::from_code)?,
            company_id: row.company_id,
            administration: row
                .administration
                .as_deref()
                .map(|code| decode("administration", code, Administration::from_code))
                .transpose()?,
            company_admin: row.company_admin,
            email_verified: row.email_verified_at.is_some(),
            suspended: row.suspended_at.is_some(),
        })
    }
}

impl Store {
    /// Whether nothing has been set up yet: no site at all. Demo data is only seeded then.
    #[tracing::instrument(skip_all)]
    pub async fn is_empty(&self) -> Result<bool, StoreError> {
        let count: i64 = on_pool!(self, pool => {
            sqlx::query_scalar("SELECT COUNT(*) FROM site").fetch_one(pool).await
        })?;
        Ok(count == 0)
    }

    #[tracing::instrument(skip_all)]
    pub async fn sites(&self) -> Result<Vec<Site>, StoreError> {
        let rows: Vec<SiteRow> = on_pool!(self, pool => {
            sqlx::query_as("SELECT code, name, kind, time_zone FROM site ORDER BY name")
                .fetch_all(pool)
                .await
        })?;
        rows.into_iter().map(Site::try_from).collect()
    }

    /// Every post, by code, with the goods categories it is approved for.
    #[tracing::instrument(skip_all)]
    pub async fn posts(&self) -> Result<Vec<Post>, StoreError> {
        let rows: Vec<PostRow> = on_pool!(self, pool => {
            sqlx::query_as("SELECT code, site_code, name, dgal, dgddi FROM post ORDER BY code")
                .fetch_all(pool)
                .await
        })?;
        let approvals: Vec<(String, String)> = on_pool!(self, pool => {
            sqlx::query_as("SELECT post_code, goods_category FROM post_approval")
                .fetch_all(pool)
                .await
        })?;
        let mut posts = rows
            .into_iter()
            .map(Post::try_from)
            .collect::<Result<Vec<_>, _>>()?;
        for post in &mut posts {
            let mine = approvals
                .iter()
                .filter(|(code, _)| code == post.code.as_str())
                .map(|(_, goods)| {
                    decode("catégorie de marchandises", goods, GoodsCategory::from_code)
                })
                .collect::<Result<Vec<_>, _>>()?;
            post.approvals = ordered_approvals(mine);
        }
        Ok(posts)
    }

    /// One company, by its number.
    #[tracing::instrument(skip_all)]
    pub async fn company(&self, id: i64) -> Result<Option<Company>, StoreError> {
        let row: Option<CompanyRow> = on_pool!(self, pool => {
            sqlx::query_as("SELECT id, name, siret, eori FROM company WHERE id = $1")
                .bind(id)
                .fetch_optional(pool)
                .await
        })?;
        row.map(Company::try_from).transpose()
    }

    #[tracing::instrument(skip_all)]
    pub async fn companies(&self) -> Result<Vec<Company>, StoreError> {
        let rows: Vec<CompanyRow> = on_pool!(self, pool => {
            sqlx::query_as("SELECT id, name, siret, eori FROM company ORDER BY name")
                .fetch_all(pool)
                .await
        })?;
        rows.into_iter().map(Company::try_from).collect()
    }

    /// An active (not disabled) user by address; addresses are compared in lower case.
    #[tracing::instrument(skip_all)]
    pub async fn user_by_email(&self, email: &str) -> Result<Option<User>, StoreError> {
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM app_user u WHERE u.email = $1 AND u.disabled_at IS NULL"
        );
        let row: Option<UserRow> = on_pool!(self, pool => {
            sqlx::query_as(&sql).bind(email.to_lowercase()).fetch_optional(pool).await
        })?;
        row.map(User::try_from).transpose()
    }

    /// An active user by id.
    #[tracing::instrument(skip_all)]
    pub async fn user(&self, id: i64) -> Result<Option<User>, StoreError> {
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM app_user u WHERE u.id = $1 AND u.disabled_at IS NULL"
        );
        let row: Option<UserRow> = on_pool!(self, pool => {
            sqlx::query_as(&sql).bind(id).fetch_optional(pool).await
        })?;
        row.map(User::try_from).transpose()
    }

    /// The stored password hash of a user, for sign-in; kept apart from [`User`] so that it can
    /// never be serialised to a browser by mistake.
    #[tracing::instrument(skip_all)]
    pub async fn password_hash(&self, email: &str) -> Result<Option<String>, StoreError> {
        let hash: Option<Option<String>> = on_pool!(self, pool => {
            sqlx::query_scalar("SELECT password_hash FROM app_user WHERE email = $1 AND disabled_at IS NULL")
                .bind(email.to_lowercase())
                .fetch_optional(pool)
                .await
        })?;
        Ok(hash.flatten())
    }
}

impl Tx {
    /// Whether a site or a post has this code.
    #[tracing::instrument(skip_all)]
    pub async fn place_exists(&mut self, code: &str) -> Result<bool, StoreError> {
        let count: i64 = on_tx!(self, conn => {
            sqlx::query_scalar(
                "SELECT (SELECT COUNT(*) FROM site WHERE code = $1)
                      + (SELECT COUNT(*) FROM post WHERE code = $1)",
            )
            .bind(code)
            .fetch_one(conn)
            .await
        })?;
        Ok(count > 0)
    }

    /// The company of this SIRET, and whether another holds this EORI.
    #[tracing::instrument(skip_all)]
    pub async fn company_of_siret(
        &mut self,
        siret: &Siret,
        eori: Option<&Eori>,
    ) -> Result<(Option<i64>, bool), StoreError> {
        let (id, eori_elsewhere): (Option<i64>, i64) = on_tx!(self, conn => {
            sqlx::query_as(
                "SELECT (SELECT id FROM company WHERE siret = $1),
                        (SELECT COUNT(*) FROM company WHERE eori = $2 AND siret <> $1)",
            )
            .bind(siret.as_str())
            .bind(eori.map(Eori::as_str))
            .fetch_one(conn)
            .await
        })?;
        Ok((id, eori_elsewhere > 0))
    }

    #[tracing::instrument(skip_all)]
    pub async fn insert_site(&mut self, site: &Site) -> Result<(), StoreError> {
        on_tx!(self, conn => {
            sqlx::query("INSERT INTO site (code, name, kind, time_zone) VALUES ($1, $2, $3, $4)")
                .bind(site.code.as_str())
                .bind(&site.name)
                .bind(site.kind.code())
                .bind(&site.time_zone)
                .execute(conn)
                .await
                .map(|_| ())
        })?;
        Ok(())
    }

    /// Creates a post with the goods categories it is approved for (none: not recorded).
    #[tracing::instrument(skip_all)]
    pub async fn insert_post(&mut self, post: &Post) -> Result<(), StoreError> {
        on_tx!(self, conn => {
            sqlx::query("INSERT INTO post (code, site_code, name, dgal, dgddi) VALUES ($1, $2, $3, $4, $5)")
                .bind(post.code.as_str())
                .bind(post.site.as_str())
                .bind(&post.name)
                .bind(post.administrations.contains(&Administration::Dgal))
                .bind(post.administrations.contains(&Administration::Dgddi))
                .execute(conn)
                .await
                .map(|_| ())
        })?;
        self.set_post_approvals(&post.code, &post.approvals).await
    }

    /// Replaces the goods categories a post is approved for.
    #[tracing::instrument(skip_all)]
    pub async fn set_post_approvals(
        &mut self,
        post: &PostCode,
        approvals: &[GoodsCategory],
    ) -> Result<(), StoreError> {
        on_tx!(self, conn => {
            sqlx::query("DELETE FROM post_approval WHERE post_code = $1")
                .bind(post.as_str())
                .execute(conn)
                .await
                .map(|_| ())
        })?;
        for goods in ordered_approvals(approvals.iter().copied()) {
            on_tx!(self, conn => {
                sqlx::query("INSERT INTO post_approval (post_code, goods_category) VALUES ($1, $2)")
                    .bind(post.as_str())
                    .bind(goods.code())
                    .execute(conn)
                    .await
                    .map(|_| ())
            })?;
        }
        Ok(())
    }

    /// Creates a company and returns its id.
    #[tracing::instrument(skip_all)]
    pub async fn insert_company(
        &mut self,
        name: &str,
        siret: &Siret,
        eori: Option<&Eori>,
        address: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let id = on_tx!(self, conn => {
            sqlx::query_scalar(
                "INSERT INTO company (name, siret, eori, address, created_at)
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(name)
            .bind(siret.as_str())
            .bind(eori.map(|e| e.as_str()))
            .bind(address)
            .bind(now)
            .fetch_one(conn)
            .await
        })?;
        Ok(id)
    }

    /// Creates a user and returns its id. Addresses are kept in lower case.
    #[tracing::instrument(skip_all)]
    pub async fn insert_user(
        &mut self,
        user: &NewUser,
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let id: i64 = on_tx!(self, conn => {
            sqlx::query_scalar(
                "INSERT INTO app_user (email, full_name, role, company_id, administration, company_admin,
                                       email_verified_at, password_hash, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
            )
            .bind(user.email.to_lowercase())
            .bind(&user.full_name)
            .bind(user.role.code())
            .bind(user.company_id)
            .bind(user.administration.map(Administration::code))
            .bind(user.company_admin)
            .bind(user.email_verified.then_some(now))
            .bind(user.password_hash.as_deref())
            .bind(now)
            .fetch_one(conn)
            .await
        })?;
        Ok(id)
    }

    /// Records a partner API key by its hash; `'*'` in sources or sites means all of them.
    #[tracing::instrument(skip_all)]
    pub async fn insert_partner_key(
        &mut self,
        name: &str,
        key_hash: &str,
        sources: &str,
        sites: &str,
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let id = on_tx!(self, conn => {
            sqlx::query_scalar(
                "INSERT INTO partner_key (name, key_hash, sources, sites, created_at)
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(name)
            .bind(key_hash)
            .bind(sources)
            .bind(sites)
            .bind(now)
            .fetch_one(conn)
            .await
        })?;
        Ok(id)
    }
}

/// A partner system's API key, as the partner interface checks it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartnerKey {
    pub id: i64,
    pub name: String,
    /// The sources and sites it was issued for.
    pub scope: crate::domain::access::PartnerScope,
}

/// A key as the administrator lists them.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct PartnerKeyListing {
    pub id: i64,
    pub name: String,
    pub sources: String,
    pub sites: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl Store {
    /// The active key with this hash.
    #[tracing::instrument(skip_all)]
    pub async fn partner_key(&self, key_hash: &str) -> Result<Option<PartnerKey>, StoreError> {
        let row: Option<(i64, String, String, String)> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT id, name, sources, sites FROM partner_key WHERE key_hash = $1 AND revoked_at IS NULL",
            )
            .bind(key_hash)
            .fetch_optional(pool)
            .await
        })?;
        Ok(row.map(|(id, name, sources, sites)| PartnerKey {
            id,
            name,
            scope: crate::domain::access::PartnerScope::parse(&sources, &sites),
        }))
    }

    /// Every key, newest first.
    #[tracing::instrument(skip_all)]
    pub async fn partner_keys(&self) -> Result<Vec<PartnerKeyListing>, StoreError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT id, name, sources, sites, created_at, revoked_at FROM partner_key ORDER BY id DESC",
            )
            .fetch_all(pool)
            .await
        })?)
    }
}

impl Tx {
    /// Revokes a key; says whether it was active.
    #[tracing::instrument(skip_all)]
    pub async fn revoke_partner_key(
        &mut self,
        id: i64,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let done = on_tx!(self, conn => {
            sqlx::query("UPDATE partner_key SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL")
                .bind(id)
                .bind(now)
                .execute(conn)
                .await
                .map(|done| done.rows_affected())
        })?;
        Ok(done > 0)
    }
}
