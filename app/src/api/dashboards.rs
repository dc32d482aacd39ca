//! « Tableaux de bord » and the DGITM's statistics: the figures a reader may see, worked out
//! from the summaries the store keeps (see `store::dashboards`), and their exports as CSV for
//! French spreadsheet programs. A dashboard covers the sites of its reader (supervisors: all;
//! heads of service: those of the posts they head); the statistics never name a company, a
//! person, a reference or a dossier, and hide every figure that could single out an operator.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::dashboard::{
    Choice, Dashboard, DashboardQuery, Statistics, StatisticsFilters, StatisticsQuery,
};

/// What the dashboard page shows: the dashboard, or the French sentence that says what is wrong
/// with the filters, and what the reader may filter on either way.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DashboardView {
    pub dashboard: Option<Dashboard>,
    pub problem: Option<String>,
    pub sites: Vec<Choice>,
    pub posts: Vec<Choice>,
}

/// The dashboard the address asks for.
#[server(endpoint = "tableau-de-bord")]
pub async fn read_dashboard(filtres: DashboardQuery) -> Result<DashboardView, ServerFnError> {
    use crate::domain::access::{EntryPoint, Target};
    let caller = crate::state::caller();
    let viewer = crate::state::signed_in(&caller, EntryPoint::Dashboards, Target::Nothing)?;
    let store = crate::state::store()?;
    server::dashboard(&store, &viewer, &filtres, chrono::Utc::now())
        .await
        .map_err(crate::state::internal)
}

/// What the statistics page shows.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatisticsView {
    pub statistics: Option<Statistics>,
    pub problem: Option<String>,
    pub filters: Option<StatisticsFilters>,
}

/// The statistics the address asks for.
#[server(endpoint = "statistiques")]
pub async fn read_statistics(filtres: StatisticsQuery) -> Result<StatisticsView, ServerFnError> {
    use crate::domain::access::{EntryPoint, Target};
    let caller = crate::state::caller();
    crate::state::signed_in(&caller, EntryPoint::Statistics, Target::Nothing)?;
    let store = crate::state::store()?;
    server::statistics(&store, &filtres, chrono::Utc::now())
        .await
        .map_err(crate::state::internal)
}

#[cfg(feature = "ssr")]
pub mod server {
    //! The reads behind the pages and the exports.

    use axum::extract::{Path, Query, State};
    use axum::http::StatusCode;
    use axum::Extension;
    use chrono::{DateTime, Datelike, NaiveDate, Utc};

    use super::{DashboardView, StatisticsView};
    use crate::domain::access::{dossier_scope, DossierScope, EntryPoint, Target, Viewer};
    use crate::domain::dashboard::{
        bucket, csv, Choice, Dashboard, DashboardFilters, DashboardQuery, DurationLine, DurationOf,
        Line, Measure, PeriodKind, Share, StatCell, StatIndicator, StatRow, Statistics,
        StatisticsFilters, StatisticsQuery, TrendPoint, Unit, TREND_PERIODS,
    };
    use crate::domain::journey::StepKind;
    use crate::domain::statistics::{Cube, SUPPRESSED};
    use crate::forms::{check_viewer, Forms, Outcome};
    use crate::http::{attachment, refusal};
    use crate::state::Caller;
    use crate::store::dashboards::{
        appointment_figures, compared, follow_up, DashboardScope, StatItems,
    };
    use crate::store::{Store, StoreError};

