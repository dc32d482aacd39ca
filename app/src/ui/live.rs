//! Live updates in the browser. Pages are rendered by the server only; what moves on them is an
//! island, [`LiveBar`]: one subscription to `/api/v1/stream` per page, reconnecting with growing
//! delays, an indicator that says when updates are interrupted, and a control that pauses them.
//! When a message concerns what the page shows (its [`LiveWatch`]), the island reads the page
//! again from the server, once for a burst of messages, and brings the regions marked
//! `data-direct` up to date in place (see [`morph`](browser)): what is under the pointer or the
//! keyboard stays where it is. The dossier list goes further: a dossier already shown is updated
//! where it stands and marked, new dossiers wait behind a control until the person asks to see
//! them. Without JavaScript nothing of this runs and the pages are as the server rendered them.
//!
//! Reading the page again rather than data keeps the WASM small (it carries no page's rendering)
//! and keeps one rendering, the server's, with its checks of who may see what.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::appointment::CheckKind;
use crate::domain::dossier::DossierQuery;
use crate::domain::live::concerns_list;
pub use crate::domain::live::LiveMessage;
use crate::domain::references::PostCode;

/// The address of the live stream (`server::live` serves it).
pub const STREAM_PATH: &str = "/api/v1/stream";

/// The attribute that marks a region of a page brought up to date by live updates; the region
/// needs an `id`, the same in every rendering of the page.
pub const REGION: &str = "data-direct";

/// The attribute that names an item of a list in a live region, unique among its siblings, when
/// the item has no `id`: items are matched by it, so one keeps its node (and the focus in it)
/// when new items come before it.
pub const KEY: &str = "data-cle";

/// The DOM event (on `document`) another island sends to have the page read itself again, as a
/// live message concerning it would: a document's antivirus verdict, which the stream does not
/// carry (its messages never speak of documents, internal ones included).
pub const READ_AGAIN_EVENT: &str = "sesame-relire";

/// What a live page shows, and so which messages make it read itself again.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LiveWatch {
    /// The dossier list for this query: rows updated in place, new dossiers held back.
    Dossiers(DossierQuery),
    /// One dossier: its events and its appointments.
    Dossier(i64),
    /// The free places of a check for a dossier.
    Booking {
        dossier: Option<i64>,
        check: CheckKind,
    },
    /// The appointments of the operator's company.
    CompanyAppointments,
    /// A post's planning (every post when none is chosen): appointments, and its places.
    Planning { post: Option<PostCode> },
    /// The correlation alerts.
    Alerts,
    /// The alerts desk: its alerts open and change.
    AlertDesk,
    /// The person's notifications (the centre): only their notifications concern it.
    Notifications,
    /// The messaging's list: any of the reader's exchanges that moves.
    Exchanges,
    /// One exchange: its messages, notes and changes.
    Exchange(i64),
}

impl LiveWatch {
    /// Whether `message` may change what the page shows; `shown` tells the dossiers a list has on
    /// screen. After a pause or a renewal of the stream, what changed is not known: the page
    /// reads itself again without asking.
    pub fn concerns(&self, message: &LiveMessage, shown: impl Fn(i64) -> bool) -> bool {
        // The bell is in the header of every page: a notification of the person reads the
        // page again, which brings it up to date.
        if matches!(message, LiveMessage::Resync | LiveMessage::Notification) {
            return true;
        }
        match self {
            LiveWatch::Dossiers(query) => concerns_list(query, shown, message),
            // Its events, its appointments, and its exchanges (listed on its page).
            LiveWatch::Dossier(id) => {
                message.dossier_id() == Some(*id)
                    || matches!(message, LiveMessage::Exchange(change) if change.dossier_id == Some(*id))
            }
            LiveWatch::Booking { dossier, check } => match message {
                LiveMessage::Slots(change) => change.check == *check,
                LiveMessage::Appointment(change) => *dossier == Some(change.dossier_id),
                _ => false,
            },
            LiveWatch::CompanyAppointments => matches!(message, LiveMessage::Appointment(_)),
            // The requests to validate span every post.
            LiveWatch::Planning { post } => match message {
                LiveMessage::Appointment(_) => true,
                LiveMessage::Slots(change) => post.as_ref().is_none_or(|post| *post == change.post),
                _ => false,
            },
            LiveWatch::Alerts => matches!(message, LiveMessage::Dossier(_)),
            LiveWatch::AlertDesk => matches!(message, LiveMessage::Alert(_)),
            LiveWatch::Notifications => false,
            LiveWatch::Exchanges => matches!(message, LiveMessage::Exchange(_)),
            LiveWatch::Exchange(id) => {
                matches!(message, LiveMessage::Exchange(change) if change.exchange_id == *id)
            }
        }
    }
}

