//! The DSFR table frame. On a phone a wide table scrolls sideways inside its container, so the
//! container is a named, focusable region: keyboard users can scroll it too.

use leptos::prelude::*;

#[component]
pub fn DataTable(
    /// What the table lists; read as the table's caption and the scroll region's name.
    #[prop(into)]
    caption: String,
    /// Hide the caption visually when a heading already says the same.
    #[prop(optional)]
    hide_caption: bool,
    /// Let long cells wrap, so that the table fits its container on a laptop.
    #[prop(optional)]
    multiline: bool,
    children: Children,
) -> impl IntoView {
    let region = caption.clone();
    view! {
        <div class="fr-table sesame-table" class:fr-table--no-caption=hide_caption class:fr-table--multiline=multiline>
            <div class="fr-table__wrapper">
                <div class="fr-table__container" tabindex="0" role="region" aria-label=region>
                    <div class="fr-table__content">
                        <table>
                            <caption>{caption}</caption>
                            {children()}
                        </table>
                    </div>
                </div>
            </div>
        </div>
    }
}
