//! The documents the platform generates (server side only): PDF files and their writer, and
//! what an appointment's convocation and calendar files say.

pub mod convocation;
pub mod files;
pub mod pdf;
