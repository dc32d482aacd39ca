//! The verification of new companies. Someone the customs account signed in without naming
//! their company may declare one not yet registered, with the extract of the company registry
//! that proves it (see [`super::access_requests::declare_company`]); the agents and heads of
//! service of the sites it declares download the extract
//! (`GET /verifications-entreprises/{id}/extrait`), check the SIRET and the name against it,
//! and accept — which creates the company, its first member becoming its administrator, tied to
//! the customs account — or refuse with a reason
//! (`POST /verifications-entreprises/{id}/{acceptation|refus}`). What they checked is recorded
//! with the request and in the audit trail; the person is told by mail. A request of another
//! site is answered as one that does not exist.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Form};
use chrono::Utc;

use crate::domain::access::{EntryPoint, Target};
use crate::domain::access_request::{
    parse_verification, RequestDecision, VerificationMissing, SOLE_TRADER_FIELD,
};
use crate::domain::administration::Fields;
use crate::domain::directory::Role;
use crate::domain::references::Siret;
use crate::forms::{back, check_known, check_viewer, done, send_mail, Forms, Outcome};
use crate::http::{attachment, refusal};
use crate::state::Caller;
use crate::store::NewUser;
use crate::ui::notices::{Done, Problem};
use crate::ui::pages::company_verifications::PATH;

/// `GET /verifications-entreprises/{id}/extrait`: the extract of a new company's request to the
/// agents of the sites it declares, audited; the same answer for one that does not exist, is
/// decided, or is of another site.
#[tracing::instrument(skip_all)]
pub async fn extract(
    State(forms): State<Forms>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<i64>,
) -> Outcome {
    check_viewer(&caller, EntryPoint::VerifyCompanies, Target::Nothing)?;
    let not_found = || {
        Ok(refusal(
            StatusCode::NOT_FOUND,
            "Cette inscription n'existe pas, n'attend plus de vérification ou ne relève pas de vos sites.",
        ))
    };
    let Some((sites, file)) = forms.store.waiting_extract(id).await? else {
        return not_found();
    };
    if crate::domain::access::authorize(
        caller.viewer.as_ref(),
        EntryPoint::VerifyCompany,
        Target::NewCompany { sites: &sites },
    )
    .is_err()
    {
        return not_found();
    }
    let stream = match forms
        .documents
        .files
        .read(&crate::documents::files::storage_key(&file.sha256))
        .await
    {
        Ok(stream) => stream,
        Err(error) => {
            tracing::error!(%error, demande = id, "inscription : extrait illisible");
            return Ok(refusal(
                StatusCode::SERVICE_UNAVAILABLE,
                "Cet extrait est momentanément indisponible. Réessayez dans quelques instants.",
            ));
        }
    };
    forms
        .store
        .audit(
            &caller.audit_event(
                "telechargement_extrait",
                &format!("demande:{id}"),
                &format!("sha256:{}", file.sha256),
            ),
            Utc::now(),
        )
        .await?;
    Ok(attachment(
        &file.media,
        &file.file_name,
        Some(file.size.max(0) as u64),
        axum::body::Body::from_stream(stream),
    ))
}