    /// The dashboard a reader asked for, within their sites.
    pub async fn dashboard(
        store: &Store,
        viewer: &Viewer,
        query: &DashboardQuery,
        now: DateTime<Utc>,
    ) -> Result<DashboardView, StoreError> {
        let sites_in_scope = match dossier_scope(viewer) {
            DossierScope::All => None,
            DossierScope::Sites(sites) => Some(sites),
            // The policy lets only supervisors and heads of service with sites in.
            DossierScope::Company { .. } | DossierScope::Nothing => Some(Vec::new()),
        };
        let sites: Vec<Choice> = store
            .sites()
            .await?
            .into_iter()
            .filter(|site| {
                sites_in_scope
                    .as_ref()
                    .is_none_or(|scope| scope.contains(&site.code))
            })
            .map(|site| Choice {
                code: site.code.as_str().to_owned(),
                name: site.name,
            })
            .collect();
        let all_posts: Vec<(Choice, String)> = store
            .posts()
            .await?
            .into_iter()
            .filter(|post| sites.iter().any(|site| site.code == post.site.as_str()))
            .map(|post| {
                (
                    Choice {
                        code: post.code.as_str().to_owned(),
                        name: post.name,
                    },
                    post.site.as_str().to_owned(),
                )
            })
            .collect();
        let today = crate::domain::access::local_day(now);
        let mut view = DashboardView {
            sites: sites.clone(),
            posts: all_posts.iter().map(|(post, _)| post.clone()).collect(),
            ..DashboardView::default()
        };
        let filters = match DashboardFilters::parse(query, today) {
            Ok(filters) => filters,
            Err(problem) => {
                view.problem = Some(problem);
                return Ok(view);
            }
        };
        // A site or post out of reach answers as one that does not exist.
        if let Some(site) = &filters.site {
            if !sites.iter().any(|choice| &choice.code == site) {
                view.problem = Some(format!(
                    "Le site « {site} » n'existe pas ou ne fait pas partie de ceux que vous suivez."
                ));
                return Ok(view);
            }
        }
        if let Some(post) = &filters.post {
            let found = all_posts.iter().find(|(choice, _)| &choice.code == post);
            match found {
                None => {
                    view.problem = Some(format!(
                        "Le poste « {post} » n'existe pas ou ne fait pas partie de ceux que vous suivez."
                    ));
                    return Ok(view);
                }
                Some((_, site)) if filters.site.as_ref().is_some_and(|s| s != site) => {
                    view.problem = Some(format!(
                        "Le poste « {post} » n'est pas sur le site choisi : choisissez l'un ou l'autre."
                    ));
                    return Ok(view);
                }
                _ => {}
            }
        }
        let scope = DashboardScope {
            sites: sites_in_scope,
            site: filters.site.clone(),
            post: filters.post.clone(),
            goods: filters.goods.map(|goods| goods.code().to_owned()),
        };
        let period = filters.period;
        let previous = period.previous();
        let current_tallies = store.dashboard_tallies(&scope, period).await?;
        let previous_tallies = store.dashboard_tallies(&scope, previous).await?;
        let periods = period.trend(if period.kind == PeriodKind::Year {
            5
        } else {
            TREND_PERIODS
        });
        let trend = store.dashboard_trend(&scope, &periods).await?;
        let appointments = appointment_figures(
            store.dashboard_appointments(&scope, period).await?,
            store.dashboard_appointments(&scope, previous).await?,
        );
        let alerts = follow_up(
            store.dashboard_alerts(&scope, period).await?,
            store.dashboard_alerts(&scope, previous).await?,
        );
        let exchanges = follow_up(
            store.dashboard_exchanges(&scope, period).await?,
            store.dashboard_exchanges(&scope, previous).await?,
        );
        let both = |measure: Measure| {
            compared(
                current_tallies.count(measure),
                previous_tallies.count(measure),
            )
        };
        let yes = |measure: Measure| {
            compared(current_tallies.yes(measure), previous_tallies.yes(measure))
        };
        let mut durations = vec![DurationLine {
            label: "Passage complet (de l'arrivée au bon à enlever)".into(),
            current: current_tallies.quantiles(Measure::Released),
            previous: previous_tallies.quantiles(Measure::Released),
        }];
        for kind in StepKind::ALL {
            let measure = Measure::Step(kind);
            durations.push(DurationLine {
                label: kind.label().to_owned(),
                current: current_tallies.quantiles(measure),
                previous: previous_tallies.quantiles(measure),
            });
        }
        let scope_label = {
            let site = filters
                .site
                .as_ref()
                .and_then(|code| sites.iter().find(|s| &s.code == code))
                .map(|s| s.name.clone());
            let post = filters
                .post
                .as_ref()
                .and_then(|code| all_posts.iter().find(|(p, _)| &p.code == code))
                .map(|(p, _)| p.name.clone());
            let place = match (site, post, viewer.role) {
                (_, Some(post), _) => post,
                (Some(site), None, _) => site,
                (None, None, crate::domain::directory::Role::Superviseur) => {
                    "Tous les sites".to_owned()
                }
                (None, None, _) => "Les sites de vos postes".to_owned(),
            };
            match filters.goods {
                Some(goods) => format!("{place}, {}", goods.label().to_lowercase()),
                None => format!("{place}, toutes marchandises"),
            }
        };
        view.dashboard = Some(Dashboard {
            period_label: period.label(),
            previous_label: previous.label(),
            sites,
            posts: view.posts.clone(),
            scope_label,
            opened: both(Measure::Opened),
            released: both(Measure::Released),
            durations,
            checks: Share {
                part: yes(Measure::Checks),
                whole: both(Measure::Checks),
            },
            lab: Share {
                part: yes(Measure::Lab),
                whole: both(Measure::Lab),
            },
            decisions: Share {
                part: yes(Measure::Decision),
                whole: both(Measure::Decision),
            },
            appointments,
            alerts,
            exchanges,
            trend: periods
                .iter()
                .zip(trend)
                .map(|(period, tallies)| TrendPoint {
                    label: period.short_label(),
                    opened: tallies.count(Measure::Opened),
                    released: tallies.count(Measure::Released),
                    crossing: tallies.quantiles(Measure::Released),
                })
                .collect(),
            filters,
        });
        Ok(view)
    }

