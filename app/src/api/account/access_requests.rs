//! Requests to join a company. Someone the customs account signed in without naming their
//! company gets a request and a cookie to follow it (`/demande-acces`); they declare the SIRET
//! of their establishment (`POST /demande-acces`), and the company's administrators are told.
//! An administrator accepts, which opens the account in the company tied to the customs account,
//! or refuses with a reason (`POST /espace/demandes/{id}/{acceptation|refus}`); the requester
//! is told by mail. Everything is audited.

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Form};
use chrono::{DateTime, Duration, Utc};

use crate::domain::access::{EntryPoint, Target};
use crate::domain::access_request::{
    RequestDecision, ACCESS_REQUEST_COOKIE, ACCESS_REQUEST_COOKIE_DAYS,
};
use crate::domain::account::{name_from_provider, parse_reason};
use crate::domain::administration::Fields;
use crate::domain::directory::Role;
use crate::domain::references::Siret;
use crate::forms::{
    back, check, check_known, check_viewer, done, send_mail, sensitive_budget, Failure, Forms,
    Outcome,
};
use crate::http::{new_token, see_other};
use crate::state::{read_cookie, set_cookie, token_hash, Caller};
use crate::store::NewUser;
use crate::ui::notices::{Done, Problem};
use crate::ui::pages::access_request::PATH;

/// Where a company's administrator decides: the personal space, at its requests.
const DECIDED: &str = "/espace#demandes";

/// Opens the request of someone the customs account signed in without naming their company (or
/// finds the one they opened before), and sends their browser to the page that follows it, with
/// the cookie that lets it read the request. `why` says what the provider did not assert, for the
/// audit trail. `None`, nothing written, when the address is a closed account's: a removed
/// colleague does not come back by asking again.
pub(crate) async fn open(
    forms: &Forms,
    caller: &Caller,
    identity: &crate::forms::Identity,
    provider: &str,
    why: &str,
    now: DateTime<Utc>,
) -> Result<Option<Response>, Failure> {
    let (token, hash) = new_token();
    let name = name_from_provider(identity.name.as_deref(), &identity.email);
    let mut tx = forms.store.begin().await?;
    if tx.email_taken(&identity.email).await? {
        return Ok(None);
    }
    let id = tx
        .open_access_request(
            (provider, &identity.subject),
            (&identity.email, &name),
            &hash,
            now,
        )
        .await?;
    tx.audit(
        &caller
            .audit_event("demande_acces_ouverte", &format!("demande:{id}"), why)
            .about(&identity.email),
        now,
    )
    .await?;
    tx.commit().await?;
    let mut response = see_other(PATH).into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(
            ACCESS_REQUEST_COOKIE,
            &token,
            caller.over_https,
            Duration::days(ACCESS_REQUEST_COOKIE_DAYS),
        ),
    );
    Ok(Some(response))
}

#[derive(serde::Deserialize)]
pub struct DeclareForm {
    siret: String,
}

/// `POST /demande-acces`: the requester declares the SIRET of their establishment; the request
/// then waits for that company's administrators, who are told (once per company).
#[tracing::instrument(skip_all)]
pub async fn declare(
    State(forms): State<Forms>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    Form(form): Form<DeclareForm>,
) -> Outcome {
    check(&caller, EntryPoint::RequestAccess, Target::Nothing)?;
    // Each answer says whether a company is registered under a SIRET, and may tell its
    // administrators: the tighter budget, per client.
    sensitive_budget(&forms, &[&format!("demande:{}", caller.client_key)])?;
    let gone = || back(PATH, Problem::AccessRequestGone, &[]);
    let hash = read_cookie(&headers, ACCESS_REQUEST_COOKIE, caller.over_https)
        .map(|token| token_hash(&token))
        .ok_or_else(gone)?;
    let typed: String = form.siret.trim().chars().take(40).collect();
    let siret = Siret::parse(&typed)
        .map_err(|_| back(PATH, Problem::SiretDeclaredInvalid, &[("siret", &typed)]))?;
    let now = Utc::now();
    let mut tx = forms.store.begin().await?;
    let Some(request) = tx.open_request_of_token(&hash).await? else {
        return Err(gone());
    };
    let (company, _) = tx.company_of_siret(&siret, None).await?;
    let Some(company_id) = company else {
        return Err(back(
            PATH,
            Problem::CompanyNotRegistered,
            &[("siret", siret.as_str())],
        ));
    };
    tx.declare_siret(request.id, siret.as_str(), company_id, now)
        .await?;
    if request.company_id != Some(company_id) {
        tx.tell_company_admins(
            company_id,
            "demande_acces",
            &[
                ("nom", request.full_name.clone()),
                ("adresse", request.email.clone()),
            ],
            &format!("demande:{}:{company_id}", request.id),
            DECIDED,
            now,
        )
        .await?;
    }
    tx.audit(
        &caller
            .audit_event(
                "demande_acces_declaree",
                &format!("demande:{}", request.id),
                &format!("entreprise:{company_id} (SIRET {siret})"),
            )
            .about(&request.email),
        now,
    )
    .await?;
    tx.commit().await?;
    done(PATH, Done::AccessRequestSent)
}

