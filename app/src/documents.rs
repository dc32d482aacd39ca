//! The documents the platform generates (server side only): PDF files and their writer, what
//! an appointment's convocation and calendar files say, a dossier's summary and its evidence
//! archive; and where the documents of dossiers are kept.

pub mod archive;
pub mod convocation;
pub mod evidence;
pub mod exchange;
pub mod files;
pub mod pdf;
pub mod personal;
pub mod spreadsheet;
pub mod summary;
