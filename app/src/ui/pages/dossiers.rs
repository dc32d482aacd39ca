//! The dossier list: filters (a plain GET form, so it works before and without the WASM), a
//! table of dossiers, and pagination. Its state lives in the address (`?site=…&statut=…&page=…`),
//! so every view can be bookmarked and shared.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use leptos_router::params::ParamsMap;

use crate::api::directory::{list_posts, list_sites};
use crate::api::dossiers::list_dossiers;
use chrono::NaiveDate;

use crate::domain::directory::Role;
use crate::domain::directory::{Post, Site};
use crate::domain::dossier::{
    Count, Cursor, DossierPage, DossierQuery, DossierSort, DossierStatus, DossierSummary, Flow,
    GoodsCategory, PageStart,
};
use crate::domain::journey::StepKind;
use crate::domain::references::{AnyReference, Locode, PostCode};
use crate::ui::components::badges::StatusBadge;
use crate::ui::components::load_failure::LoadFailure;
use crate::ui::components::table::DataTable;
use crate::ui::format;
use crate::ui::live::{list_ids as ids, LiveBar, LiveWatch};
use crate::ui::notices::Notice;
use crate::ui::CurrentUser;

const PARAM_REFERENCE: &str = "reference";
const PARAM_SITE: &str = "site";
const PARAM_STATUS: &str = "statut";
const PARAM_GOODS: &str = "marchandises";
const PARAM_FLOW: &str = "flux";
const PARAM_POST: &str = "poste";
const PARAM_STEP: &str = "etape";
const PARAM_FROM: &str = "du";
const PARAM_TO: &str = "au";
const PARAM_SORT: &str = "tri";
/// The page after a place of the list, or before it (see `Cursor`).
const PARAM_AFTER: &str = "apres";
const PARAM_BEFORE: &str = "avant";

/// Reads the filters from the address; an unknown value is ignored rather than failing the page.
fn query_from_params(params: &ParamsMap) -> DossierQuery {
    DossierQuery {
        reference: params
            .get(PARAM_REFERENCE)
            .and_then(|text| AnyReference::recognise(&text).ok()),
        site: params
            .get(PARAM_SITE)
            .and_then(|code| Locode::parse(&code).ok()),
        status: params
            .get(PARAM_STATUS)
            .and_then(|code| DossierStatus::from_code(&code)),
        goods: params
            .get(PARAM_GOODS)
            .and_then(|code| GoodsCategory::from_code(&code)),
        flow: params
            .get(PARAM_FLOW)
            .and_then(|code| Flow::from_code(&code)),
        post: params
            .get(PARAM_POST)
            .and_then(|code| PostCode::parse(&code).ok()),
        step: params
            .get(PARAM_STEP)
            .and_then(|code| StepKind::from_code(&code)),
        opened_from: params.get(PARAM_FROM).and_then(|day| parse_day(&day)),
        opened_to: params.get(PARAM_TO).and_then(|day| parse_day(&day)),
        sort: params
            .get(PARAM_SORT)
            .and_then(|code| DossierSort::from_code(&code))
            .unwrap_or_default(),
        start: params
            .get(PARAM_AFTER)
            .and_then(|code| Cursor::from_code(&code))
            .map(PageStart::After)
            .or_else(|| {
                params
                    .get(PARAM_BEFORE)
                    .and_then(|code| Cursor::from_code(&code))
                    .map(PageStart::Before)
            })
            .unwrap_or_default(),
    }
}

use crate::domain::dates::parse_day;

