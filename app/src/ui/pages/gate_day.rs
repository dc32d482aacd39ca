//! The gate's day on the device. The gate's page (`/controle-arrivee`) shows today's appointments
//! of the agent's posts, rendered by the server like every page, each card carrying what the
//! gate needs offline in its attributes (its slot, its check-in window, its state, the SHA-256 of
//! its convocation's codes). The page is kept by a service worker (`public/sw-arrivee.js`) so that
//! it opens without network on the same day, and brought up to date by the live stream while
//! online (a `data-direct` region). An island, [`GateDayPanel`], gets the device's pass for the
//! day (see `api::appointments::offline`), records presences and absences with or without
//! network, keeps what is not sent in the browser's storage, says how many wait, sends them once
//! the network returns (each once: the id it was made with) and shows what the server kept, a
//! conflict in French. Offline, the QR code and the short code of a convocation are looked for in
//! the cards. The island renders little and reads no page's data: it works on the server's cards,
//! which keeps the WASM every page loads small. What the device kept goes at the end of the day,
//! and everything at sign-out (`Clear-Site-Data`).

use leptos::prelude::*;

use crate::domain::gate::{DayAppointment, GateDay};
use crate::ui::format;

/// The id of the list of the day's cards (a live region of the page).
pub const LIST: &str = "journee-liste";

/// The day's section of the gate's page, for whoever records arrivals.
#[component]
pub fn GateDaySection(day: GateDay) -> impl IntoView {
    let shown = format::date(day.day);
    let count = day.appointments.len();
    view! {
        <section class="fr-mt-6w" aria-labelledby="titre-journee" id="journee">
            <h2 id="titre-journee">"Rendez-vous du jour"</h2>
            <p class="fr-text--sm" id="journee-sans-script">"Le pointage sans réseau demande JavaScript ; sans lui, enregistrez les arrivées par la recherche ci-dessus."</p>
            <GateDayPanel agent=day.agent day=day.day.to_string() />
            <div id=LIST data-direct="">
                <p class="fr-text--sm">{if count == 0 {
                    format!("Aucun rendez-vous le {shown} aux postes de vos sites.")
                } else {
                    format!("{count} rendez-vous le {shown}, à jour au {}.", format::date_time(day.fetched_at))
                }}</p>
                <ul class="sesame-appointments">
                    {day.appointments.into_iter().map(|appointment| view! { <DayCard appointment /> }).collect_view()}
                </ul>
            </div>
        </section>
    }
}

/// One appointment of the day, as the server renders it: what it says, and the controls the
/// island shows when they apply (hidden without JavaScript, where the search above records).
#[component]
fn DayCard(appointment: DayAppointment) -> impl IntoView {
    let id = appointment.id;
    let opens = appointment.window.opens_at(appointment.starts_at);
    let closes = appointment.window.closes_at(appointment.starts_at);
    let reason_id = format!("journee-motif-{id}");
    let headline = appointment.headline.clone();
    view! {
        <li class="sesame-day-card" id=format!("journee-{id}") data-cle=id.to_string()
            data-rdv=id.to_string()
            data-reference=appointment.headline.clone()
            data-debut=appointment.starts_at.to_rfc3339()
            data-ouvre=opens.to_rfc3339()
            data-ferme=closes.to_rfc3339()
            data-etat=appointment.state.code()
            data-jeton=appointment.token_sha256.clone()
            data-code=appointment.code_sha256.clone().unwrap_or_default()>
            <h3 class="fr-h6 fr-mb-1w">{format!("{} — {}", appointment.headline, appointment.check.label())}</h3>
            <p class="fr-mb-1w">{format!("{} — {}", format::date_time(appointment.starts_at), appointment.post_name)}</p>
            {appointment.company_name.clone().map(|name| view! { <p class="fr-mb-1w">{name}</p> })}
            <p class="fr-mb-1w">{format!("État : {}", appointment.state.label())}</p>
            <p class="fr-text--sm fr-mb-1w" data-local=""></p>
            <div class="fr-btns-group fr-btns-group--inline-sm" data-actions="" hidden=true>
                <button class="fr-btn" type="button" data-pointage="presence" hidden=true>{format!("Présent — {headline}")}</button>
                <button class="fr-btn fr-btn--secondary" type="button" data-pointage="absence" hidden=true>{format!("Absent — {headline}")}</button>
            </div>
            <div class="fr-input-group" data-retard="" hidden=true>
                <label class="fr-label" for=reason_id.clone()>
                    "Motif du retard"
                    <span class="fr-hint-text">"Obligatoire, 3 à 500 caractères."</span>
                </label>
                <textarea class="fr-input" id=reason_id rows="2" maxlength="500"></textarea>
                <button class="fr-btn fr-btn--secondary fr-mt-1w" type="button" data-pointage="retard">"Accepter l'arrivée tardive"</button>
            </div>
        </li>
    }
}

