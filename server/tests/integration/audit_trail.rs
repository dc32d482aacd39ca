//! The audit trail under retention: the personal values of old entries are erased by the purge
//! (`server audit purge`, under its own role on PostgreSQL) and the chain, and an anchor taken
//! before, still verify; the roles cannot do more than they are for; entries written before the
//! personal groups existed are re-chained once, and an altered old trail is refused, not
//! laundered.

use std::process::Command;

use app::store::{AuditEvent, Backend, Engine, Store};
use chrono::{DateTime, Duration, SecondsFormat, SubsecRound, Utc};
use secrecy::ExposeSecret;
use sha2::{Digest, Sha256};

use crate::helpers::{
    as_role, config, execute, fresh_database, on_both_stores, Running, OWNER_ROLE,
};

on_both_stores!(
    erasing_personal_values_leaves_the_trail_verifiable,
    entries_written_before_are_rechained_once
);

fn event<'a>(actor: &'a str, address: &'a str, typed: &'a str) -> AuditEvent<'a> {
    AuditEvent {
        actor_id: Some(1),
        actor,
        action: "connexion_refusee",
        object: "",
        address,
        client_key: address,
        detail: "identifiants incorrects",
        personal_detail: typed,
    }
}

async fn erasing_personal_values_leaves_the_trail_verifiable(backend: Backend) {
    let Some(url) = fresh_database(backend).await else {
        return;
    };
    let config = config(url.clone());
    let server = Running::start(&config).await;
    let now = Utc::now();
    let old = server
        .store
        .audit(
            &event("ancien@example.fr", "192.0.2.7", "tape@example.fr"),
            now - Duration::days(3 * 365),
        )
        .await
        .unwrap();
    let middle = server
        .store
        .audit(
            &event("moyen@example.fr", "192.0.2.8", "autre@example.fr"),
            now - Duration::days(365),
        )
        .await
        .unwrap();
    let recent = server
        .store
        .audit(&event("recent@example.fr", "192.0.2.9", ""), now)
        .await
        .unwrap();
    let (anchor_seq, anchor_hash) = server.store.audit_anchor().await.unwrap().unwrap();

    // The purge, as operations schedule it.
    let mut purge = Command::new(env!("CARGO_BIN_EXE_server"));
    purge
        .args(["audit", "purge"])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", &url);
    if let Some(purge_url) = &config.purge_database_url {
        purge.env("SESAME_PURGE_DATABASE_URL", purge_url.expose_secret());
    }
    let output = purge.output().expect("le binaire s'exécute");
    let said = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{output:?}");
    assert!(said.contains("Données de connexion effacées"), "{said}");

    let entries = server.store.audit_entries(10_000).await.unwrap();
    let entry = |seq: i64| entries.iter().find(|e| e.seq == seq).unwrap().clone();
    // Three years old: nothing personal is left, not even the salts.
    let three = entry(old);
    assert_eq!(
        (three.actor.as_str(), three.personal_detail.as_str()),
        ("", "")
    );
    assert_eq!((three.address.as_str(), three.client_key), ("", None));
    assert_eq!((three.identity_salt, three.connection_salt), (None, None));
    assert_eq!(three.detail, "identifiants incorrects");
    // One year old: the connection data is gone, the identity stays two years.
    let one = entry(middle);
    assert_eq!(one.actor, "moyen@example.fr");
    assert_eq!(one.personal_detail, "autre@example.fr");
    assert_eq!(one.address, "");
    // Today's: untouched.
    let today = entry(recent);
    assert_eq!(
        (today.actor.as_str(), today.address.as_str()),
        ("recent@example.fr", "192.0.2.9")
    );
    // The purge is itself in the trail.
    assert!(entries
        .iter()
        .any(|e| e.action == "donnees_personnelles_effacees" && e.seq > anchor_seq));

    // The chain verifies, and so does the anchor taken before the erasure.
    let report = server.store.verify_audit().await.unwrap();
    assert_eq!(report.problem, None, "{report:?}");
    assert_eq!(
        server.store.audit_hash(anchor_seq).await.unwrap(),
        Some(anchor_hash.clone())
    );
    let mut verify = Command::new(env!("CARGO_BIN_EXE_server"));
    verify
        .args([
            "audit",
            "verify",
            "--ancre",
            &format!("{anchor_seq}:{anchor_hash}"),
        ])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", &url);
    if let Some(owner_url) = &config.owner_database_url {
        verify.env("SESAME_OWNER_DATABASE_URL", owner_url.expose_secret());
    }
    let verify = verify.output().expect("le binaire s'exécute");
    assert!(verify.status.success(), "{verify:?}");

    // An erased value cannot be written back, nor a kept one changed, even by the owner while
    // the protection stands.
    for statement in [
        format!("UPDATE audit_entry SET actor = 'ancien@example.fr' WHERE seq = {old}"),
        format!("UPDATE audit_entry SET address = '192.0.2.99' WHERE seq = {recent}"),
        format!("UPDATE audit_entry SET detail = 'rien' WHERE seq = {old}"),
    ] {
        assert!(server.as_owner(&statement).await.is_err(), "{statement}");
    }
    // On PostgreSQL, the purge's role may erase and nothing else.
    if let Some(purge_url) = &config.purge_database_url {
        let purge = Store::connect(purge_url.expose_secret()).await.unwrap();
        for statement in [
            "SELECT email FROM app_user".to_owned(),
            format!("UPDATE audit_entry SET detail = 'rien' WHERE seq = {recent}"),
            format!("DELETE FROM audit_entry WHERE seq = {recent}"),
            "UPDATE app_user SET full_name = 'x'".to_owned(),
            "DROP TRIGGER audit_entry_guard ON audit_entry".to_owned(),
        ] {
            assert!(execute(&purge, &statement).await.is_err(), "{statement}");
        }
        purge.close().await;
    }
    let report = server.store.verify_audit().await.unwrap();
    assert_eq!(report.problem, None, "{report:?}");
    server.stop().await;
}

