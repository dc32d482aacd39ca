//! The alerts desk (`/alertes`): what the rules of `domain::alert` detected, for the agents and
//! heads of service of the sites concerned, and supervisors (reading only); the thresholds heads
//! of service set for their posts. The correlation alerts are among them: a partner event whose
//! references name several dossiers, recorded against the first and never merged behind the
//! agents' backs, or that sends goods to a post not approved for them; each site's agents read
//! the alert of their site, which names their dossiers only.

#[cfg(feature = "ssr")]
pub mod desk;

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The most alerts the desk lists at once (the most recently opened).
pub const DESK_LIMIT: i64 = 100;

/// One line of an alert's history, as the desk tells it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryItem {
    pub at: DateTime<Utc>,
    pub text: String,
}

/// An alert as the desk shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertCard {
    pub id: i64,
    pub rule: String,
    pub rule_label: String,
    pub state: crate::domain::alert::AlertState,
    pub title: String,
    pub detail: String,
    pub site_name: String,
    pub post: Option<String>,
    /// The dossier it is about, if any (the reader sees every dossier of the site).
    pub dossier_id: Option<i64>,
    pub responsible: String,
    pub opened_at: DateTime<Utc>,
    pub openings: i32,
    /// When its condition cleared, and when it closes by itself if it stays so.
    pub cleared_at: Option<DateTime<Utc>>,
    pub closes_at: Option<DateTime<Utc>>,
    pub taken_by: Option<String>,
    pub taken_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    /// Who closed it; `None` with `closed_at` set: closed automatically.
    pub closed_by: Option<String>,
    pub closing_note: Option<String>,
    pub history: Vec<HistoryItem>,
    /// Whether the reader may take it or close it.
    pub actionable: bool,
}

/// How many alerts of a rule are under way.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleCount {
    pub rule: String,
    pub label: String,
    pub open: i64,
    pub taken: i64,
}

/// The desk: the alerts the filters select, the counts, and the choices of the filters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertDesk {
    pub alerts: Vec<AlertCard>,
    /// The limit was reached: narrow the filters to see older ones.
    pub more: bool,
    pub counts: Vec<RuleCount>,
    /// The sites and posts the reader may filter on: (code, name).
    pub sites: Vec<(String, String)>,
    pub posts: Vec<(String, String)>,
    /// Supervisors read; they do not act.
    pub read_only: bool,
    /// Heads of service set the thresholds.
    pub sets_thresholds: bool,
}

