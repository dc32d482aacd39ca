//! The audit trail: every sign-in (and failed one), every change, every agent's access to a
//! dossier or to personal data, appended and never rewritten (the database refuses it). Each
//! entry carries the hash of the previous one in its own hash, and a one-row head holds the last
//! hash: [`Store::verify_audit`] finds any altered, removed or added entry.
//!
//! An entry's personal values are kept beside it in two groups, each committed to the chain only
//! through a salted digest, so that the retention the terms of use require can erase them while
//! the chain still verifies ([`Store::erase_personal_values`]): the *identity* (the account's
//! address, an address typed or named) and the *connection* (the client's IP address and budget
//! key).

use chrono::{DateTime, SecondsFormat, SubsecRound, Utc};
use sha2::{Digest, Sha256};

use super::{on_pool, on_tx, Store, StoreError, Tx};

/// How long the same reading by the same person counts as one consultation.
pub const CONSULTATION_MINUTES: i64 = 10;

/// Whether a reading is in the trail already: by person, action, since, object and detail.
pub(super) const CONSULTATION_SEEN_SQL: &str = "SELECT seq FROM audit_entry
     WHERE actor_id = $1 AND action = $2 AND at > $3 AND object = $4 AND detail = $5
     LIMIT 1";

/// Connection data (IP addresses) is kept six months, then erased from the trail.
pub const CONNECTION_RETENTION_MONTHS: u32 = 6;
/// Identities (account addresses, addresses typed) are kept two years, then erased.
pub const IDENTITY_RETENTION_MONTHS: u32 = 24;

/// Who acts on the store, and from where: what the audit trail records of them. Plain data,
/// whatever carried it (a web request, the command line, a test).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Actor<'a> {
    pub user_id: Option<i64>,
    /// The account's address, or `anonyme`.
    pub email: &'a str,
    /// The client's IP address; empty without a client.
    pub address: &'a str,
    /// The key the client's budgets count under (see [`AuditEvent::client_key`]).
    pub client_key: &'a str,
}

impl<'a> Actor<'a> {
    /// Nobody signed in, from nowhere (the command line, a test).
    pub const ANONYMOUS: Actor<'static> = Actor {
        user_id: None,
        email: "anonyme",
        address: "",
        client_key: "",
    };

    /// An audit entry of this actor.
    pub fn audit_event(&self, action: &'a str, object: &'a str, detail: &'a str) -> AuditEvent<'a> {
        AuditEvent {
            actor_id: self.user_id,
            actor: self.email,
            action,
            object,
            address: self.address,
            detail,
            client_key: self.client_key,
            personal_detail: "",
        }
    }
}

/// What happened, by whom, to what, from where.
#[derive(Clone, Debug)]
pub struct AuditEvent<'a> {
    pub actor_id: Option<i64>,
    /// The account's address, or `anonyme` (personal: the identity group).
    pub actor: &'a str,
    /// A stable code: `connexion`, `connexion_refusee`, `consultation_dossier`…
    pub action: &'a str,
    /// What it was done to: `dossier:42`, `utilisateur:7`, `poste:FRLEH1`… never a personal
    /// value (those go to `personal_detail`).
    pub object: &'a str,
    /// The client's IP address (personal: the connection group).
    pub address: &'a str,
    /// The key the client's budgets count under (the address; for IPv6, its /64), for counting
    /// sign-ins per client; empty when there is no client (command line). Connection group.
    pub client_key: &'a str,
    /// Anything else worth keeping, in French, without personal values.
    pub detail: &'a str,
    /// The personal value the entry is about, if any: the address typed at a failed sign-in,
    /// the address of an account signed in, invited or removed (identity group).
    pub personal_detail: &'a str,
}

impl<'a> AuditEvent<'a> {
    /// An event of the retention's purge: nobody's account, from no client, nothing personal.
    pub fn by_purge(action: &'a str, object: &'a str, detail: &'a str) -> Self {
        AuditEvent {
            actor_id: None,
            actor: "purge",
            action,
            object,
            address: "-",
            client_key: "",
            detail,
            personal_detail: "",
        }
    }

    /// The same event, about the personal value `value` (see [`AuditEvent::personal_detail`]).
    pub fn about(mut self, value: &'a str) -> Self {
        self.personal_detail = value;
        self
    }
}

