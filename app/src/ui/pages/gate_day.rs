//! The gate's day on the device: an island of the gate's page (`/controle-arrivee`) that fetches
//! today's appointments of the agent's posts when the page is opened online (with the device's
//! pass for the day, see `api::appointments::offline`), keeps them in the browser's storage,
//! reads them again when an appointment changes while online, and records presences and
//! absences with or without network. What is recorded offline waits on the device, is shown as
//! not yet sent, and is sent once the network returns, once each (the id it was made with); what
//! the server kept is shown, a conflict in French. The page and its files are kept by a service
//! worker (`public/sw-arrivee.js`) so that the page opens without network on the same day; the
//! QR code and the short code of a convocation are then found in the day the device holds. The
//! day is wiped from the device when the day ends, and everything at sign-out.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::gate::{CheckinKind, CheckinOutcome, DayAppointment, GateDay, OfflineCheckin};
use crate::ui::format;

/// A presence or absence kept on the device until the server answered (and after, until the
/// day ends, to show it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Kept {
    /// The agent who recorded it: only their pass or session sends it.
    pub agent: i64,
    pub checkin: OfflineCheckin,
    pub headline: String,
    /// The server's answer, once it came.
    pub answer: Option<CheckinOutcome>,
}

impl Kept {
    fn unsent(&self) -> bool {
        self.answer.is_none()
    }

    fn conflict(&self) -> bool {
        self.answer.as_ref().is_some_and(|answer| !answer.recorded)
    }
}

/// What the island shows.
#[derive(Clone, Copy)]
struct Panel {
    day: RwSignal<Option<GateDay>>,
    kept: RwSignal<Vec<Kept>>,
    online: RwSignal<bool>,
    /// What was last done, said to screen readers.
    said: RwSignal<String>,
    /// The appointment a QR code or short code named, found in the day the device holds.
    found: RwSignal<Option<i64>>,
    /// False until the browser has read what the device holds.
    started: RwSignal<bool>,
}

impl Panel {
    fn new() -> Panel {
        Panel {
            day: RwSignal::new(None),
            kept: RwSignal::new(Vec::new()),
            online: RwSignal::new(true),
            said: RwSignal::new(String::new()),
            found: RwSignal::new(None),
            started: RwSignal::new(false),
        }
    }
}

/// `3 pointages` / `1 pointage`.
fn count(n: usize) -> String {
    format!("{n} pointage{}", if n > 1 { "s" } else { "" })
}