/// Where the subscription stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LiveState {
    Connecting,
    Live,
    Interrupted,
}

/// What the bar shows. While the person has paused live updates, the page stays as it is
/// (WCAG 2.2.2), and whatever changed meanwhile is read once when they resume.
#[derive(Clone, Copy)]
struct Live {
    paused: RwSignal<bool>,
    /// Something arrived while paused.
    missed: RwSignal<bool>,
    /// `None` until the browser has started the subscription (and always without JavaScript).
    state: RwSignal<Option<LiveState>>,
}

/// The live bar of a page: whether it is live, and (with `pause`) the control that pauses it.
/// The island that keeps the page's `data-direct` regions up to date.
#[island]
pub fn LiveBar(watch: LiveWatch, pause: bool) -> impl IntoView {
    let live = Live {
        paused: RwSignal::new(false),
        missed: RwSignal::new(false),
        state: RwSignal::new(None),
    };
    #[cfg(feature = "hydrate")]
    let on_resume = browser::subscribe(live, watch);
    #[cfg(not(feature = "hydrate"))]
    let on_resume = {
        let _ = watch;
        || ()
    };
    view! {
        <LiveIndicator live />
        {pause.then(|| view! { <LivePause live on_resume /> })}
    }
}

/// Says whether the page is live; shown only once the browser runs the subscription.
#[component]
fn LiveIndicator(live: Live) -> impl IntoView {
    move || {
        live.state.get().map(|state| {
            let (class, text) = if live.paused.get() {
                (
                    "fr-badge fr-badge--new fr-badge--sm",
                    if live.missed.get() {
                        "Mises à jour en direct suspendues : des changements attendent"
                    } else {
                        "Mises à jour en direct suspendues"
                    },
                )
            } else {
                match state {
                    LiveState::Connecting => (
                        "fr-badge fr-badge--info fr-badge--sm",
                        "Connexion au direct…",
                    ),
                    LiveState::Live => (
                        "fr-badge fr-badge--success fr-badge--sm",
                        "Mises à jour en direct",
                    ),
                    LiveState::Interrupted => (
                        "fr-badge fr-badge--warning fr-badge--sm",
                        "Mises à jour en direct interrompues : reconnexion en cours",
                    ),
                }
            };
            view! { <p class=class role="status" id="etat-direct">{text}</p> }
        })
    }
}

/// Lets people pause live updates and resume them (WCAG 2.2.2: content that updates by itself can
/// be paused); shown only once the browser runs the subscription.
#[component]
fn LivePause(live: Live, on_resume: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let toggle = move |_| {
        let paused = !live.paused.get_untracked();
        live.paused.set(paused);
        if !paused && live.missed.get_untracked() {
            live.missed.set(false);
            on_resume();
        }
    };
    move || {
        live.state.get().map(|_| {
            let paused = live.paused.get();
            view! {
                <button
                    type="button"
                    class="fr-btn fr-btn--sm fr-btn--tertiary"
                    id="pause-direct"
                    aria-pressed=if paused { "true" } else { "false" }
                    on:click=toggle
                >
                    {if paused { "Reprendre les mises à jour en direct" } else { "Suspendre les mises à jour en direct" }}
                </button>
            }
        })
    }
}

/// What the dossier list's live merge finds in the page: the ids the server and the island share.
pub mod list_ids {
    /// The list itself (a table whose rows carry `data-dossier`).
    pub const LIST: &str = "liste";
    /// Its heading, with the count.
    pub const HEADING: &str = "resultats";
    /// The counts by status.
    pub const COUNTS: &str = "comptes-par-statut";
    /// What is said politely to screen readers.
    pub const ANNOUNCEMENT: &str = "annonce-direct";
    /// The control that shows the dossiers held back, and its box.
    pub const WAITING: &str = "nouveaux";
    pub const SHOW: &str = "afficher-nouveaux";
}

