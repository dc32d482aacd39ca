//! « Tableaux de bord »: `/tableaux-de-bord`, the indicators of a period for a site, a post, a
//! goods category, against the period before, with their trends as charts and the same figures
//! as tables; and `/statistiques`, the DGITM's statistics by site and month. Every filter is in
//! the address, so a view can be shared; each has its CSV export at the same address.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::dashboards::{read_dashboard, read_statistics, DashboardView, StatisticsView};
use crate::domain::dashboard::{
    Dashboard, DashboardQuery, Line, PeriodKind, Section, StatCell, StatIndicator, Statistics,
    StatisticsQuery, Unit, FIRST_YEAR,
};
use crate::domain::dates::DAY_PLACEHOLDER;
use crate::domain::dossier::GoodsCategory;
use crate::domain::statistics::SUPPRESSED;
use crate::ui::components::chart::{Bar, BarChart};
use crate::ui::components::loaded::Loaded;
use crate::ui::components::table::DataTable;
use crate::ui::format;

/// A figure as the page shows it.
fn shown(value: Option<i64>, unit: Unit) -> String {
    match (value, unit) {
        (None, _) => "—".into(),
        (Some(n), Unit::Count) => format::thousands(n),
        (Some(n), Unit::Minutes) => format::duration_minutes(n),
        (Some(n), Unit::PerMille) => format!("{},{} %", n / 10, n % 10),
    }
}

#[component]
pub fn DashboardPage() -> impl IntoView {
    let query = use_query_map();
    let asked = Memo::new(move |_| {
        query.with(|q| DashboardQuery {
            site: q.get("site").unwrap_or_default(),
            poste: q.get("poste").unwrap_or_default(),
            marchandise: q.get("marchandise").unwrap_or_default(),
            periode: q.get("periode").unwrap_or_default(),
            date: q.get("date").unwrap_or_default(),
        })
    });
    let view = Resource::new(move || asked.get(), read_dashboard);
    view! {
        <Title text="Tableaux de bord" />
        <div class="fr-container fr-my-6w">
            <h1>"Tableaux de bord"</h1>
            <p>
                "Les volumes, les délais, les contrôles, les rendez-vous, les alertes et les échanges d'une période, "
                "comparés à la période précédente. Les chiffres des dossiers sont comptés à partir des mêmes étapes que leur suivi."
            </p>
            <Loaded resource=view loading="Calcul des indicateurs…" failed="Les indicateurs n'ont pas pu être calculés" let:view>
                <DashboardBody view asked=asked.get_untracked() />
            </Loaded>
        </div>
    }
}

#[component]
fn DashboardBody(view: DashboardView, asked: DashboardQuery) -> impl IntoView {
    let shown_query = view
        .dashboard
        .as_ref()
        .map(|d| d.filters.query())
        .unwrap_or(asked);
    view! {
        {view! { <DashboardFilters view=view.clone() query=shown_query.clone() /> }.into_any()}
        {view.problem.map(|problem| view! {
            <div class="fr-alert fr-alert--error fr-alert--sm fr-mb-3w" role="alert" id="erreur-filtres">
                <p>{problem}</p>
            </div>
        })}
        {view.dashboard.map(|dashboard| view! { <DashboardFigures dashboard query=shown_query /> }.into_any())}
    }
    .into_any()
}