/// The alerts desk: the alerts of the reader's sites (every site for supervisors), under way
/// unless `state` says otherwise, filtered by site, post and rule, the most recently opened
/// first. Each opening of the desk is a consultation (recorded once, however often it refreshes).
#[server(endpoint = "alertes")]
pub async fn list_alerts(
    site: Option<String>,
    post: Option<String>,
    rule: Option<String>,
    state: Option<String>,
) -> Result<AlertDesk, ServerFnError> {
    use crate::domain::access::{authorize, dossier_scope, DossierScope, EntryPoint, Target};
    use crate::domain::alert::{closes_at, AlertState, Responsible, Rule};
    let caller = crate::state::caller();
    let viewer = crate::state::signed_in(&caller, EntryPoint::AlertDesk, Target::Nothing)?;
    let store = crate::state::store()?;
    let scope = dossier_scope(&viewer);
    let allowed_sites: Option<Vec<String>> = match &scope {
        DossierScope::All => None,
        DossierScope::Sites(sites) => Some(sites.iter().map(|s| s.as_str().to_owned()).collect()),
        _ => Some(Vec::new()),
    };
    // Filters are compared with what is stored: an unknown one selects nothing, never
    // everything.
    let clean =
        |value: Option<String>| value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
    let (site, post, rule, state) = (clean(site), clean(post), clean(rule), clean(state));
    caller
        .audit_consultation(&store, "consultation_alertes", "alertes", "")
        .await?;
    let query = crate::store::DeskQuery {
        sites: allowed_sites.clone(),
        site: site.clone(),
        post: post.clone(),
        rule: rule.clone(),
        state: state.clone(),
        limit: DESK_LIMIT + 1,
    };
    let mut rows = store
        .alert_desk(&query)
        .await
        .map_err(crate::state::internal)?;
    let more = rows.len() as i64 > DESK_LIMIT;
    rows.truncate(DESK_LIMIT as usize);
    let ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
    let mut histories: std::collections::HashMap<i64, Vec<HistoryItem>> = Default::default();
    for line in store
        .alert_histories(&ids)
        .await
        .map_err(crate::state::internal)?
    {
        let who = line
            .who
            .map(|who| format!(" par {who}"))
            .unwrap_or_default();
        let text = match line.what.as_str() {
            "ouverte" => "Ouverte".to_owned(),
            "rouverte" => "Ouverte de nouveau : la condition est revenue".to_owned(),
            "prise" => format!("Prise en charge{who}"),
            "close" => format!(
                "Close{who}{}",
                line.note
                    .map(|note| format!(" : « {note} »"))
                    .unwrap_or_default()
            ),
            "levee" => "La condition a cessé".to_owned(),
            "revenue" => "La condition est revenue avant la fermeture".to_owned(),
            "resolue" => "Résolue automatiquement".to_owned(),
            other => other.to_owned(),
        };
        histories
            .entry(line.alert_id)
            .or_default()
            .push(HistoryItem { at: line.at, text });
    }
    let mut alerts = Vec::with_capacity(rows.len());
    for row in rows {
        let state = AlertState::from_code(&row.state).ok_or_else(|| {
            crate::state::internal(crate::store::StoreError::Corrupt(format!(
                "état d'alerte « {} »",
                row.state
            )))
        })?;
        let site = crate::domain::references::Locode::parse(&row.site_code)
            .map_err(crate::state::internal)?;
        let actionable = state != AlertState::Close
            && authorize(
                Some(&viewer),
                EntryPoint::HandleAlert,
                Target::Dossier {
                    site: &site,
                    company_id: None,
                },
            )
            .is_ok();
        alerts.push(AlertCard {
            rule_label: Rule::from_code(&row.rule)
                .map(|rule| rule.label().to_owned())
                .unwrap_or_else(|| row.rule.clone()),
            responsible: Responsible::from_code(&row.responsible)
                .map(|who| who.label().to_owned())
                .unwrap_or_default(),
            closes_at: row
                .cleared_at
                .filter(|_| state != AlertState::Close)
                .map(closes_at),
            history: histories.remove(&row.id).unwrap_or_default(),
            id: row.id,
            rule: row.rule,
            state,
            title: row.title,
            detail: row.detail,
            site_name: row.site_name,
            post: row.post_code,
            dossier_id: row.dossier_id,
            opened_at: row.opened_at,
            openings: row.openings,
            cleared_at: row.cleared_at,
            taken_by: row.taken_by,
            taken_at: row.taken_at,
            closed_at: row.closed_at,
            closed_by: row.closed_by,
            closing_note: row.closing_note,
            actionable,
        });
    }
    let mut counts: Vec<RuleCount> = Rule::ALL
        .iter()
        .map(|rule| RuleCount {
            rule: rule.code().to_owned(),
            label: rule.label().to_owned(),
            open: 0,
            taken: 0,
        })
        .collect();
    for (rule, state, count) in store
        .alert_counts(&query)
        .await
        .map_err(crate::state::internal)?
    {
        if let Some(line) = counts.iter_mut().find(|line| line.rule == rule) {
            match state.as_str() {
                "ouverte" => line.open += count,
                "prise" => line.taken += count,
                _ => {}
            }
        }
    }
    let seen = |code: &str| {
        allowed_sites
            .as_ref()
            .is_none_or(|sites| sites.iter().any(|site| site == code))
    };
    let sites = store
        .sites()
        .await
        .map_err(crate::state::internal)?
        .into_iter()
        .filter(|known| seen(known.code.as_str()))
        .map(|known| (known.code.as_str().to_owned(), known.name))
        .collect();
    let posts = store
        .posts()
        .await
        .map_err(crate::state::internal)?
        .into_iter()
        .filter(|known| seen(known.site.as_str()))
        .map(|known| (known.code.as_str().to_owned(), known.name))
        .collect();
    Ok(AlertDesk {
        alerts,
        more,
        counts,
        sites,
        posts,
        read_only: viewer.role == crate::domain::directory::Role::Superviseur,
        sets_thresholds: authorize(
            Some(&viewer),
            EntryPoint::ManageAlertThresholds,
            Target::Nothing,
        )
        .is_ok(),
    })
}

