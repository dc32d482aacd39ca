//! Pieces shared by several pages.

pub mod article;
pub mod badges;
pub mod border_posts;
pub mod chart;
pub mod layout;
pub mod load_failure;
pub mod loaded;
pub mod table;
