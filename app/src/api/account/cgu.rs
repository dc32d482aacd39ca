//! The terms of use as a document anyone may download (`/cgu.pdf`).

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::forms::Forms;

/// The terms of use as a PDF the platform generates from the text in force.
pub async fn cgu_pdf(State(forms): State<Forms>) -> Response {
    use crate::documents::pdf::{render, Block, Document};
    use crate::domain::cgu;
    let mut blocks = Vec::new();
    for section in cgu::SECTIONS {
        blocks.push(Block::Heading(section.heading.to_owned()));
        for paragraph in section.paragraphs {
            blocks.push(Block::Paragraph((*paragraph).to_owned()));
        }
        for bullet in section.bullets {
            blocks.push(Block::Bullet((*bullet).to_owned()));
        }
    }
    let subtitle = format!("France Sésame — {}", cgu::VERSION_LABEL);
    let bytes = match render(
        &Document {
            title: cgu::TITLE,
            subtitle: Some(&subtitle),
            blocks: &blocks,
        },
        &forms.typeface,
    ) {
        Ok(bytes) => bytes,
        Err(error) => {
            tracing::error!(%error, "conditions d'utilisation : document impossible");
            return crate::http::refusal(
                StatusCode::SERVICE_UNAVAILABLE,
                "Le document n'a pas pu être produit. Réessayez dans quelques instants.",
            );
        }
    };
    (
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"cgu-france-sesame-{}.pdf\"",
                    cgu::VERSION
                ),
            ),
        ],
        bytes,
    )
        .into_response()
}