#[cfg(feature = "hydrate")]
mod browser {
    use std::cell::RefCell;
    use std::collections::VecDeque;
    use std::rc::Rc;
    use std::time::Duration;

    use leptos::prelude::*;
    use send_wrapper::SendWrapper;
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;
    use web_sys::{Document, Element, EventSource, MessageEvent, Node};

    use super::list_ids as ids;
    use super::{Live, LiveMessage, LiveState, LiveWatch, REGION};
    use crate::domain::live::names;

    const LONGEST_WAIT: Duration = Duration::from_secs(30);
    /// How long the page waits after a change that concerns it before reading itself again: the
    /// changes of a burst (a batch of events) cost one read.
    const READ_AGAIN_AFTER: Duration = Duration::from_millis(300);
    /// How long a region wait while the person types in one of its fields.
    const WHILE_TYPING: Duration = Duration::from_secs(2);

    #[derive(Clone, Copy, PartialEq, Eq)]
    enum Renewal {
        None,
        /// The server said the stream ends now.
        Announced,
        /// It ended; the browser reconnects.
        Reconnecting,
    }

    /// What the page does once a renewed stream is back.
    #[derive(Clone, Copy, PartialEq, Eq)]
    enum OnReturn {
        /// Reads what changed meanwhile (a renewal to check who is asking).
        ReadAgain,
        /// Loads itself again as a whole: what the person may see changed.
        Reload,
    }

    struct Connection {
        source: Option<EventSource>,
        wait: Duration,
        /// Where a renewal of the stream stands (the server ends it to check again who is asking;
        /// the browser reconnects at once, which is no interruption).
        renewal: Renewal,
        on_return: OnReturn,
        // Kept alive as long as the source uses them.
        handlers: Vec<Closure<dyn FnMut(web_sys::Event)>>,
    }

    /// Reading the page again: one read at a time, a burst costs one.
    struct Reader {
        watch: LiveWatch,
        scheduled: bool,
        reading: bool,
        again: bool,
        /// The list's fresh reading that holds dossiers not shown yet.
        waiting: Option<Document>,
        show_handler: Option<Closure<dyn FnMut(web_sys::Event)>>,
    }

    type Shared<T> = Rc<RefCell<T>>;

