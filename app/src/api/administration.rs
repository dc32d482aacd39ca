//! The technical administration of a deployment: what makes a platform without the demo usable.
//! The command line's `server admin create` opens the first technical administrator's account;
//! the administrator then opens the sites and their border control posts
//! (`/administration/sites`, or `server admin site|post create`), each post with what every
//! service needs to work there ([`manage`]).

#[cfg(feature = "ssr")]
pub mod accounts;
#[cfg(feature = "ssr")]
pub mod manage;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::account::{AccountDecision, AccountLine, DecisionLine, PendingInvitation};
use crate::domain::administration::StateAccount;
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
    let validating = store
        .posts_validating()
        .await
        .map_err(crate::state::internal)?;
    let lines = store
        .sites()
        .await
        .map_err(crate::state::internal)?
        .into_iter()
        .map(|site| SiteLine {
            posts: posts
                .iter()
                .filter(|post| post.site == site.code)
                .map(|post| PostLine {
                    post: post.clone(),
                    requires_validation: validating.get(post.code.as_str()).copied(),
                })
                .collect(),
            site,
        })
        .collect();
    Ok(lines)
}

/// The technical administration's accounts page: the accounts found, the invitations of the
/// State's accounts not yet accepted, and the posts a head of service may be named to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountsDesk {
    pub accounts: Vec<AccountLine>,
    /// More accounts matched than are listed: narrow the search.
    pub more: bool,
    pub invitations: Vec<(PendingInvitation, StateAccount)>,
    pub posts: Vec<Post>,
}

/// The accounts whose name or address holds `recherche`, of the role `role` (its code, or
/// empty for every role), with the pending invitations of the State's accounts.
#[server(endpoint = "comptes")]
pub async fn load_accounts(recherche: String, role: String) -> Result<AccountsDesk, ServerFnError> {
    use crate::domain::access::{EntryPoint, Target};
    use crate::domain::directory::Role;
    let caller = crate::state::caller();
    crate::state::signed_in(&caller, EntryPoint::ManageAccounts, Target::Nothing)?;
    let store = crate::state::store()?;
    let (accounts, more) = store
        .accounts(&recherche, Role::from_code(role.trim()))
        .await
        .map_err(crate::state::internal)?;
    let invitations = store
        .state_invitations(chrono::Utc::now())
        .await
        .map_err(crate::state::internal)?;
    let posts = store.posts().await.map_err(crate::state::internal)?;
    Ok(AccountsDesk {
        accounts,
        more,
        invitations,
        posts,
    })
}

/// One account as whoever may decide about it sees it: its state, the decisions about it, and
/// those that may be taken now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountCard {
    pub account: AccountLine,
    pub decisions: Vec<DecisionLine>,
    pub possible: Vec<AccountDecision>,
    /// For the technical administrator, a head of service's posts: those they head, and those
    /// of their administration they may be named to (code, name).
    pub head_posts: Option<HeadPosts>,
    /// For the technical administrator, an open account of the DGDDI: whether it holds the
    /// rights desk (which they open and close from this page).
    pub rights_desk: Option<bool>,
}

/// The posts a head of service heads, and those they may be named to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeadPosts {
    pub headed: Vec<(String, String)>,
    pub others: Vec<(String, String)>,
}

/// An account's page, or nothing when it does not exist or is not the caller's to decide
/// about (the same answer). A head of service's reading is audited.
#[server(endpoint = "compte")]
pub async fn load_account(id: i64) -> Result<Option<AccountCard>, ServerFnError> {
    use crate::domain::access::{authorize, EntryPoint, Target};
    use crate::domain::account::AccountState;
    use crate::domain::directory::Role;
    let caller = crate::state::caller();
    let viewer = crate::state::signed_in(&caller, EntryPoint::DecideAccount, Target::Nothing)?;
    let store = crate::state::store()?;
    let Some(account) = store.account(id).await.map_err(crate::state::internal)? else {
        return Ok(None);
    };
    let today = crate::domain::access::local_day(chrono::Utc::now());
    // Only a head of service decides by sites.
    let sites = if viewer.role == Role::ChefService {
        store
            .account_sites(&account, today)
            .await
            .map_err(crate::state::internal)?
    } else {
        Vec::new()
    };
    let target = Target::Account {
        user_id: account.id,
        role: account.role,
        administration: account.role.administration(),
        sites: &sites,
    };
    if authorize(Some(&viewer), EntryPoint::DecideAccount, target).is_err() {
        return Ok(None);
    }
    caller
        .audit_consultation(
            &store,
            "consultation_compte",
            &format!("utilisateur:{id}"),
            "",
        )
        .await?;
    let decisions = store
        .decisions_of(id)
        .await
        .map_err(crate::state::internal)?;
    let possible = AccountDecision::ALL
        .into_iter()
        .filter(|decision| decision.applies_to(account.state))
        .collect();
    let head_posts = match (viewer.role, account.role, account.state) {
        (Role::Administrateur, Role::ChefService, state) if state != AccountState::Closed => {
            match account.administration {
                Some(administration) => {
                    let headed = store
                        .headed_posts(id)
                        .await
                        .map_err(crate::state::internal)?;
                    let posts = store.posts().await.map_err(crate::state::internal)?;
                    let others = crate::domain::administration::posts_to_head(
                        &posts,
                        administration,
                        &headed,
                    );
                    Some(HeadPosts { headed, others })
                }
                None => None,
            }
        }
        _ => None,
    };
    let rights_desk = if viewer.role == Role::Administrateur
        && account.state != AccountState::Closed
        && account.administration == Some(crate::domain::directory::Administration::Dgddi)
    {
        Some(
            store
                .holds_rights_desk(id)
                .await
                .map_err(crate::state::internal)?,
        )
    } else {
        None
    };
    Ok(Some(AccountCard {
        account,
        decisions,
        possible,
        head_posts,
        rights_desk,
    }))
}