/// What the device holds and sends: the network, what waits, what the server did not keep, and
/// the convocation a code named offline. Its words are set by the browser.
#[island]
pub fn GateDayPanel(agent: i64, day: String) -> impl IntoView {
    let state = Panel {
        network: RwSignal::new("Vérification du réseau…".to_owned()),
        waiting: RwSignal::new(0usize),
        said: RwSignal::new(String::new()),
        conflicts: RwSignal::new(Vec::new()),
        found: RwSignal::new(None),
    };
    // Once the page is hydrated as the server rendered it: what the device holds then changes
    // it.
    #[cfg(feature = "hydrate")]
    Effect::new(move |started: Option<()>| {
        if started.is_none() {
            browser::start(state, agent, day.clone());
        }
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = (agent, day);
    view! {
        <div id="journee-appareil">
            <p class="fr-text--sm" id="journee-reseau">{move || state.network.get()}</p>
            <div role="status" aria-live="polite" id="journee-annonce">
                {move || {
                    let said = state.said.get();
                    (!said.is_empty()).then(|| view! { <p class="fr-text--sm fr-mb-1w">{said}</p> })
                }}
            </div>
            {move || {
                let n = state.waiting.get();
                (n > 0).then(|| view! {
                    // A callout, drawn without an icon to fetch: it shows offline.
                    <div class="fr-callout fr-mb-2w" id="journee-a-envoyer">
                        <p class="fr-callout__text">{format!("{} pas encore envoyé{} au serveur.", count(n), plural(n))}</p>
                    </div>
                })
            }}
            {move || {
                let conflicts = state.conflicts.get();
                (!conflicts.is_empty()).then(|| view! {
                    <div class="fr-alert fr-alert--error fr-mb-2w" id="journee-conflits">
                        <h3 class="fr-alert__title">"Pointages non retenus"</h3>
                        <ul>{conflicts.into_iter().map(|text| view! { <li>{text}</li> }).collect_view()}</ul>
                        <button class="fr-btn fr-btn--sm fr-btn--secondary fr-mt-1w" type="button"
                            on:click=move |_| {
                                #[cfg(feature = "hydrate")]
                                browser::dismiss_conflicts(state);
                            }>
                            "J'ai pris connaissance de ces pointages"
                        </button>
                    </div>
                })
            }}
            {move || state.found.get().map(|(id, reference)| view! {
                <div class="fr-callout fr-mb-2w" id="journee-trouve">
                    <p class="fr-callout__text">
                        {format!("Convocation trouvée dans la journée de l'appareil : {reference}. ")}
                        <a href=format!("#journee-{id}")>"Aller au rendez-vous"</a>
                    </p>
                </div>
            })}
        </div>
    }
}

#[derive(Clone, Copy)]
struct Panel {
    network: RwSignal<String>,
    waiting: RwSignal<usize>,
    said: RwSignal<String>,
    /// What the server did not keep, said.
    conflicts: RwSignal<Vec<String>>,
    /// The card a code named offline: its id and reference.
    found: RwSignal<Option<(i64, String)>>,
}

/// `3 pointages` / `1 pointage`.
fn count(n: usize) -> String {
    format!("{n} pointage{}", plural(n))
}

fn plural(n: usize) -> &'static str {
    if n > 1 {
        "s"
    } else {
        ""
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use super::{count, plural, Panel, LIST};
    use crate::domain::gate::{CheckinKind, CheckinOutcome, GateCode, OfflineCheckin, Received};
    use leptos::prelude::*;
    use serde::{Deserialize, Serialize};
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::{spawn_local, JsFuture};
    use web_sys::{Element, HtmlElement};

    const KEPT_KEY: &str = "sesame.arrivee.pointages";
    const PASS_ADDRESS: &str = "/api/arrivee-hors-ligne/acces";
    const SEND_ADDRESS: &str = "/api/arrivee-hors-ligne/pointages";
    const WORKER: &str = "/sw-arrivee.js";
    const SCOPE: &str = "/controle-arrivee";
    /// How often what waits is sent again, the controls and the day checked.
    const EVERY_MS: i32 = 30_000;

    /// A presence or absence kept on the device until the server answered, and after, until
    /// the day ends, to show it.
    #[derive(Clone, Serialize, Deserialize)]
    struct Kept {
        agent: i64,
        day: String,
        reference: String,
        checkin: OfflineCheckin,
        answer: Option<CheckinOutcome>,
    }

    impl Kept {
        fn unsent(&self) -> bool {
            self.answer.is_none()
        }

        fn conflict(&self) -> bool {
            self.answer.as_ref().is_some_and(|answer| !answer.recorded)
        }
    }

    thread_local! {
        static CONTEXT: std::cell::RefCell<Option<(Panel, i64, String)>> = const { std::cell::RefCell::new(None) };
        static SENDING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    }

    fn context() -> Option<(Panel, i64, String)> {
        CONTEXT.with(|context| context.borrow().clone())
    }

    fn storage() -> Option<web_sys::Storage> {
        web_sys::window()?.local_storage().ok()?
    }

    fn load() -> Vec<Kept> {
        storage()
            .and_then(|s| s.get_item(KEPT_KEY).ok().flatten())
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or_default()
    }

    fn save(kept: &[Kept]) {
        if let (Some(storage), Ok(text)) = (storage(), serde_json::to_string(kept)) {
            let _ = storage.set_item(KEPT_KEY, &text);
        }
    }

    fn online() -> bool {
        web_sys::window().is_some_and(|window| window.navigator().on_line())
    }

    fn now_ms() -> f64 {
        js_sys::Date::now()
    }

    /// Today in Paris, `AAAA-MM-JJ`, as the browser's calendar says.
    fn today() -> String {
        let options = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&options, &"timeZone".into(), &"Europe/Paris".into());
        let format =
            js_sys::Intl::DateTimeFormat::new(&js_sys::Array::of1(&"fr-CA".into()), &options);
        format
            .format()
            .call1(&JsValue::UNDEFINED, &js_sys::Date::new_0())
            .ok()
            .and_then(|text| text.as_string())
            .unwrap_or_default()
    }

    /// `10:32:05`, the time of an instant in the browser's words.
    fn time_of(at: chrono::DateTime<chrono::Utc>) -> String {
        js_sys::Date::new(&JsValue::from_f64(at.timestamp_millis() as f64))
            .to_locale_time_string("fr-FR")
            .as_string()
            .unwrap_or_default()
    }

    fn instant(ms: f64) -> chrono::DateTime<chrono::Utc> {
        chrono::DateTime::from_timestamp_millis(ms as i64).unwrap_or_default()
    }

    /// An attribute read as an instant (milliseconds).
    fn time_attribute(card: &Element, name: &str) -> Option<f64> {
        let value = card.get_attribute(name)?;
        let ms = js_sys::Date::parse(&value);
        (!ms.is_nan()).then_some(ms)
    }

    pub fn start(panel: Panel, agent: i64, day: String) {
        CONTEXT.with(|context| *context.borrow_mut() = Some((panel, agent, day.clone())));
        if let Some(sentence) = document()
            .get_element_by_id("journee-sans-script")
            .and_then(|e| e.dyn_into::<HtmlElement>().ok())
        {
            sentence.set_hidden(true);
        }
        // Another day than the page's: what it shows is not today's any more.
        if day != today() {
            forget_worker();
        }
        end_of_day();
        show(panel);
        register_worker();
        look_up_code(panel);
        guard_sign_out(panel);
        listen(panel);
        spawn_local(async move {
            renew_pass(panel).await;
            flush(panel).await;
        });
    }

    /// What the device kept of another day goes, but what could not be sent, said as such.
    fn end_of_day() {
        let today = today();
        let mut kept = load();
        let before = kept.len();
        kept.retain(|k| k.day == today || k.unsent());
        if kept.len() != before {
            save(&kept);
        }
    }

    /// Brings the page's words and every card up to date with what the device holds.
    fn show(panel: Panel) {
        let Some((_, agent, day)) = context() else {
            return;
        };
        let kept = load();
        panel.network.set(if online() {
            "En ligne : les pointages sont envoyés aussitôt.".to_owned()
        } else {
            "Hors ligne : les pointages sont gardés sur cet appareil et envoyés au retour du réseau."
                .to_owned()
        });
        panel
            .waiting
            .set(kept.iter().filter(|k| k.unsent()).count());
        panel.conflicts.set(
            kept.iter()
                .filter(|k| k.conflict())
                .map(|k| {
                    format!(
                        "{} — {} pointé à {} : {}",
                        k.reference,
                        k.checkin.kind.label(),
                        time_of(k.checkin.scanned_at),
                        k.answer
                            .as_ref()
                            .map(|a| a.message.as_str())
                            .unwrap_or_default()
                    )
                })
                .collect(),
        );
        let stale = day != today();
        let Ok(cards) = document().query_selector_all(&format!("#{LIST} [data-rdv]")) else {
            return;
        };
        let now = now_ms();
        for index in 0..cards.length() {
            let Some(card) = cards.item(index).and_then(|n| n.dyn_into::<Element>().ok()) else {
                continue;
            };
            let id: i64 = card
                .get_attribute("data-rdv")
                .and_then(|v| v.parse().ok())
                .unwrap_or_default();
            let local = kept
                .iter()
                .rev()
                .find(|k| k.checkin.appointment_id == id && k.agent == agent && !k.conflict());
            let text = match local {
                Some(k) => match &k.answer {
                    None => format!(
                        "{} pointé à {} : pas encore envoyé.",
                        k.checkin.kind.label(),
                        time_of(k.checkin.scanned_at)
                    ),
                    Some(answer) => answer.message.clone(),
                },
                None => String::new(),
            };
            if let Ok(Some(place)) = card.query_selector("[data-local]") {
                place.set_text_content(Some(&text));
            }
            // What may be recorded now: nothing once recorded here or closed, nor another day.
            let state = card.get_attribute("data-etat").unwrap_or_default();
            let active = local.is_none() && !stale && (state == "confirme" || state == "reporte");
            let opens = time_attribute(&card, "data-ouvre").unwrap_or(f64::MAX);
            let closes = time_attribute(&card, "data-ferme").unwrap_or(f64::MIN);
            let starts = time_attribute(&card, "data-debut").unwrap_or(f64::MAX);
            let on_time = active && opens <= now && now <= closes;
            let late = active && now > closes;
            let absent = active && starts <= now;
            set_hidden(&card, "[data-pointage='presence']", !on_time);
            set_hidden(&card, "[data-pointage='absence']", !absent);
            set_hidden(&card, "[data-actions]", !(on_time || absent));
            set_hidden(&card, "[data-retard]", !late);
        }
    }

    fn set_hidden(card: &Element, selector: &str, hidden: bool) {
        if let Ok(Some(element)) = card.query_selector(selector) {
            if let Ok(element) = element.dyn_into::<HtmlElement>() {
                element.set_hidden(hidden);
            }
        }
    }

    /// Clicks on the cards' controls; the network's comings and goings; the clock; the live
    /// stream's renewal of the cards.
    fn listen(panel: Panel) {
        let Some(window) = web_sys::window() else {
            return;
        };
        let on_click = Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
            let Some(target) = event.target().and_then(|t| t.dyn_into::<Element>().ok()) else {
                return;
            };
            let Ok(Some(button)) = target.closest("[data-pointage]") else {
                return;
            };
            let Ok(Some(card)) = button.closest("[data-rdv]") else {
                return;
            };
            let what = button.get_attribute("data-pointage").unwrap_or_default();
            record(panel, &card, &what);
        });
        let _ =
            document().add_event_listener_with_callback("click", on_click.as_ref().unchecked_ref());
        on_click.forget();
        for name in ["online", "offline"] {
            let on_change = Closure::<dyn FnMut()>::new(move || {
                show(panel);
                if online() {
                    spawn_local(async move {
                        renew_pass(panel).await;
                        flush(panel).await;
                    });
                }
            });
            let _ =
                window.add_event_listener_with_callback(name, on_change.as_ref().unchecked_ref());
            on_change.forget();
        }
        let tick = Closure::<dyn FnMut()>::new(move || {
            end_of_day();
            show(panel);
            spawn_local(flush(panel));
        });
        let _ = window.set_interval_with_callback_and_timeout_and_arguments_0(
            tick.as_ref().unchecked_ref(),
            EVERY_MS,
        );
        tick.forget();
        follow_changes(panel);
    }

    /// While online, a change of an appointment brings the cards up to date (at most every 5
    /// seconds, and not while the agent is typing in one): the server's cards read again, what
    /// the device holds shown on them, and the fresh page kept for offline use.
    fn follow_changes(panel: Panel) {
        let Ok(source) = web_sys::EventSource::new(crate::ui::live::STREAM_PATH) else {
            return;
        };
        let last = std::rc::Rc::new(std::cell::Cell::new(0.0_f64));
        let on_change = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |_| {
            let at = now_ms();
            if at - last.get() >= 5_000.0 {
                last.set(at);
                spawn_local(read_cards_again(panel));
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

    async fn read_cards_again(panel: Panel) {
        let Some(list) = document().get_element_by_id(LIST) else {
            return;
        };
        let typing = document()
            .active_element()
            .is_some_and(|active| list.contains(Some(&*active)));
        if typing || !online() {
            return;
        }
        let Some((200, html)) = request("GET", SCOPE, None).await else {
            return;
        };
        let Ok(parser) = web_sys::DomParser::new() else {
            return;
        };
        let Ok(fresh) = parser.parse_from_string(&html, web_sys::SupportedType::TextHtml) else {
            return;
        };
        if let Some(fresh) = fresh.get_element_by_id(LIST) {
            list.set_inner_html(&fresh.inner_html());
            show(panel);
            keep_page();
        }
    }

    /// Records a presence, a late arrival or an absence on the device, then sends it if the
    /// network is there.
    fn record(panel: Panel, card: &Element, what: &str) {
        let Some((_, agent, day)) = context() else {
            return;
        };
        let reason = if what == "retard" {
            let text = card
                .query_selector("textarea")
                .ok()
                .flatten()
                .and_then(|t| t.dyn_into::<web_sys::HtmlTextAreaElement>().ok())
                .map(|t| t.value())
                .unwrap_or_default();
            let length = text.trim().chars().count();
            if !(3..=500).contains(&length) {
                panel
                    .said
                    .set("Indiquez le motif du retard (3 à 500 caractères).".to_owned());
                return;
            }
            Some(text.trim().to_owned())
        } else {
            None
        };
        let kind = if what == "absence" {
            CheckinKind::Absence
        } else {
            CheckinKind::Presence
        };
        let Some(appointment_id) = card.get_attribute("data-rdv").and_then(|v| v.parse().ok())
        else {
            return;
        };
        let Some(starts_at) = time_attribute(card, "data-debut").map(instant) else {
            return;
        };
        let reference = card.get_attribute("data-reference").unwrap_or_default();
        let id = web_sys::window()
            .and_then(|window| window.crypto().ok())
            .map(|crypto| crypto.random_uuid())
            .unwrap_or_default();
        let mut kept = load();
        kept.push(Kept {
            agent,
            day,
            reference: reference.clone(),
            checkin: OfflineCheckin {
                id,
                appointment_id,
                kind,
                reason,
                scanned_at: instant(now_ms()),
                starts_at,
            },
            answer: None,
        });
        save(&kept);
        panel.said.set(format!(
            "{} de {reference} gardée sur l'appareil{}.",
            if kind == CheckinKind::Absence {
                "Absence"
            } else {
                "Présence"
            },
            if online() {
                ", envoi en cours"
            } else {
                " : elle sera envoyée au retour du réseau"
            }
        ));
        show(panel);
        spawn_local(flush(panel));
    }

    /// Sends what waits (this agent's, of today), at most a batch at a time; what the server
    /// kept replaces it.
    async fn flush(panel: Panel) {
        let Some((_, agent, _)) = context() else {
            return;
        };
        if !online() || SENDING.with(std::cell::Cell::get) {
            return;
        }
        let today = today();
        let batch: Vec<OfflineCheckin> = load()
            .into_iter()
            .filter(|k| k.unsent() && k.agent == agent && k.day == today)
            .take(crate::domain::gate::OFFLINE_BATCH)
            .map(|k| k.checkin)
            .collect();
        if batch.is_empty() {
            return;
        }
        SENDING.with(|sending| sending.set(true));
        let body = serde_json::json!({ "checkins": batch }).to_string();
        match request("POST", SEND_ADDRESS, Some(body)).await {
            Some((200, body)) => {
                if let Ok(received) = serde_json::from_str::<Received>(&body) {
                    let (mut recorded, mut refused) = (0, 0);
                    let mut kept = load();
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
                    save(&kept);
                    panel.said.set(match (recorded, refused) {
                        (n, 0) => format!("{} envoyé{} et enregistré{}.", count(n), plural(n), plural(n)),
                        (0, r) => format!("{} non retenu{} : voyez pourquoi ci-dessus.", count(r), plural(r)),
                        (n, r) => format!(
                            "{} enregistré{}, {} non retenu{} : voyez pourquoi ci-dessus.",
                            count(n),
                            plural(n),
                            count(r),
                            plural(r)
                        ),
                    });
                }
            }
            Some((_, body)) => panel.said.set(message(&body)),
            None => panel.said.set(
                "Envoi impossible pour l'instant : les pointages restent sur l'appareil, nouvel essai dans 30 secondes."
                    .to_owned(),
            ),
        }
        SENDING.with(|sending| sending.set(false));
        show(panel);
    }

    /// Gets (or renews) the device's pass for the day, with the web session.
    async fn renew_pass(panel: Panel) {
        if !online() {
            return;
        }
        if let Some((status, body)) = request("GET", PASS_ADDRESS, None).await {
            if status != 200 {
                panel.said.set(message(&body));
            }
        }
    }

    /// The French sentence of a refusal's body.
    fn message(body: &str) -> String {
        #[derive(Deserialize)]
        struct Refusal {
            message: String,
        }
        serde_json::from_str::<Refusal>(body)
            .map(|refusal| refusal.message)
            .unwrap_or_else(|_| {
                "Le serveur n'a pas pu répondre : vos pointages restent sur l'appareil.".to_owned()
            })
    }

    pub fn dismiss_conflicts(panel: Panel) {
        let mut kept = load();
        kept.retain(|k| !k.conflict());
        save(&kept);
        show(panel);
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
            init.set_body(&JsValue::from_str(body));
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

    /// Posts a message to the service worker that controls the page.
    fn tell_worker(kind: &str, addresses: Option<js_sys::Array>) {
        let Some(window) = web_sys::window() else {
            return;
        };
        let Some(worker) = window.navigator().service_worker().controller() else {
            return;
        };
        let message = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&message, &"type".into(), &kind.into());
        if let Some(addresses) = addresses {
            let _ = js_sys::Reflect::set(&message, &"adresses".into(), &addresses);
        }
        let _ = worker.post_message(&message);
    }

    /// The page as it stands now is the one to open offline.
    fn keep_page() {
        let addresses = js_sys::Array::new();
        addresses.push(&SCOPE.into());
        tell_worker("garder", Some(addresses));
    }

    fn forget_worker() {
        tell_worker("oublier", None);
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
            addresses.push(&SCOPE.into());
            if let Some(performance) = window.performance() {
                for entry in performance.get_entries_by_type("resource").iter() {
                    if let Ok(entry) = entry.dyn_into::<web_sys::PerformanceEntry>() {
                        addresses.push(&entry.name().into());
                    }
                }
            }
            let message = js_sys::Object::new();
            let _ = js_sys::Reflect::set(&message, &"type".into(), &"garder".into());
            let _ = js_sys::Reflect::set(&message, &"adresses".into(), &addresses);
            let _ = worker.post_message(&message);
        });
    }

    /// Offline, a convocation's QR code (`?jeton=`) or short code (`?code=`) is looked for in
    /// the cards (online, the server answers it above).
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
        let (wanted, attribute) = if let Some(token) = params.get("jeton") {
            (token.trim().to_owned(), "data-jeton")
        } else if let Some(code) = params.get("code") {
            match GateCode::parse(&code) {
                Ok(code) => (code.digest_input(), "data-code"),
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
            let card = document()
                .query_selector(&format!("#{LIST} [{attribute}='{digest}']"))
                .ok()
                .flatten();
            match card {
                Some(card) => {
                    let id = card
                        .get_attribute("data-rdv")
                        .and_then(|v| v.parse().ok())
                        .unwrap_or_default();
                    let reference = card.get_attribute("data-reference").unwrap_or_default();
                    panel.found.set(Some((id, reference)));
                }
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
        Some(crate::domain::hex(&digest))
    }

    /// Before signing out (which wipes the device), what waits is sent; what could still not
    /// be is said, and signing out waits for the agent's confirmation.
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
                    if load().iter().all(|k| !k.unsent()) {
                        return;
                    }
                    event.prevent_default();
                    let form = form.clone();
                    spawn_local(async move {
                        flush(panel).await;
                        let left = load().iter().filter(|k| k.unsent()).count();
                        let leave = left == 0
                            || web_sys::window()
                                .and_then(|window| {
                                    window
                                        .confirm_with_message(&format!(
                                            "{} pas encore envoyé{} : la déconnexion les effacera de cet appareil. Se déconnecter quand même ?",
                                            count(left),
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