    /// The statistics asked for: the figure of every site, month and goods category of the
    /// year and of their totals, with what could single out an operator hidden over the whole
    /// cube at once — so that no choice of goods, and no subtraction of one table from
    /// another, gives a hidden figure back.
    pub async fn statistics(
        store: &Store,
        query: &StatisticsQuery,
        now: DateTime<Utc>,
    ) -> Result<StatisticsView, StoreError> {
        let today = crate::domain::access::local_day(now);
        let filters = match StatisticsFilters::parse(query, today) {
            Ok(filters) => filters,
            Err(problem) => {
                return Ok(StatisticsView {
                    problem: Some(problem),
                    ..StatisticsView::default()
                })
            }
        };
        let sites = store.sites().await?;
        let mut cube = Cube::new(sites.iter().map(|s| s.code.as_str().to_owned()).collect());
        let month0 = |at: DateTime<Utc>| crate::domain::access::local_day(at).month0();
        let (year, indicator) = (filters.year, filters.indicator);
        if let Some(figure) = indicator.figure() {
            for (month, site, goods, company, dossiers) in
                store.statistics_rows(&figure, year).await?
            {
                cube.count(month.month0(), &site, Some(&goods), company, dossiers);
            }
        }
        let items = match indicator {
            StatIndicator::Booked => Some(StatItems::Booked),
            StatIndicator::NoShows => Some(StatItems::NoShows),
            StatIndicator::Alerts | StatIndicator::Duration(DurationOf::AlertClosing, _) => {
                Some(StatItems::Alerts)
            }
            StatIndicator::Exchanges | StatIndicator::Duration(DurationOf::ExchangeAnswer, _) => {
                Some(StatItems::Exchanges)
            }
            StatIndicator::Duration(DurationOf::Validation, _) => Some(StatItems::Validations),
            _ => None,
        };
        let quantile = match indicator {
            StatIndicator::Duration(_, quantile) => Some(quantile.percent()),
            _ => None,
        };
        if let Some(items) = items {
            for item in store.statistics_items(items, year).await? {
                let (month, goods) = (month0(item.at), item.goods.as_deref());
                let company = item.company.unwrap_or(0);
                match (quantile, item.minutes) {
                    (None, _) => cube.count(month, &item.site, goods, company, 1),
                    // A delay counts once done, from those done.
                    (Some(_), Some(minutes)) => {
                        cube.count(month, &item.site, goods, company, 1);
                        cube.durations(month, &item.site, goods, bucket(minutes), 1);
                    }
                    (Some(_), None) => {}
                }
            }
        }
        if let StatIndicator::Duration(of, _) = indicator {
            if let Some(measure) = of.measure() {
                for (month, site, goods, bucket, dossiers) in
                    store.statistics_histograms(&measure.code(), year).await?
                {
                    cube.durations(month.month0(), &site, Some(&goods), bucket, dossiers);
                }
            }
        }
        let hidden = if indicator == StatIndicator::Places {
            for (at, site, places) in store.statistics_places(year).await? {
                cube.count(month0(at), &site, None, 0, places);
            }
            // A slot is kept once booked: its places would tell the rendez-vous booked in it.
            // They are hidden wherever those are.
            let mut booked = Cube::new(sites.iter().map(|s| s.code.as_str().to_owned()).collect());
            for item in store.statistics_items(StatItems::Booked, year).await? {
                let company = item.company.unwrap_or(0);
                booked.count(
                    month0(item.at),
                    &item.site,
                    item.goods.as_deref(),
                    company,
                    1,
                );
            }
            booked.hidden()
        } else {
            cube.hidden()
        };
        let table = cube.table(filters.goods, &hidden, quantile);
        let names = sites
            .iter()
            .map(|site| site.name.clone())
            .chain(std::iter::once("Tous les sites".to_owned()));
        let mut rows: Vec<StatRow> = table
            .into_iter()
            .zip(names)
            .map(|(cells, site)| StatRow {
                site,
                months: cells[..12].to_vec(),
                total: cells[12],
            })
            .collect();
        let totals = rows.pop().unwrap_or(StatRow {
            site: "Tous les sites".into(),
            months: vec![StatCell::Empty; 12],
            total: StatCell::Empty,
        });
        let shown_hidden = rows
            .iter()
            .chain(std::iter::once(&totals))
            .flat_map(|row| row.months.iter().chain(std::iter::once(&row.total)))
            .filter(|cell| cell.is_hidden())
            .count();
        let months = (1..=12)
            .filter_map(|month| NaiveDate::from_ymd_opt(filters.year, month, 1))
            .map(|day| crate::ui::format::month(day, true))
            .collect();
        Ok(StatisticsView {
            statistics: Some(Statistics {
                filters: filters.clone(),
                months,
                rows,
                totals,
                hidden: shown_hidden,
            }),
            problem: None,
            filters: Some(filters),
        })
    }

