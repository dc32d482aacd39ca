//! The vocabulary of the platform: references and their rules, sites and posts, companies and
//! users, dossiers and the steps of their journey. Pure data and rules, no I/O.

pub mod access;
pub mod access_request;
pub mod account;
pub mod administration;
pub mod alert;
pub mod appointment;
pub mod cgu;
pub mod dashboard;
pub mod dates;
pub mod directory;
pub mod document;
pub mod dossier;
pub mod exchange;
pub mod forecast;
pub mod gate;
pub mod journey;
pub mod live;
pub mod mandate;
pub mod notification;
pub mod operator;
pub mod partner;
pub mod references;
pub mod rights;
pub mod service;
pub mod statistics;
pub mod timeline;
pub mod webhook;

/// Bytes in lowercase hexadecimal, two digits each: digests, tokens, identifiers. Written
/// directly (a `format!` per byte cost 32 allocations for a digest, on every request's session).
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        text.push(char::from(DIGITS[usize::from(byte >> 4)]));
        text.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    text
}

/// Typed text's line breaks as one `\n` each, however they came (`\r\n` from a form, a lone
/// `\r`): what is kept reads back the same (replacing `\r\n` alone turns `\r\r\n` into a new
/// `\r\n`, found by `server bench-fuzz`).
pub fn line_breaks(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\r', "\n")
}

/// Whether typed text holds control characters besides line breaks and tabs: invisible on the
/// page, they would travel into mails and records. Every free text refuses them (the fuzzing of
/// `app::fuzz` checks it).
pub fn has_control_characters(text: &str) -> bool {
    text.chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
}

#[cfg(test)]
mod tests {
    #[test]
    fn hex_writes_two_lowercase_digits_per_byte() {
        assert_eq!(super::hex(&[]), "");
        assert_eq!(super::hex(&[0x00, 0x0f, 0x10, 0xa5, 0xff]), "000f10a5ff");
        // Every byte as the standard library writes it.
        let every: Vec<u8> = (0..=255).collect();
        let expected: String = every.iter().map(|byte| format!("{byte:02x}")).collect();
        assert_eq!(super::hex(&every), expected);
    }
}
