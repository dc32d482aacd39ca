//! The technical administration of a deployment: what makes a platform without the demo usable.
//! The command line's `server admin create` opens the first technical administrator's account;
//! the administrator then opens the sites and their border control posts
//! (`/administration/sites`, or `server admin site|post create`), each post with what every
//! service needs to work there ([`manage`]).

#[cfg(feature = "ssr")]
pub mod manage;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::directory::{Post, Site};

/// A post as the administration lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostLine {
    pub post: Post,
    /// Whether it validates each request for a rendez-vous (none without a calendar).
    pub requires_validation: Option<bool>,
}

/// A site and its posts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteLine {
    pub site: Site,
    pub posts: Vec<PostLine>,
}

/// Every site of the platform with its posts.
#[server(endpoint = "sites-et-postes")]
pub async fn load_sites() -> Result<Vec<SiteLine>, ServerFnError> {
    use crate::domain::access::{EntryPoint, Target};
    let caller = crate::state::caller();
    crate::state::signed_in(&caller, EntryPoint::ManageSites, Target::Nothing)?;
    let store = crate::state::store()?;
    let posts = store.posts().await.map_err(crate::state::internal)?;
    let mut lines = Vec::new();
    for site in store.sites().await.map_err(crate::state::internal)? {
        let mut site_posts = Vec::new();
        for post in posts.iter().filter(|post| post.site == site.code) {
            let calendar = store
                .calendar(&post.code)
                .await
                .map_err(crate::state::internal)?;
            site_posts.push(PostLine {
                post: post.clone(),
                requires_validation: calendar.map(|calendar| calendar.requires_validation),
            });
        }
        lines.push(SiteLine {
            site,
            posts: site_posts,
        });
    }
    Ok(lines)
}
