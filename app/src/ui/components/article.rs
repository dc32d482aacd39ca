//! The frame of a page of text (information, legal): its document title, its single `<h1>` and
//! a comfortable reading width.

use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ArticlePage(title: &'static str, children: Children) -> impl IntoView {
    view! {
        <Title text=title />
        <div class="fr-container fr-my-6w sesame-prose">
            <h1>{title}</h1>
            {children()}
        </div>
    }
}