/// What the form of a new company sent: its fields, and the extract spooled.
#[derive(Default)]
struct CompanyForm {
    siret: String,
    name: String,
    sites: Vec<String>,
    extract: Option<(crate::documents::files::Spooled, Option<String>)>,
}

/// Reads the multipart form of a new company, the extract spooled within the documents' size.
async fn receive_company(
    forms: &Forms,
    multipart: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<CompanyForm, Failure> {
    use crate::documents::files::{spool, SpoolFailure};
    let interrupted = || back(PATH, Problem::DocumentUploadInterrupted, &[]);
    let mut multipart = multipart.map_err(|_| interrupted())?;
    let mut form = CompanyForm::default();
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => return Ok(form),
            Err(error) if error.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(back(PATH, Problem::DocumentTooLarge, &[]))
            }
            Err(_) => return Err(interrupted()),
        };
        let name = field.name().unwrap_or_default().to_owned();
        if name == "extrait" {
            let given = field.file_name().map(str::to_owned);
            let services = &forms.documents;
            let spooled = spool(services.files.spool_folder(), services.max_bytes, field)
                .await
                .map_err(|failure| match failure {
                    SpoolFailure::TooLarge => back(PATH, Problem::DocumentTooLarge, &[]),
                    SpoolFailure::Request(_) => interrupted(),
                    SpoolFailure::Disk(error) => {
                        tracing::error!(%error, "inscription : extrait non reçu");
                        back(PATH, Problem::DocumentNotSaved, &[])
                    }
                })?;
            // A browser sends an empty part when no file was chosen.
            if spooled.size > 0 || given.as_deref().is_some_and(|given| !given.is_empty()) {
                form.extract = Some((spooled, given));
            }
            continue;
        }
        let text = match field.text().await {
            Ok(text) if text.len() <= 4 * 1024 => text,
            Ok(_) => return Err(back(PATH, Problem::CompanyNameInvalid, &[])),
            Err(_) => return Err(interrupted()),
        };
        match name.as_str() {
            "siret" => form.siret = text,
            "raison_sociale" => form.name = text,
            "sites" if form.sites.len() < 100 => form.sites.push(text),
            _ => {}
        }
    }
}

