//! The browser entry point. Pages are rendered by the server; the browser hydrates only their
//! islands (the live bar, the header's menu), which live in `app`.

// Links `app`, whose islands are the functions this WASM exports.
use app as _;

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
    app::ui::mark_interactive();
}