    /// The rows of a dashboard's export: its tables, then its trend.
    pub fn dashboard_rows(dashboard: &Dashboard) -> Vec<Vec<String>> {
        let mut rows = vec![
            vec![
                "Tableau de bord France Sésame".to_owned(),
                dashboard.scope_label.clone(),
            ],
            vec![],
            vec![
                "Rubrique".to_owned(),
                "Indicateur".to_owned(),
                "Unité".to_owned(),
                dashboard.period_label.clone(),
                dashboard.previous_label.clone(),
                "Évolution".to_owned(),
            ],
        ];
        for section in dashboard.sections() {
            for line in &section.lines {
                rows.push(vec![
                    section.title.to_owned(),
                    line.label.clone(),
                    match line.unit {
                        Unit::Count => "nombre",
                        Unit::Minutes => "minutes",
                        Unit::PerMille => "%",
                    }
                    .to_owned(),
                    Line::raw(line.current, line.unit),
                    Line::raw(line.previous, line.unit),
                    line.change(),
                ]);
            }
        }
        rows.push(vec![]);
        rows.push(vec![
            "Période".to_owned(),
            "Dossiers ouverts".to_owned(),
            "Dossiers libérés".to_owned(),
            "Passage complet — médiane (minutes)".to_owned(),
        ]);
        for point in &dashboard.trend {
            rows.push(vec![
                point.label.clone(),
                point.opened.to_string(),
                point.released.to_string(),
                point
                    .crossing
                    .median
                    .map(|m| m.to_string())
                    .unwrap_or_default(),
            ]);
        }
        rows
    }