#[component]
fn DashboardFilters(view: DashboardView, query: DashboardQuery) -> impl IntoView {
    let kind = PeriodKind::from_code(&query.periode).unwrap_or(PeriodKind::Month);
    // A date field only takes a date: what was typed wrong is quoted in the error instead.
    let day = crate::domain::dates::parse_day(&query.date)
        .map(|day| day.format("%Y-%m-%d").to_string())
        .unwrap_or_default();
    view! {
        <form method="get" action="/tableaux-de-bord" class="sesame-filters" aria-label="Choisir les indicateurs" novalidate>
            <div class="sesame-filters__fields">
                <div class="fr-select-group">
                    <label class="fr-label" for="tdb-site">"Site"</label>
                    <select class="fr-select" id="tdb-site" name="site">
                        <option value="">"Tous mes sites"</option>
                        {view.sites.into_iter().map(|site| {
                            let selected = site.code == query.site;
                            view! { <option value=site.code.clone() selected=selected>{site.name}</option> }
                        }).collect_view()}
                    </select>
                </div>
                <div class="fr-select-group">
                    <label class="fr-label" for="tdb-poste">"Poste de contrôle"</label>
                    <select class="fr-select" id="tdb-poste" name="poste">
                        <option value="">"Tous les postes"</option>
                        {view.posts.into_iter().map(|post| {
                            let selected = post.code == query.poste;
                            view! { <option value=post.code.clone() selected=selected>{post.name}</option> }
                        }).collect_view()}
                    </select>
                </div>
                <div class="fr-select-group">
                    <label class="fr-label" for="tdb-marchandise">"Marchandises"</label>
                    <select class="fr-select" id="tdb-marchandise" name="marchandise">
                        <option value="">"Toutes les marchandises"</option>
                        {GoodsCategory::ALL.into_iter().map(|goods| view! {
                            <option value=goods.code() selected=goods.code() == query.marchandise>{goods.label()}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="fr-select-group">
                    <label class="fr-label" for="tdb-periode">"Période"</label>
                    <select class="fr-select" id="tdb-periode" name="periode">
                        {PeriodKind::ALL.into_iter().map(|k| view! {
                            <option value=k.code() selected=k == kind>{k.label()}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="fr-input-group">
                    <label class="fr-label" for="tdb-date">
                        "Contenant le jour"
                        <span class="fr-hint-text">"Par défaut, aujourd'hui"</span>
                    </label>
                    <input class="fr-input" type="date" id="tdb-date" name="date" value=day placeholder=DAY_PLACEHOLDER />
                </div>
            </div>
            <div class="sesame-filters__actions">
                <button class="fr-btn" type="submit">"Afficher"</button>
            </div>
        </form>
    }
}

/// The export's address: the same filters on the export route (empty ones left out).
fn export_href(path: &str, pairs: &[(&str, &str)]) -> String {
    let query: Vec<String> = pairs
        .iter()
        .filter(|(_, value)| !value.is_empty())
        .map(|(name, value)| format!("{name}={}", format::query_value(value)))
        .collect();
    format!("{path}?{}", query.join("&"))
}

#[component]
fn DashboardFigures(dashboard: Dashboard, query: DashboardQuery) -> impl IntoView {
    let sections = dashboard.sections();
    let trend = dashboard.trend.clone();
    let bars = |value: fn(&crate::domain::dashboard::TrendPoint) -> i64| {
        trend
            .iter()
            .map(|point| Bar {
                label: point.label.clone(),
                value: value(point),
            })
            .collect::<Vec<_>>()
    };
    let opened = bars(|p| p.opened);
    let released = bars(|p| p.released);
    let crossing = bars(|p| p.crossing.median.unwrap_or(0));
    let trend_rows = trend.clone();
    let pairs = [
        ("site", query.site.as_str()),
        ("poste", query.poste.as_str()),
        ("marchandise", query.marchandise.as_str()),
        ("periode", query.periode.as_str()),
        ("date", query.date.as_str()),
    ];
    view! {
        <section aria-labelledby="tdb-periode-titre">
            <h2 id="tdb-periode-titre" class="fr-h3">{dashboard.period_label.clone()}</h2>
            <p id="tdb-perimetre">{format!("{} — comparé à : {}", dashboard.scope_label, dashboard.previous_label)}</p>
            <p>
                <a class="fr-btn fr-btn--secondary fr-btn--sm" id="tdb-export" href=export_href("/tableaux-de-bord/export.csv", &pairs) download>
                    "Exporter en CSV (tableur)"
                </a>
                " "
                <a class="fr-btn fr-btn--secondary fr-btn--sm" id="tdb-export-ods" href=export_href("/tableaux-de-bord/export.ods", &pairs) download>
                    "Exporter en ODS (LibreOffice, Excel)"
                </a>
            </p>
        </section>
        {sections.into_iter().map(|section| view! {
            <SectionTable section previous=dashboard.previous_label.clone() current=dashboard.period_label.clone() />
        }.into_any()).collect_view()}
        <section class="fr-mt-6w" aria-labelledby="tdb-tendance">
            <h2 id="tdb-tendance" class="fr-h4">"Tendance"</h2>
            <div class="sesame-chart-grid">
                {view! { <div>
                    <BarChart id="graphique-ouverts" title="Dossiers ouverts par période" bars=opened />
                    <TrendTable id="tableau-ouverts" caption="Dossiers ouverts par période" rows=trend_rows.iter().map(|p| (p.label.clone(), format::thousands(p.opened))).collect() />
                </div> }.into_any()}
                {view! { <div>
                    <BarChart id="graphique-liberes" title="Dossiers libérés par période" bars=released />
                    <TrendTable id="tableau-liberes" caption="Dossiers libérés par période" rows=trend_rows.iter().map(|p| (p.label.clone(), format::thousands(p.released))).collect() />
                </div> }.into_any()}
                {view! { <div>
                    <BarChart id="graphique-passage" title="Durée médiane du passage complet par période, en minutes" bars=crossing />
                    <TrendTable id="tableau-passage" caption="Durée médiane du passage complet par période" rows=trend_rows.iter().map(|p| (p.label.clone(), shown(p.crossing.median, Unit::Minutes))).collect() />
                </div> }.into_any()}
            </div>
        </section>
    }
    .into_any()
}

#[component]
fn TrendTable(
    #[prop(into)] id: String,
    #[prop(into)] caption: String,
    rows: Vec<(String, String)>,
) -> impl IntoView {
    view! {
        <div id=id>
            <DataTable caption=caption>
                <thead><tr><th scope="col">"Période"</th><th scope="col">"Valeur"</th></tr></thead>
                <tbody>
                    {rows.into_iter().map(|(label, value)| view! {
                        <tr><th scope="row">{label}</th><td>{value}</td></tr>
                    }).collect_view()}
                </tbody>
            </DataTable>
        </div>
    }
}

#[component]
fn SectionTable(section: Section, current: String, previous: String) -> impl IntoView {
    let heading = format!("tdb-{}", section.id);
    let labelled_by = heading.clone();
    view! {
        <section class="fr-mt-4w" aria-labelledby=labelled_by id=format!("rubrique-{}", section.id)>
            <h2 class="fr-h4" id=heading>{section.title}</h2>
            <DataTable caption=section.title hide_caption=true multiline=true>
                <thead>
                    <tr>
                        <th scope="col">"Indicateur"</th>
                        <th scope="col">{current}</th>
                        <th scope="col">{previous}</th>
                        <th scope="col">"Évolution"</th>
                    </tr>
                </thead>
                <tbody>
                    {section.lines.into_iter().map(|line: Line| view! {
                        <tr>
                            <th scope="row">{line.label.clone()}</th>
                            <td>{shown(line.current, line.unit)}</td>
                            <td>{shown(line.previous, line.unit)}</td>
                            <td>{line.change()}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </DataTable>
        </section>
    }
}

#[component]
pub fn StatisticsPage() -> impl IntoView {
    let query = use_query_map();
    let asked = Memo::new(move |_| {
        query.with(|q| StatisticsQuery {
            annee: q.get("annee").unwrap_or_default(),
            marchandise: q.get("marchandise").unwrap_or_default(),
            indicateur: q.get("indicateur").unwrap_or_default(),
        })
    });
    let view = Resource::new(move || asked.get(), read_statistics);
    view! {
        <Title text="Statistiques" />
        <div class="fr-container fr-my-6w">
            <h1>"Statistiques du passage frontière"</h1>
            <p>
                "Des chiffres agrégés par site, par mois et par catégorie de marchandises, sans aucune donnée d'entreprise ni de personne. "
                {format!("Un chiffre calculé sur moins de 5 dossiers ou de 3 entreprises, ou dont une entreprise fait plus de 85 %, affiche « {SUPPRESSED} », ")}
                "ainsi que les chiffres qui permettraient de le retrouver par différence."
            </p>
            <Loaded resource=view loading="Calcul des statistiques…" failed="Les statistiques n'ont pas pu être calculées" let:view>
                <StatisticsBody view asked=asked.get_untracked() />
            </Loaded>
        </div>
    }
}

#[component]
fn StatisticsBody(view: StatisticsView, asked: StatisticsQuery) -> impl IntoView {
    let query = view.filters.as_ref().map(|f| f.query()).unwrap_or(asked);
    let this_year = crate::domain::access::local_day(chrono::Utc::now())
        .format("%Y")
        .to_string();
    let last: i32 = this_year.parse().unwrap_or(FIRST_YEAR);
    let year = if query.annee.is_empty() {
        this_year.clone()
    } else {
        query.annee.clone()
    };
    view! {
        <form method="get" action="/statistiques" class="sesame-filters" aria-label="Choisir les statistiques" novalidate>
            <div class="sesame-filters__fields">
                <div class="fr-select-group">
                    <label class="fr-label" for="stat-indicateur">"Indicateur"</label>
                    <select class="fr-select" id="stat-indicateur" name="indicateur">
                        {indicator_groups().into_iter().map(|(group, indicators)| view! {
                            <optgroup label=group>
                                {indicators.into_iter().map(|i| {
                                    let selected = i.code() == query.indicateur;
                                    view! { <option value=i.code() selected=selected>{i.label()}</option> }
                                }).collect_view()}
                            </optgroup>
                        }).collect_view()}
                    </select>
                </div>
                <div class="fr-select-group">
                    <label class="fr-label" for="stat-marchandise">"Marchandises"</label>
                    <select class="fr-select" id="stat-marchandise" name="marchandise">
                        <option value="">"Toutes les marchandises"</option>
                        {GoodsCategory::ALL.into_iter().map(|goods| view! {
                            <option value=goods.code() selected=goods.code() == query.marchandise>{goods.label()}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="fr-select-group">
                    <label class="fr-label" for="stat-annee">"Année"</label>
                    <select class="fr-select" id="stat-annee" name="annee">
                        {(FIRST_YEAR..=last).rev().map(|y| {
                            let y = y.to_string();
                            let selected = y == year;
                            view! { <option value=y.clone() selected=selected>{y.clone()}</option> }
                        }).collect_view()}
                    </select>
                </div>
            </div>
            <div class="sesame-filters__actions">
                <button class="fr-btn" type="submit">"Afficher"</button>
            </div>
        </form>
        {view.problem.map(|problem| view! {
            <div class="fr-alert fr-alert--error fr-alert--sm fr-mb-3w" role="alert">
                <p>{problem}</p>
            </div>
        })}
        {view.statistics.map(|statistics| view! { <StatisticsTable statistics query /> })}
    }
}

/// The indicators under the headings of the page's list, in their order.
fn indicator_groups() -> Vec<(&'static str, Vec<StatIndicator>)> {
    let mut groups: Vec<(&'static str, Vec<StatIndicator>)> = Vec::new();
    for indicator in StatIndicator::all() {
        match groups.last_mut() {
            Some((group, list)) if *group == indicator.group() => list.push(indicator),
            _ => groups.push((indicator.group(), vec![indicator])),
        }
    }
    groups
}

#[component]
fn StatisticsTable(statistics: Statistics, query: StatisticsQuery) -> impl IntoView {
    let goods = statistics
        .filters
        .goods
        .map(|g| g.label().to_lowercase())
        .unwrap_or_else(|| "toutes marchandises".into());
    let caption = format!(
        "{} en {}, {goods}, par site et par mois",
        statistics.filters.indicator.label(),
        statistics.filters.year
    );
    let unit = statistics.filters.indicator.unit();
    let cell = move |value: StatCell| match value {
        StatCell::Figure(n) => view! { <td>{shown(Some(n), unit)}</td> }.into_any(),
        StatCell::Hidden => view! { <td class="sesame-suppressed">{SUPPRESSED}</td> }.into_any(),
        StatCell::Empty => view! { <td>"—"</td> }.into_any(),
    };
    let bars: Vec<Bar> = statistics
        .months
        .iter()
        .zip(&statistics.totals.months)
        .map(|(month, value)| Bar {
            label: month.clone(),
            value: value.figure().unwrap_or(0),
        })
        .collect();
    let hidden = statistics.hidden;
    let months = statistics.months.clone();
    let pairs = [
        ("annee", query.annee.as_str()),
        ("marchandise", query.marchandise.as_str()),
        ("indicateur", query.indicateur.as_str()),
    ];
    view! {
        <section aria-labelledby="stat-titre">
            <h2 class="fr-h4" id="stat-titre">{caption.clone()}</h2>
            <p>
                <a class="fr-btn fr-btn--secondary fr-btn--sm" id="stat-export" href=export_href("/statistiques/export.csv", &pairs) download>
                    "Exporter en CSV (tableur)"
                </a>
                " "
                <a class="fr-btn fr-btn--secondary fr-btn--sm" id="stat-export-ods" href=export_href("/statistiques/export.ods", &pairs) download>
                    "Exporter en ODS (LibreOffice, Excel)"
                </a>
            </p>
            {(hidden > 0).then(|| view! {
                <p class="fr-hint-text">{format!("{} masqué(s) pour ne pas permettre d'identifier un opérateur.", format::count(hidden as i64, "chiffre", "chiffres"))}</p>
            })}
            {(unit == Unit::Minutes).then(|| view! {
                <p class="fr-hint-text">"Durées en minutes au graphique ; « — » : aucun cas sur la période."</p>
            })}
            <BarChart id="graphique-statistiques" title=format!("{} par mois, tous les sites (un mois masqué ou sans cas compte 0)", statistics.filters.indicator.label()) bars />
            <DataTable caption=caption>
                <thead>
                    <tr>
                        <th scope="col">"Site"</th>
                        {months.into_iter().map(|m| view! { <th scope="col">{m}</th> }).collect_view()}
                        <th scope="col">"Année"</th>
                    </tr>
                </thead>
                <tbody>
                    {statistics.rows.into_iter().chain(std::iter::once(statistics.totals)).map(|row| view! {
                        <tr>
                            <th scope="row">{row.site.clone()}</th>
                            {row.months.into_iter().map(cell).collect_view()}
                            {cell(row.total)}
                        </tr>
                    }).collect_view()}
                </tbody>
            </DataTable>
        </section>
    }
}
