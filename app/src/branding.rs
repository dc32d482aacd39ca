//! How the deployment presents itself. Read by the server's state and by the page header alike,
//! so it lives apart from both.

use serde::{Deserialize, Serialize};

/// How the deployment presents itself: with the State's brand block (Marianne, "République
/// Française") only when it is run by the State; otherwise a neutral header naming France Sésame.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Branding {
    pub state: bool,
}