/// `POST /verifications-entreprises/{id}/{acceptation|refus}`: an agent of a site the new
/// company declares accepts its inscription, every check ticked (`siret_conforme`,
/// `raison_sociale_conforme`, `extrait_recent`) with their `observations`, or refuses it with a
/// reason (`motif`).
#[tracing::instrument(skip_all)]
pub async fn decide(
    State(forms): State<Forms>,
    Extension(caller): Extension<Caller>,
    Path((id, action)): Path<(i64, String)>,
    Form(fields): Form<Fields>,
) -> Outcome {
    let viewer = check_viewer(&caller, EntryPoint::VerifyCompanies, Target::Nothing)?;
    let unknown = || back(PATH, Problem::VerificationUnknown, &[]);
    let now = Utc::now();
    // One read, its row locked until the decision is written: a second click, or another
    // agent, then finds it decided.
    let mut tx = forms.store.begin().await?;
    let Some(request) = tx.lock_verification(id).await? else {
        return Err(unknown());
    };
    check_known(
        &caller,
        EntryPoint::VerifyCompany,
        Target::NewCompany {
            sites: &request.sites,
        },
        unknown,
    )?;
    let Some(decision) = RequestDecision::from_code(&action) else {
        return Err(back(PATH, Problem::UnknownAction, &[]));
    };
    let company = &request.new_company_name;
    let (said, subject, text) = match decision {
        RequestDecision::Acceptance => {
            let ticked = |field: &str| fields.get(field).is_some_and(|value| value == "oui");
            let observations = fields.get("observations").map(String::as_str);
            let verification = parse_verification(ticked, observations.unwrap_or_default())
                .map_err(|missing| {
                    back(
                        PATH,
                        match missing {
                            VerificationMissing::Check(_) => Problem::VerificationUnchecked,
                            VerificationMissing::TooLong => Problem::VerificationTooLong,
                        },
                        &[("demande", &id.to_string())],
                    )
                })?;
            let siret = Siret::parse(&request.siret).map_err(|_| unknown())?;
            if tx.company_of_siret(&siret, None).await?.0.is_some() {
                return Err(back(PATH, Problem::CompanyRegisteredMeanwhile, &[]));
            }
            if tx.email_taken(&request.email).await? {
                return Err(back(PATH, Problem::AccessRequestAddressTaken, &[]));
            }
            let company_id = tx.insert_company(company, &siret, None, None, now).await?;
            if ticked(SOLE_TRADER_FIELD) {
                tx.mark_sole_trader(company_id).await?;
            }
            let user_id = super::sign_in::open_tied(
                &mut tx,
                &caller,
                (&request.provider, &request.subject),
                &NewUser {
                    email: request.email.clone(),
                    full_name: request.full_name.clone(),
                    role: Role::Operateur,
                    company_id: Some(company_id),
                    administration: None,
                    company_admin: true,
                    email_verified: true,
                    password_hash: None,
                },
                (
                    "entreprise_verifiee",
                    &format!(
                        "demande:{id}, entreprise:{company_id} créée (SIRET {siret}), premier membre et administrateur — vérifié : {verification}"
                    ),
                ),
                now,
            )
            .await?;
            tx.close_verification(
                id,
                Ok((company_id, user_id)),
                &verification,
                viewer.user_id,
                now,
            )
            .await?;
            (
                Done::CompanyVerified,
                "Votre entreprise est inscrite sur France Sésame",
                format!(
                    "Bonjour {name},\n\nLes services de contrôle ont vérifié l'extrait du registre \
                     que vous avez joint : l'entreprise {company} (SIRET {siret}) est inscrite sur \
                     France Sésame, et votre compte y est ouvert. Vous en êtes l'administrateur : \
                     vous acceptez les demandes de vos collègues qui la rejoignent. Connectez-vous \
                     avec votre compte douane, comme lors de votre demande.\n\n— France Sésame\n",
                    name = request.full_name,
                ),
            )
        }
        RequestDecision::Refusal => {
            let reason = super::access_requests::refusal_reason(&fields, PATH, id)?;
            tx.close_verification(id, Err(&reason), "", viewer.user_id, now)
                .await?;
            tx.audit(
                &caller
                    .audit_event(
                        "entreprise_refusee",
                        &format!("demande:{id}"),
                        // The name declared may be a person's (a sole trader): it stays with the
                        // request, whose retention erases it, not in the hashed detail.
                        &format!(
                            "SIRET {} — motif envoyé au demandeur, gardé avec la demande",
                            request.siret
                        ),
                    )
                    .about(&request.email),
                now,
            )
            .await?;
            (
                Done::CompanyRefused,
                "Votre demande d'inscription sur France Sésame est refusée",
                format!(
                    "Bonjour {name},\n\nLes services de contrôle ont refusé l'inscription de \
                     l'entreprise {company} (SIRET {siret}) sur France Sésame, pour le motif \
                     suivant :\n« {reason} »\n\nVous pouvez vous reconnecter avec votre compte \
                     douane pour déclarer de nouveau l'entreprise avec un extrait du registre à \
                     jour. Pour toute question, adressez-vous à l'assistance de France Sésame \
                     depuis la page « Contact » du site.\n\n— France Sésame\n",
                    name = request.full_name,
                    siret = request.siret,
                ),
            )
        }
    };
    tx.commit().await?;
    let sent = send_mail(&forms, &request.email, subject, text).await;
    done(PATH, if sent { said } else { Done::RequestMailNotSent })
}