    /// The rows of the statistics' export.
    pub fn statistics_rows(statistics: &Statistics) -> Vec<Vec<String>> {
        let goods = statistics
            .filters
            .goods
            .map(|g| g.label().to_owned())
            .unwrap_or_else(|| "Toutes marchandises".to_owned());
        let mut rows = vec![
            vec![
                format!("Statistiques France Sésame {}", statistics.filters.year),
                match statistics.filters.indicator.unit() {
                    Unit::Minutes => format!("{} (minutes)", statistics.filters.indicator.label()),
                    _ => statistics.filters.indicator.label(),
                },
                goods,
            ],
            vec![],
        ];
        let mut header = vec!["Site".to_owned()];
        header.extend(statistics.months.iter().cloned());
        header.push("Année".to_owned());
        rows.push(header);
        let show = |cell: &StatCell| match cell {
            StatCell::Figure(n) => n.to_string(),
            StatCell::Hidden => SUPPRESSED.to_owned(),
            StatCell::Empty => String::new(),
        };
        for row in statistics
            .rows
            .iter()
            .chain(std::iter::once(&statistics.totals))
        {
            let mut line = vec![row.site.clone()];
            line.extend(row.months.iter().map(show));
            line.push(show(&row.total));
            rows.push(line);
        }
        rows
    }

    /// An export in the format the route's last segment names (`export.csv`, `export.ods`).
    fn export(rows: &[Vec<String>], sheet: &str, name: &str, format: &str) -> Outcome {
        match format {
            "export.ods" => match crate::documents::spreadsheet::ods(sheet, rows) {
                Ok(bytes) => Ok(attachment(
                    crate::documents::spreadsheet::ODS_TYPE,
                    &format!("{name}.ods"),
                    None,
                    bytes,
                )),
                Err(error) => {
                    tracing::error!(%error, "export tableur impossible");
                    Ok(refusal(
                        StatusCode::SERVICE_UNAVAILABLE,
                        "Le fichier n'a pas pu être produit. Réessayez dans quelques instants.",
                    ))
                }
            },
            "export.csv" => Ok(attachment(
                "text/csv; charset=utf-8",
                &format!("{name}.csv"),
                None,
                csv(rows),
            )),
            _ => Ok(refusal(
                StatusCode::NOT_FOUND,
                "Ce format d'export n'existe pas : choisissez CSV ou ODS.",
            )),
        }
    }

    /// `GET /tableaux-de-bord/export.csv?…` and `export.ods`: the dashboard of the same
    /// address, for a spreadsheet.
    #[tracing::instrument(skip_all)]
    pub async fn dashboard_export(
        State(forms): State<Forms>,
        Extension(caller): Extension<Caller>,
        Path(format): Path<String>,
        Query(query): Query<DashboardQuery>,
    ) -> Outcome {
        let viewer = check_viewer(&caller, EntryPoint::Dashboards, Target::Nothing)?.clone();
        let view = dashboard(&forms.store, &viewer, &query, Utc::now()).await?;
        let Some(dashboard) = view.dashboard else {
            return Ok(refusal(
                StatusCode::UNPROCESSABLE_ENTITY,
                view.problem.unwrap_or_default(),
            ));
        };
        let name = format!(
            "tableau-de-bord-{}-{}",
            dashboard.filters.period.kind.code(),
            dashboard.filters.period.start.format("%Y-%m-%d")
        );
        export(
            &dashboard_rows(&dashboard),
            "Tableau de bord",
            &name,
            &format,
        )
    }

    /// `GET /statistiques/export.csv?…` and `export.ods`: the statistics of the same address.
    #[tracing::instrument(skip_all)]
    pub async fn statistics_export(
        State(forms): State<Forms>,
        Extension(caller): Extension<Caller>,
        Path(format): Path<String>,
        Query(query): Query<StatisticsQuery>,
    ) -> Outcome {
        check_viewer(&caller, EntryPoint::Statistics, Target::Nothing)?;
        let view = statistics(&forms.store, &query, Utc::now()).await?;
        let Some(statistics) = view.statistics else {
            return Ok(refusal(
                StatusCode::UNPROCESSABLE_ENTITY,
                view.problem.unwrap_or_default(),
            ));
        };
        let name = format!(
            "statistiques-{}-{}",
            statistics.filters.year,
            statistics.filters.indicator.code()
        );
        export(
            &statistics_rows(&statistics),
            "Statistiques",
            &name,
            &format,
        )
    }
}
