//! The forms of the alerts desk: an agent takes an alert, closes it with a note; a head of
//! service sets or removes a threshold of a post they head. Each is checked against the alert's
//! site or the post, audited, and answered in French.

use axum::extract::{Path, State};
use axum::{Extension, Form};
use chrono::Utc;
use serde::Deserialize;

use crate::domain::access::{EntryPoint, Target};
use crate::domain::alert::{value_bounds, Setting};
use crate::domain::dossier::GoodsCategory;
use crate::domain::journey::StepKind;
use crate::forms::{back, check_known, check_viewer, done, Outcome};
use crate::state::Caller;
use crate::ui::notices::{Done, Problem};

const DESK: &str = "/alertes";
const THRESHOLDS: &str = "/alertes/seuils";
/// How long the note that closes an alert may be.
const NOTE_CHARS: std::ops::RangeInclusive<usize> = 5..=1000;

/// Checks that the caller may act on alert `id`; an alert of a site they do not see is answered
/// as an unknown one (ids cannot be probed). Its state.
async fn alert_in_reach(
    forms: &crate::forms::Forms,
    caller: &Caller,
    id: i64,
) -> Result<String, crate::forms::Failure> {
    let unknown = || back(DESK, Problem::AlertUnknown, &[]);
    let Some((site, state)) = forms.store.alert_site(id).await? else {
        return Err(unknown());
    };
    let site = crate::domain::references::Locode::parse(&site).map_err(|_| unknown())?;
    check_known(
        caller,
        EntryPoint::HandleAlert,
        Target::Dossier {
            site: &site,
            company_id: None,
        },
        unknown,
    )?;
    Ok(state)
}

/// Takes an open alert.
#[tracing::instrument(skip_all)]
pub async fn take(
    State(forms): State<crate::forms::Forms>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<i64>,
) -> Outcome {
    let viewer = check_viewer(&caller, EntryPoint::AlertDesk, Target::Nothing)?;
    alert_in_reach(&forms, &caller, id).await?;
    let now = Utc::now();
    let mut tx = forms.store.begin().await?;
    if !tx.take_alert(id, viewer.user_id, now).await? {
        return Err(back(DESK, Problem::AlertNotOpen, &[]));
    }
    tx.audit(
        &caller.audit_event("alerte_prise", &format!("alerte:{id}"), ""),
        now,
    )
    .await?;
    tx.commit().await?;
    done(DESK, Done::AlertTaken)
}

/// Where the correlation alerts had their page: the desk, showing them (bookmarks and links in
/// mails sent before keep working; the desk checks who asks).
pub async fn correlation_alerts() -> axum::response::Redirect {
    axum::response::Redirect::permanent(&format!(
        "{DESK}?regle={}",
        crate::domain::alert::Rule::Rapprochement.code()
    ))
}

#[derive(Deserialize)]
pub struct CloseForm {
    #[serde(default)]
    note: String,
}

/// Closes an alert with a note.
#[tracing::instrument(skip_all)]
pub async fn close(
    State(forms): State<crate::forms::Forms>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<i64>,
    Form(form): Form<CloseForm>,
) -> Outcome {
    let viewer = check_viewer(&caller, EntryPoint::AlertDesk, Target::Nothing)?;
    alert_in_reach(&forms, &caller, id).await?;
    let note = form.note.trim();
    if !NOTE_CHARS.contains(&note.chars().count()) {
        return Err(back(DESK, Problem::AlertNoteInvalid, &[]));
    }
    let now = Utc::now();
    let mut tx = forms.store.begin().await?;
    if !tx.close_alert(id, Some(viewer.user_id), note, now).await? {
        return Err(back(DESK, Problem::AlertUnknown, &[]));
    }
    tx.audit(
        &caller.audit_event("alerte_close", &format!("alerte:{id}"), note),
        now,
    )
    .await?;
    tx.commit().await?;
    done(DESK, Done::AlertClosed)
}

#[derive(Deserialize)]
pub struct ThresholdForm {
    #[serde(default)]
    poste: String,
    #[serde(default)]
    regle: String,
    #[serde(default)]
    categorie: String,
    #[serde(default)]
    etape: String,
    #[serde(default)]
    valeur: String,
    /// « retirer » removes the row instead of setting it.
    #[serde(default)]
    action: String,
}

/// Sets (or removes) a threshold of a post the head of service heads.
#[tracing::instrument(skip_all)]
pub async fn set_threshold(
    State(forms): State<crate::forms::Forms>,
    Extension(caller): Extension<Caller>,
    Form(form): Form<ThresholdForm>,
) -> Outcome {
    let viewer = check_viewer(&caller, EntryPoint::ManageAlertThresholds, Target::Nothing)?;
    let posts = forms.store.headed_posts(viewer.user_id).await?;
    let post = form.poste.trim();
    if !posts.iter().any(|(code, _)| code == post) {
        return Err(back(THRESHOLDS, Problem::PostNotHeaded, &[]));
    }
    let Some(setting) = Setting::from_code(form.regle.trim()) else {
        return Err(back(THRESHOLDS, Problem::ThresholdRuleUnknown, &[]));
    };
    let goods = match form.categorie.trim() {
        "" | "*" => "*",
        code => match GoodsCategory::from_code(code) {
            Some(goods) => goods.code(),
            None => return Err(back(THRESHOLDS, Problem::ThresholdGoodsUnknown, &[])),
        },
    };
    let step = match form.etape.trim() {
        "" | "*" => "*",
        code => match StepKind::from_code(code) {
            Some(step) => step.code(),
            None => return Err(back(THRESHOLDS, Problem::ThresholdStepUnknown, &[])),
        },
    };
    let now = Utc::now();
    let object = format!("seuil:{post}:{}:{goods}:{step}", setting.code());
    let key = crate::store::ThresholdKey {
        post,
        setting: setting.code(),
        goods,
        step,
    };
    let mut tx = forms.store.begin().await?;
    if form.action == "retirer" {
        if !tx.remove_alert_threshold(key).await? {
            return Err(back(THRESHOLDS, Problem::ThresholdNotRemovable, &[]));
        }
        tx.audit(&caller.audit_event("seuil_alerte_retire", &object, ""), now)
            .await?;
        tx.commit().await?;
        return done(THRESHOLDS, Done::ThresholdRemoved);
    }
    let value = match form.valeur.trim().parse::<i64>() {
        Ok(value) if value_bounds(setting).contains(&value) => value,
        _ => {
            let problem = match setting.unit() {
                crate::domain::alert::Unit::Minutes => Problem::ThresholdMinutesInvalid,
                crate::domain::alert::Unit::Percent => Problem::ThresholdPercentInvalid,
                crate::domain::alert::Unit::Dossiers => Problem::ThresholdCountInvalid,
                crate::domain::alert::Unit::OnOff => Problem::ThresholdSwitchInvalid,
            };
            return Err(back(THRESHOLDS, problem, &[]));
        }
    };
    let previous = tx
        .set_alert_threshold(key, value, viewer.user_id, now)
        .await?;
    let detail = match previous {
        Some(previous) => format!("{previous} → {value}"),
        None => format!("→ {value}"),
    };
    tx.audit(
        &caller.audit_event("seuil_alerte_fixe", &object, &detail),
        now,
    )
    .await?;
    tx.commit().await?;
    done(THRESHOLDS, Done::ThresholdSaved)
}