/// One stored entry. An erased group reads as empty values and no salt.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<i64>,
    pub actor: String,
    pub action: String,
    pub object: String,
    pub address: String,
    pub detail: String,
    pub personal_detail: String,
    pub client_key: Option<String>,
    pub identity_salt: Option<String>,
    pub identity_digest: Option<String>,
    pub connection_salt: Option<String>,
    pub connection_digest: Option<String>,
    pub format: i16,
    pub prev_hash: String,
    pub hash: String,
}

/// What a verification found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditReport {
    pub entries: i64,
    /// The hash of the last entry verified: kept outside the database (printed, filed), it lets a
    /// later verification prove that nothing before it was rewritten (see [`Store::audit_hash`]).
    pub head_hash: String,
    /// The first break in the chain, in French; `None` when the trail is intact.
    pub problem: Option<String>,
}

/// What an erasure did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Erasure {
    /// Entries whose connection data (IP address, budget key) was erased.
    pub connections: u64,
    /// Entries whose identity (account address, address typed) was erased.
    pub identities: u64,
}

const ENTRY_COLUMNS: &str = "seq, at, actor_id, actor, action, object, address, detail, \
     personal_detail, client_key, identity_salt, identity_digest, connection_salt, \
     connection_digest, CAST(format AS SMALLINT) AS format, prev_hash, hash";

/// SHA-256 in hexadecimal over fields each prefixed by its length, so that no two different
/// lists read the same.
fn digest_of(fields: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for field in fields {
        hasher.update(field.len().to_string().as_bytes());
        hasher.update(b":");
        hasher.update(field.as_bytes());
        hasher.update(b";");
    }
    crate::domain::hex(&hasher.finalize())
}

/// A fresh salt: 128 random bits in hexadecimal. Without it, a digest of an IP address or of an
/// address would be found back by trying them all once the values are erased.
fn new_salt() -> Result<String, StoreError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|error| StoreError::Randomness(error.to_string()))?;
    Ok(crate::domain::hex(&bytes))
}

/// The digest of the identity group.
fn identity_digest(salt: &str, actor: &str, personal_detail: &str) -> String {
    digest_of(&["identite", salt, actor, personal_detail])
}

/// The digest of the connection group.
fn connection_digest(salt: &str, address: &str, client_key: &str) -> String {
    digest_of(&["connexion", salt, address, client_key])
}

/// The hash of an entry: the previous hash, what the entry records, and the digests of its
/// personal groups (never their values).
#[allow(clippy::too_many_arguments)]
fn entry_hash(
    prev_hash: &str,
    seq: i64,
    at: DateTime<Utc>,
    actor_id: Option<i64>,
    action: &str,
    object: &str,
    detail: &str,
    identity_digest: &str,
    connection_digest: &str,
) -> String {
    let actor_id = actor_id.map(|id| id.to_string()).unwrap_or_default();
    let at = at.to_rfc3339_opts(SecondsFormat::Micros, true);
    let seq = seq.to_string();
    digest_of(&[
        "v2",
        prev_hash,
        &seq,
        &at,
        &actor_id,
        action,
        object,
        detail,
        identity_digest,
        connection_digest,
    ])
}

/// The hash a sealed entry must have, recomputed from what it carries: the same computation as
/// the trail's, usable without the database (`server audit verify-export`).
pub fn sealed_entry_hash(entry: &crate::domain::document::SealedEntry) -> String {
    entry_hash(
        &entry.prev_hash,
        entry.seq,
        entry.at,
        entry.actor_id,
        &entry.action,
        &entry.object,
        &entry.detail,
        &entry.identity_digest,
        &entry.connection_digest,
    )
}

impl AuditEntry {
    /// The entry as a seal carries it: without its personal values, only their digests.
    pub fn sealed(&self) -> crate::domain::document::SealedEntry {
        crate::domain::document::SealedEntry {
            seq: self.seq,
            at: self.at,
            actor_id: self.actor_id,
            action: self.action.clone(),
            object: self.object.clone(),
            detail: self.detail.clone(),
            identity_digest: self.identity_digest.clone().unwrap_or_default(),
            connection_digest: self.connection_digest.clone().unwrap_or_default(),
            prev_hash: self.prev_hash.clone(),
            hash: self.hash.clone(),
        }
    }
}