/// `POST /demande-acces/entreprise` (multipart): the requester declares a company not yet
/// registered — its `siret`, its `raison_sociale`, the `sites` where it has its goods checked,
/// and the `extrait` of the company registry (a Kbis or the INSEE notice, PDF, JPEG or PNG),
/// which passes through the antivirus before anything is kept. The request then waits for an
/// agent of one of those sites, who are told.
#[tracing::instrument(skip_all)]
pub async fn declare_company(
    State(forms): State<Forms>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    multipart: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> Outcome {
    use crate::documents::files::{storage_key, Verdict};
    use crate::domain::access_request::parse_company_name;
    use crate::domain::document::{MediaType, ScanState};
    check(&caller, EntryPoint::RequestAccess, Target::Nothing)?;
    sensitive_budget(&forms, &[&format!("demande:{}", caller.client_key)])?;
    let gone = || back(PATH, Problem::AccessRequestGone, &[]);
    let hash = read_cookie(&headers, ACCESS_REQUEST_COOKIE, caller.over_https)
        .map(|token| token_hash(&token))
        .ok_or_else(gone)?;
    let form = receive_company(&forms, multipart).await?;
    let typed_siret: String = form.siret.trim().chars().take(40).collect();
    let typed_name: String = form.name.trim().chars().take(240).collect();
    // Only this form gets back what was typed, not the join form above it.
    let kept = [
        ("entreprise_siret", typed_siret.as_str()),
        ("raison_sociale", typed_name.as_str()),
    ];
    let refuse = |problem| back(PATH, problem, &kept);
    let siret = Siret::parse(&typed_siret).map_err(|_| refuse(Problem::SiretDeclaredInvalid))?;
    let name = parse_company_name(&typed_name).map_err(|_| refuse(Problem::CompanyNameInvalid))?;
    let known = forms.store.sites().await?;
    let mut sites: Vec<crate::domain::references::Locode> = known
        .iter()
        .filter(|site| {
            form.sites
                .iter()
                .any(|code| code.trim() == site.code.as_str())
        })
        .map(|site| site.code.clone())
        .collect();
    sites.dedup();
    if sites.is_empty() {
        return Err(refuse(Problem::CompanySitesMissing));
    }
    let Some((spooled, given)) = form.extract else {
        return Err(refuse(Problem::RegistryExtractMissing));
    };
    if spooled.size == 0 {
        return Err(refuse(Problem::DocumentFileEmpty));
    }
    let media = spooled
        .media
        .filter(|media| matches!(media, MediaType::Pdf | MediaType::Jpeg | MediaType::Png))
        .ok_or_else(|| refuse(Problem::RegistryExtractType))?;
    // Nothing is kept before the antivirus says the file is clean.
    let services = &forms.documents;
    let scanned = match services.intake().await {
        Err(_) => return Err(refuse(Problem::DocumentScannerUnavailable)),
        Ok(ScanState::NotScanned) => false,
        Ok(_) => {
            let file = tokio::fs::File::open(&spooled.path)
                .await
                .map_err(|error| {
                    tracing::error!(%error, "inscription : extrait illisible");
                    refuse(Problem::DocumentNotSaved)
                })?;
            let stream: crate::documents::files::ByteStream =
                Box::pin(tokio_util::io::ReaderStream::with_capacity(file, 64 * 1024));
            match services.antivirus.scan(stream).await {
                Ok(Verdict::Clean) => true,
                Ok(Verdict::Infected(threat)) => {
                    tracing::warn!(%threat, sha256 = %spooled.sha256, "inscription : menace détectée dans un extrait, rien n'est gardé");
                    return Err(refuse(Problem::RegistryExtractInfected));
                }
                Err(error) => {
                    tracing::warn!(%error, "inscription : analyse antivirus impossible");
                    return Err(refuse(Problem::DocumentScannerUnavailable));
                }
            }
        }
    };
    let file_name =
        crate::domain::document::safe_file_name(given.as_deref().unwrap_or_default(), media);
    let extract = crate::store::RegistryExtract {
        sha256: spooled.sha256.clone(),
        file_name,
        media,
        size: spooled.size as i64,
        scanned,
    };
    // Kept before the transaction, which then holds no lock while the file is copied; a file
    // kept for a declaration refused below is stored under its digest like any other, unread.
    let key = storage_key(&spooled.sha256);
    if let Err(error) = services.files.keep(&spooled.path, &key).await {
        tracing::error!(%error, "inscription : extrait non gardé");
        return Err(refuse(Problem::DocumentNotSaved));
    }
    let now = Utc::now();
    let mut tx = forms.store.begin().await?;
    let Some(request) = tx.open_request_of_token(&hash).await? else {
        return Err(gone());
    };
    // Already registered: the person asks to join it instead (the form above on the page).
    if tx.company_of_siret(&siret, None).await?.0.is_some() {
        return Err(refuse(Problem::CompanyAlreadyRegistered));
    }
    tx.declare_new_company(request.id, (siret.as_str(), &name), &sites, &extract, now)
        .await?;
    let site_names = crate::domain::directory::Site::names_of(&known, &sites);
    tx.tell_site_agents(
        &sites,
        "entreprise_a_verifier",
        &[
            ("nom", request.full_name.clone()),
            ("entreprise", name.clone()),
            ("siret", siret.as_str().to_owned()),
            ("sites", site_names.clone()),
        ],
        &format!("inscription:{}:{}", request.id, extract.sha256),
        crate::ui::pages::company_verifications::PATH,
        now,
    )
    .await?;
    tx.audit(
        &caller
            .audit_event(
                "inscription_entreprise_declaree",
                &format!("demande:{}", request.id),
                &format!(
                    "« {name} » (SIRET {siret}), sites {}, extrait sha256:{}",
                    sites
                        .iter()
                        .map(|site| site.as_str())
                        .collect::<Vec<_>>()
                        .join(","),
                    extract.sha256
                ),
            )
            .about(&request.email),
        now,
    )
    .await?;
    tx.commit().await?;
    done(PATH, Done::CompanyRequestSent)
}

/// The reason (`motif`) a request is refused for, or back to `page` with what was typed, for
/// request `id`.
pub(super) fn refusal_reason(fields: &Fields, page: &str, id: i64) -> Result<String, Failure> {
    let typed = fields.get("motif").map(String::as_str).unwrap_or("");
    parse_reason(typed).map_err(|_| {
        let kept: String = typed.chars().take(600).collect();
        back(
            page,
            Problem::AccessRequestReasonInvalid,
            &[("demande", &id.to_string()), ("motif", &kept)],
        )
    })
}

/// `POST /espace/demandes/{id}/{acceptation|refus}`: a company's administrator decides about a
/// request waiting for their company; a request of another company is answered as one that
/// does not exist. A refusal gives its reason (`motif`).
#[tracing::instrument(skip_all)]
pub async fn decide(
    State(forms): State<Forms>,
    Extension(caller): Extension<Caller>,
    Path((id, action)): Path<(i64, String)>,
    Form(fields): Form<Fields>,
) -> Outcome {
    let viewer = check_viewer(&caller, EntryPoint::PersonalSpace, Target::Nothing)?;
    let unknown = || back(DECIDED, Problem::AccessRequestUnknown, &[]);
    let now = Utc::now();
    // One read, its row locked until the decision is written: a second click, or another
    // administrator, then finds it decided, and nothing is written twice.
    let mut tx = forms.store.begin().await?;
    let Some(request) = tx.lock_waiting_request(id).await? else {
        return Err(unknown());
    };
    check_known(
        &caller,
        EntryPoint::DecideAccessRequest,
        Target::Colleague {
            user_id: None,
            company_id: Some(request.company_id),
        },
        unknown,
    )?;
    let Some(decision) = RequestDecision::from_code(&action) else {
        return Err(back(DECIDED, Problem::UnknownAction, &[]));
    };
    let company = &request.company_name;
    let (said, subject, text) = match decision {
        RequestDecision::Acceptance => {
            if tx.email_taken(&request.email).await? {
                return Err(back(DECIDED, Problem::AccessRequestAddressTaken, &[]));
            }
            let user_id = super::sign_in::open_tied(
                &mut tx,
                &caller,
                (&request.provider, &request.subject),
                &NewUser {
                    email: request.email.clone(),
                    full_name: request.full_name.clone(),
                    role: Role::Operateur,
                    company_id: Some(request.company_id),
                    administration: None,
                    company_admin: false,
                    email_verified: true,
                    password_hash: None,
                },
                (
                    "demande_acces_acceptee",
                    &format!("demande:{id}, entreprise:{}", request.company_id),
                ),
                now,
            )
            .await?;
            tx.close_access_request(id, request.company_id, Ok(user_id), viewer.user_id, now)
                .await?;
            (
                Done::AccessRequestAccepted,
                "Votre accès à France Sésame est ouvert",
                format!(
                    "Bonjour {name},\n\nL'administrateur du compte de l'entreprise {company} sur \
                     France Sésame a accepté votre demande : votre compte est ouvert dans cette \
                     entreprise. Connectez-vous avec votre compte douane, comme lors de votre \
                     demande.\n\n— France Sésame\n",
                    name = request.full_name,
                ),
            )
        }
        RequestDecision::Refusal => {
            let reason = refusal_reason(&fields, DECIDED, id)?;
            tx.close_access_request(id, request.company_id, Err(&reason), viewer.user_id, now)
                .await?;
            tx.audit(
                &caller
                    .audit_event(
                        "demande_acces_refusee",
                        &format!("demande:{id}"),
                        &format!("entreprise:{} — {reason}", request.company_id),
                    )
                    .about(&request.email),
                now,
            )
            .await?;
            (
                Done::AccessRequestRefused,
                "Votre demande d'accès à France Sésame est refusée",
                format!(
                    "Bonjour {name},\n\nL'administrateur du compte de l'entreprise {company} sur \
                     France Sésame a refusé votre demande de rejoindre l'entreprise, pour le motif \
                     suivant :\n« {reason} »\n\nSi vous relevez d'une autre entreprise, \
                     reconnectez-vous avec votre compte douane et indiquez son SIRET. Pour toute \
                     question, adressez-vous à l'entreprise, ou à l'assistance de France Sésame \
                     depuis la page « Contact » du site.\n\n— France Sésame\n",
                    name = request.full_name,
                ),
            )
        }
    };
    tx.commit().await?;
    let sent = send_mail(&forms, &request.email, subject, text).await;
    done(DECIDED, if sent { said } else { Done::RequestMailNotSent })
}
