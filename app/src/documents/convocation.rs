//! What an operator takes to the post: the convocation as a PDF (the post, the time, the
//! references, how to come, and a QR code carrying the appointment's check-in address), the same
//! appointment as an iCalendar file, and the personal calendar feed calendar programs follow.

use crate::domain::appointment::{paris_day, Appointment, AppointmentState};
use chrono::{DateTime, Utc};

use super::pdf::{render, Block, Document, Typeface};

/// The address the convocation's code opens at the gate.
pub fn checkin_address(base_url: &str, token: &str) -> String {
    format!(
        "{}/controle-arrivee?jeton={token}",
        base_url.trim_end_matches('/')
    )
}

fn paris_time(at: DateTime<Utc>) -> String {
    at.with_timezone(&chrono_tz::Europe::Paris)
        .format("%H:%M")
        .to_string()
}

/// The convocation, as a PDF file.
pub fn pdf(
    appointment: &Appointment,
    token: &str,
    base_url: &str,
    typeface: &Typeface,
) -> Result<Vec<u8>, String> {
    let address = checkin_address(base_url, token);
    let code = qrcode::QrCode::with_error_correction_level(address.as_bytes(), qrcode::EcLevel::M)
        .map_err(|error| format!("code de pointage impossible : {error}"))?;
    let width = code.width();
    let dark: Vec<bool> = code
        .to_colors()
        .into_iter()
        .map(|color| color == qrcode::Color::Dark)
        .collect();
    let modules: Vec<Vec<bool>> = dark.chunks(width).map(<[bool]>::to_vec).collect();
    let day = paris_day(appointment.starts_at);
    let state = match appointment.state {
        AppointmentState::Demande => {
            "Demandé : en attente de la validation du poste. Venez seulement une fois le rendez-vous confirmé (l'état se suit sur France Sésame et dans votre calendrier)."
        }
        AppointmentState::Confirme => "Confirmé par le poste.",
        AppointmentState::Reporte => "Reporté par le poste : l'horaire ci-dessus est le nouvel horaire.",
        other => other.label(),
    };
    let mut blocks = vec![
        Block::Heading("Rendez-vous".into()),
        Block::Paragraph(format!(
            "{} le {} de {} à {} (heure de Paris).",
            appointment.check.label(),
            day.format("%d/%m/%Y"),
            paris_time(appointment.starts_at),
            paris_time(appointment.ends_at)
        )),
        Block::Paragraph(format!("État : {state}")),
    ];
    if let Some(reason) = &appointment.reason {
        blocks.push(Block::Paragraph(format!(
            "Motif indiqué par le poste : {reason}"
        )));
    }
    blocks.extend([
        Block::Heading("Lieu et accès".into()),
        Block::Paragraph(format!(
            "{} (code {}).",
            appointment.post_name, appointment.post
        )),
        Block::Bullet("Présentez-vous à l'accueil du poste de contrôle frontalier 15 minutes avant l'horaire, avec cette convocation (imprimée ou sur téléphone) et une pièce d'identité.".into()),
        Block::Bullet("Le lot doit être positionné au poste avant l'horaire, scellés intacts, avec le DSCE et les documents de transport.".into()),
        Block::Bullet("Un empêchement ? Déplacez ou annulez le rendez-vous sur France Sésame avant le délai du poste, pour libérer la place.".into()),
        Block::Heading("Références".into()),
        Block::Paragraph(format!("Dossier : {}", appointment.dossier_headline)),
    ]);
    if let Some(company) = &appointment.company_name {
        blocks.push(Block::Paragraph(format!("Opérateur : {company}")));
    }
    blocks.extend([
        Block::Paragraph(format!("Rendez-vous n° {}", appointment.id)),
        Block::Heading("Code de pointage".into()),
        Block::Paragraph(
            "À l'arrivée, l'agent scanne ce code pour enregistrer votre présence.".into(),
        ),
        Block::Code {
            modules,
            description:
                "Code QR de pointage de ce rendez-vous, à présenter à l'agent à l'arrivée.".into(),
        },
    ]);
    // The short code, to type at the gate if the QR code cannot be read; appointments booked
    // before it existed keep the address.
    blocks.push(Block::Paragraph(match &appointment.gate_code {
        Some(code) => format!(
            "Si le code ne se lit pas, donnez à l'agent ce code d'arrivée, valable le jour du rendez-vous : {code}"
        ),
        None => format!("Sans lecteur de code : {address}"),
    }));
    let title = format!("Convocation — {}", appointment.check.label());
    let subtitle = format!(
        "France Sésame — dossier {} — {}",
        appointment.dossier_headline, appointment.post_name
    );
    render(
        &Document {
            title: &title,
            subtitle: Some(&subtitle),
            blocks: &blocks,
        },
        typeface,
    )
    .map_err(|error| error.to_string())
}