/// The hash entries had before the personal groups (format 1): every value in clear. Only read
/// to verify a trail before re-chaining it.
fn format_1_hash(prev_hash: &str, entry: &AuditEntry) -> String {
    let actor_id = entry.actor_id.map(|id| id.to_string()).unwrap_or_default();
    let at = entry.at.to_rfc3339_opts(SecondsFormat::Micros, true);
    let seq = entry.seq.to_string();
    digest_of(&[
        prev_hash,
        &seq,
        &at,
        &actor_id,
        &entry.actor,
        &entry.action,
        &entry.object,
        &entry.address,
        &entry.detail,
    ])
}

/// Format-1 entries named a person in `object` (sign-ins) or `detail` (colleagues, address
/// changes): re-chained, that value moves to `personal_detail` and the object names the account.
fn split_format_1(entry: &AuditEntry) -> (String, String, String) {
    let account = || {
        entry
            .actor_id
            .map(|id| format!("utilisateur:{id}"))
            .unwrap_or_default()
    };
    match entry.action.as_str() {
        "connexion" if entry.object.contains('@') => {
            (account(), entry.detail.clone(), entry.object.clone())
        }
        "connexion_refusee" if entry.object.contains('@') => {
            (String::new(), entry.detail.clone(), entry.object.clone())
        }
        "collegue_invite"
        | "collegue_retire"
        | "changement_adresse_demande"
        | "adresse_verifiee" => (entry.object.clone(), String::new(), entry.detail.clone()),
        _ => (entry.object.clone(), entry.detail.clone(), String::new()),
    }
}

/// What is wrong with a format-2 entry read back, in French: a personal group that no longer
/// matches its digest, or an entry that no longer matches its hash. An erased group (no salt) is
/// taken at its digest, which the hash covers.
fn entry_problem(entry: &AuditEntry) -> Option<String> {
    let seq = entry.seq;
    if entry.format != 2 {
        return Some(format!(
            "entrée n° {seq} : format ancien, le journal n'a pas été re-chaîné"
        ));
    }
    let (Some(identity), Some(connection)) = (&entry.identity_digest, &entry.connection_digest)
    else {
        return Some(format!(
            "entrée n° {seq} modifiée : empreinte personnelle absente"
        ));
    };
    if let Some(salt) = &entry.identity_salt {
        if identity_digest(salt, &entry.actor, &entry.personal_detail) != *identity {
            return Some(format!(
                "entrée n° {seq} modifiée : son identité ne correspond plus à son empreinte"
            ));
        }
    } else if !entry.actor.is_empty() || !entry.personal_detail.is_empty() {
        return Some(format!(
            "entrée n° {seq} modifiée : identité écrite après effacement"
        ));
    }
    let client_key = entry.client_key.as_deref().unwrap_or_default();
    if let Some(salt) = &entry.connection_salt {
        if connection_digest(salt, &entry.address, client_key) != *connection {
            return Some(format!(
                "entrée n° {seq} modifiée : sa connexion ne correspond plus à son empreinte"
            ));
        }
    } else if !entry.address.is_empty() || !client_key.is_empty() {
        return Some(format!(
            "entrée n° {seq} modifiée : connexion écrite après effacement"
        ));
    }
    let hash = entry_hash(
        &entry.prev_hash,
        entry.seq,
        entry.at,
        entry.actor_id,
        &entry.action,
        &entry.object,
        &entry.detail,
        identity,
        connection,
    );
    (hash != entry.hash).then(|| {
        format!("entrée n° {seq} modifiée : son contenu ne correspond plus à son empreinte")
    })
}

impl Tx {
    /// Appends an entry, in the caller's transaction: the change and its record land together.
    #[tracing::instrument(skip_all)]
    pub async fn audit(
        &mut self,
        event: &AuditEvent<'_>,
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        self.append(event, now, None)
            .await?
            .ok_or_else(|| StoreError::Corrupt("entrée du journal d'audit non écrite".into()))
    }