/// The gate's day, on the device.
#[island]
pub fn GateDayPanel() -> impl IntoView {
    let panel = Panel::new();
    #[cfg(feature = "hydrate")]
    browser::start(panel);
    let unsent = move || {
        panel
            .kept
            .with(|kept| kept.iter().filter(|k| k.unsent()).count())
    };
    view! {
        <section class="fr-mt-6w" aria-labelledby="titre-journee" id="journee">
            <h2 id="titre-journee">"Rendez-vous du jour"</h2>
            <noscript>
                <p>"La liste du jour et le pointage sans réseau demandent JavaScript ; la recherche ci-dessus fonctionne sans."</p>
            </noscript>
            <p class="fr-text--sm" id="journee-reseau">
                {move || if !panel.started.get() {
                    String::new()
                } else if panel.online.get() {
                    "En ligne : les pointages sont envoyés aussitôt.".to_owned()
                } else {
                    "Hors ligne : les pointages sont gardés sur cet appareil et envoyés au retour du réseau.".to_owned()
                }}
            </p>
            <div role="status" aria-live="polite" id="journee-annonce">
                {move || {
                    let said = panel.said.get();
                    (!said.is_empty()).then(|| view! { <p class="fr-text--sm fr-mb-1w">{said}</p> })
                }}
            </div>
            {move || {
                let n = unsent();
                (n > 0).then(|| view! {
                    <div class="fr-alert fr-alert--warning fr-alert--sm fr-mb-2w" id="journee-a-envoyer">
                        <p>{format!("{} pas encore envoyé{} au serveur.", count(n), if n > 1 { "s" } else { "" })}</p>
                    </div>
                })
            }}
            <Conflicts panel />
            <Found panel />
            {move || panel.day.get().map(|day| {
                let shown = format::date(day.day);
                if day.appointments.is_empty() {
                    view! { <p>{format!("Aucun rendez-vous le {shown} aux postes de vos sites.")}</p> }.into_any()
                } else {
                    view! {
                        <p class="fr-text--sm">{format!(
                            "{} rendez-vous le {shown}, mis à jour le {}.",
                            day.appointments.len(),
                            format::date_time(day.fetched_at)
                        )}</p>
                        <ul class="sesame-appointments" id="journee-liste">
                            {day.appointments.into_iter().map(|appointment| {
                                let key = appointment.id.to_string();
                                view! { <li data-cle=key><DayCard panel appointment /></li> }
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }
            })}
        </section>
    }
}

/// What the server did not keep, with why; dismissed once read (the server keeps them).
#[component]
fn Conflicts(panel: Panel) -> impl IntoView {
    move || {
        let conflicts: Vec<Kept> = panel
            .kept
            .with(|kept| kept.iter().filter(|k| k.conflict()).cloned().collect());
        (!conflicts.is_empty()).then(|| {
            view! {
                <div class="fr-alert fr-alert--error fr-mb-2w" id="journee-conflits">
                    <h3 class="fr-alert__title">"Pointages non retenus"</h3>
                    <ul>
                        {conflicts.into_iter().map(|kept| {
                            let message = kept.answer.map(|a| a.message).unwrap_or_default();
                            view! {
                                <li>{format!("{} — {} pointé le {} : {message}",
                                    kept.headline,
                                    kept.checkin.kind.label(),
                                    format::date_time(kept.checkin.scanned_at))}</li>
                            }
                        }).collect_view()}
                    </ul>
                    <button class="fr-btn fr-btn--sm fr-btn--secondary fr-mt-1w" type="button"
                        on:click=move |_| {
                            #[cfg(feature = "hydrate")]
                            browser::dismiss_conflicts(panel);
                        }>
                        "J'ai pris connaissance de ces pointages"
                    </button>
                </div>
            }
        })
    }
}

/// The appointment a QR code or short code named, found in the day the device holds.
#[component]
fn Found(panel: Panel) -> impl IntoView {
    move || {
        let id = panel.found.get()?;
        let appointment = panel.day.with(|day| {
            day.as_ref()?
                .appointments
                .iter()
                .find(|a| a.id == id)
                .cloned()
        })?;
        Some(view! {
            <div class="fr-callout fr-mb-2w" id="journee-trouve">
                <h3 class="fr-callout__title">"Convocation trouvée dans la journée de l'appareil"</h3>
                <DayCard panel appointment />
            </div>
        })
    }
}

/// One appointment of the day, with what may be recorded for it.
#[component]
fn DayCard(panel: Panel, appointment: DayAppointment) -> impl IntoView {
    let id = appointment.id;
    let reason = RwSignal::new(String::new());
    let reason_id = format!("journee-motif-{id}");
    let card = StoredValue::new(appointment.clone());
    let local = move || {
        panel.kept.with(|kept| {
            kept.iter()
                .rev()
                .find(|k| k.checkin.appointment_id == id && !k.conflict())
                .cloned()
        })
    };
    let record = move |kind: CheckinKind, late: bool| {
        let _ = (kind, late);
        #[cfg(feature = "hydrate")]
        {
            let text = reason.get_untracked();
            browser::record(panel, &card.get_value(), kind, late.then_some(text));
        }
    };
    view! {
        <div class="sesame-day-card">
            <h3 class="fr-h6 fr-mb-1w">{format!("{} — {}", appointment.headline, appointment.check.label())}</h3>
            <p class="fr-mb-1w">{format!("{} — {}", format::date_time(appointment.starts_at), appointment.post_name)}</p>
            {appointment.company_name.clone().map(|name| view! { <p class="fr-mb-1w">{name}</p> })}
            <p class="fr-mb-1w">{format!("État : {}", appointment.state.label())}</p>
            {move || match local() {
                Some(kept) => {
                    let when = format::date_time(kept.checkin.scanned_at);
                    let text = match &kept.answer {
                        None => format!("{} pointé le {when} : pas encore envoyé.", kept.checkin.kind.label()),
                        Some(answer) => answer.message.clone(),
                    };
                    let class = if kept.unsent() { "fr-badge fr-badge--warning" } else { "fr-badge fr-badge--success" };
                    view! { <p><span class=class>{if kept.unsent() { "À envoyer" } else { "Envoyé" }}</span>" "{text}</p> }.into_any()
                }
                None => {
                    let appointment = card.get_value();
                    let now = now();
                    let arrival = appointment.arrival(now);
                    let started = appointment.starts_at <= now
                        && matches!(appointment.state, crate::domain::appointment::AppointmentState::Confirme | crate::domain::appointment::AppointmentState::Reporte);
                    view! {
                        <p class="fr-text--sm">{arrival.explain()}</p>
                        <div class="fr-btns-group fr-btns-group--inline-sm">
                            {arrival.on_time().then(|| view! {
                                <button class="fr-btn" type="button" on:click=move |_| record(CheckinKind::Presence, false)>
                                    {format!("Présent — {}", appointment.headline)}
                                </button>
                            })}
                            {started.then(|| view! {
                                <button class="fr-btn fr-btn--secondary" type="button" on:click=move |_| record(CheckinKind::Absence, false)>
                                    {format!("Absent — {}", appointment.headline)}
                                </button>
                            })}
                        </div>
                        {arrival.late().then(|| view! {
                            <div class="fr-input-group">
                                <label class="fr-label" for=reason_id.clone()>
                                    "Motif du retard"
                                    <span class="fr-hint-text">"Obligatoire, 3 à 500 caractères."</span>
                                </label>
                                <textarea class="fr-input" id=reason_id.clone() rows="2" maxlength="500"
                                    prop:value=move || reason.get()
                                    on:input=move |event| reason.set(event_target_value(&event))></textarea>
                                <button class="fr-btn fr-btn--secondary fr-mt-1w" type="button" on:click=move |_| record(CheckinKind::Presence, true)>
                                    "Accepter l'arrivée tardive"
                                </button>
                            </div>
                        })}
                    }.into_any()
                }
            }}
        </div>
    }
}

/// Now, as the browser's clock says (and the server's on the server).
fn now() -> chrono::DateTime<chrono::Utc> {
    #[cfg(feature = "hydrate")]
    {
        chrono::DateTime::from_timestamp_millis(js_sys::Date::now() as i64).unwrap_or_default()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        chrono::Utc::now()
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use super::{now, Kept, Panel};
    use crate::domain::appointment::paris_day;
    use crate::domain::gate::{
        CheckinKind, DayAppointment, GateCode, GateDay, OfflineCheckin, OFFLINE_BATCH,
    };
    use leptos::prelude::*;
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::{spawn_local, JsFuture};

    const DAY_KEY: &str = "sesame.arrivee.journee";
    const KEPT_KEY: &str = "sesame.arrivee.pointages";
    const DAY_ADDRESS: &str = "/api/arrivee-hors-ligne/journee";
    const SEND_ADDRESS: &str = "/api/arrivee-hors-ligne/pointages";
    const WORKER: &str = "/sw-arrivee.js";
    const SCOPE: &str = "/controle-arrivee";
    /// How often what waits is sent again, and the day checked.
    const EVERY_MS: i32 = 30_000;

    fn storage() -> Option<web_sys::Storage> {
        web_sys::window()?.local_storage().ok()?
    }

    fn load<T: serde::de::DeserializeOwned>(key: &str) -> Option<T> {
        serde_json::from_str(&storage()?.get_item(key).ok()??).ok()
    }

    fn save<T: serde::Serialize>(key: &str, value: &T) {
        if let (Some(storage), Ok(text)) = (storage(), serde_json::to_string(value)) {
            let _ = storage.set_item(key, &text);
        }
    }

    fn online() -> bool {
        web_sys::window().is_some_and(|window| window.navigator().on_line())
    }

    pub fn start(panel: Panel) {
        panel.online.set(online());
        panel.day.set(load::<GateDay>(DAY_KEY));
        panel
            .kept
            .set(load::<Vec<Kept>>(KEPT_KEY).unwrap_or_default());
        end_of_day(panel);
        panel.started.set(true);
        register_worker();
        look_up_code(panel);
        guard_sign_out(panel);
        let Some(window) = web_sys::window() else {
            return;
        };
        for (name, is_online) in [("online", true), ("offline", false)] {
            let on_change = Closure::<dyn FnMut()>::new(move || {
                panel.online.set(is_online);
                if is_online {
                    spawn_local(async move {
                        flush(panel).await;
                        refresh(panel, true).await;
                    });
                }
            });
            let _ =
                window.add_event_listener_with_callback(name, on_change.as_ref().unchecked_ref());
            on_change.forget();
        }
        let tick = Closure::<dyn FnMut()>::new(move || {
            panel.online.set(online());
            end_of_day(panel);
            spawn_local(flush(panel));
        });
        let _ = window.set_interval_with_callback_and_timeout_and_arguments_0(
            tick.as_ref().unchecked_ref(),
            EVERY_MS,
        );
        tick.forget();
        follow_changes(panel);
        spawn_local(async move {
            refresh(panel, false).await;
            flush(panel).await;
        });
    }

    /// Another day than the one kept: the day's appointments and what was sent go; what could
    /// not be sent stays, said as such, until the agent has read it.
    fn end_of_day(panel: Panel) {
        let today = paris_day(now());
        let stale = panel
            .day
            .with_untracked(|day| day.as_ref().is_some_and(|day| day.day != today));
        if stale {
            panel.day.set(None);
            if let Some(storage) = storage() {
                let _ = storage.remove_item(DAY_KEY);
            }
            forget_worker();
        }
        let before = panel.kept.with_untracked(Vec::len);
        panel
            .kept
            .update(|kept| kept.retain(|k| paris_day(k.checkin.scanned_at) == today || k.unsent()));
        if panel.kept.with_untracked(Vec::len) != before {
            save(KEPT_KEY, &panel.kept.get_untracked());
        }
    }

    /// Reads the day from the server (and so renews the device's pass); `again` when the page
    /// was already showing it (not a new consultation).
    async fn refresh(panel: Panel, again: bool) {
        if !online() {
            return;
        }
        let address = if again {
            format!("{DAY_ADDRESS}?rafraichissement=1")
        } else {
            DAY_ADDRESS.to_owned()
        };
        match request("GET", &address, None).await {
            Some((200, body)) => {
                if let Ok(day) = serde_json::from_str::<GateDay>(&body) {
                    save(DAY_KEY, &day);
                    panel.day.set(Some(day));
                    look_up_code(panel);
                }
            }
            Some((_, body)) => panel.said.set(message(&body)),
            None => {}
        }
    }

    /// The French sentence of a refusal's body.
    fn message(body: &str) -> String {
        serde_json::from_str::<serde_json::Value>(body)
            .ok()
            .and_then(|value| value["message"].as_str().map(str::to_owned))
            .unwrap_or_else(|| {
                "Le serveur n'a pas pu répondre : vos pointages restent sur l'appareil.".to_owned()
            })
    }

    /// Records a presence or an absence on the device, then sends it if the network is there.
    pub fn record(
        panel: Panel,
        appointment: &DayAppointment,
        kind: CheckinKind,
        reason: Option<String>,
    ) {
        let Some(agent) = panel
            .day
            .with_untracked(|day| day.as_ref().map(|d| d.agent))
        else {
            return;
        };
        if let Some(reason) = &reason {
            let length = reason.trim().chars().count();
            if !(3..=500).contains(&length) {
                panel
                    .said
                    .set("Indiquez le motif du retard (3 à 500 caractères).".to_owned());
                return;
            }
        }
        let id = web_sys::window()
            .and_then(|window| window.crypto().ok())
            .map(|crypto| crypto.random_uuid())
            .unwrap_or_default();
        let scanned_at = now();
        panel.kept.update(|kept| {
            kept.push(Kept {
                agent,
                checkin: OfflineCheckin {
                    id,
                    appointment_id: appointment.id,
                    kind,
                    reason: reason.map(|r| r.trim().to_owned()),
                    scanned_at,
                    starts_at: appointment.starts_at,
                },
                headline: appointment.headline.clone(),
                answer: None,
            })
        });
        save(KEPT_KEY, &panel.kept.get_untracked());
        panel.said.set(format!(
            "{} de {} gardée sur l'appareil{}.",
            if kind == CheckinKind::Presence {
                "Présence"
            } else {
                "Absence"
            },
            appointment.headline,
            if online() {
                ", envoi en cours"
            } else {
                " : elle sera envoyée au retour du réseau"
            }
        ));
        spawn_local(flush(panel));
    }

    /// Sends what waits, at most a batch at a time; what the server kept replaces it.
    async fn flush(panel: Panel) {
        thread_local! {
            static SENDING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
        }
        if !online() || SENDING.with(std::cell::Cell::get) {
            return;
        }
        let Some(agent) = panel
            .day
            .with_untracked(|day| day.as_ref().map(|d| d.agent))
        else {
            return;
        };
        let today = paris_day(now());
        let batch: Vec<OfflineCheckin> = panel.kept.with_untracked(|kept| {
            kept.iter()
                .filter(|k| {
                    k.unsent() && k.agent == agent && paris_day(k.checkin.scanned_at) == today
                })
                .take(OFFLINE_BATCH)
                .map(|k| k.checkin.clone())
                .collect()
        });
        if batch.is_empty() {
            return;
        }
        SENDING.with(|sending| sending.set(true));
        let body = serde_json::json!({ "checkins": batch }).to_string();
        match request("POST", SEND_ADDRESS, Some(body)).await {
            Some((200, body)) => {
                if let Ok(received) = serde_json::from_str::<crate::domain::gate::Received>(&body) {
                    let (mut recorded, mut refused) = (0, 0);
                    panel.kept.update(|kept| {
                        for outcome in received.outcomes {
                            if outcome.recorded {
                                recorded += 1;
                            } else {
                                refused += 1;
                            }
                            if let Some(k) = kept.iter_mut().find(|k| k.checkin.id == outcome.id) {
                                k.answer = Some(outcome);
                            }
                        }
                    });
                    save(KEPT_KEY, &panel.kept.get_untracked());
                    panel.said.set(match (recorded, refused) {
                        (n, 0) => format!(
                            "{} envoyé{} et enregistré{}.",
                            super::count(n),
                            plural(n),
                            plural(n)
                        ),
                        (0, r) => format!(
                            "{} non retenu{} : voyez pourquoi ci-dessous.",
                            super::count(r),
                            plural(r)
                        ),
                        (n, r) => format!(
                            "{} enregistré{}, {} non retenu{} : voyez pourquoi ci-dessous.",
                            super::count(n),
                            plural(n),
                            super::count(r),
                            plural(r)
                        ),
                    });
                }
                SENDING.with(|sending| sending.set(false));
                refresh(panel, true).await;
            }
            Some((_, body)) => {
                panel.said.set(message(&body));
                SENDING.with(|sending| sending.set(false));
            }
            None => {
                panel.said.set(
                    "Envoi impossible pour l'instant : les pointages restent sur l'appareil, nouvel essai dans 30 secondes.".to_owned(),
                );
                SENDING.with(|sending| sending.set(false));
            }
        }
    }

    fn plural(n: usize) -> &'static str {
        if n > 1 {
            "s"
        } else {
            ""
        }
    }

    pub fn dismiss_conflicts(panel: Panel) {
        panel.kept.update(|kept| kept.retain(|k| !k.conflict()));
        save(KEPT_KEY, &panel.kept.get_untracked());
    }

    /// A request to the server with the page's cookies; its status and body, or `None` without
    /// network.
    async fn request(method: &str, address: &str, body: Option<String>) -> Option<(u16, String)> {
        let window = web_sys::window()?;
        let init = web_sys::RequestInit::new();
        init.set_method(method);
        init.set_credentials(web_sys::RequestCredentials::SameOrigin);
        let headers = web_sys::Headers::new().ok()?;
        headers.set("accept", "application/json").ok()?;
        if let Some(body) = &body {
            headers.set("content-type", "application/json").ok()?;
            init.set_body(&wasm_bindgen::JsValue::from_str(body));
        }
        init.set_headers(&headers);
        let response = JsFuture::from(window.fetch_with_str_and_init(address, &init))
            .await
            .ok()?
            .dyn_into::<web_sys::Response>()
            .ok()?;
        let status = response.status();
        let text = JsFuture::from(response.text().ok()?)
            .await
            .ok()?
            .as_string()
            .unwrap_or_default();
        Some((status, text))
    }

    /// While online, a change of an appointment reads the day again (at most every 5 seconds).
    fn follow_changes(panel: Panel) {
        let Ok(source) = web_sys::EventSource::new(crate::ui::live::STREAM_PATH) else {
            return;
        };
        let last = std::rc::Rc::new(std::cell::Cell::new(0.0_f64));
        let on_change = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |_| {
            let at = js_sys::Date::now();
            if at - last.get() >= 5_000.0 {
                last.set(at);
                spawn_local(refresh(panel, true));
            }
        });
        for name in [
            crate::domain::live::names::APPOINTMENT,
            crate::domain::live::names::RESYNC,
        ] {
            let _ =
                source.add_event_listener_with_callback(name, on_change.as_ref().unchecked_ref());
        }
        on_change.forget();
        std::mem::forget(source);
    }

    /// Registers the service worker that keeps the page for offline use, and has it keep the
    /// page and the files it loaded.
    fn register_worker() {
        let Some(window) = web_sys::window() else {
            return;
        };
        let container = window.navigator().service_worker();
        let options = web_sys::RegistrationOptions::new();
        options.set_scope(SCOPE);
        let registering = container.register_with_options(WORKER, &options);
        spawn_local(async move {
            if JsFuture::from(registering).await.is_err() {
                return;
            }
            let Ok(ready) = container.ready() else {
                return;
            };
            let Ok(registration) = JsFuture::from(ready).await else {
                return;
            };
            let Ok(registration) = registration.dyn_into::<web_sys::ServiceWorkerRegistration>()
            else {
                return;
            };
            let Some(worker) = registration.active() else {
                return;
            };
            let addresses = js_sys::Array::new();
            addresses.push(&wasm_bindgen::JsValue::from_str(SCOPE));
            if let Some(performance) = window.performance() {
                for entry in performance.get_entries_by_type("resource").iter() {
                    if let Ok(entry) = entry.dyn_into::<web_sys::PerformanceEntry>() {
                        addresses.push(&wasm_bindgen::JsValue::from_str(&entry.name()));
                    }
                }
            }
            let message = js_sys::Object::new();
            let _ = js_sys::Reflect::set(&message, &"type".into(), &"garder".into());
            let _ = js_sys::Reflect::set(&message, &"adresses".into(), &addresses);
            let _ = worker.post_message(&message);
        });
    }

    /// The day is over: the worker forgets the page it kept.
    fn forget_worker() {
        let Some(window) = web_sys::window() else {
            return;
        };
        if let Some(worker) = window.navigator().service_worker().controller() {
            let message = js_sys::Object::new();
            let _ = js_sys::Reflect::set(&message, &"type".into(), &"oublier".into());
            let _ = worker.post_message(&message);
        }
    }

    /// Offline, a convocation's QR code (`?jeton=`) or short code (`?code=`) is looked for in
    /// the day the device holds (the server answers it online).
    fn look_up_code(panel: Panel) {
        if online() {
            return;
        }
        let Some(search) = web_sys::window().and_then(|w| w.location().search().ok()) else {
            return;
        };
        let Ok(params) = web_sys::UrlSearchParams::new_with_str(&search) else {
            return;
        };
        let (wanted, by_code) = if let Some(token) = params.get("jeton") {
            (token.trim().to_owned(), false)
        } else if let Some(code) = params.get("code") {
            match GateCode::parse(&code) {
                Ok(code) => (code.digest_input(), true),
                Err(error) => {
                    panel.said.set(error.to_string());
                    return;
                }
            }
        } else {
            return;
        };
        spawn_local(async move {
            let Some(digest) = sha256(&wanted).await else {
                return;
            };
            let found = panel.day.with_untracked(|day| {
                day.as_ref()?
                    .appointments
                    .iter()
                    .find(|a| {
                        if by_code {
                            a.code_sha256.as_deref() == Some(digest.as_str())
                        } else {
                            a.token_sha256 == digest
                        }
                    })
                    .map(|a| a.id)
            });
            match found {
                Some(id) => panel.found.set(Some(id)),
                None => panel.said.set(
                    "Cette convocation n'est pas dans la journée gardée sur l'appareil (un autre jour, un autre poste, ou un code mal saisi)."
                        .to_owned(),
                ),
            }
        });
    }

    /// The SHA-256 of a text, in hexadecimal.
    async fn sha256(text: &str) -> Option<String> {
        let subtle = web_sys::window()?.crypto().ok()?.subtle();
        let bytes = text.as_bytes().to_vec();
        let digest = JsFuture::from(
            subtle
                .digest_with_str_and_u8_array("SHA-256", &bytes)
                .ok()?,
        )
        .await
        .ok()?;
        let digest = js_sys::Uint8Array::new(&digest).to_vec();
        Some(digest.iter().map(|byte| format!("{byte:02x}")).collect())
    }

    /// Before signing out, what waits is sent; what could still not be is said, and signing out
    /// (which wipes the device) waits for the agent's confirmation.
    fn guard_sign_out(panel: Panel) {
        let Ok(forms) = document().query_selector_all("form[action='/deconnexion']") else {
            return;
        };
        for index in 0..forms.length() {
            let Some(form) = forms
                .item(index)
                .and_then(|node| node.dyn_into::<web_sys::HtmlFormElement>().ok())
            else {
                continue;
            };
            let on_submit = Closure::<dyn FnMut(web_sys::Event)>::new({
                let form = form.clone();
                move |event: web_sys::Event| {
                    let waiting = panel
                        .kept
                        .with_untracked(|kept| kept.iter().filter(|k| k.unsent()).count());
                    if waiting == 0 {
                        return;
                    }
                    event.prevent_default();
                    let form = form.clone();
                    spawn_local(async move {
                        flush(panel).await;
                        let left = panel
                            .kept
                            .with_untracked(|kept| kept.iter().filter(|k| k.unsent()).count());
                        let leave = left == 0
                            || web_sys::window()
                                .and_then(|window| {
                                    window
                                        .confirm_with_message(&format!(
                                            "{} pas encore envoyé{} : la déconnexion les effacera de cet appareil. Se déconnecter quand même ?",
                                            super::count(left),
                                            plural(left)
                                        ))
                                        .ok()
                                })
                                .unwrap_or(false);
                        if leave {
                            let _ = form.submit();
                        }
                    });
                }
            });
            let _ =
                form.add_event_listener_with_callback("submit", on_submit.as_ref().unchecked_ref());
            on_submit.forget();
        }
    }
}