/// What a date field shows for an optional day.
fn day_value(day: Option<NaiveDate>) -> String {
    day.map(|day| day.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// The address of the list with the same filters, from the first page or another.
fn page_url(query: &DossierQuery, start: PageStart) -> String {
    let mut pairs = Vec::new();
    if let Some(reference) = &query.reference {
        pairs.push(format!(
            "{PARAM_REFERENCE}={}",
            format::query_value(reference.as_str())
        ));
    }
    if let Some(site) = &query.site {
        pairs.push(format!("{PARAM_SITE}={site}"));
    }
    if let Some(status) = query.status {
        pairs.push(format!("{PARAM_STATUS}={}", status.code()));
    }
    if let Some(goods) = query.goods {
        pairs.push(format!("{PARAM_GOODS}={}", goods.code()));
    }
    if let Some(flow) = query.flow {
        pairs.push(format!("{PARAM_FLOW}={}", flow.code()));
    }
    if let Some(post) = &query.post {
        pairs.push(format!("{PARAM_POST}={post}"));
    }
    if let Some(step) = query.step {
        pairs.push(format!("{PARAM_STEP}={}", step.code()));
    }
    if let Some(day) = query.opened_from {
        pairs.push(format!("{PARAM_FROM}={}", day.format("%Y-%m-%d")));
    }
    if let Some(day) = query.opened_to {
        pairs.push(format!("{PARAM_TO}={}", day.format("%Y-%m-%d")));
    }
    if query.sort != DossierSort::default() {
        pairs.push(format!("{PARAM_SORT}={}", query.sort.code()));
    }
    match start {
        PageStart::First => {}
        PageStart::After(cursor) => pairs.push(format!("{PARAM_AFTER}={}", cursor.code())),
        PageStart::Before(cursor) => pairs.push(format!("{PARAM_BEFORE}={}", cursor.code())),
    }
    if pairs.is_empty() {
        "/dossiers".to_owned()
    } else {
        format!("/dossiers?{}", pairs.join("&"))
    }
}

#[component]
pub fn DossierListPage() -> impl IntoView {
    let params = use_query_map();
    let query = Memo::new(move |_| params.with(query_from_params));
    let dossiers = Resource::new(move || query.get(), list_dossiers);
    let operator = use_context::<CurrentUser>()
        .unwrap_or_default()
        .0
        .is_some_and(|user| user.role == Role::Operateur);
    let sites = Resource::new(|| (), |_| list_sites());
    let posts = Resource::new(|| (), |_| list_posts());
    // A reference typed wrong is explained before anything is searched.
    let typed = Memo::new(move |_| {
        params
            .with(|p| p.get(PARAM_REFERENCE))
            .filter(|text| !text.trim().is_empty())
    });
    let reference_error = Memo::new(move |_| {
        typed.get().and_then(|text| {
            AnyReference::recognise(&text)
                .err()
                .map(|error| error.to_string())
        })
    });

    view! {
        <Title text="Dossiers" />
        <div class="fr-container fr-my-6w">
            <h1>"Dossiers"</h1>
            <div class="sesame-live-bar">
                <LiveBar watch=LiveWatch::Dossiers(query.get_untracked()) pause=true />
            </div>
            <Notice />
            <Suspense fallback=|| view! { <p>"Chargement des filtres…"</p> }>
                // Drawn again whenever the address changes, so that the form always shows the
                // filters in force (after "Réinitialiser", back and forward).
                {move || {
                    let query = query.get();
                    Suspend::new(async move {
                        let sites = sites.await.unwrap_or_default();
                        let posts = posts.await.unwrap_or_default();
                        let typed = typed.get_untracked().unwrap_or_default();
                        let error = reference_error.get_untracked();
                        view! { <Filters sites posts query typed error /> }
                    })
                }}
            </Suspense>
            // A transition: the list in place stays shown while a live update reloads it.
            <Transition fallback=|| view! { <p aria-live="polite">"Chargement des dossiers…"</p> }>
                {move || Suspend::new(async move {
                    if let Some(error) = reference_error.get() {
                        return view! {
                            <div class="fr-alert fr-alert--error fr-mt-4w" role="alert" id="erreur-reference">
                                <h2 class="fr-alert__title">"Référence invalide : aucune recherche faite"</h2>
                                <p>{error}</p>
                            </div>
                        }
                        .into_any();
                    }
                    if let Some(problem) = query.with(DossierQuery::problem) {
                        return view! {
                            <div class="fr-alert fr-alert--error fr-mt-4w" role="alert" id="erreur-dates">
                                <h2 class="fr-alert__title">"Dates incohérentes : aucune recherche faite"</h2>
                                <p>{format!("Dans « Ouvert entre le… et le… », {problem}.")}</p>
                            </div>
                        }
                        .into_any();
                    }
                    match dossiers.await {
                        Ok(page) => view! { <Results page query=query.get_untracked() operator /> }.into_any(),
                        Err(error) => view! {
                            <LoadFailure title="Les dossiers n'ont pas pu être chargés" message=error.to_string() />
                        }
                        .into_any(),
                    }
                })}
            </Transition>
        </div>
    }
}

#[component]
fn Filters(
    sites: Vec<Site>,
    posts: Vec<Post>,
    query: DossierQuery,
    typed: String,
    error: Option<String>,
) -> impl IntoView {
    let current_site = query.site.clone();
    let current_post = query.post.clone();
    let failed = error.is_some();
    let active = active_filters(&query, &sites, &posts);
    let fold_label = match active.len() {
        0 => "Filtres et tri".to_owned(),
        1 => "Filtres et tri (1 filtre actif)".to_owned(),
        n => format!("Filtres et tri ({n} filtres actifs)"),
    };
    view! {
        <form method="get" action="/dossiers" class="sesame-filters" aria-label="Filtrer les dossiers">
            <div class="fr-input-group sesame-filters__search" class:fr-input-group--error=failed>
                <label class="fr-label" for="filtre-reference">
                    "Référence"
                    <span class="fr-hint-text">"Conteneur, LTA, connaissement, DSCE ou MRN"</span>
                </label>
                <input
                    class="fr-input"
                    type="search"
                    id="filtre-reference"
                    name=PARAM_REFERENCE
                    value=typed
                    autocomplete="off"
                    aria-describedby=failed.then_some("erreur-reference")
                />
            </div>
            <details class="sesame-filters__fold" id="filtres">
                <summary class="fr-btn fr-btn--secondary fr-btn--sm">{fold_label}</summary>
                <div class="sesame-filters__fields">
            <div class="fr-select-group">
                <label class="fr-label" for="filtre-site">"Site"</label>
                <select class="fr-select" id="filtre-site" name=PARAM_SITE>
                    <option value="">"Tous les sites"</option>
                    {sites
                        .into_iter()
                        .map(|site| {
                            let selected = current_site.as_ref() == Some(&site.code);
                            view! {
                                <option value=site.code.to_string() selected=selected>
                                    {format!("{} ({})", site.name, site.code)}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </div>
            <div class="fr-select-group">
                <label class="fr-label" for="filtre-statut">"Statut"</label>
                <select class="fr-select" id="filtre-statut" name=PARAM_STATUS>
                    <option value="">"Tous les statuts"</option>
                    {DossierStatus::ALL
                        .into_iter()
                        .map(|status| view! {
                            <option value=status.code() selected=query.status == Some(status)>{status.label()}</option>
                        })
                        .collect_view()}
                </select>
            </div>
            <div class="fr-select-group">
                <label class="fr-label" for="filtre-marchandises">"Marchandises"</label>
                <select class="fr-select" id="filtre-marchandises" name=PARAM_GOODS>
                    <option value="">"Toutes les marchandises"</option>
                    {GoodsCategory::ALL
                        .into_iter()
                        .map(|goods| view! {
                            <option value=goods.code() selected=query.goods == Some(goods)>{goods.label()}</option>
                        })
                        .collect_view()}
                </select>
            </div>
            <div class="fr-select-group">
                <label class="fr-label" for="filtre-flux">"Flux"</label>
                <select class="fr-select" id="filtre-flux" name=PARAM_FLOW>
                    <option value="">"Importation et transit"</option>
                    {[Flow::Import, Flow::Transit]
                        .into_iter()
                        .map(|flow| view! {
                            <option value=flow.code() selected=query.flow == Some(flow)>{flow.label()}</option>
                        })
                        .collect_view()}
                </select>
            </div>
            <div class="fr-select-group">
                <label class="fr-label" for="filtre-poste">"Poste de contrôle"</label>
                <select class="fr-select" id="filtre-poste" name=PARAM_POST>
                    <option value="">"Tous les postes"</option>
                    {posts
                        .into_iter()
                        .map(|post| {
                            let selected = current_post.as_ref() == Some(&post.code);
                            view! {
                                <option value=post.code.to_string() selected=selected>
                                    {format!("{} ({})", post.name, post.code)}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </div>
            <div class="fr-select-group">
                <label class="fr-label" for="filtre-etape">"Étape en cours"</label>
                <select class="fr-select" id="filtre-etape" name=PARAM_STEP>
                    <option value="">"Toutes les étapes"</option>
                    {StepKind::ALL
                        .into_iter()
                        .map(|step| view! {
                            <option value=step.code() selected=query.step == Some(step)>{step.label()}</option>
                        })
                        .collect_view()}
                </select>
            </div>
            <div class="fr-input-group">
                <label class="fr-label" for="filtre-du">
                    "Ouvert entre le…"
                    <span class="fr-hint-text">"Date de début, incluse"</span>
                </label>
                <input class="fr-input" type="date" placeholder=crate::domain::dates::DAY_PLACEHOLDER id="filtre-du" name=PARAM_FROM value=day_value(query.opened_from) />
            </div>
            <div class="fr-input-group">
                <label class="fr-label" for="filtre-au">
                    "… et le"
                    <span class="fr-hint-text">"Date de fin, incluse"</span>
                </label>
                <input class="fr-input" type="date" placeholder=crate::domain::dates::DAY_PLACEHOLDER id="filtre-au" name=PARAM_TO value=day_value(query.opened_to) />
            </div>
            <div class="fr-select-group">
                <label class="fr-label" for="filtre-tri">"Trier par"</label>
                <select class="fr-select" id="filtre-tri" name=PARAM_SORT>
                    {DossierSort::ALL
                        .into_iter()
                        .map(|sort| view! {
                            <option value=sort.code() selected=query.sort == sort>{sort.label()}</option>
                        })
                        .collect_view()}
                </select>
            </div>
                </div>
            </details>
            <div class="sesame-filters__actions">
                <button class="fr-btn" type="submit">"Filtrer"</button>
                <a class="fr-btn fr-btn--tertiary" href="/dossiers">"Réinitialiser"</a>
            </div>
        </form>
        {(!active.is_empty()).then(|| view! {
            <nav aria-label="Filtres actifs" id="filtres-actifs">
                <ul class="fr-tags-group">
                    {active
                        .into_iter()
                        .map(|(label, without)| view! {
                            <li>
                                <a class="fr-tag fr-tag--sm" href=without title=format!("{label} — retirer ce filtre")>
                                    {format!("{label} ✕")}
                                </a>
                            </li>
                        })
                        .collect_view()}
                </ul>
            </nav>
        })}
    }
}

/// The filters in force, each as (what it says, the address of the list without it).
fn active_filters(query: &DossierQuery, sites: &[Site], posts: &[Post]) -> Vec<(String, String)> {
    let mut active = Vec::new();
    let mut push = |label: String, without: DossierQuery| {
        active.push((label, page_url(&without, PageStart::First)))
    };
    let base = DossierQuery {
        start: PageStart::First,
        ..query.clone()
    };
    if let Some(reference) = &query.reference {
        push(
            format!("Référence : {}", reference.as_str()),
            DossierQuery {
                reference: None,
                ..base.clone()
            },
        );
    }
    if let Some(site) = &query.site {
        let name = sites
            .iter()
            .find(|s| &s.code == site)
            .map(|s| s.name.clone())
            .unwrap_or_else(|| site.to_string());
        push(
            format!("Site : {name}"),
            DossierQuery {
                site: None,
                ..base.clone()
            },
        );
    }
    if let Some(status) = query.status {
        push(
            format!("Statut : {}", status.label()),
            DossierQuery {
                status: None,
                ..base.clone()
            },
        );
    }
    if let Some(goods) = query.goods {
        push(
            format!("Marchandises : {}", goods.label()),
            DossierQuery {
                goods: None,
                ..base.clone()
            },
        );
    }
    if let Some(flow) = query.flow {
        push(
            format!("Flux : {}", flow.label()),
            DossierQuery {
                flow: None,
                ..base.clone()
            },
        );
    }
    if let Some(post) = &query.post {
        let name = posts
            .iter()
            .find(|p| &p.code == post)
            .map(|p| p.name.clone())
            .unwrap_or_else(|| post.to_string());
        push(
            format!("Poste : {name}"),
            DossierQuery {
                post: None,
                ..base.clone()
            },
        );
    }
    if let Some(step) = query.step {
        push(
            format!("Étape : {}", step.label()),
            DossierQuery {
                step: None,
                ..base.clone()
            },
        );
    }
    if let Some(day) = query.opened_from {
        push(
            format!("Ouvert à partir du {}", day.format("%d/%m/%Y")),
            DossierQuery {
                opened_from: None,
                ..base.clone()
            },
        );
    }
    if let Some(day) = query.opened_to {
        push(
            format!("Ouvert jusqu'au {}", day.format("%d/%m/%Y")),
            DossierQuery {
                opened_to: None,
                ..base.clone()
            },
        );
    }
    active
}

/// The list as the server reads it now. Live updates (the island `LiveBar`, see `ui::live`)
/// never move or replace what is under the pointer or the keyboard: a dossier already shown is
/// updated where it stands and marked; dossiers that were not shown wait behind the control
/// rendered hidden here until the person asks to see them; both are said politely to screen
/// readers. The ids the island finds are those of `ui::live::list_ids`.
#[component]
fn Results(page: DossierPage, query: DossierQuery, operator: bool) -> impl IntoView {
    let count_text = match page.total {
        // No filter at all: the person has no dossier yet.
        Count::Exact(0)
            if DossierQuery {
                sort: Default::default(),
                start: Default::default(),
                ..query.clone()
            } == DossierQuery::default() =>
        {
            "Aucun dossier pour l'instant : ils apparaissent ici dès qu'un système partenaire les ouvre.".to_owned()
        }
        Count::Exact(0) => "Aucun dossier ne correspond à ces critères.".to_owned(),
        Count::Exact(1) => "1 dossier".to_owned(),
        Count::Exact(n) => format!("{} dossiers", format::thousands(n)),
        Count::MoreThan(n) => format!("Plus de {} dossiers", format::thousands(n)),
    };
    let counts_query = query.clone();
    let empty = page.dossiers.is_empty();
    view! {
        <h2 class="fr-h4 fr-mt-4w" id=ids::HEADING aria-live="polite">
            {count_text}
        </h2>
        <nav aria-label="Nombre de dossiers par statut" id=ids::COUNTS>
            <ul class="fr-tags-group">
                {page.by_status
                    .into_iter()
                    .map(|(status, n)| {
                        let chosen = counts_query.status == Some(status);
                        let target = DossierQuery {
                            status: (!chosen).then_some(status),
                            ..counts_query.clone()
                        };
                        let label = match n {
                            Some(n) => format!("{} : {}", status.label(), format::thousands(n)),
                            None => status.label().to_owned(),
                        };
                        view! {
                            <li>
                                <a
                                    class="fr-tag"
                                    href=page_url(&target, PageStart::First)
                                    aria-current=chosen.then_some("true")
                                    title=if chosen {
                                        format!("{label} — retirer ce filtre")
                                    } else {
                                        format!("{label} — n'afficher que ces dossiers")
                                    }
                                >
                                    {label.clone()}
                                </a>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </nav>
        <p class="fr-sr-only" role="status" id=ids::ANNOUNCEMENT></p>
        <div class="sesame-waiting" id=ids::WAITING hidden>
            <button type="button" class="fr-btn fr-btn--secondary fr-btn--sm" id=ids::SHOW>
                "Afficher les nouveaux dossiers"
            </button>
        </div>
        // Present even when empty (hidden), so that new dossiers can be shown in it.
        <div id=ids::LIST tabindex="-1" class="sesame-dossier-list" hidden=empty>
            <DataTable caption="Liste des dossiers" hide_caption=true multiline=true>
                <thead>
                    <tr>
                        <th scope="col">"Dossier"</th>
                        <th scope="col">"Marchandises"</th>
                        <th scope="col">"Site"</th>
                        {(!operator).then(|| view! { <th scope="col">"Opérateur"</th> })}
                        <th scope="col">"Étape en cours"</th>
                        <th scope="col" class="sesame-col-status">"Statut"</th>
                        <th scope="col">"Mis à jour"</th>
                    </tr>
                </thead>
                <tbody>
                    {page.dossiers
                        .into_iter()
                        .map(|dossier| view! { <Row dossier operator /> })
                        .collect_view()}
                </tbody>
            </DataTable>
        </div>
        <Pagination query previous=page.previous next=page.next />
    }
}

/// A dossier of the list: a table row on wide screens, a card on phones (see `style/main.css`:
/// each cell names itself there).
#[component]
fn Row(dossier: DossierSummary, operator: bool) -> impl IntoView {
    let d = dossier;
    view! {
        <tr data-dossier=d.id>
            <th scope="row" data-label="Dossier">
                <a href=format!("/dossiers/{}", d.id)>{d.references.headline()}</a>
                <br />
                <span class="fr-text--xs">{d.flow.label()}</span>
            </th>
            <td data-label="Marchandises">
                {d.goods.label()}
                <br />
                <span class="fr-text--xs">{d.goods_description.clone()}</span>
            </td>
            <td data-label="Site">{d.site_name.clone()}</td>
            {(!operator).then(|| view! {
                <td data-label="Opérateur">{d.company_name.clone().unwrap_or_else(|| "—".to_owned())}</td>
            })}
            <td data-label="Étape en cours">{d.current_step.map(|step| step.label()).unwrap_or("Parcours achevé")}</td>
            <td data-label="Statut"><StatusBadge status=d.status /></td>
            <td data-label="Mis à jour">
                <time datetime=format::iso(d.updated_at)>{format::date_time(d.updated_at)}</time>
            </td>
        </tr>
    }
}

/// The pages around this one: the first, the previous, the next. There is no last page and no
/// page number: pages are read from a place in the list, which costs the same at any depth.
#[component]
fn Pagination(
    query: DossierQuery,
    previous: Option<PageStart>,
    next: Option<PageStart>,
) -> impl IntoView {
    let first = (query.start != PageStart::First).then_some(PageStart::First);
    if first.is_none() && next.is_none() {
        return ().into_any();
    }
    let link = |start: Option<PageStart>, class: &'static str, label: &'static str| match start {
        Some(start) => {
            view! { <li><a class=class href=page_url(&query, start)>{label}</a></li> }.into_any()
        }
        None => view! { <li><a class=class aria-disabled="true" role="link">{label}</a></li> }
            .into_any(),
    };
    view! {
        <nav role="navigation" class="fr-pagination fr-mt-4w" aria-label="Pagination">
            <ul class="fr-pagination__list">
                {link(first, "fr-pagination__link fr-pagination__link--first", "Première page")}
                {link(previous, "fr-pagination__link fr-pagination__link--prev fr-pagination__link--lg-label", "Page précédente")}
                {link(next, "fr-pagination__link fr-pagination__link--next fr-pagination__link--lg-label", "Page suivante")}
            </ul>
        </nav>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_survive_a_round_trip_through_the_address() {
        let query = DossierQuery {
            reference: Some(AnyReference::recognise("msku 123456-5").unwrap()),
            site: Some(Locode::parse("FRLEH").unwrap()),
            status: Some(DossierStatus::Bloque),
            goods: Some(GoodsCategory::Plants),
            flow: Some(Flow::Transit),
            post: Some(PostCode::parse("FRLEH4").unwrap()),
            step: Some(StepKind::PhysicalCheck),
            opened_from: NaiveDate::from_ymd_opt(2026, 11, 1),
            opened_to: NaiveDate::from_ymd_opt(2026, 11, 26),
            sort: DossierSort::OldestOpened,
            start: PageStart::After(Cursor {
                at: chrono::DateTime::from_timestamp_nanos(1_764_700_000_123_456_789),
                id: 42,
            }),
        };
        let url = page_url(&query, query.start);
        assert_eq!(
            url,
            "/dossiers?reference=MSKU1234565&site=FRLEH&statut=bloque&marchandises=plants&flux=transit&poste=FRLEH4&etape=physical_check&du=2026-11-01&au=2026-11-26&tri=ouverture-ancienne&apres=1764700000123456789_42"
        );
        let mut params = ParamsMap::new();
        for pair in url.split_once('?').unwrap().1.split('&') {
            let (key, value) = pair.split_once('=').unwrap();
            params.insert(key.to_owned(), value.to_owned());
        }
        assert_eq!(query_from_params(&params), query);
    }

    #[test]
    fn unknown_filter_values_are_ignored() {
        let mut params = ParamsMap::new();
        params.insert("statut", "n'importe".to_owned());
        params.insert("apres", "-4".to_owned());
        assert_eq!(query_from_params(&params), DossierQuery::default());
    }
}
