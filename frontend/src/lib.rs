//! The browser entry point: it only hydrates the server-rendered page. Everything else is in `app`.

// The application's view types are monomorphised here; their layout needs more than the default depth.
#![recursion_limit = "512"]

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