/// Text escaped for an iCalendar value (RFC 5545, 3.3.11): a line break in any form becomes
/// `\n` and other control characters go, so that a reason typed by someone cannot add lines (and
/// properties) to the calendar.
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.replace("\r\n", "\n").chars() {
        match c {
            '\\' => escaped.push_str("\\\\"),
            ';' => escaped.push_str("\\;"),
            ',' => escaped.push_str("\\,"),
            '\n' | '\r' => escaped.push_str("\\n"),
            c if c.is_control() => {}
            c => escaped.push(c),
        }
    }
    escaped
}

/// A content line folded at 75 octets, never inside a character, ended by CRLF.
fn fold(line: &str, into: &mut String) {
    let mut width = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            into.push_str("\r\n ");
            width = 1;
        }
        into.push(c);
        width += len;
    }
    into.push_str("\r\n");
}

fn stamp(at: DateTime<Utc>) -> String {
    at.format("%Y%m%dT%H%M%SZ").to_string()
}

/// Appointments as an iCalendar file (one event each).
pub fn ics(appointments: &[Appointment], name: &str, now: DateTime<Utc>) -> String {
    let host = "france-sesame";
    let mut out = String::new();
    for line in [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//France Sésame//Rendez-vous//FR",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ] {
        fold(line, &mut out);
    }
    fold(&format!("X-WR-CALNAME:{}", escape(name)), &mut out);
    for appointment in appointments {
        let status = match appointment.state {
            AppointmentState::Demande => "TENTATIVE",
            AppointmentState::Confirme | AppointmentState::Reporte | AppointmentState::Honore => {
                "CONFIRMED"
            }
            AppointmentState::Refuse | AppointmentState::Annule | AppointmentState::Absent => {
                "CANCELLED"
            }
        };
        let summary = format!(
            "{} — {} ({})",
            appointment.check.label(),
            appointment.dossier_headline,
            appointment.state.label()
        );
        let mut description = format!(
            "Dossier {}. État : {}.",
            appointment.dossier_headline,
            appointment.state.label()
        );
        if let Some(reason) = &appointment.reason {
            description.push_str(&format!(" Motif : {reason}."));
        }
        for line in [
            "BEGIN:VEVENT".to_owned(),
            format!("UID:rendez-vous-{}@{host}", appointment.id),
            format!("DTSTAMP:{}", stamp(now)),
            format!("LAST-MODIFIED:{}", stamp(appointment.updated_at)),
            format!("DTSTART:{}", stamp(appointment.starts_at)),
            format!("DTEND:{}", stamp(appointment.ends_at)),
            format!("SUMMARY:{}", escape(&summary)),
            format!(
                "LOCATION:{}",
                escape(&format!("{} ({})", appointment.post_name, appointment.post))
            ),
            format!("DESCRIPTION:{}", escape(&description)),
            format!("STATUS:{status}"),
            "END:VEVENT".to_owned(),
        ] {
            fold(&line, &mut out);
        }
    }
    fold("END:VCALENDAR", &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_are_folded_between_characters() {
        let mut out = String::new();
        fold(&format!("DESCRIPTION:{}", "é".repeat(60)), &mut out);
        for line in out.split("\r\n").filter(|line| !line.is_empty()) {
            assert!(line.len() <= 75, "{line}");
        }
        assert_eq!(
            out.replace("\r\n ", ""),
            format!("DESCRIPTION:{}\r\n", "é".repeat(60))
        );
        assert_eq!(escape("a;b,c\\d\ne"), "a\\;b\\,c\\\\d\\ne");
        assert_eq!(
            escape("Quai 3\r\nATTENDEE:x\rDTSTART:y\u{7}"),
            "Quai 3\\nATTENDEE:x\\nDTSTART:y"
        );
    }
}
