//! The technical administrator's page of sites and border control posts
//! (`/administration/sites`): what the platform covers, and the forms that open a site and a
//! post. A refused form comes back filled as it was typed, with what to correct.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::administration::{load_sites, PostLine, SiteLine};
use crate::domain::administration::{goods_field, parse_post, parse_site, Fields};
use crate::domain::directory::{Administration, SiteKind, PARIS_TIME_ZONE, TIME_ZONES};
use crate::domain::dossier::GoodsCategory;
use crate::ui::components::loaded::Loaded;
use crate::ui::components::table::DataTable;
use crate::ui::notices::Notice;

#[component]
pub fn SitesPage() -> impl IntoView {
    let sites = Resource::new(|| (), |_| load_sites());
    view! {
        <Title text="Sites et postes" />
        <div class="fr-container fr-my-6w">
            <h1>"Sites et postes de contrôle"</h1>
            <p>
                "Les ports et aéroports que couvre la plateforme, et leurs postes de contrôle frontaliers. "
                "Un poste ouvert ici reçoit un calendrier de rendez-vous, des seuils d'alerte et des responsabilités d'étapes par défaut : "
                "il fonctionne aussitôt, et ses chefs de service les ajustent ensuite."
            </p>
            <Notice />
            <Loaded resource=sites loading="Chargement des sites…" failed="Les sites n'ont pas pu être chargés" let:sites>
                <Sites sites />
            </Loaded>
            <SiteForm />
            <PostForm />
        </div>
    }
}

/// A form as it came back refused (or empty, when it is not the one refused).
struct Refilled(Option<Fields>);

impl Refilled {
    fn of(form: &'static str) -> Refilled {
        Refilled(typed(form))
    }

    /// What was typed in this field.
    fn value(&self, name: &str) -> String {
        self.0
            .as_ref()
            .and_then(|fields| fields.get(name).cloned())
            .unwrap_or_default()
    }

    /// Why it was refused, in the domain's words.
    fn mistake<T>(&self, parse: impl Fn(&Fields) -> Result<T, String>) -> Option<String> {
        self.0.as_ref().and_then(|fields| parse(fields).err())
    }
}

