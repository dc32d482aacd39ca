//! The audit trail: every sign-in (and failed one), every change, every agent's access to a
//! dossier or to personal data, appended and never updated (the database refuses updates and
//! deletions). Each entry carries the hash of the previous one in its own hash, and a one-row
//! head holds the last hash: [`Store::verify_audit`] finds any altered, removed or added entry.

use chrono::{DateTime, SecondsFormat, SubsecRound, Utc};
use sha2::{Digest, Sha256};

use super::{on_pool, on_tx, Store, StoreError, Tx};

/// How long the same reading by the same person counts as one consultation.
pub const CONSULTATION_MINUTES: i64 = 10;

/// What happened, by whom, to what, from where.
#[derive(Clone, Debug)]
pub struct AuditEvent<'a> {
    pub actor_id: Option<i64>,
    /// The account's address, or `anonyme`.
    pub actor: &'a str,
    /// A stable code: `connexion`, `connexion_refusee`, `consultation_dossier`…
    pub action: &'a str,
    /// What it was done to: `dossier:42`, `utilisateur:7`, an address…
    pub object: &'a str,
    /// The client's IP address.
    pub address: &'a str,
    /// The key the client's budgets count under (the address; for IPv6, its /64), for counting
    /// sign-ins per client; empty when there is no client (command line). Derived from
    /// `address`, so not hashed again.
    pub client_key: &'a str,
    /// Anything else worth keeping, in French.
    pub detail: &'a str,
}

/// One stored entry.
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

const ENTRY_COLUMNS: &str =
    "seq, at, actor_id, actor, action, object, address, detail, prev_hash, hash";

/// The hash of an entry: SHA-256 over the previous hash and every field, each prefixed by its
/// length so that no two different entries read the same.
fn entry_hash(prev_hash: &str, seq: i64, at: DateTime<Utc>, event: &AuditEvent) -> String {
    let mut hasher = Sha256::new();
    let actor_id = event.actor_id.map(|id| id.to_string()).unwrap_or_default();
    let at = at.to_rfc3339_opts(SecondsFormat::Micros, true);
    let seq = seq.to_string();
    for field in [
        prev_hash,
        seq.as_str(),
        at.as_str(),
        actor_id.as_str(),
        event.actor,
        event.action,
        event.object,
        event.address,
        event.detail,
    ] {
        hasher.update(field.len().to_string().as_bytes());
        hasher.update(b":");
        hasher.update(field.as_bytes());
        hasher.update(b";");
    }
    hasher
        .finalize()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

impl Tx {
    /// Appends an entry, in the caller's transaction: the change and its record land together.
    pub async fn audit(
        &mut self,
        event: &AuditEvent<'_>,
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        // Taking the head first serialises writers on both stores.
        let (seq, prev_hash): (i64, String) = on_tx!(self, conn => {
            sqlx::query_as("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, last_hash")
                .fetch_one(conn)
                .await
        })?;
        // Both stores keep microseconds; hashing the stored precision keeps entries verifiable.
        let at = now.trunc_subsecs(6);
        let hash = entry_hash(&prev_hash, seq, at, event);
        on_tx!(self, conn => {
            sqlx::query(
                "INSERT INTO audit_entry (seq, at, actor_id, actor, action, object, address, detail, prev_hash, hash, client_key)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
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
            .execute(conn)
            .await
            .map(|done| done.rows_affected())
        })?;
        on_tx!(self, conn => {
            sqlx::query("UPDATE audit_head SET last_hash = $1 WHERE id = 1")
                .bind(&hash)
                .execute(conn)
                .await
                .map(|done| done.rows_affected())
        })?;
        Ok(seq)
    }
}

impl Store {
    /// Appends an entry in a transaction of its own.
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
    pub async fn audit_consultation(
        &self,
        event: &AuditEvent<'_>,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        const SEEN: &str = "SELECT seq FROM audit_entry
             WHERE actor_id = $1 AND action = $2 AND at > $3 AND object = $4 AND detail = $5
             LIMIT 1";
        let since = now - chrono::Duration::minutes(CONSULTATION_MINUTES);
        // Most calls are refreshes already recorded: answered without taking any lock.
        let seen: Option<i64> = on_pool!(self, pool => {
            sqlx::query_scalar(SEEN)
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
        on_tx!(&mut tx, conn => {
            sqlx::query("UPDATE audit_head SET seq = seq WHERE id = 1")
                .execute(conn)
                .await
                .map(|_| ())
        })?;
        let seen: Option<i64> = on_tx!(&mut tx, conn => {
            sqlx::query_scalar(SEEN)
                .bind(event.actor_id)
                .bind(event.action)
                .bind(since)
                .bind(event.object)
                .bind(event.detail)
                .fetch_optional(conn)
                .await
        })?;
        if seen.is_some() {
            return Ok(false);
        }
        tx.audit(event, now).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// The latest entries, newest first (for tests and for investigations).
    pub async fn audit_entries(&self, limit: i64) -> Result<Vec<AuditEntry>, StoreError> {
        let sql = format!("SELECT {ENTRY_COLUMNS} FROM audit_entry ORDER BY seq DESC LIMIT $1");
        Ok(on_pool!(self, pool => sqlx::query_as(&sql).bind(limit).fetch_all(pool).await)?)
    }

    /// The anchor of the trail as it stands: the number and hash of its last entry (`None` while
    /// it is empty), read from its head without walking the chain.
    pub async fn audit_anchor(&self) -> Result<Option<(i64, String)>, StoreError> {
        let (seq, hash): (i64, String) = on_pool!(self, pool => {
            sqlx::query_as("SELECT seq, last_hash FROM audit_head WHERE id = 1").fetch_one(pool).await
        })?;
        Ok((seq > 0).then_some((seq, hash)))
    }

    /// The stored hash of entry `seq`, to compare with an anchor kept outside the database.
    pub async fn audit_hash(&self, seq: i64) -> Result<Option<String>, StoreError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_scalar("SELECT hash FROM audit_entry WHERE seq = $1")
                .bind(seq)
                .fetch_optional(pool)
                .await
        })?)
    }

    /// Walks the whole trail and checks every link of the chain and the head.
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
                let event = AuditEvent {
                    actor_id: entry.actor_id,
                    actor: &entry.actor,
                    action: &entry.action,
                    object: &entry.object,
                    address: &entry.address,
                    detail: &entry.detail,
                    client_key: "",
                };
                if entry_hash(&entry.prev_hash, entry.seq, entry.at, &event) != entry.hash {
                    return Ok(report(format!(
                        "entrée n° {} modifiée : son contenu ne correspond plus à son empreinte",
                        entry.seq
                    )));
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
}