/// One threshold of a post, as the heads of service read and change it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThresholdLine {
    pub setting: String,
    pub setting_label: String,
    /// '*' for every goods category.
    pub goods: String,
    pub goods_label: String,
    /// '*' for every step.
    pub step: String,
    pub step_label: String,
    pub value: i64,
    /// The value as people read it (« 16 h », « 20 dossiers », « 300 % »…).
    pub value_label: String,
    /// A row every post has (from the national defaults): it may be changed, not removed.
    pub base: bool,
}

/// The thresholds of one post headed by the reader, and who answers for its steps.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostThresholds {
    pub post_code: String,
    pub post_name: String,
    pub lines: Vec<ThresholdLine>,
    /// (step, who answers) for every goods category, or « selon la catégorie ».
    pub responsibilities: Vec<(String, String)>,
}

/// The thresholds of the posts the reader heads.
#[server(endpoint = "seuils-alertes")]
pub async fn list_alert_thresholds() -> Result<Vec<PostThresholds>, ServerFnError> {
    use crate::domain::access::{EntryPoint, Target};
    use crate::domain::alert::{setting_label, value_label, Responsible, Setting};
    use crate::domain::dossier::GoodsCategory;
    use crate::domain::journey::StepKind;
    let caller = crate::state::caller();
    let viewer =
        crate::state::signed_in(&caller, EntryPoint::ManageAlertThresholds, Target::Nothing)?;
    let store = crate::state::store()?;
    let posts = store
        .headed_posts(viewer.user_id)
        .await
        .map_err(crate::state::internal)?;
    let (rows, defaults, responsibilities) = store
        .post_alert_settings(
            &posts
                .iter()
                .map(|(code, _)| code.clone())
                .collect::<Vec<_>>(),
        )
        .await
        .map_err(crate::state::internal)?;
    let goods_label = |code: &str| {
        GoodsCategory::from_code(code)
            .map(|goods| goods.label().to_owned())
            .unwrap_or_else(|| "Toutes catégories".to_owned())
    };
    let step_label = |code: &str| {
        StepKind::from_code(code)
            .map(|step| step.label().to_owned())
            .unwrap_or_else(|| "Toutes étapes".to_owned())
    };
    Ok(posts
        .into_iter()
        .map(|(code, name)| {
            let mut lines: Vec<ThresholdLine> = rows
                .iter()
                .filter(|row| row.0 == code)
                .filter_map(|(_, setting, goods, step, value)| {
                    let known = Setting::from_code(setting)?;
                    Some(ThresholdLine {
                        setting: setting.clone(),
                        setting_label: setting_label(known).to_owned(),
                        goods_label: goods_label(goods),
                        step_label: step_label(step),
                        value_label: value_label(known, *value),
                        base: goods == "*"
                            && defaults.iter().any(|(s, st)| s == setting && st == step),
                        goods: goods.clone(),
                        step: step.clone(),
                        value: *value,
                    })
                })
                .collect();
            lines.sort_by_key(|line| {
                (
                    Setting::from_code(&line.setting).map(|s| s as u8),
                    StepKind::from_code(&line.step),
                    line.goods.clone(),
                )
            });
            let responsibilities = StepKind::ALL
                .iter()
                .map(|step| {
                    let mut who: Vec<&str> = responsibilities
                        .iter()
                        .filter(|(post, _, s, _)| *post == code && s == step.code())
                        .map(|(_, _, _, who)| who.as_str())
                        .collect();
                    who.sort_unstable();
                    who.dedup();
                    let label = match who.as_slice() {
                        [one] => Responsible::from_code(one)
                            .map(|r| r.label().to_owned())
                            .unwrap_or_default(),
                        [] => "—".to_owned(),
                        _ => "Selon la catégorie de marchandises".to_owned(),
                    };
                    (step.label().to_owned(), label)
                })
                .collect();
            PostThresholds {
                post_code: code,
                post_name: name,
                lines,
                responsibilities,
            }
        })
        .collect())
}