/// What was typed in the form that came back refused, if it is this one.
fn typed(form: &'static str) -> Option<Fields> {
    let query = use_query_map();
    let mut names: Vec<String> = [
        "code",
        "nom",
        "type",
        "fuseau",
        "dgal",
        "dgddi",
        "validation",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    names.extend(GoodsCategory::ALL.into_iter().map(goods_field));
    query.with_untracked(|q| {
        (q.get("formulaire").as_deref() == Some(form)).then(|| {
            names
                .into_iter()
                .filter_map(|name| q.get(&name).map(|value| (name, value)))
                .collect()
        })
    })
}

/// The precise sentence for a refused form, from what came back.
#[component]
fn Mistake(message: Option<String>) -> impl IntoView {
    message.map(|message| {
        view! {
            <div class="fr-alert fr-alert--error fr-alert--sm fr-mb-2w" role="alert">
                <p>{message}</p>
            </div>
        }
    })
}

#[component]
fn Sites(sites: Vec<SiteLine>) -> impl IntoView {
    if sites.is_empty() {
        return view! {
            <p class="fr-mb-4w" id="aucun-site">"Aucun site n'est encore ouvert : commencez par ouvrir le premier ci-dessous."</p>
        }
        .into_any();
    }
    view! {
        <section class="fr-mb-6w" aria-labelledby="titre-sites">
            <h2 id="titre-sites">"Sites ouverts"</h2>
            <DataTable caption="Sites de la plateforme et leurs postes">
                <thead>
                    <tr>
                        <th scope="col">"Site"</th>
                        <th scope="col">"Type"</th>
                        <th scope="col">"Fuseau horaire"</th>
                        <th scope="col">"Postes de contrôle frontaliers"</th>
                    </tr>
                </thead>
                <tbody>
                    {sites.into_iter().map(|line| {
                        let zone = TIME_ZONES
                            .iter()
                            .find(|(zone, _)| *zone == line.site.time_zone)
                            .map(|(_, label)| (*label).to_owned())
                            .unwrap_or_else(|| line.site.time_zone.clone());
                        view! {
                            <tr>
                                <th scope="row">{format!("{} — {}", line.site.code, line.site.name)}</th>
                                <td>{line.site.kind.label()}</td>
                                <td>{zone}</td>
                                <td>
                                    {if line.posts.is_empty() {
                                        view! { <span>"Aucun poste pour l'instant"</span> }.into_any()
                                    } else {
                                        view! { <ul>{line.posts.into_iter().map(|post| view! { <li>{describe(post)}</li> }).collect_view()}</ul> }.into_any()
                                    }}
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </DataTable>
        </section>
    }
    .into_any()
}

/// A post in one line: code, name, who inspects there, rendez-vous, approvals.
fn describe(line: PostLine) -> String {
    let post = line.post;
    let who: Vec<&str> = post
        .administrations
        .iter()
        .map(|administration| match administration {
            Administration::Dgal => "DGAL",
            Administration::Dgddi => "douane",
        })
        .collect();
    let appointments = match line.requires_validation {
        Some(true) => "chaque demande de rendez-vous validée",
        Some(false) => "rendez-vous confirmés à la réservation",
        None => "sans calendrier de rendez-vous",
    };
    let approvals: Vec<String> = post
        .approvals
        .iter()
        .map(|goods| goods.label().to_lowercase())
        .collect();
    format!(
        "{} — {} ({} ; {} ; agréé pour : {})",
        post.code,
        post.name,
        who.join(" et "),
        appointments,
        if approvals.is_empty() {
            "non renseigné".to_owned()
        } else {
            approvals.join(", ")
        }
    )
}

#[component]
fn SiteForm() -> impl IntoView {
    let typed = Refilled::of("site");
    let mistake = typed.mistake(parse_site);
    let value = |name: &str| typed.value(name);
    let (code, name, kind, zone) = (value("code"), value("nom"), value("type"), value("fuseau"));
    let zone = if zone.is_empty() {
        PARIS_TIME_ZONE.to_owned()
    } else {
        zone
    };
    view! {
        <section class="fr-mb-6w" aria-labelledby="titre-ouvrir-site" id="site">
            <h2 id="titre-ouvrir-site">"Ouvrir un site"</h2>
            <Mistake message=mistake />
            <form method="post" action="/administration/sites" class="sesame-narrow" novalidate>
                <div class="fr-input-group">
                    <label class="fr-label" for="site-code">
                        "Code UN/LOCODE"
                        <span class="fr-hint-text">"5 caractères : le pays puis le lieu, par exemple FRLEH pour Le Havre."</span>
                    </label>
                    <input class="fr-input" id="site-code" name="code" required maxlength="10" autocomplete="off" value=code />
                </div>
                <div class="fr-input-group">
                    <label class="fr-label" for="site-nom">"Nom du site"</label>
                    <input class="fr-input" id="site-nom" name="nom" required maxlength="80" value=name />
                </div>
                <div class="fr-select-group">
                    <label class="fr-label" for="site-type">"Type"</label>
                    <select class="fr-select" id="site-type" name="type">
                        {[SiteKind::Port, SiteKind::Airport].into_iter().map(|k| view! {
                            <option value=k.code() selected=k.code() == kind>{k.label()}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="fr-select-group">
                    <label class="fr-label" for="site-fuseau">
                        "Fuseau horaire"
                        <span class="fr-hint-text">"Les sites d'outre-mer viendront avec les calendriers à l'heure locale."</span>
                    </label>
                    <select class="fr-select" id="site-fuseau" name="fuseau">
                        {TIME_ZONES.into_iter().filter(|(code, _)| *code == PARIS_TIME_ZONE).map(|(code, label)| view! {
                            <option value=code selected=code == zone>{label}</option>
                        }).collect_view()}
                    </select>
                </div>
                <button class="fr-btn" type="submit">"Ouvrir le site"</button>
            </form>
        </section>
    }
}

#[component]
fn PostForm() -> impl IntoView {
    let typed = Refilled::of("poste");
    let mistake = typed.mistake(parse_post);
    let value = |name: &str| typed.value(name);
    let ticked = |name: &str| value(name) == "oui";
    let (code, name) = (value("code"), value("nom"));
    let validation = value("validation");
    let goods = GoodsCategory::ALL
        .into_iter()
        .map(|goods| {
            let field = goods_field(goods);
            let id = format!("poste-{field}");
            let checked = ticked(&field);
            view! {
                <div class="fr-fieldset__element">
                    <div class="fr-checkbox-group">
                        <input type="checkbox" id=id.clone() name=field value="oui" checked=checked />
                        <label class="fr-label" for=id>{goods.label()}</label>
                    </div>
                </div>
            }
        })
        .collect_view();
    view! {
        <section aria-labelledby="titre-ouvrir-poste" id="poste">
            <h2 id="titre-ouvrir-poste">"Ouvrir un poste de contrôle frontalier"</h2>
            <Mistake message=mistake />
            <form method="post" action="/administration/postes" class="sesame-narrow" novalidate>
                <div class="fr-input-group">
                    <label class="fr-label" for="poste-code">
                        "Code du poste"
                        <span class="fr-hint-text">"6 caractères : le code UN/LOCODE de son site puis un chiffre, par exemple FRLEH1."</span>
                    </label>
                    <input class="fr-input" id="poste-code" name="code" required maxlength="10" autocomplete="off" value=code />
                </div>
                <div class="fr-input-group">
                    <label class="fr-label" for="poste-nom">"Nom du poste"</label>
                    <input class="fr-input" id="poste-nom" name="nom" required maxlength="80" value=name />
                </div>
                <fieldset class="fr-fieldset" aria-labelledby="poste-administrations-legende">
                    <legend class="fr-fieldset__legend" id="poste-administrations-legende">"Administrations qui y contrôlent"</legend>
                    <div class="fr-fieldset__element">
                        <div class="fr-checkbox-group">
                            <input type="checkbox" id="poste-dgal" name="dgal" value="oui" checked=ticked("dgal") />
                            <label class="fr-label" for="poste-dgal">"DGAL (SIVEP)"</label>
                        </div>
                    </div>
                    <div class="fr-fieldset__element">
                        <div class="fr-checkbox-group">
                            <input type="checkbox" id="poste-dgddi" name="dgddi" value="oui" checked=ticked("dgddi") />
                            <label class="fr-label" for="poste-dgddi">"Douane (DGDDI)"</label>
                        </div>
                    </div>
                </fieldset>
                <fieldset class="fr-fieldset" aria-labelledby="poste-validation-legende">
                    <legend class="fr-fieldset__legend" id="poste-validation-legende">"Demandes de rendez-vous"</legend>
                    <div class="fr-fieldset__element">
                        <div class="fr-radio-group">
                            <input type="radio" id="poste-validation-oui" name="validation" value="oui" checked=validation == "oui" />
                            <label class="fr-label" for="poste-validation-oui">"Un agent valide chaque demande"</label>
                        </div>
                    </div>
                    <div class="fr-fieldset__element">
                        <div class="fr-radio-group">
                            <input type="radio" id="poste-validation-non" name="validation" value="non" checked=validation == "non" />
                            <label class="fr-label" for="poste-validation-non">"Confirmées dès la réservation"</label>
                        </div>
                    </div>
                </fieldset>
                <fieldset class="fr-fieldset" aria-labelledby="poste-marchandises-legende">
                    <legend class="fr-fieldset__legend" id="poste-marchandises-legende">"Catégories de marchandises pour lesquelles le poste est agréé"</legend>
                    {goods}
                </fieldset>
                <button class="fr-btn" type="submit">"Ouvrir le poste"</button>
            </form>
        </section>
    }
}