    /// Appends an entry and gives it back as a seal carries it (a copy of a record is sealed
    /// by the entry that records its manifest's hash).
    #[tracing::instrument(skip_all)]
    pub async fn seal(
        &mut self,
        event: &AuditEvent<'_>,
        now: DateTime<Utc>,
    ) -> Result<crate::domain::document::SealedEntry, StoreError> {
        let seq = self.audit(event, now).await?;
        let sql = format!("SELECT {ENTRY_COLUMNS} FROM audit_entry WHERE seq = $1");
        let entry: AuditEntry =
            on_tx!(self, conn => sqlx::query_as(&sql).bind(seq).fetch_one(conn).await)?;
        Ok(entry.sealed())
    }

    /// Appends an entry, unless `unseen_since` is given and the same reading by the same person
    /// (same action, object and detail) is in the trail after it; then nothing is written and
    /// the transaction must not be committed (the head's number it took goes back with it).
    /// The head is taken first, which serialises writers on both stores; the check and the
    /// entry are one statement, so that the head is held for as few round trips as possible.
    async fn append(
        &mut self,
        event: &AuditEvent<'_>,
        now: DateTime<Utc>,
        unseen_since: Option<DateTime<Utc>>,
    ) -> Result<Option<i64>, StoreError> {
        let (seq, prev_hash): (i64, String) = on_tx!(self, conn => {
            sqlx::query_as("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, last_hash")
                .fetch_one(conn)
                .await
        })?;
        // Both stores keep microseconds; hashing the stored precision keeps entries verifiable.
        let at = now.trunc_subsecs(6);
        let (identity_salt, connection_salt) = (new_salt()?, new_salt()?);
        let identity = identity_digest(&identity_salt, event.actor, event.personal_detail);
        let connection = connection_digest(&connection_salt, event.address, event.client_key);
        let hash = entry_hash(
            &prev_hash,
            seq,
            at,
            event.actor_id,
            event.action,
            event.object,
            event.detail,
            &identity,
            &connection,
        );
        // Without `unseen_since` (NULL), `at > NULL` is never true: the entry is written.
        let written = on_tx!(self, conn => {
            sqlx::query(
                "INSERT INTO audit_entry (seq, at, actor_id, actor, action, object, address, detail, prev_hash, hash,
                     client_key, personal_detail, identity_salt, identity_digest, connection_salt, connection_digest, format)
                 SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, 2
                 WHERE NOT EXISTS (
                     SELECT 1 FROM audit_entry
                     WHERE actor_id = $3 AND action = $5 AND at > $17 AND object = $6 AND detail = $8)",
            )
            .bind(seq)
            .bind(at)
            .bind(event.actor_id)
            .bind(event.actor)
            .bind(event.action)
            .bind(event.object)
            .bind(event.address)
            .bind(event.detail)
            .bind(&prev_hash)
            .bind(&hash)
            .bind(Some(event.client_key).filter(|key| !key.is_empty()))
            .bind(event.personal_detail)
            .bind(&identity_salt)
            .bind(&identity)
            .bind(&connection_salt)
            .bind(&connection)
            .bind(unseen_since)
            .execute(conn)
            .await
            .map(|done| done.rows_affected())
        })?;
        if written == 0 {
            return Ok(None);
        }
        on_tx!(self, conn => {
            sqlx::query("UPDATE audit_head SET last_hash = $1 WHERE id = 1")
                .bind(&hash)
                .execute(conn)
                .await
                .map(|done| done.rows_affected())
        })?;
        Ok(Some(seq))
    }
}

impl Store {
    /// Appends an entry in a transaction of its own.
    #[tracing::instrument(skip_all)]
    pub async fn audit(
        &self,
        event: &AuditEvent<'_>,
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let mut tx = self.begin().await?;
        let seq = tx.audit(event, now).await?;
        tx.commit().await?;
        Ok(seq)
    }

