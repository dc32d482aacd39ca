//! An exchange of the messaging as a PDF/A to keep or hand over: who it is between, about what,
//! then every entry its reader may see, in order, with its author, its date and the documents it
//! carries (an operator's copy never holds the administrations' internal notes). The export's
//! manifest repeats each entry with the SHA-256 of its text.

use chrono::{DateTime, Utc};

use super::pdf::{render, Block, Document as Pdf, Typeface};
use crate::domain::exchange::{addressee_label, EntryKind};
use crate::store::{EntryRecord, ExchangeRecord};
use crate::ui::format::date_time;

/// The exchange's file name in its export.
pub const EXCHANGE_NAME: &str = "echange.pdf";

/// The PDF's blocks, in reading order.
pub fn blocks(
    exchange: &ExchangeRecord,
    entries: &[EntryRecord],
    made_at: DateTime<Utc>,
) -> Vec<Block> {
    let mut blocks = vec![Block::Paragraph(format!(
        "Établi le {} (heure de Paris) par France Sésame. Un message de la messagerie ne se modifie ni ne se supprime : ce document reprend l'échange tel qu'il a été écrit.",
        date_time(made_at)
    ))];
    blocks.push(Block::Heading("L'échange".into()));
    blocks.push(Block::Bullet(format!("Numéro : {}", exchange.id)));
    blocks.push(Block::Bullet(format!(
        "Sujet : {}",
        exchange.subject.label()
    )));
    blocks.push(Block::Bullet(
        match (&exchange.reference, exchange.dossier_id) {
            (Some(reference), Some(id)) => format!("Au sujet du dossier {reference} (n° {id})"),
            (None, Some(id)) => format!("Au sujet du dossier n° {id}"),
            _ => "Question générale sur le site".to_owned(),
        },
    ));
    blocks.push(Block::Bullet(format!(
        "Site : {} ({})",
        exchange.site_name, exchange.site
    )));
    blocks.push(Block::Bullet(format!(
        "Entreprise : {}",
        exchange.company_name
    )));
    blocks.push(Block::Bullet(format!(
        "Adressé à : {}",
        addressee_label(exchange.administration)
    )));
    blocks.push(Block::Bullet(format!(
        "Ouvert le {} {}, statut : {}",
        date_time(exchange.opened_at),
        if exchange.opened_by_administration {
            "par l'administration (demande de compléments)"
        } else {
            "par l'opérateur"
        },
        exchange.status.label()
    )));
    if let Some(due) = exchange.answer_due {
        blocks.push(Block::Bullet(format!(
            "Réponse attendue au plus tard le {}",
            crate::ui::format::date(due)
        )));
    }
    blocks.push(Block::Heading(format!(
        "Fil de l'échange ({} entrée(s))",
        entries.len()
    )));
    for entry in entries {
        let what = match (entry.kind, entry.from_operator) {
            (EntryKind::Note, _) => "Note interne des administrations",
            (EntryKind::Change, _) => "Suivi",
            (_, true) => "Message de l'opérateur",
            (_, false) => "Message de l'administration",
        };
        blocks.push(Block::Heading(format!(
            "{what} — {}, le {}",
            entry.author_label,
            date_time(entry.at)
        )));
        // Its lines as written: one paragraph each.
        for line in entry.text.lines().filter(|line| !line.trim().is_empty()) {
            blocks.push(Block::Paragraph(line.to_owned()));
        }
        for (document, title, file, _) in &entry.attachments {
            blocks.push(Block::Bullet(format!(
                "Pièce jointe n° {document} : {title} ({file})"
            )));
        }
    }
    blocks
}

/// The exchange as a PDF/A, made now.
pub fn pdf(
    exchange: &ExchangeRecord,
    entries: &[EntryRecord],
    made_at: DateTime<Utc>,
    typeface: &Typeface,
) -> Result<Vec<u8>, String> {
    let title = format!("Échange n° {} : {}", exchange.id, exchange.title);
    let subtitle = format!("France Sésame — messagerie — {}", exchange.site_name);
    render(
        &Pdf {
            title: &title,
            subtitle: Some(&subtitle),
            blocks: &blocks(exchange, entries, made_at),
        },
        typeface,
    )
    .map_err(|error| error.to_string())
}
