//! The frame of a page's data: a sentence while they load, a DSFR error alert if they could not
//! be loaded, the page's own view once they are. One component instead of the same
//! `Transition` + `Suspend` + `match` repeated on every page.

use leptos::prelude::*;

use crate::ui::components::load_failure::LoadFailure;

/// Shows `loading` (in a polite live region) until `resource` is ready, then `children` with the
/// loaded value, or a [`LoadFailure`] titled `failed` with the server's message.
///
/// Like `<For>`, the children take the value with `let:`:
///
/// ```text
/// <Loaded resource=desk loading="Chargement des clés…" failed="Les clés n'ont pas pu être chargées" let:desk>
///     <Desk desk />
/// </Loaded>
/// ```
///
/// A transition: when the resource is read again (a live update), what is shown stays in place
/// until the new value arrives; a resource that never re-runs is shown as under a `Suspense`.
#[component]
pub fn Loaded<T, C, V>(
    /// The page's data, as its server function answers.
    resource: Resource<Result<T, ServerFnError>>,
    /// What the page says while the data load, as a sentence.
    loading: &'static str,
    /// What could not be loaded, as a sentence: the title of the error alert.
    failed: &'static str,
    /// The alert is the page's main heading when nothing else on the page is.
    #[prop(optional)]
    page_heading: bool,
    /// The view of the loaded value (`let:value` in `view!`).
    children: C,
) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    C: Fn(T) -> V + Clone + Send + 'static,
    V: IntoView + 'static,
{
    view! {
        <Transition fallback=move || view! { <p aria-live="polite">{loading}</p> }>
            {move || {
                let children = children.clone();
                Suspend::new(async move {
                    match resource.await {
                        Ok(value) => children(value).into_any(),
                        Err(error) => view! {
                            <LoadFailure title=failed message=error.to_string() page_heading />
                        }
                        .into_any(),
                    }
                })
            }}
        </Transition>
    }
}