    /// Records a consultation, once: the same reading by the same person (same action, object
    /// and detail) within [`CONSULTATION_MINUTES`] is the same consultation (a live refresh, a
    /// reload), and is not written again. True when an entry was written.
    #[tracing::instrument(skip_all)]
    pub async fn audit_consultation(
        &self,
        event: &AuditEvent<'_>,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let since = now - chrono::Duration::minutes(CONSULTATION_MINUTES);
        // Most calls are refreshes already recorded: answered without taking any lock.
        let seen: Option<i64> = on_pool!(self, pool => {
            sqlx::query_scalar(CONSULTATION_SEEN_SQL)
                .bind(event.actor_id)
                .bind(event.action)
                .bind(since)
                .bind(event.object)
                .bind(event.detail)
                .fetch_optional(pool)
                .await
        })?;
        if seen.is_some() {
            return Ok(false);
        }
        // Otherwise, again under the trail's head, which serialises its writers: two readings
        // at once (a page asking twice while it renders) write one entry.
        let mut tx = self.begin().await?;
        if tx.append(event, now, Some(since)).await?.is_none() {
            return Ok(false);
        }
        tx.commit().await?;
        Ok(true)
    }

    /// The latest entries, newest first (for tests and for investigations).
    #[tracing::instrument(skip_all)]
    pub async fn audit_entries(&self, limit: i64) -> Result<Vec<AuditEntry>, StoreError> {
        let sql = format!("SELECT {ENTRY_COLUMNS} FROM audit_entry ORDER BY seq DESC LIMIT $1");
        Ok(on_pool!(self, pool => sqlx::query_as(&sql).bind(limit).fetch_all(pool).await)?)
    }

    /// The entries about `object` (`dossier:42`), in the trail's order; with `company`, only
    /// those of that company's people (what an operator's copy of a dossier carries: the
    /// administrations' consultations are theirs).
    #[tracing::instrument(skip_all)]
    pub async fn audit_about(
        &self,
        object: &str,
        company: Option<i64>,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let sql = format!(
            "SELECT {ENTRY_COLUMNS} FROM audit_entry
             WHERE object = $1
               AND ($2 IS NULL OR actor_id IN (SELECT id FROM app_user WHERE company_id = $2))
             ORDER BY seq"
        );
        Ok(
            on_pool!(self, pool => sqlx::query_as(&sql).bind(object).bind(company).fetch_all(pool).await)?,
        )
    }

    /// The entries about a person: what was done to their account (`utilisateur:N`) and what
    /// they did, in the trail's order.
    #[tracing::instrument(skip_all)]
    pub async fn audit_of_person(&self, user_id: i64) -> Result<Vec<AuditEntry>, StoreError> {
        let sql = format!(
            "SELECT {ENTRY_COLUMNS} FROM audit_entry WHERE object = $1 OR actor_id = $2 ORDER BY seq"
        );
        Ok(on_pool!(self, pool => {
            sqlx::query_as(&sql)
                .bind(format!("utilisateur:{user_id}"))
                .bind(user_id)
                .fetch_all(pool)
                .await
        })?)
    }

    /// The anchor of the trail as it stands: the number and hash of its last entry (`None` while
    /// it is empty), read from its head without walking the chain.
    #[tracing::instrument(skip_all)]
    pub async fn audit_anchor(&self) -> Result<Option<(i64, String)>, StoreError> {
        let (seq, hash): (i64, String) = on_pool!(self, pool => {
            sqlx::query_as("SELECT seq, last_hash FROM audit_head WHERE id = 1").fetch_one(pool).await
        })?;
        Ok((seq > 0).then_some((seq, hash)))
    }

