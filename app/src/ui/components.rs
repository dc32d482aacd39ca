//! Pieces shared by several pages.

pub mod badges;
pub mod layout;
pub mod table;
