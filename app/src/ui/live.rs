//! Live updates in the browser: one subscription to `/api/v1/stream` per page, shared by what the
//! page shows (lists, counters, the open timeline), reconnecting with growing delays, closed when
//! the page goes away, and an indicator that says when updates are interrupted. Without
//! JavaScript nothing of this runs and the pages are as the server rendered them.

use leptos::prelude::*;

pub use crate::domain::live::LiveMessage;

/// The address of the live stream (`server::live` serves it).
pub const STREAM_PATH: &str = "/api/v1/stream";

/// Where the subscription stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LiveState {
    Connecting,
    Live,
    Interrupted,
}

/// The page's subscription: the last message, how many arrived, and its state. A page reads
/// again only on the messages that concern what it shows (see [`Live::counter`]).
/// While the person has paused live updates, messages are not passed on: the page stays as it is
/// (WCAG 2.2.2), and whatever changed meanwhile is read once when they resume.
#[derive(Clone, Copy)]
pub struct Live {
    /// The last message; `None` when what changed is not known (after a pause, a renewal).
    pub last: RwSignal<Option<LiveMessage>>,
    pub received: RwSignal<u64>,
    pub paused: RwSignal<bool>,
    /// Something arrived while paused.
    pub missed: RwSignal<bool>,
    /// `None` until the browser has started the subscription (and always without JavaScript).
    pub state: RwSignal<Option<LiveState>>,
}

impl Live {
    /// Something changed: pass it on, or keep it for when the person resumes.
    pub fn arrived(self) {
        if self.paused.get_untracked() {
            self.missed.set(true);
        } else {
            self.received.update(|count| *count += 1);
        }
    }

    /// A counter that moves only on the messages `concerns` keeps, and whenever what changed is
    /// not known (after a pause, a renewal, a resync): what a page reads again on, so that a
    /// message about something it does not show costs it nothing.
    pub fn counter(
        self,
        concerns: impl Fn(&LiveMessage) -> bool + Send + Sync + 'static,
    ) -> Memo<u64> {
        Memo::new(move |previous: Option<&u64>| {
            let received = self.received.get();
            let concerned = self.last.with_untracked(|last| {
                last.as_ref().is_none_or(|message| {
                    matches!(message, LiveMessage::Resync) || concerns(message)
                })
            });
            match previous {
                Some(previous) if !concerned => *previous,
                _ => received,
            }
        })
    }

    /// Pauses or resumes live updates; resuming reads once whatever changed meanwhile.
    pub fn toggle_pause(self) {
        let paused = !self.paused.get_untracked();
        self.paused.set(paused);
        if !paused && self.missed.get_untracked() {
            self.missed.set(false);
            // Which dossiers changed is not known: every reader reads again.
            self.last.set(None);
            self.received.update(|count| *count += 1);
        }
    }
}

/// Opens the page's subscription (in the browser only) and gives its signals.
pub fn use_live() -> Live {
    let live = Live {
        last: RwSignal::new(None),
        received: RwSignal::new(0),
        paused: RwSignal::new(false),
        missed: RwSignal::new(false),
        state: RwSignal::new(None),
    };
    #[cfg(feature = "hydrate")]
    browser::subscribe(live);
    live
}

#[cfg(feature = "hydrate")]
mod browser {
    use std::cell::RefCell;
    use std::rc::Rc;
    use std::time::Duration;

    use leptos::prelude::*;
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    use web_sys::{EventSource, MessageEvent};

    use super::{Live, LiveMessage, LiveState};
    use crate::domain::live::names;

    const LONGEST_WAIT: Duration = Duration::from_secs(30);

    #[derive(Clone, Copy, PartialEq, Eq)]
    enum Renewal {
        None,
        /// The server said the stream ends now.
        Announced,
        /// It ended; the browser reconnects.
        Reconnecting,
    }

    struct Connection {
        source: Option<EventSource>,
        wait: Duration,
        closed: bool,
        /// Where a renewal of the stream stands (the server ends it to check again who is asking;
        /// the browser reconnects at once, which is no interruption).
        renewal: Renewal,
        // Kept alive as long as the source uses them.
        handlers: Vec<Closure<dyn FnMut(web_sys::Event)>>,
    }

