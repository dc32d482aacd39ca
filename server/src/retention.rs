//! The retention's run: once a day on the clock (the first instance to record the day runs it),
//! or by hand (`server retention`, `--dry-run` to list what would go). The platform's store
//! pseudonymises accounts and deletes connection data; the purge's store (its own role on
//! PostgreSQL, the same store otherwise) erases from the audit trail and the messaging's record.

use app::documents::files::{storage_key, FileStore};
use app::store::{RetentionLimits, RetentionPlan, Store, StoreError};
use app::ui::format::count;
use chrono::{DateTime, Utc};

/// What a run did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Done {
    pub warned: usize,
    pub erased: usize,
    pub connections: app::store::ConnectionsErased,
    pub trail_connections: u64,
    pub trail_identities: u64,
    /// Registry extracts of erased requests taken out of the documents' storage.
    pub extracts: usize,
}

impl Done {
    /// One French line, for the logs and the day's record.
    pub fn summary(&self) -> String {
        format!(
            "{} prévenus, {} supprimés ; {}, {}, {} d'acceptation des conditions effacées, {}, {}, {} ; \
             journal d'audit : connexions effacées de {}, identités de {}",
            count(self.warned as i64, "compte", "comptes"),
            count(self.erased as i64, "compte", "comptes"),
            count(self.connections.sessions as i64, "session", "sessions"),
            count(
                self.connections.links as i64,
                "lien expiré",
                "liens expirés"
            ),
            count(
                self.connections.acceptance_addresses as i64,
                "adresse IP",
                "adresses IP"
            ),
            count(
                self.connections.requests as i64,
                "invitation ou demande anonymisée",
                "invitations ou demandes anonymisées"
            ),
            count(
                self.connections.companies as i64,
                "entreprise individuelle anonymisée",
                "entreprises individuelles anonymisées"
            ),
            count(
                self.extracts as i64,
                "extrait de registre retiré",
                "extraits de registre retirés"
            ),
            count(self.trail_connections as i64, "entrée", "entrées"),
            count(self.trail_identities as i64, "entrée", "entrées"),
        )
    }
}

/// Runs the retention at `now`: warns the accounts a month from their end, erases those past
/// it that nothing holds, then deletes the connection data, takes the registry extracts of the
/// requests erased out of `files`, and erases the trail's personal values past their time.
pub async fn run(
    store: &Store,
    purge: &Store,
    files: &dyn FileStore,
    now: DateTime<Utc>,
) -> Result<Done, StoreError> {
    let limits = RetentionLimits::at(now);
    let plan = store.retention_plan(&limits).await?;
    let mut done = Done::default();
    for account in &plan.to_warn {
        if store.warn_account(account, &limits).await? {
            done.warned += 1;
        }
    }
    for account in &plan.to_erase {
        // The trail and the messages first (the purge's role), then the account itself, which
        // checks again that it is due: a run stopped in between is finished by the next.
        purge.erase_account_traces(account, now).await?;
        if store.erase_account(account, &limits).await? {
            done.erased += 1;
        }
    }
    done.connections = store.erase_connections(&limits).await?;
    // The file first, then the request forgets it: a file that would not go is tried again
    // the next day, and none is left behind unknown.
    for (request, sha256) in store.erased_extracts().await? {
        if !store.extract_still_needed(&sha256, request).await? {
            if let Err(error) = files.remove(&storage_key(&sha256)).await {
                tracing::warn!(%error, request, "conservation : extrait de registre non retiré, nouvel essai demain");
                continue;
            }
        }
        store.forget_extract(request).await?;
        done.extracts += 1;
    }
    let erased = purge
        .erase_personal_values(limits.connections_before, limits.accounts_before, now)
        .await?;
    done.trail_connections = erased.connections;
    done.trail_identities = erased.identities;
    Ok(done)
}

/// The day's run, if this instance is the first to start it today (Paris time).
pub async fn daily(store: &Store, purge: &Store, files: &dyn FileStore, now: DateTime<Utc>) {
    let day = app::domain::access::local_day(now);
    match store.start_retention_run(day, now).await {
        Ok(true) => {}
        Ok(false) => return,
        Err(error) => {
            tracing::warn!(%error, "conservation : passage du jour non enregistré, nouvel essai au prochain tour");
            return;
        }
    }
    let summary = match run(store, purge, files, now).await {
        Ok(done) => {
            let summary = done.summary();
            tracing::info!(%summary, "conservation : passage du jour fait");
            summary
        }
        Err(error) => {
            tracing::warn!(%error, "conservation : passage du jour interrompu, repris demain");
            format!("interrompu : {error}")
        }
    };
    if let Err(error) = store.finish_retention_run(day, &summary, Utc::now()).await {
        tracing::warn!(%error, "conservation : fin du passage non enregistrée");
    }
}

/// The plan as a table, in French: what a run would do now. Accounts are named by their number
/// and their last sign-in, never by their address.
pub fn plan_table(plan: &RetentionPlan, limits: &RetentionLimits) -> String {
    let day = |at: DateTime<Utc>| app::ui::format::date(app::domain::access::local_day(at));
    let mut out = format!(
        "Conservation des données au {} (simulation : rien n'est effacé)\n\n",
        day(limits.now)
    );
    let rows = [
        (
            "Comptes à prévenir (suppression dans trente jours)".to_owned(),
            plan.to_warn.len() as i64,
        ),
        (
            format!(
                "Comptes à supprimer (dernière connexion avant le {})",
                day(limits.accounts_before)
            ),
            plan.to_erase.len() as i64,
        ),
        (
            "Comptes arrivés à échéance mais gelés par le guichet des droits".to_owned(),
            plan.held,
        ),
        (
            format!(
                "Sessions terminées avant le {}",
                day(limits.connections_before)
            ),
            plan.sessions,
        ),
        ("Liens expirés depuis six mois".to_owned(), plan.links),
        (
            "Adresses IP d'acceptation des conditions de plus de six mois".to_owned(),
            plan.acceptance_addresses,
        ),
        (
            "Invitations et demandes d'accès de plus de deux ans".to_owned(),
            plan.requests,
        ),
        (
            "Entreprises individuelles sans activité depuis deux ans".to_owned(),
            plan.sole_traders,
        ),
        (
            "Journal d'audit : entrées dont les données de connexion partent".to_owned(),
            plan.trail_connections,
        ),
        (
            "Journal d'audit : entrées dont l'identité part".to_owned(),
            plan.trail_identities,
        ),
    ];
    let width = rows
        .iter()
        .map(|(label, _)| label.chars().count())
        .max()
        .unwrap_or(0);
    for (label, n) in rows {
        let pad = width - label.chars().count();
        out.push_str(&format!("{label}{} {n:>8}\n", " ".repeat(pad)));
    }
    for (title, accounts) in [
        ("Comptes à prévenir", &plan.to_warn),
        ("Comptes à supprimer", &plan.to_erase),
    ] {
        if accounts.is_empty() {
            continue;
        }
        out.push_str(&format!("\n{title} :\n"));
        for account in accounts.iter() {
            out.push_str(&format!(
                "  n° {:<8} {:<14} dernière connexion le {}, supprimé le {}\n",
                account.id,
                account.role,
                day(account.last_sign_in_at),
                app::ui::format::date(RetentionLimits::erasure_day(account.last_sign_in_at)),
            ));
        }
    }
    out
}