    /// The stored hash of entry `seq`, to compare with an anchor kept outside the database.
    #[tracing::instrument(skip_all)]
    pub async fn audit_hash(&self, seq: i64) -> Result<Option<String>, StoreError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_scalar("SELECT hash FROM audit_entry WHERE seq = $1")
                .bind(seq)
                .fetch_optional(pool)
                .await
        })?)
    }

    /// Walks the whole trail and checks every link of the chain and the head.
    #[tracing::instrument(skip_all)]
    pub async fn verify_audit(&self) -> Result<AuditReport, StoreError> {
        const PAGE: i64 = 1000;
        let sql =
            format!("SELECT {ENTRY_COLUMNS} FROM audit_entry WHERE seq > $1 ORDER BY seq LIMIT $2");
        // The head first: entries appended while the check runs are beyond it, not missing.
        let (head_seq, head_hash): (i64, String) = on_pool!(self, pool => {
            sqlx::query_as("SELECT seq, last_hash FROM audit_head WHERE id = 1").fetch_one(pool).await
        })?;
        let mut expected_prev = "0".repeat(64);
        let mut last_seq = 0i64;
        let mut count = 0i64;
        'pages: loop {
            let page: Vec<AuditEntry> = on_pool!(self, pool => {
                sqlx::query_as(&sql).bind(last_seq).bind(PAGE).fetch_all(pool).await
            })?;
            let done = (page.len() as i64) < PAGE;
            for entry in page {
                if entry.seq > head_seq {
                    break 'pages;
                }
                let report = |problem: String| AuditReport {
                    entries: count,
                    head_hash: expected_prev.clone(),
                    problem: Some(problem),
                };
                if entry.seq != last_seq + 1 {
                    let missing = if entry.seq == last_seq + 2 {
                        format!("entrée n° {} supprimée", last_seq + 1)
                    } else {
                        format!("entrées n° {} à {} supprimées", last_seq + 1, entry.seq - 1)
                    };
                    return Ok(report(format!(
                        "{missing} : la chaîne saute de l'entrée {last_seq} à l'entrée {}",
                        entry.seq
                    )));
                }
                if entry.prev_hash != expected_prev {
                    return Ok(report(format!(
                        "entrée n° {} : elle ne suit pas l'entrée précédente (empreinte précédente différente)",
                        entry.seq
                    )));
                }
                if let Some(problem) = entry_problem(&entry) {
                    return Ok(report(problem));
                }
                expected_prev = entry.hash;
                last_seq = entry.seq;
                count += 1;
            }
            if done {
                break;
            }
        }
        // Entries beyond the head that the head has not caught up with were not appended through
        // the trail.
        let (max_seq, head_now): (Option<i64>, i64) = on_pool!(self, pool => {
            sqlx::query_as("SELECT (SELECT MAX(seq) FROM audit_entry), (SELECT seq FROM audit_head WHERE id = 1)")
                .fetch_one(pool)
                .await
        })?;
        let problem = if max_seq.unwrap_or(0) > head_now {
            Some(format!(
                "entrées ajoutées sans passer par le journal : n° {} à {}",
                head_now + 1,
                max_seq.unwrap_or(0)
            ))
        } else if head_seq != last_seq {
            Some(format!(
                "dernières entrées supprimées : le journal en compte {last_seq}, il devrait en compter {head_seq}"
            ))
        } else if head_hash != expected_prev {
            Some("la dernière entrée ne correspond pas à l'empreinte de tête du journal".to_owned())
        } else {
            None
        };
        Ok(AuditReport {
            entries: count,
            head_hash: expected_prev,
            problem,
        })
    }

    /// Erases the personal values the retention no longer allows: the connection group of
    /// entries older than `connections_before`, the identity group of entries older than
    /// `identities_before`. Their digests stay, so the chain still verifies; the erasure itself
    /// is recorded in the trail. On PostgreSQL, run it as the purge's role, which may do nothing
    /// else.
    #[tracing::instrument(skip_all)]
    pub async fn erase_personal_values(
        &self,
        connections_before: DateTime<Utc>,
        identities_before: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Erasure, StoreError> {
        let mut tx = self.begin().await?;
        let connections = on_tx!(&mut tx, conn => {
            sqlx::query(
                "UPDATE audit_entry SET address = '', client_key = NULL, connection_salt = NULL
                 WHERE at < $1 AND connection_salt IS NOT NULL",
            )
            .bind(connections_before)
            .execute(conn)
            .await
            .map(|done| done.rows_affected())
        })?;
        let identities = on_tx!(&mut tx, conn => {
            sqlx::query(
                "UPDATE audit_entry SET actor = '', personal_detail = '', identity_salt = NULL
                 WHERE at < $1 AND identity_salt IS NOT NULL",
            )
            .bind(identities_before)
            .execute(conn)
            .await
            .map(|done| done.rows_affected())
        })?;
        let erasure = Erasure {
            connections,
            identities,
        };
        if connections + identities > 0 {
            let detail = format!(
                "connexions effacées avant le {} : {connections} ; identités effacées avant le {} : {identities}",
                connections_before.format("%d/%m/%Y"),
                identities_before.format("%d/%m/%Y"),
            );
            tx.audit(
                &AuditEvent::by_purge("donnees_personnelles_effacees", "journal_audit", &detail),
                now,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(erasure)
    }

    /// Re-chains the entries written before the personal groups existed (format 1), once, right
    /// after the migration that adds the groups: the old chain is verified first (an altered
    /// trail is refused, not laundered), then every entry gets its salts and digests, moves a
    /// personal value out of its object or detail, and a new hash, in one transaction. Anchors
    /// taken before this cannot be checked afterwards; the ones taken after can.
    #[tracing::instrument(skip_all)]
    pub(crate) async fn rechain_format_1_audit(&self) -> Result<(), StoreError> {
        // Read from an index of the old format's entries only (empty once re-chained).
        let pending: Option<i64> = on_pool!(self, pool => {
            sqlx::query_scalar("SELECT seq FROM audit_entry WHERE format = 1 LIMIT 1")
                .fetch_optional(pool)
                .await
        })?;
        if pending.is_none() {
            return Ok(());
        }
        const PAGE: i64 = 1000;
        let sql =
            format!("SELECT {ENTRY_COLUMNS} FROM audit_entry WHERE seq > $1 ORDER BY seq LIMIT $2");
        let mut tx = self.begin().await?;
        let (head_seq, head_hash): (i64, String) = on_tx!(&mut tx, conn => {
            sqlx::query_as("SELECT seq, last_hash FROM audit_head WHERE id = 1").fetch_one(conn).await
        })?;
        let zero = "0".repeat(64);
        let (mut old_prev, mut new_prev) = (zero.clone(), zero);
        let mut last_seq = 0i64;
        loop {
            let page: Vec<AuditEntry> = on_tx!(&mut tx, conn => {
                sqlx::query_as(&sql).bind(last_seq).bind(PAGE).fetch_all(conn).await
            })?;
            let done = (page.len() as i64) < PAGE;
            for entry in page {
                if entry.format != 1
                    || entry.seq != last_seq + 1
                    || entry.prev_hash != old_prev
                    || format_1_hash(&old_prev, &entry) != entry.hash
                {
                    return Err(StoreError::AlteredTrail(format!(
                        "l'entrée n° {} ne suit pas la chaîne",
                        entry.seq
                    )));
                }
                let (object, detail, personal_detail) = split_format_1(&entry);
                let (identity_salt, connection_salt) = (new_salt()?, new_salt()?);
                let identity = identity_digest(&identity_salt, &entry.actor, &personal_detail);
                let client_key = entry.client_key.clone().unwrap_or_default();
                let connection = connection_digest(&connection_salt, &entry.address, &client_key);
                let hash = entry_hash(
                    &new_prev,
                    entry.seq,
                    entry.at,
                    entry.actor_id,
                    &entry.action,
                    &object,
                    &detail,
                    &identity,
                    &connection,
                );
                on_tx!(&mut tx, conn => {
                    sqlx::query(
                        "UPDATE audit_entry SET format = 2, object = $2, detail = $3, personal_detail = $4,
                             identity_salt = $5, identity_digest = $6, connection_salt = $7,
                             connection_digest = $8, prev_hash = $9, hash = $10
                         WHERE seq = $1",
                    )
                    .bind(entry.seq)
                    .bind(&object)
                    .bind(&detail)
                    .bind(&personal_detail)
                    .bind(&identity_salt)
                    .bind(&identity)
                    .bind(&connection_salt)
                    .bind(&connection)
                    .bind(&new_prev)
                    .bind(&hash)
                    .execute(conn)
                    .await
                    .map(|done| done.rows_affected())
                })?;
                old_prev = entry.hash;
                new_prev = hash;
                last_seq = entry.seq;
            }
            if done {
                break;
            }
        }
        if last_seq != head_seq || old_prev != head_hash {
            return Err(StoreError::AlteredTrail(
                "la tête du journal ne correspond pas à sa dernière entrée".to_owned(),
            ));
        }
        on_tx!(&mut tx, conn => {
            sqlx::query("UPDATE audit_head SET last_hash = $1 WHERE id = 1")
                .bind(&new_prev)
                .execute(conn)
                .await
                .map(|done| done.rows_affected())
        })?;
        tx.commit().await?;
        tracing::info!(entries = last_seq, "journal d'audit re-chaîné au format 2");
        Ok(())
    }
}
