//! The sites connected to the platform and their border control posts, each with the goods
//! categories it is approved for, read from the directory: what an operator checks before
//! sending goods through a post. Public; each post has an anchor (`#poste-FRLEH1`) to link to.

use leptos::prelude::*;

use crate::api::directory::{list_posts, list_sites};
use crate::domain::directory::{Administration, Post, Site, SiteKind};
use crate::ui::components::loaded::Loaded;

/// The anchor of a post's entry, on the practical information page.
pub fn post_anchor(code: &str) -> String {
    format!("poste-{code}")
}

#[component]
pub fn BorderPosts() -> impl IntoView {
    let directory = Resource::new(
        || (),
        |_| async move { Ok::<_, ServerFnError>((list_sites().await?, list_posts().await?)) },
    );
    view! {
        <h2 id="postes">"Sites raccordés et postes de contrôle frontaliers"</h2>
        <p>
            "France Sésame couvre aujourd'hui les sites suivants ; d'autres ports et aéroports seront raccordés progressivement. "
            "Chaque poste de contrôle frontalier n'est agréé que pour certaines catégories de marchandises : "
            "avant l'expédition, vérifiez que le poste de votre point d'entrée l'est pour la vôtre."
        </p>
        <Loaded resource=directory loading="Chargement des sites et des postes…" failed="Les sites et les postes n'ont pas pu être chargés" let((sites, posts))>
            <Sites sites posts />
        </Loaded>
    }
}

#[component]
fn Sites(sites: Vec<Site>, posts: Vec<Post>) -> impl IntoView {
    [
        (SiteKind::Port, "Ports maritimes"),
        (SiteKind::Airport, "Aéroports"),
    ]
    .into_iter()
    .filter_map(|(kind, heading)| {
        let of_kind: Vec<Site> = sites.iter().filter(|site| site.kind == kind).cloned().collect();
        (!of_kind.is_empty()).then(|| {
            view! {
                <h3>{heading}</h3>
                {of_kind
                    .into_iter()
                    .map(|site| {
                        let here: Vec<Post> = posts.iter().filter(|post| post.site == site.code).cloned().collect();
                        view! { <SiteEntry site posts=here /> }
                    })
                    .collect_view()}
            }
        })
    })
    .collect_view()
}

#[component]
fn SiteEntry(site: Site, posts: Vec<Post>) -> impl IntoView {
    view! {
        <h4 class="fr-h6 fr-mb-1w">{format!("{} ({})", site.name, site.code)}</h4>
        {if posts.is_empty() {
            view! { <p>"Aucun poste de contrôle frontalier n'est encore enregistré sur ce site."</p> }.into_any()
        } else {
            view! {
                <ul class="fr-raw-list">
                    {posts.into_iter().map(|post| view! { <li><PostEntry post /></li> }).collect_view()}
                </ul>
            }
            .into_any()
        }}
    }
}

#[component]
fn PostEntry(post: Post) -> impl IntoView {
    let services = match (
        post.administrations.contains(&Administration::Dgal),
        post.administrations.contains(&Administration::Dgddi),
    ) {
        (true, true) => "SIVEP et douane",
        (true, false) => "SIVEP",
        (false, true) => "douane",
        (false, false) => "",
    };
    let label_id = format!("agrements-{}", post.code);
    let approvals = if post.approvals.is_empty() {
        view! {
            <p class="fr-mb-0">
                "Catégories agréées : non renseignées. Consultez la liste des postes de contrôle frontaliers publiée par la Commission européenne, ou interrogez le poste."
            </p>
        }
        .into_any()
    } else {
        view! {
            <p class="fr-mb-1v" id=label_id.clone()>"Agréé pour :"</p>
            <ul class="fr-tags-group" aria-labelledby=label_id>
                {post
                    .approvals
                    .iter()
                    .map(|goods| view! { <li><p class="fr-tag fr-tag--sm">{goods.label()}</p></li> })
                    .collect_view()}
            </ul>
        }
        .into_any()
    };
    view! {
        <div id=post_anchor(post.code.as_str()) class="fr-mb-2w">
            <p class="fr-mb-1v">
                <strong>{post.name.clone()}</strong>
                {format!(" — poste {}", post.code)}
                {(!services.is_empty()).then(|| format!(", contrôles {services}"))}
            </p>
            {approvals}
        </div>
    }
}