    /// Opens the subscription; gives what resuming after a pause does.
    pub fn subscribe(live: Live, watch: LiveWatch) -> impl Fn() + Copy + Send + Sync + 'static {
        let reader = Rc::new(RefCell::new(Reader {
            watch,
            scheduled: false,
            reading: false,
            again: false,
            waiting: None,
            show_handler: None,
        }));
        wire_show_button(&reader);
        let on_read_again = Closure::<dyn FnMut(web_sys::Event)>::new({
            let reader = Rc::clone(&reader);
            move |_: web_sys::Event| schedule(Rc::clone(&reader), Duration::ZERO)
        });
        let _ = document().add_event_listener_with_callback(
            super::READ_AGAIN_EVENT,
            on_read_again.as_ref().unchecked_ref(),
        );
        on_read_again.forget();
        let connection = Rc::new(RefCell::new(Connection {
            source: None,
            wait: Duration::from_secs(1),
            renewal: Renewal::None,
            on_return: OnReturn::ReadAgain,
            handlers: Vec::new(),
        }));
        Effect::new({
            let connection = Rc::clone(&connection);
            let reader = Rc::clone(&reader);
            move |_| open(Rc::clone(&connection), Rc::clone(&reader), live)
        });
        let reader = StoredValue::new_local(reader);
        move || {
            if let Some(reader) = reader.try_get_value() {
                schedule(reader, READ_AGAIN_AFTER);
            }
        }
    }

    fn open(connection: Shared<Connection>, reader: Shared<Reader>, live: Live) {
        live.state.set(Some(LiveState::Connecting));
        let Ok(source) = EventSource::new(super::STREAM_PATH) else {
            live.state.set(Some(LiveState::Interrupted));
            return;
        };
        let on_open = Closure::<dyn FnMut(web_sys::Event)>::new({
            let connection = Rc::clone(&connection);
            let reader = Rc::clone(&reader);
            move |_| {
                let (renewed, on_return) = {
                    let mut connection = connection.borrow_mut();
                    connection.wait = Duration::from_secs(1);
                    (
                        std::mem::replace(&mut connection.renewal, Renewal::None) != Renewal::None,
                        std::mem::replace(&mut connection.on_return, OnReturn::ReadAgain),
                    )
                };
                // What the person may see changed (and they still may sign in): the page as the
                // server now renders it for them, whatever they may no longer see gone.
                if renewed && on_return == OnReturn::Reload {
                    if let Some(window) = web_sys::window() {
                        let _ = window.location().reload();
                        return;
                    }
                }
                live.state.set(Some(LiveState::Live));
                // What has no stream position (a change of appointment, of a post's places) is
                // not replayed: whatever changed during the renewal is read again.
                if renewed {
                    arrived(live, &reader, &LiveMessage::Resync);
                }
            }
        });
        // Every message the page may use: decoded once, by its name, into the shared type.
        let on_message = Closure::<dyn FnMut(web_sys::Event)>::new({
            let reader = Rc::clone(&reader);
            move |event: web_sys::Event| {
                let Some(message) = event.dyn_ref::<MessageEvent>() else {
                    return;
                };
                let Some(text) = message.data().as_string() else {
                    return;
                };
                if let Some(message) = LiveMessage::decode(&message.type_(), &text) {
                    arrived(live, &reader, &message);
                }
            }
        });
        // The server ends the stream to check again who is asking; the browser comes back at once.
        let on_renewal = Closure::<dyn FnMut(web_sys::Event)>::new({
            let connection = Rc::clone(&connection);
            move |event: web_sys::Event| {
                let access_changed = event
                    .dyn_ref::<MessageEvent>()
                    .and_then(|message| message.data().as_string())
                    .and_then(|text| LiveMessage::decode(names::RENEWAL, &text))
                    == Some(LiveMessage::AccessChanged);
                let mut connection = connection.borrow_mut();
                connection.renewal = Renewal::Announced;
                if access_changed {
                    connection.on_return = OnReturn::Reload;
                }
            }
        });
        let on_error = Closure::<dyn FnMut(web_sys::Event)>::new({
            let connection = Rc::clone(&connection);
            let reader = Rc::clone(&reader);
            move |_| {
                let closed = connection
                    .borrow()
                    .source
                    .as_ref()
                    .is_some_and(|source| source.ready_state() == EventSource::CLOSED);
                // The end of a renewed stream: the browser is already coming back. A failure
                // after that is an interruption like any other.
                if connection.borrow().renewal == Renewal::Announced && !closed {
                    connection.borrow_mut().renewal = Renewal::Reconnecting;
                    return;
                }
                connection.borrow_mut().renewal = Renewal::None;
                live.state.set(Some(LiveState::Interrupted));
                // The browser retries by itself while it can; once it gives up, we retry, later
                // and later. A refusal (429 when this person has too many streams open, 401 once
                // signed out) closes the source at once: it takes the same growing delays, never
                // a tight loop.
                if closed {
                    let wait = {
                        let mut connection = connection.borrow_mut();
                        let wait = connection.wait;
                        connection.wait = (wait * 2).min(LONGEST_WAIT);
                        wait
                    };
                    let again = SendWrapper::new((Rc::clone(&connection), Rc::clone(&reader)));
                    set_timeout(
                        move || {
                            let (connection, reader) = again.take();
                            open(connection, reader, live)
                        },
                        wait,
                    );
                }
            }
        });
        source.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        for name in [
            names::DOSSIER,
            names::APPOINTMENT,
            names::SLOTS,
            names::NOTIFICATION,
            names::ALERT,
            names::RESYNC,
        ] {
            let _ =
                source.add_event_listener_with_callback(name, on_message.as_ref().unchecked_ref());
        }
        let _ = source
            .add_event_listener_with_callback(names::RENEWAL, on_renewal.as_ref().unchecked_ref());
        let mut connection = connection.borrow_mut();
        if let Some(previous) = connection.source.replace(source) {
            previous.close();
        }
        connection.handlers = vec![on_open, on_message, on_renewal, on_error];
    }

    /// A message arrived: kept for later while paused, read on when it concerns the page.
    fn arrived(live: Live, reader: &Shared<Reader>, message: &LiveMessage) {
        let concerned = reader
            .borrow()
            .watch
            .concerns(message, |id| shown_row(&document(), id).is_some());
        if !concerned {
            return;
        }
        if live.paused.get_untracked() {
            live.missed.set(true);
        } else {
            schedule(Rc::clone(reader), READ_AGAIN_AFTER);
        }
    }

    fn schedule(reader: Shared<Reader>, after: Duration) {
        if std::mem::replace(&mut reader.borrow_mut().scheduled, true) {
            return;
        }
        let reader = SendWrapper::new(reader);
        set_timeout(
            move || {
                let reader = reader.take();
                reader.borrow_mut().scheduled = false;
                read(reader);
            },
            after,
        );
    }

    fn read(reader: Shared<Reader>) {
        {
            let mut state = reader.borrow_mut();
            if state.reading {
                state.again = true;
                return;
            }
            state.reading = true;
        }
        leptos::task::spawn_local(async move {
            if let Some(fresh) = fetch_page().await {
                apply(&reader, fresh);
            }
            let again = {
                let mut state = reader.borrow_mut();
                state.reading = false;
                std::mem::take(&mut state.again)
            };
            if again {
                read(reader);
            }
        });
    }

    /// The page as the server renders it now for this person; `None` when it cannot be read
    /// (the network, a sign-out that redirects elsewhere): the page stays as it is.
    async fn fetch_page() -> Option<Document> {
        let window = web_sys::window()?;
        let address = window.location().href().ok()?;
        let init = web_sys::RequestInit::new();
        init.set_credentials(web_sys::RequestCredentials::SameOrigin);
        let headers = web_sys::Headers::new().ok()?;
        headers.set("accept", "text/html").ok()?;
        init.set_headers(&headers);
        let response = JsFuture::from(window.fetch_with_str_and_init(&address, &init))
            .await
            .ok()?
            .dyn_into::<web_sys::Response>()
            .ok()?;
        if !response.ok() || response.redirected() {
            return None;
        }
        let text = JsFuture::from(response.text().ok()?)
            .await
            .ok()?
            .as_string()?;
        web_sys::DomParser::new()
            .ok()?
            .parse_from_string(&text, web_sys::SupportedType::TextHtml)
            .ok()
    }

    fn apply(reader: &Shared<Reader>, fresh: Document) {
        let document = document();
        // Someone typing in a region keeps what they type: that region waits a moment.
        let mut typing = false;
        let Ok(regions) = document.query_selector_all(&format!("[{REGION}][id]")) else {
            return;
        };
        for index in 0..regions.length() {
            let Some(region) = regions
                .item(index)
                .and_then(|node| node.dyn_into::<Element>().ok())
            else {
                continue;
            };
            if is_typing_in(&document, &region) {
                typing = true;
                continue;
            }
            if let Some(new) = fresh.get_element_by_id(&region.id()) {
                morph(&document, &region, &new);
            }
        }
        if matches!(reader.borrow().watch, LiveWatch::Dossiers(_)) {
            merge_list(reader, &document, fresh);
        }
        if typing {
            schedule(Rc::clone(reader), WHILE_TYPING);
        }
    }

    fn is_typing_in(document: &Document, region: &Element) -> bool {
        document.active_element().is_some_and(|active| {
            matches!(active.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
                && region.contains(Some(&active))
        })
    }

    /// Brings `old` (in the page) to what `new` (a fresh rendering) shows, keeping every element
    /// whose place and kind did not change: the focus, the pointer and typed text stay. Children
    /// with a key ([`KEY`](super::KEY) or an `id`) are matched by it, wherever they stand: an item
    /// that others now come before keeps its node, so a link reached with the keyboard keeps the
    /// focus when a new notification, message or alert arrives above it.
    fn morph(document: &Document, old: &Element, new: &Element) {
        sync_attributes(old, new);
        let new_children: Vec<Node> = children(new);
        let fresh_keys: Vec<String> = new_children.iter().filter_map(key).collect();
        let mut waiting: VecDeque<Node> = children(old).into();
        for fresh in &new_children {
            // Keyed items the fresh rendering no longer has go first.
            while let Some(front) = waiting.front() {
                if key(front).is_some_and(|front| !fresh_keys.contains(&front)) {
                    let _ = old.remove_child(front);
                    waiting.pop_front();
                } else {
                    break;
                }
            }
            let matched = match key(fresh) {
                Some(wanted) => waiting
                    .iter()
                    .position(|node| key(node).as_ref() == Some(&wanted))
                    .and_then(|index| waiting.remove(index).map(|node| (index, node))),
                None => match waiting.front() {
                    Some(front) if key(front).is_none() => {
                        waiting.pop_front().map(|node| (0, node))
                    }
                    _ => None,
                },
            };
            match matched {
                Some((index, current)) if same_kind(&current, fresh) => {
                    if index > 0 {
                        // Moved up past items that come later now.
                        let _ = old.insert_before(&current, waiting.front());
                    }
                    match (current.dyn_ref::<Element>(), fresh.dyn_ref::<Element>()) {
                        (Some(current), Some(fresh)) => morph(document, current, fresh),
                        _ => {
                            if current.node_value() != fresh.node_value() {
                                current.set_node_value(fresh.node_value().as_deref());
                            }
                        }
                    }
                }
                Some((_, current)) => {
                    let _ = old.remove_child(&current);
                    if let Ok(imported) = document.import_node_with_deep(fresh, true) {
                        let _ = old.insert_before(&imported, waiting.front());
                    }
                }
                None => {
                    if let Ok(imported) = document.import_node_with_deep(fresh, true) {
                        let _ = old.insert_before(&imported, waiting.front());
                    }
                }
            }
        }
        for extra in waiting {
            let _ = old.remove_child(&extra);
        }
    }

    /// What matches a child of a live region with its fresh rendering, when it has one.
    fn key(node: &Node) -> Option<String> {
        let element = node.dyn_ref::<Element>()?;
        element
            .get_attribute(super::KEY)
            .or_else(|| Some(element.id()).filter(|id| !id.is_empty()))
    }

    fn children(element: &Element) -> Vec<Node> {
        let list = element.child_nodes();
        (0..list.length())
            .filter_map(|index| list.item(index))
            .collect()
    }

    fn same_kind(old: &Node, new: &Node) -> bool {
        if old.node_type() != new.node_type() {
            return false;
        }
        match (old.dyn_ref::<Element>(), new.dyn_ref::<Element>()) {
            (Some(old), Some(new)) => {
                old.tag_name() == new.tag_name()
                    && old.id() == new.id()
                    && old.get_attribute("data-dossier") == new.get_attribute("data-dossier")
            }
            _ => true,
        }
    }

    fn sync_attributes(old: &Element, new: &Element) {
        let names = old.get_attribute_names();
        for index in 0..names.length() {
            if let Some(name) = names.get(index).as_string() {
                if !new.has_attribute(&name) {
                    let _ = old.remove_attribute(&name);
                }
            }
        }
        let names = new.get_attribute_names();
        for index in 0..names.length() {
            if let Some(name) = names.get(index).as_string() {
                let value = new.get_attribute(&name).unwrap_or_default();
                if old.get_attribute(&name).as_deref() != Some(value.as_str()) {
                    let _ = old.set_attribute(&name, &value);
                }
            }
        }
    }

    // ----- The dossier list -----

    fn rows(document: &Document) -> Vec<(i64, Element)> {
        let Ok(list) = document.query_selector_all(&format!("#{} tr[data-dossier]", ids::LIST))
        else {
            return Vec::new();
        };
        (0..list.length())
            .filter_map(|index| list.item(index)?.dyn_into::<Element>().ok())
            .filter_map(|row| Some((row.get_attribute("data-dossier")?.parse().ok()?, row)))
            .collect()
    }

    fn shown_row(document: &Document, id: i64) -> Option<Element> {
        document
            .query_selector(&format!("#{} tr[data-dossier=\"{id}\"]", ids::LIST))
            .ok()
            .flatten()
    }

    #[derive(Clone, Copy)]
    enum Mark {
        Updated,
        New,
    }

    /// Marks a row as changed since the page was read, in words (a badge), not colour alone.
    fn mark(document: &Document, row: &Element, mark: Mark) {
        let _ = row.class_list().add_1("sesame-row--changed");
        let (class, text) = match mark {
            Mark::Updated => (
                "fr-badge fr-badge--sm fr-badge--info sesame-mark",
                "Mis à jour",
            ),
            Mark::New => ("fr-badge fr-badge--sm fr-badge--new sesame-mark", "Nouveau"),
        };
        let Ok(Some(cell)) = row.query_selector("th") else {
            return;
        };
        if let Ok(Some(previous)) = cell.query_selector(".sesame-mark") {
            previous.remove();
        }
        if let Ok(badge) = document.create_element("p") {
            badge.set_class_name(class);
            badge.set_text_content(Some(text));
            let _ = cell.append_child(&badge);
        }
    }

    /// The row as the server rendered it, without the marks the page added.
    fn unmarked_html(row: &Element) -> String {
        let Ok(copy) = row.clone_node_with_deep(true) else {
            return String::new();
        };
        let Ok(copy) = copy.dyn_into::<Element>() else {
            return String::new();
        };
        if let Ok(marks) = copy.query_selector_all(".sesame-mark") {
            for index in 0..marks.length() {
                if let Some(mark) = marks.item(index).and_then(|n| n.dyn_into::<Element>().ok()) {
                    mark.remove();
                }
            }
        }
        copy.inner_html()
    }

    fn announce(document: &Document, text: &str) {
        if let Some(status) = document.get_element_by_id(ids::ANNOUNCEMENT) {
            status.set_text_content(Some(text));
        }
    }

    fn dossiers_count(count: usize, what: &str) -> String {
        if count == 1 {
            format!("1 dossier {what}")
        } else {
            format!("{count} dossiers {what}s")
        }
    }

    /// Merges a fresh reading of the list: dossiers shown are updated where they stand and
    /// marked; dossiers not shown wait behind the control.
    fn merge_list(reader: &Shared<Reader>, document: &Document, fresh: Document) {
        let shown = rows(document);
        let fresh_rows = rows(&fresh);
        let mut updated = 0;
        for (id, new) in &fresh_rows {
            if let Some((_, row)) = shown.iter().find(|(shown, _)| shown == id) {
                if unmarked_html(row) != new.inner_html() {
                    morph(document, row, new);
                    mark(document, row, Mark::Updated);
                    updated += 1;
                }
            }
        }
        let new = fresh_rows
            .iter()
            .filter(|(id, _)| !shown.iter().any(|(shown, _)| shown == id))
            .count();
        let mut said = Vec::new();
        if updated > 0 {
            said.push(dossiers_count(updated, "mis à jour"));
        }
        if new > 0 {
            said.push(if new == 1 {
                "1 nouveau dossier : affichez-le avec le bouton « afficher »".to_owned()
            } else {
                format!("{new} nouveaux dossiers : affichez-les avec le bouton « afficher »")
            });
        }
        if !said.is_empty() {
            announce(document, &said.join(" ; "));
        }
        let waiting = document.get_element_by_id(ids::WAITING);
        let button = document.get_element_by_id(ids::SHOW);
        if new > 0 {
            if let Some(button) = &button {
                button.set_text_content(Some(&if new == 1 {
                    "1 nouveau dossier — afficher".to_owned()
                } else {
                    format!("{new} nouveaux dossiers — afficher")
                }));
            }
            if let Some(waiting) = &waiting {
                let _ = waiting.remove_attribute("hidden");
            }
            reader.borrow_mut().waiting = Some(fresh);
        } else {
            if let Some(waiting) = &waiting {
                let _ = waiting.set_attribute("hidden", "");
            }
            reader.borrow_mut().waiting = None;
        }
    }

    /// The control that shows the dossiers held back: the list becomes the fresh one, the new
    /// dossiers marked, and the focus goes to the list.
    fn wire_show_button(reader: &Shared<Reader>) {
        let Some(button) = document().get_element_by_id(ids::SHOW) else {
            return;
        };
        let handler = Closure::<dyn FnMut(web_sys::Event)>::new({
            let reader = Rc::clone(reader);
            move |_| {
                let Some(fresh) = reader.borrow_mut().waiting.take() else {
                    return;
                };
                let document = document();
                let known: Vec<i64> = rows(&document).into_iter().map(|(id, _)| id).collect();
                for id in [ids::HEADING, ids::COUNTS, ids::LIST] {
                    if let (Some(old), Some(new)) =
                        (document.get_element_by_id(id), fresh.get_element_by_id(id))
                    {
                        morph(&document, &old, &new);
                    }
                }
                for (id, row) in rows(&document) {
                    if !known.contains(&id) {
                        mark(&document, &row, Mark::New);
                    }
                }
                if let Some(waiting) = document.get_element_by_id(ids::WAITING) {
                    let _ = waiting.set_attribute("hidden", "");
                }
                announce(
                    &document,
                    "Liste mise à jour : les nouveaux dossiers sont marqués.",
                );
                if let Some(list) = document
                    .get_element_by_id(ids::LIST)
                    .and_then(|list| list.dyn_into::<web_sys::HtmlElement>().ok())
                {
                    let _ = list.focus();
                }
            }
        });
        let _ = button.add_event_listener_with_callback("click", handler.as_ref().unchecked_ref());
        reader.borrow_mut().show_handler = Some(handler);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::appointment::AppointmentState;
    use crate::domain::live::{AppointmentChange, SlotsChange};

    fn appointment(dossier_id: i64) -> LiveMessage {
        LiveMessage::Appointment(AppointmentChange {
            dossier_id,
            appointment_id: 1,
            state: AppointmentState::Demande,
        })
    }

    fn slots(post: &str, check: CheckKind) -> LiveMessage {
        LiveMessage::Slots(SlotsChange {
            post: PostCode::parse(post).unwrap(),
            check,
        })
    }

    #[test]
    fn each_page_reads_itself_again_only_for_what_it_shows() {
        let nothing_shown = |_| false;
        let dossier = LiveWatch::Dossier(3);
        assert!(dossier.concerns(&appointment(3), nothing_shown));
        assert!(!dossier.concerns(&appointment(4), nothing_shown));
        assert!(!dossier.concerns(&slots("FRLEH1", CheckKind::Physical), nothing_shown));

        let booking = LiveWatch::Booking {
            dossier: Some(3),
            check: CheckKind::Physical,
        };
        assert!(booking.concerns(&slots("FRLEH1", CheckKind::Physical), nothing_shown));
        assert!(!booking.concerns(&slots("FRLEH1", CheckKind::Identity), nothing_shown));
        assert!(booking.concerns(&appointment(3), nothing_shown));
        assert!(!booking.concerns(&appointment(4), nothing_shown));

        let planning = LiveWatch::Planning {
            post: Some(PostCode::parse("FRLEH1").unwrap()),
        };
        assert!(planning.concerns(&slots("FRLEH1", CheckKind::Identity), nothing_shown));
        assert!(!planning.concerns(&slots("FRMRS1", CheckKind::Identity), nothing_shown));
        // The requests to validate span every post.
        assert!(planning.concerns(&appointment(9), nothing_shown));
        let every_post = LiveWatch::Planning { post: None };
        assert!(every_post.concerns(&slots("FRMRS1", CheckKind::Identity), nothing_shown));

        assert!(LiveWatch::CompanyAppointments.concerns(&appointment(9), nothing_shown));
        assert!(!LiveWatch::CompanyAppointments
            .concerns(&slots("FRLEH1", CheckKind::Physical), nothing_shown));

        // A list reads itself for an appointment of a dossier it shows, not of another.
        let list = LiveWatch::Dossiers(DossierQuery::default());
        assert!(list.concerns(&appointment(5), |id| id == 5));
        assert!(!list.concerns(&appointment(6), |id| id == 5));

        // After missed messages, every page reads itself again.
        for watch in [dossier, booking, planning, LiveWatch::Alerts, list] {
            assert!(watch.concerns(&LiveMessage::Resync, nothing_shown));
            assert!(watch.concerns(&LiveMessage::Notification, nothing_shown));
            assert!(!watch.concerns(&LiveMessage::Renewal, nothing_shown));
        }
    }

    #[test]
    fn what_a_live_bar_watches_reads_back_from_its_props() {
        // The island's props travel in the page as JSON.
        let watch = LiveWatch::Booking {
            dossier: Some(3),
            check: CheckKind::Identity,
        };
        let text = serde_json::to_string(&watch).unwrap();
        assert_eq!(serde_json::from_str::<LiveWatch>(&text).unwrap(), watch);
    }
}
