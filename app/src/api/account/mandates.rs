//! Mandates of representation, from the personal space (« Mon entreprise », « Mandats de
//! représentation »): a company's administrator gives a representative company a mandate for
//! some sites and days (`POST /espace/mandats`), or revokes one their company gave
//! (`POST /espace/mandats/{id}/revocation`). The representative's administrators are told, the
//! open pages of both companies follow at once, and everything is audited.

use axum::extract::{Path, State};
use axum::{Extension, Form};
use chrono::Utc;

use crate::domain::access::{local_day, EntryPoint, Refusal, Target};
use crate::domain::administration::Fields;
use crate::domain::mandate::parse_mandate;
use crate::forms::{back, check_known, check_viewer, done, Failure, Forms, Outcome};
use crate::state::Caller;
use crate::ui::notices::{Done, Problem};

/// Where mandates are given and read.
const MANDATES: &str = "/espace#mandats";

/// `POST /espace/mandats`: the administrator of an importer gives a mandate to the company
/// registered under `siret`, for the sites ticked (`site-…`), from `debut` (today when empty) to
/// `fin` (until revoked when empty).
#[tracing::instrument(skip_all)]
pub async fn give(
    State(forms): State<Forms>,
    Extension(caller): Extension<Caller>,
    Form(fields): Form<Fields>,
) -> Outcome {
    let viewer = check_viewer(
        &caller,
        EntryPoint::ManageMandates,
        Target::Mandate { importer_id: None },
    )?;
    let importer_id = viewer
        .company_id
        .ok_or(Failure::Refused(Refusal::Forbidden))?;
    let refill: Vec<(&str, &str)> = fields
        .iter()
        .filter(|(name, value)| {
            (name.as_str() == "siret"
                || name.as_str() == "debut"
                || name.as_str() == "fin"
                || name.starts_with("site-"))
                && value.len() <= 40
        })
        .map(|(name, value)| (name.as_str(), value.as_str()))
        .collect();
    let now = Utc::now();
    let today = local_day(now);
    let sites = forms.store.sites().await?;
    let draft = parse_mandate(&fields, &sites, today)
        .map_err(|_| back(MANDATES, Problem::MandateInvalid, &refill))?;
    let mut tx = forms.store.begin().await?;
    let Some(representative_id) = tx.company_of_siret(&draft.representative, None).await?.0 else {
        return Err(back(
            MANDATES,
            Problem::MandateRepresentativeUnknown,
            &refill,
        ));
    };
    if representative_id == importer_id {
        return Err(back(MANDATES, Problem::MandateToItself, &refill));
    }
    let id = tx
        .insert_mandate(importer_id, representative_id, &draft, viewer.user_id, now)
        .await?;
    let site_names = crate::domain::directory::Site::names_of(&sites, &draft.sites);
    let importer = tx.company_name(importer_id).await?;
    tx.tell_company_admins(
        representative_id,
        "mandat_recu",
        &[
            ("entreprise", importer),
            ("sites", site_names),
            (
                "periode",
                crate::domain::mandate::period(draft.starts_on, draft.ends_on),
            ),
        ],
        &format!("mandat:{id}"),
        MANDATES,
        now,
    )
    .await?;
    tx.audit(
        &caller.audit_event(
            "mandat_donne",
            &format!("mandat:{id}"),
            &format!(
                "entreprise:{importer_id} à entreprise:{representative_id} (SIRET {}), sites {}, {}",
                draft.representative,
                draft
                    .sites
                    .iter()
                    .map(|site| site.as_str())
                    .collect::<Vec<_>>()
                    .join(","),
                crate::domain::mandate::period(draft.starts_on, draft.ends_on)
            ),
        ),
        now,
    )
    .await?;
    // The representative's open pages follow what they may now see.
    tx.announce_company_access(representative_id).await?;
    tx.commit().await?;
    done(MANDATES, Done::MandateGiven)
}

/// `POST /espace/mandats/{id}/revocation`: the administrator of the importer that gave a mandate
/// revokes it; another company's mandate, or none, is answered alike.
#[tracing::instrument(skip_all)]
pub async fn revoke(
    State(forms): State<Forms>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<i64>,
) -> Outcome {
    let viewer = check_viewer(
        &caller,
        EntryPoint::ManageMandates,
        Target::Mandate { importer_id: None },
    )?;
    let unknown = || back(MANDATES, Problem::MandateUnknown, &[]);
    let now = Utc::now();
    let mut tx = forms.store.begin().await?;
    let Some(mandate) = tx.lock_mandate(id).await? else {
        return Err(unknown());
    };
    check_known(
        &caller,
        EntryPoint::ManageMandates,
        Target::Mandate {
            importer_id: Some(mandate.importer_id),
        },
        unknown,
    )?;
    if mandate.revoked || mandate.ends_on.is_some_and(|last| last < local_day(now)) {
        return Err(back(MANDATES, Problem::MandateOver, &[]));
    }
    tx.revoke_mandate(id, viewer.user_id, now).await?;
    let sites = tx.mandate_site_names(id).await?.join(", ");
    let importer = tx.company_name(mandate.importer_id).await?;
    tx.tell_company_admins(
        mandate.representative_id,
        "mandat_revoque",
        &[("entreprise", importer), ("sites", sites)],
        &format!("mandat:{id}:revocation"),
        MANDATES,
        now,
    )
    .await?;
    tx.audit(
        &caller.audit_event(
            "mandat_revoque",
            &format!("mandat:{id}"),
            &format!(
                "entreprise:{} à entreprise:{}",
                mandate.importer_id, mandate.representative_id
            ),
        ),
        now,
    )
    .await?;
    // The representative's open pages lose the importer's dossiers at once.
    tx.announce_company_access(mandate.representative_id)
        .await?;
    tx.commit().await?;
    done(MANDATES, Done::MandateRevoked)
}
