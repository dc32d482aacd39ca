//! Webhooks (`/notifications/webhooks`): a company administrator registers an HTTPS endpoint and
//! the kinds it receives (its signing secret is shown once), sends it a test delivery, resumes it
//! once paused, removes it, or sends one of its deliveries again. Every id the browser sends is
//! looked up within the administrator's company: another company's answers as one that does not
//! exist.

use axum::extract::{Path, State};
use axum::http::header;
use axum::{Extension, Form};
use chrono::Utc;

use super::webhooks_fields::{KIND_FIELD, URL_FIELD};
use super::FRESH_WEBHOOK_COOKIE;
use crate::domain::access::{EntryPoint, Refusal, Target};
use crate::domain::webhook::{check_endpoint_url, is_public, without_query, UrlProblem};
use crate::forms::{back, check_viewer, done, Failure, Forms, Outcome};
use crate::state::Caller;
use crate::ui::notices::{Done, Problem};

const PAGE: &str = "/notifications/webhooks";

fn url_problem(problem: UrlProblem) -> Problem {
    match problem {
        UrlProblem::Empty => Problem::WebhookUrlEmpty,
        UrlProblem::TooLong => Problem::WebhookUrlTooLong,
        UrlProblem::NotHttps => Problem::WebhookUrlNotHttps,
        UrlProblem::Credentials => Problem::WebhookUrlCredentials,
        UrlProblem::Host => Problem::WebhookUrlHost,
        UrlProblem::Port => Problem::WebhookUrlPort,
        UrlProblem::Malformed => Problem::WebhookUrlMalformed,
        UrlProblem::Private => Problem::WebhookUrlPrivate,
    }
}

/// The company of the administrator asking.
fn company_of(caller: &Caller) -> Result<(&crate::domain::access::Viewer, i64), Failure> {
    let viewer = check_viewer(caller, EntryPoint::ManageWebhooks, Target::Nothing)?;
    let company_id = viewer
        .company_id
        .ok_or(Failure::Refused(Refusal::Forbidden))?;
    Ok((viewer, company_id))
}

/// `POST /notifications/webhooks`: the address (`adresse`) and each kind checked
/// (`type_<code>`), among the kinds about a dossier. The page then shows the secret, once.
#[tracing::instrument(skip_all)]
pub async fn add(
    State(forms): State<Forms>,
    Extension(caller): Extension<Caller>,
    Form(form): Form<Vec<(String, String)>>,
) -> Outcome {
    let (viewer, company_id) = company_of(&caller)?;
    let typed = form
        .iter()
        .find(|(field, _)| field == URL_FIELD)
        .map(|(_, value)| value.trim().to_owned())
        .unwrap_or_default();
    let refill = [("webhook_adresse", typed.as_str())];
    let url = check_endpoint_url(&typed, forms.webhooks_allow_local)
        .map_err(|problem| back(PAGE, url_problem(problem), &refill))?;
    // The name must lead somewhere public now (it is checked again at every delivery).
    if !forms.webhooks_allow_local {
        let found: Vec<std::net::IpAddr> = tokio::net::lookup_host((url.host.as_str(), url.port))
            .await
            .map(|found| found.map(|address| address.ip()).collect())
            .unwrap_or_default();
        if found.is_empty() {
            return Err(back(PAGE, Problem::WebhookHostUnknown, &refill));
        }
        if !found.iter().any(|ip| is_public(*ip)) {
            return Err(back(PAGE, Problem::WebhookUrlPrivate, &refill));
        }
    }
    let offered = forms.store.company_kinds().await?;
    let mut kinds: Vec<String> = Vec::new();
    for (field, _) in &form {
        let Some(code) = field.strip_prefix(KIND_FIELD) else {
            continue;
        };
        if !offered.iter().any(|kind| kind.code == code) {
            return Err(back(PAGE, Problem::NotificationKindUnknown, &refill));
        }
        if !kinds.iter().any(|kind| kind == code) {
            kinds.push(code.to_owned());
        }
    }
    if kinds.is_empty() {
        return Err(back(PAGE, Problem::WebhookKindsMissing, &refill));
    }
    let (token, _) = crate::http::new_token();
    let secret = format!("whsec_{token}");
    let now = Utc::now();
    let mut tx = forms.store.begin().await?;
    let id = tx
        .add_webhook_endpoint(company_id, &url.url, &secret, &kinds, viewer.user_id, now)
        .await?;
    // The secret never goes in the audit trail nor in a log.
    tx.audit(
        &caller.audit_event(
            "webhook_ajoute",
            &format!("webhook:{id}"),
            &format!("{} — {}", without_query(&url.url), kinds.join(", ")),
        ),
        now,
    )
    .await?;
    tx.commit().await?;
    let mut response = done(PAGE, Done::WebhookAdded)?;
    response.headers_mut().append(
        header::SET_COOKIE,
        crate::state::set_cookie(
            FRESH_WEBHOOK_COOKIE,
            &format!("{id}:{secret}"),
            caller.over_https,
            chrono::Duration::minutes(2),
        ),
    );
    Ok(response)
}

/// `POST /notifications/webhooks/{id}/{action}`: `test` (a test delivery), `reactivation`
/// (resume a paused endpoint), `retrait` (remove it).
#[tracing::instrument(skip_all)]
pub async fn act(
    State(forms): State<Forms>,
    Extension(caller): Extension<Caller>,
    Path((id, action)): Path<(i64, String)>,
) -> Outcome {
    let (_, company_id) = company_of(&caller)?;
    let now = Utc::now();
    let mut tx = forms.store.begin().await?;
    let (audited, detail, outcome) = match action.as_str() {
        "test" => match tx.queue_test_delivery(company_id, id, now).await? {
            Some(delivery) => (
                "webhook_test",
                format!("livraison {delivery}"),
                Done::WebhookTestQueued,
            ),
            // Unknown, another company's, paused or removed: the same answer.
            None => return Err(back(PAGE, Problem::WebhookNotActive, &[])),
        },
        "reactivation" => match tx.resume_webhook_endpoint(company_id, id).await? {
            Some(url) => (
                "webhook_reactive",
                without_query(&url),
                Done::WebhookResumed,
            ),
            None => return Err(back(PAGE, Problem::WebhookNotPaused, &[])),
        },
        "retrait" => match tx.remove_webhook_endpoint(company_id, id, now).await? {
            Some(url) => ("webhook_retire", without_query(&url), Done::WebhookRemoved),
            None => return Err(back(PAGE, Problem::WebhookUnknown, &[])),
        },
        _ => return Err(back(PAGE, Problem::WebhookUnknown, &[])),
    };
    tx.audit(
        &caller.audit_event(audited, &format!("webhook:{id}"), &detail),
        now,
    )
    .await?;
    tx.commit().await?;
    done(PAGE, outcome)
}

/// `POST /notifications/livraisons/{id}/renvoi`: one of the company's deliveries again, the
/// same document with its original time.
#[tracing::instrument(skip_all)]
pub async fn resend(
    State(forms): State<Forms>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<i64>,
) -> Outcome {
    let (_, company_id) = company_of(&caller)?;
    let now = Utc::now();
    let mut tx = forms.store.begin().await?;
    let Some(url) = tx.resend_delivery(company_id, id, now).await? else {
        return Err(back(PAGE, Problem::DeliveryUnknown, &[]));
    };
    tx.audit(
        &caller.audit_event(
            "livraison_renvoyee",
            &format!("livraison:{id}"),
            &without_query(&url),
        ),
        now,
    )
    .await?;
    tx.commit().await?;
    done(PAGE, Done::DeliveryResent)
}