    pub fn subscribe(live: Live) {
        let connection = Rc::new(RefCell::new(Connection {
            source: None,
            wait: Duration::from_secs(1),
            closed: false,
            renewal: Renewal::None,
            handlers: Vec::new(),
        }));
        Effect::new({
            let connection = Rc::clone(&connection);
            move |_| open(Rc::clone(&connection), live)
        });
        // The page goes away: the subscription too.
        let connection = send_wrapper::SendWrapper::new(connection);
        on_cleanup(move || {
            let mut connection = connection.borrow_mut();
            connection.closed = true;
            if let Some(source) = connection.source.take() {
                source.close();
            }
            connection.handlers.clear();
        });
    }

    fn open(connection: Rc<RefCell<Connection>>, live: Live) {
        if connection.borrow().closed {
            return;
        }
        live.state.set(Some(LiveState::Connecting));
        let Ok(source) = EventSource::new(super::STREAM_PATH) else {
            live.state.set(Some(LiveState::Interrupted));
            return;
        };
        let on_open = Closure::<dyn FnMut(web_sys::Event)>::new({
            let connection = Rc::clone(&connection);
            move |_| {
                let renewed = {
                    let mut connection = connection.borrow_mut();
                    connection.wait = Duration::from_secs(1);
                    std::mem::replace(&mut connection.renewal, Renewal::None) != Renewal::None
                };
                live.state.set(Some(LiveState::Live));
                // What has no stream position (a change of appointment, of a post's places) is
                // not replayed: whatever changed during the renewal is read again.
                if renewed {
                    live.last.set(None);
                    live.arrived();
                }
            }
        });
        // Every message the page may use: decoded once, by its name, into the shared type.
        let on_message = Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
            let Some(message) = event.dyn_ref::<MessageEvent>() else {
                return;
            };
            let Some(text) = message.data().as_string() else {
                return;
            };
            if let Some(message) = LiveMessage::decode(&message.type_(), &text) {
                if !live.paused.get_untracked() {
                    live.last.set(Some(message));
                }
                live.arrived();
            }
        });
        // The server ends the stream to check again who is asking; the browser comes back at once.
        let on_renewal = Closure::<dyn FnMut(web_sys::Event)>::new({
            let connection = Rc::clone(&connection);
            move |_| connection.borrow_mut().renewal = Renewal::Announced
        });
        let on_error = Closure::<dyn FnMut(web_sys::Event)>::new({
            let connection = Rc::clone(&connection);
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
                    let connection = send_wrapper::SendWrapper::new(Rc::clone(&connection));
                    set_timeout(move || open(Rc::clone(&connection), live), wait);
                }
            }
        });
        source.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        for name in [
            names::DOSSIER,
            names::APPOINTMENT,
            names::SLOTS,
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
}

/// Says whether the page is live; shown only once the browser runs the subscription.
#[component]
pub fn LiveIndicator(live: Live) -> impl IntoView {
    move || {
        live.state.get().map(|state| {
            if live.paused.get() {
                return view! {
                    <p class="fr-badge fr-badge--new fr-badge--sm" role="status" id="etat-direct">
                        {if live.missed.get() { "Mises à jour en direct suspendues : des changements attendent" } else { "Mises à jour en direct suspendues" }}
                    </p>
                }
                .into_any();
            }
            let (class, text) = match state {
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
            };
            view! { <p class=class role="status" id="etat-direct">{text}</p> }.into_any()
        })
    }
}

/// Lets people pause live updates and resume them (WCAG 2.2.2: content that updates by itself can
/// be paused); shown only once the browser runs the subscription.
#[component]
pub fn LivePause(live: Live) -> impl IntoView {
    move || {
        live.state.get().map(|_| {
            let paused = live.paused.get();
            view! {
                <button
                    type="button"
                    class="fr-btn fr-btn--sm fr-btn--tertiary"
                    id="pause-direct"
                    aria-pressed=if paused { "true" } else { "false" }
                    on:click=move |_| live.toggle_pause()
                >
                    {if paused { "Reprendre les mises à jour en direct" } else { "Suspendre les mises à jour en direct" }}
                </button>
            }
        })
    }
}