/// SHA-256 over length-prefixed fields, as the trail hashes.
fn digest_of(fields: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for field in fields {
        hasher.update(format!("{}:{field};", field.len()).as_bytes());
    }
    hasher
        .finalize()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// The hash of an entry of format 1: the previous hash, its number, its time (RFC 3339 with
/// microseconds, `Z`), its account number, then actor, action, object, address and detail in clear.
pub fn format_1_hash(
    prev: &str,
    seq: i64,
    at: &str,
    actor_id: Option<i64>,
    values: &[&str; 5],
) -> String {
    let id = actor_id.map(|id| id.to_string()).unwrap_or_default();
    let seq = seq.to_string();
    let mut fields = vec![prev, seq.as_str(), at, id.as_str()];
    fields.extend(values.iter().copied());
    digest_of(&fields)
}

/// Writes a trail as the platform wrote it before the personal groups: every value hashed in
/// clear, the sign-in's address in its object. `altered` changes the second entry after it was
/// hashed.
async fn write_format_1_trail(pool_store: &Store, altered: bool) {
    let at: DateTime<Utc> = (Utc::now() - Duration::days(30)).trunc_subsecs(6);
    let rows = [
        (
            Some(5),
            "agent@example.fr",
            "connexion",
            "agent@example.fr",
            "mot de passe",
        ),
        (
            Some(5),
            "agent@example.fr",
            "consultation_dossier",
            "dossier:42",
            "fiche",
        ),
        (
            None,
            "anonyme",
            "connexion_refusee",
            "inconnu@example.fr",
            "identifiants incorrects",
        ),
    ];
    let mut prev = "0".repeat(64);
    for (index, (actor_id, actor, action, object, detail)) in rows.into_iter().enumerate() {
        let seq = index as i64 + 1;
        let when = at.to_rfc3339_opts(SecondsFormat::Micros, true);
        let hash = format_1_hash(
            &prev,
            seq,
            &when,
            actor_id,
            &[actor, action, object, "192.0.2.1", detail],
        );
        let stored_detail = if altered && seq == 2 {
            "autre fiche"
        } else {
            detail
        };
        let insert = "INSERT INTO audit_entry (seq, at, actor_id, actor, action, object, address, detail, prev_hash, hash)
             VALUES ($1, $2, $3, $4, $5, $6, '192.0.2.1', $7, $8, $9)";
        macro_rules! bind {
            ($pool:expr) => {
                sqlx::query(insert)
                    .bind(seq)
                    .bind(at)
                    .bind(actor_id)
                    .bind(actor)
                    .bind(action)
                    .bind(object)
                    .bind(stored_detail)
                    .bind(&prev)
                    .bind(&hash)
                    .execute($pool)
                    .await
                    .map(|_| ())
            };
        }
        match pool_store.engine() {
            Engine::Sqlite(pool) => bind!(pool),
            Engine::Postgres(pool) => bind!(pool),
        }
        .unwrap();
        prev = hash;
    }
    execute(
        pool_store,
        &format!("UPDATE audit_head SET seq = 3, last_hash = '{prev}' WHERE id = 1"),
    )
    .await
    .unwrap();
}

/// The schema as it stood before the personal groups (migrations 1 to 9).
async fn migrate_to_format_1(store: &Store) {
    macro_rules! until_9 {
        ($migrator:expr, $pool:expr) => {{
            let mut migrator = $migrator;
            migrator.migrations = std::borrow::Cow::Owned(
                migrator
                    .migrations
                    .iter()
                    .filter(|migration| migration.version <= 9)
                    .cloned()
                    .collect(),
            );
            migrator.run($pool).await.unwrap();
        }};
    }
    match store.engine() {
        Engine::Sqlite(pool) => until_9!(sqlx::migrate!("../migrations/sqlite"), pool),
        Engine::Postgres(pool) => until_9!(sqlx::migrate!("../migrations/postgres"), pool),
    }
}

async fn entries_written_before_are_rechained_once(backend: Backend) {
    for altered in [false, true] {
        let Some(url) = fresh_database(backend).await else {
            return;
        };
        // The owner migrates, as a deployment does.
        let owner_url = match backend {
            Backend::Sqlite => url.clone(),
            Backend::Postgres => as_role(&url, OWNER_ROLE),
        };
        let owner = Store::connect(&owner_url).await.unwrap();
        migrate_to_format_1(&owner).await;
        write_format_1_trail(&owner, altered).await;
        let upgraded = owner.migrate().await;
        if altered {
            // Refused, and the old entries are left as they were, for whoever investigates.
            let error = upgraded.expect_err("un journal altéré n'est pas re-chaîné");
            assert!(
                error.to_string().contains("journal d'audit altéré"),
                "{error}"
            );
            let entries = owner.audit_entries(10).await.unwrap();
            assert!(entries.iter().all(|e| e.format == 1), "{entries:?}");
            owner.close().await;
            continue;
        }
        upgraded.unwrap();
        // Once: a second migration changes nothing.
        let (seq, hash) = owner.audit_anchor().await.unwrap().unwrap();
        owner.migrate().await.unwrap();
        assert_eq!(owner.audit_anchor().await.unwrap(), Some((seq, hash)));
        let report = owner.verify_audit().await.unwrap();
        assert_eq!(report.problem, None, "{report:?}");
        assert_eq!(report.entries, 3);
        let entries = owner.audit_entries(10).await.unwrap();
        let sign_in = entries.iter().find(|e| e.seq == 1).unwrap();
        assert_eq!(sign_in.format, 2);
        assert_eq!(sign_in.object, "utilisateur:5");
        assert_eq!(sign_in.personal_detail, "agent@example.fr");
        let refused = entries.iter().find(|e| e.seq == 3).unwrap();
        assert_eq!(refused.object, "");
        assert_eq!(refused.personal_detail, "inconnu@example.fr");
        // And the re-chained entries erase like new ones.
        let now = Utc::now();
        owner.erase_personal_values(now, now, now).await.unwrap();
        let report = owner.verify_audit().await.unwrap();
        assert_eq!(report.problem, None, "{report:?}");
        owner.close().await;
    }
}
