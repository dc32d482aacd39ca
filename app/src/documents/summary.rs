//! The *récapitulatif du dossier*: what the platform knows of a crossing, as a PDF/A to keep or
//! hand over: references, goods, the steps with their results and decisions, the timeline with
//! its dates, the appointments, and the documents with their SHA-256 (which the archive's
//! manifest repeats). It says only what its reader may see: the caller passes the dossier as
//! the reader got it (operators without the systems' details) and the documents they may read.

use chrono::{DateTime, Utc};

use super::pdf::{render, Block, Document as Pdf, Typeface};
use crate::domain::appointment::Appointment;
use crate::domain::document::Document;
use crate::domain::dossier::Dossier;
use crate::ui::format::{date_time, size};

/// The summary's file name in an archive and on download.
pub const SUMMARY_NAME: &str = "recapitulatif.pdf";

/// The summary's blocks, in reading order.
pub fn blocks(
    dossier: &Dossier,
    appointments: &[Appointment],
    documents: &[Document],
    made_at: DateTime<Utc>,
) -> Vec<Block> {
    let summary = &dossier.summary;
    let mut blocks = vec![Block::Paragraph(format!(
        "Établi le {} (heure de Paris) par France Sésame, à partir des informations reçues des systèmes de la douane, du SIVEP et de TRACES et de celles saisies sur la plateforme. État du dossier : {}.",
        date_time(made_at),
        summary.status.label()
    ))];

    blocks.push(Block::Heading("Références".into()));
    for (_, label, value) in summary.references.named() {
        blocks.push(Block::Bullet(format!("{label} : {value}")));
    }
    blocks.push(Block::Bullet(format!(
        "Numéro du dossier sur France Sésame : {}",
        summary.id
    )));

    blocks.push(Block::Heading("Marchandises et passage".into()));
    blocks.push(Block::Bullet(format!(
        "Marchandises : {} — {}",
        summary.goods.label(),
        summary.goods_description
    )));
    blocks.push(Block::Bullet(format!("Flux : {}", summary.flow.label())));
    blocks.push(Block::Bullet(format!(
        "Point d'entrée : {} ({})",
        summary.site_name, summary.site
    )));
    blocks.push(Block::Bullet(match (&summary.post, &dossier.post_name) {
        (Some(code), Some(name)) => format!("Poste de contrôle frontalier : {name} ({code})"),
        (Some(code), None) => format!("Poste de contrôle frontalier : {code}"),
        _ => "Poste de contrôle frontalier : non encore affecté".to_owned(),
    }));
    if let Some(company) = &summary.company_name {
        blocks.push(Block::Bullet(format!("Opérateur : {company}")));
    }
    blocks.push(Block::Bullet(format!(
        "Ouvert le {}, dernière mise à jour le {}",
        date_time(summary.opened_at),
        date_time(summary.updated_at)
    )));

    blocks.push(Block::Heading("Étapes, contrôles et décisions".into()));
    for step in &dossier.steps {
        let mut line = format!("{} : {}", step.kind.label(), step.state.label());
        match (step.started_at, step.ended_at) {
            (Some(start), Some(end)) => {
                line.push_str(&format!(", du {} au {}", date_time(start), date_time(end)))
            }
            (Some(start), None) => line.push_str(&format!(", depuis le {}", date_time(start))),
            _ => {}
        }
        if let Some(outcome) = &step.outcome {
            line.push_str(&format!(". Résultat : {outcome}"));
        }
        blocks.push(Block::Bullet(line));
    }

    blocks.push(Block::Heading("Chronologie".into()));
    if dossier.events.is_empty() {
        blocks.push(Block::Paragraph("Aucun événement reçu.".into()));
    }
    for event in &dossier.events {
        let mut line = format!(
            "{} — {} (source : {})",
            date_time(event.occurred_at),
            event.kind.label(),
            event.source.label()
        );
        if let Some(detail) = &event.detail {
            line.push_str(&format!(" : {detail}"));
        }
        blocks.push(Block::Bullet(line));
    }
    if dossier.details_withheld {
        blocks.push(Block::Paragraph(
            "Le détail des résultats transmis par les systèmes des administrations reste à leurs agents ; les décisions qui vous concernent figurent ci-dessus et dans les documents du dossier.".into(),
        ));
    }

    blocks.push(Block::Heading("Rendez-vous".into()));
    if appointments.is_empty() {
        blocks.push(Block::Paragraph("Aucun rendez-vous.".into()));
    }
    for appointment in appointments {
        let mut line = format!(
            "{} le {} au {} : {}",
            appointment.check.label(),
            date_time(appointment.starts_at),
            appointment.post_name,
            appointment.state.label()
        );
        if let Some(reason) = &appointment.reason {
            line.push_str(&format!(" (motif : {reason})"));
        }
        if let Some(at) = appointment.checked_in_at {
            line.push_str(&format!(", arrivée pointée le {}", date_time(at)));
        }
        blocks.push(Block::Bullet(line));
    }

    blocks.push(Block::Heading("Documents".into()));
    if documents.is_empty() {
        blocks.push(Block::Paragraph("Aucun document.".into()));
    } else {
        blocks.push(Block::Paragraph(
            "Chaque document est identifié par son empreinte SHA-256 : un fichier dont l'empreinte est identique est exactement celui reçu par la plateforme.".into(),
        ));
    }
    for document in documents {
        let mut line = format!(
            "n° {} — {} : « {} », ajouté le {} par {} ; {}, {} ; {}",
            document.id,
            document.kind.label(),
            document.title,
            date_time(document.added_at),
            document.author_label,
            document.media.label(),
            size(document.size),
            document.scan.label()
        );
        if document.internal {
            line.push_str(" ; interne aux administrations");
        }
        if let Some(corrected) = document.supersedes {
            line.push_str(&format!(" ; corrige le n° {corrected}"));
        }
        if let Some(by) = document.superseded_by {
            line.push_str(&format!(" ; remplacé par le n° {by}"));
        }
        line.push_str(&format!(". SHA-256 : {}", document.sha256));
        blocks.push(Block::Bullet(line));
    }
    blocks
}

/// The summary as a PDF/A.
pub fn pdf(
    dossier: &Dossier,
    appointments: &[Appointment],
    documents: &[Document],
    made_at: DateTime<Utc>,
    typeface: &Typeface,
) -> Result<Vec<u8>, String> {
    let headline = dossier.summary.references.headline();
    let title = format!("Récapitulatif du dossier {headline}");
    let subtitle = format!("France Sésame — {}", dossier.summary.site_name);
    render(
        &Pdf {
            title: &title,
            subtitle: Some(&subtitle),
            blocks: &blocks(dossier, appointments, documents, made_at),
        },
        typeface,
    )
    .map_err(|error| error.to_string())
}
