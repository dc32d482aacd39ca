//! Live updates: `GET /api/v1/stream`, a server-sent events stream for the signed-in person,
//! carrying only what they may see (the access policy's dossier scope), each message with the
//! event's stream position (the order of commits). A client that reconnects with `Last-Event-ID`
//! gets exactly what it missed, replayed from storage; when that is too far behind (told from the
//! last position alone, before any event is read), or is no position of this history (ahead of
//! the last one, negative, not a number), it gets a `resync` message and reloads. Messages are encoded once by the relay and shared by every
//! stream; one clock per instance sends the keep-alive comments.
//!
//! A stream is renewed after a few minutes (`renouvellement`, carrying the position it has reached
//! and a short `retry`): the browser reconnects at once with `Last-Event-ID`, so nothing is missed,
//! and the server checks again who is asking. A session ended or a habilitation withdrawn thus stops
//! the messages within minutes, not when the page is closed; an account suspended or closed
//! stops them at once (its streams are renewed as soon as the change feed says so).
//!
//! Each signed-in person may keep a few streams open at once ([`Live::start`]'s
//! `streams_per_person`, for their tabs and browsers); the next one is refused with 429 and
//! `Retry-After` until one of theirs ends, however it ends (renewal, the page closed, the client
//! gone without a word: the place is held by a guard dropped with the stream). Counted per
//! instance: behind N instances a person may hold up to N times as many.
//!
//! What to relay comes from the store's change feed ([`Store::changes`]): every committed write
//! that changes a dossier or an appointment, from every instance on PostgreSQL, published by the
//! store itself, so that no writer has to remember the live module. When the feed says changes
//! may have been missed (a lost database connection, a relay too far behind), every stream of
//! the instance resyncs: nothing is lost silently.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use app::domain::access::{authorize, dossier_scope, DossierScope, EntryPoint, Target};
use app::domain::appointment::Appointment;
use app::domain::live::{AlertChange, AppointmentChange, ExchangeChange, LiveMessage, SlotsChange};
use app::domain::references::Locode;
use app::state::{AppState, Caller};
use app::store::{Committed, FeedMessage, LiveEvent, Store};
use app::ui::live::STREAM_PATH;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use futures::stream::{self, StreamExt};
use tokio::sync::broadcast;

/// A client further behind than this many events is told to reload rather than replayed.
const REPLAY_LIMIT: i64 = 1000;
/// Events the relay reads at once when they arrive together (a batch's, committed together).
const RELAY_BATCH: usize = 200;
/// How long the browser waits before reconnecting after a renewal, in milliseconds.
const RENEWAL_RETRY_MS: u64 = 250;
/// What a person refused a further stream is told to wait, in seconds: long enough not to be
/// asked again at once, short enough that a tab closed meanwhile is soon followed.
const FULL_RETRY_AFTER_SECONDS: u64 = 30;

/// The resync message's frame (see [`LiveMessage::frame`], checked by a test).
const RESYNC_FRAME: &[u8] = b"event: resync\ndata: {}\n\n";
const KEEP_ALIVE_FRAME: &[u8] = b": maintien\n\n";

/// Who may receive a message.
#[derive(Debug)]
pub enum Audience {
    /// Those who may see the dossier.
    Dossier {
        site: Locode,
        company_id: Option<i64>,
    },
    /// Everyone signed in who sees dossiers: the availability of a post's slots, which names no
    /// dossier.
    Everyone,
    /// One person: their notifications changed.
    Person(i64),
}

/// A message ready to go out: who may receive it, its stream position (events only), and its
/// text, encoded once for every stream.
#[derive(Debug)]
pub struct Delivery {
    audience: Audience,
    position: Option<i64>,
    frame: Bytes,
}

impl Delivery {
    pub fn event(event: LiveEvent) -> Delivery {
        let position = event.position;
        let audience = Audience::Dossier {
            site: event.site.clone(),
            company_id: event.company_id,
        };
        Delivery {
            audience,
            position: Some(position),
            frame: Bytes::from(LiveMessage::Dossier(event).frame(Some(position), None)),
        }
    }

    /// An appointment changed: its dossier's people hear which one; everyone hears that the
    /// post's slots changed.
    pub fn appointment(appointment: &Appointment) -> [Delivery; 2] {
        let changed = LiveMessage::Appointment(AppointmentChange {
            dossier_id: appointment.dossier_id,
            appointment_id: appointment.id,
            state: appointment.state,
        });
        let slots = LiveMessage::Slots(SlotsChange {
            post: appointment.post.clone(),
            check: appointment.check,
        });
        [
            Delivery {
                audience: Audience::Dossier {
                    site: appointment.site.clone(),
                    company_id: appointment.company_id,
                },
                position: None,
                frame: Bytes::from(changed.frame(None, None)),
            },
            Delivery {
                audience: Audience::Everyone,
                position: None,
                frame: Bytes::from(slots.frame(None, None)),
            },
        ]
    }

    /// An alert of `site` opened or changed: those who see the site's dossiers (its agents and
    /// heads of service, supervisors) hear its id; operators, whose scope is their company's
    /// dossiers, do not.
    pub fn alert(alert_id: i64, site: Locode) -> Delivery {
        Delivery {
            audience: Audience::Dossier {
                site,
                company_id: None,
            },
            position: None,
            frame: Bytes::from(LiveMessage::Alert(AlertChange { alert_id }).frame(None, None)),
        }
    }

    /// An exchange changed: the people of its company and of its site hear its id; only the
    /// administrations hear of an internal note.
    pub fn exchange(exchange: &app::store::ExchangeRecord, internal: bool) -> Delivery {
        let message = LiveMessage::Exchange(ExchangeChange {
            exchange_id: exchange.id,
            dossier_id: exchange.dossier_id,
        });
        Delivery {
            audience: Audience::Dossier {
                site: exchange.site.clone(),
                company_id: (!internal).then_some(exchange.company_id),
            },
            position: None,
            frame: Bytes::from(message.frame(None, None)),
        }
    }

    /// A person's notifications changed: only their streams hear it, and only that it did.
    pub fn notification(user_id: i64) -> Delivery {
        Delivery {
            audience: Audience::Person(user_id),
            position: None,
            frame: Bytes::from(LiveMessage::Notification.frame(None, None)),
        }
    }

    fn for_reader(&self, scope: &DossierScope, user_id: i64) -> bool {
        match &self.audience {
            Audience::Dossier { site, company_id } => scope.contains(site, *company_id),
            Audience::Everyone => *scope != DossierScope::Nothing,
            Audience::Person(person) => *person == user_id,
        }
    }
}

/// What the relay hands to every stream of the instance.
#[derive(Clone, Debug)]
pub enum Notice {
    Event(Arc<Delivery>),
    /// Something may have been missed: every stream tells its client to reload.
    Resync,
    /// Time for a keep-alive comment (one clock for every stream of the instance).
    KeepAlive,
    /// This person's access ended (account suspended or closed): their streams close now, and
    /// the browser, coming back at once, is refused.
    AccessEnded(i64),
}

/// The rhythm of the streams.
#[derive(Clone, Copy, Debug)]
pub struct Timing {
    /// How often every stream gets a comment, so that proxies keep it open and a vanished client
    /// is noticed.
    pub keep_alive: Duration,
    /// How long a stream lasts before it is renewed (plus up to a quarter more, so that the
    /// streams of an instance do not all come back at once).
    pub renewal: Duration,
}

/// The relay of one instance.
#[derive(Clone)]
pub struct Live {
    store: Store,
    sender: broadcast::Sender<Notice>,
    /// The highest stream position relayed so far (read from storage at start): a stream opened
    /// now has nothing to catch up on below it.
    head: Arc<AtomicI64>,
    timing: Timing,
    places: Places,
}

/// How many streams each person has open on this instance, out of how many they may.
#[derive(Clone)]
struct Places {
    per_person: usize,
    open: Arc<Mutex<HashMap<i64, usize>>>,
}

impl Places {
    /// A place for one more stream of this person, or `None` when theirs are all taken.
    fn take(&self, user_id: i64) -> Option<Place> {
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        let count = open.entry(user_id).or_insert(0);
        if *count >= self.per_person {
            return None;
        }
        *count += 1;
        Some(Place {
            places: self.clone(),
            user_id,
        })
    }
}

/// One stream's place, given back when the stream is dropped, whatever ended it.
struct Place {
    places: Places,
    user_id: i64,
}

impl Drop for Place {
    fn drop(&mut self) {
        let mut open = self
            .places
            .open
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(count) = open.get_mut(&self.user_id) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                open.remove(&self.user_id);
            }
        }
    }
}

impl Live {
    /// Starts the relay; with PostgreSQL, its listener too. Each person may keep
    /// `streams_per_person` streams open at once on this instance (at least one).
    pub async fn start(store: Store, timing: Timing, streams_per_person: usize) -> Live {
        let (sender, _) = broadcast::channel(4096);
        let head = match store.last_position().await {
            Ok(position) => position,
            Err(error) => {
                tracing::warn!(%error, "direct : position du flux illisible au démarrage");
                0
            }
        };
        let live = Live {
            store,
            sender,
            head: Arc::new(AtomicI64::new(head)),
            timing,
            places: Places {
                per_person: streams_per_person.max(1),
                open: Arc::new(Mutex::new(HashMap::new())),
            },
        };
        let mut changes = live.store.changes();
        let relay = live.clone();
        tokio::spawn(async move {
            use tokio::sync::broadcast::error::{RecvError, TryRecvError};
            // A message read while gathering events, handled next.
            let mut next: Option<Result<FeedMessage, RecvError>> = None;
            loop {
                let message = match next.take() {
                    Some(message) => message,
                    None => changes.recv().await,
                };
                match message {
                    Ok(FeedMessage::Changed(Committed::Event(id))) => {
                        // The events already waiting with it (a batch's, committed together)
                        // are read at once, in their order.
                        let mut ids = vec![id];
                        while ids.len() < RELAY_BATCH {
                            match changes.try_recv() {
                                Ok(FeedMessage::Changed(Committed::Event(id))) => ids.push(id),
                                Ok(other) => {
                                    next = Some(Ok(other));
                                    break;
                                }
                                Err(TryRecvError::Empty) => break,
                                Err(TryRecvError::Lagged(missed)) => {
                                    next = Some(Err(RecvError::Lagged(missed)));
                                    break;
                                }
                                Err(TryRecvError::Closed) => {
                                    next = Some(Err(RecvError::Closed));
                                    break;
                                }
                            }
                        }
                        relay.relay(&ids).await
                    }
                    Ok(FeedMessage::Changed(Committed::Appointment(id))) => {
                        relay.relay_appointment(id).await
                    }
                    Ok(FeedMessage::Changed(Committed::Notification(user_id))) => {
                        let _ = relay
                            .sender
                            .send(Notice::Event(Arc::new(Delivery::notification(user_id))));
                    }
                    Ok(FeedMessage::Changed(Committed::Delivery)) => {}
                    Ok(FeedMessage::Changed(Committed::Access(user_id))) => {
                        let _ = relay.sender.send(Notice::AccessEnded(user_id));
                    }
                    Ok(FeedMessage::Changed(Committed::Alert(id))) => relay.relay_alert(id).await,
                    Ok(FeedMessage::Changed(Committed::Exchange { id, internal })) => {
                        relay.relay_exchange(id, internal).await
                    }
                    Ok(FeedMessage::Lost) | Err(RecvError::Lagged(_)) => {
                        let _ = relay.sender.send(Notice::Resync);
                    }
                    Err(RecvError::Closed) => return,
                }
            }
        });
        let ticker = live.sender.clone();
        tokio::spawn(async move {
            let mut interval = tokio::time::interval(timing.keep_alive);
            interval.tick().await;
            loop {
                interval.tick().await;
                if ticker.receiver_count() > 0 {
                    let _ = ticker.send(Notice::KeepAlive);
                }
            }
        });
        live
    }

    async fn relay(&self, event_ids: &[i64]) {
        match self.store.live_events(event_ids).await {
            Ok(events) => {
                for event in events {
                    // Before it is sent: a stream that reads the head has this event coming.
                    self.head.fetch_max(event.position, Ordering::SeqCst);
                    let _ = self
                        .sender
                        .send(Notice::Event(Arc::new(Delivery::event(event))));
                }
            }
            Err(error) => {
                tracing::warn!(%error, events = event_ids.len(), "direct : événements illisibles, les flux se resynchronisent");
                let _ = self.sender.send(Notice::Resync);
            }
        }
    }

    async fn relay_appointment(&self, appointment_id: i64) {
        match self.store.appointment(appointment_id).await {
            Ok(Some(appointment)) => {
                for delivery in Delivery::appointment(&appointment) {
                    let _ = self.sender.send(Notice::Event(Arc::new(delivery)));
                }
            }
            Ok(None) => {}
            Err(error) => {
                tracing::warn!(%error, appointment_id, "direct : rendez-vous illisible, les flux se resynchronisent");
                let _ = self.sender.send(Notice::Resync);
            }
        }
    }

    async fn relay_alert(&self, alert_id: i64) {
        match self.store.alert_site(alert_id).await {
            Ok(Some((site, _))) => match Locode::parse(&site) {
                Ok(site) => {
                    let _ = self
                        .sender
                        .send(Notice::Event(Arc::new(Delivery::alert(alert_id, site))));
                }
                Err(_) => {
                    let _ = self.sender.send(Notice::Resync);
                }
            },
            Ok(None) => {}
            Err(error) => {
                tracing::warn!(%error, alert_id, "direct : alerte illisible, les flux se resynchronisent");
                let _ = self.sender.send(Notice::Resync);
            }
        }
    }

    /// One reading of the exchange for every open stream: who hears it is decided from its
    /// site and company, as for its dossier.
    async fn relay_exchange(&self, exchange_id: i64, internal: bool) {
        match self.store.exchange(exchange_id).await {
            Ok(Some(exchange)) => {
                let _ = self.sender.send(Notice::Event(Arc::new(Delivery::exchange(
                    &exchange, internal,
                ))));
            }
            Ok(None) => {}
            Err(error) => {
                tracing::warn!(%error, exchange_id, "direct : échange illisible, les flux se resynchronisent");
                let _ = self.sender.send(Notice::Resync);
            }
        }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Notice> {
        self.sender.subscribe()
    }

    /// How many streams are open on this instance.
    pub fn subscribers(&self) -> usize {
        self.sender.receiver_count()
    }
}

pub fn routes(live: Live) -> Router<AppState> {
    Router::new()
        .route(STREAM_PATH, get(stream_handler))
        .with_state(live)
}

/// Where a client opening a stream says it stands (`Last-Event-ID`).
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Resume {
    /// No position: a first connection, nothing to catch up on.
    Fresh,
    /// The last position it received.
    From(i64),
    /// Something that is no position this server sends (negative, not a number): it may have
    /// missed anything, so it reloads.
    Unknown,
}

pub(crate) fn resume_point(headers: &HeaderMap) -> Resume {
    let Some(value) = headers.get("last-event-id") else {
        return Resume::Fresh;
    };
    match value.to_str().map(str::trim) {
        Ok("") => Resume::Fresh,
        Ok(text) => match text.parse::<i64>() {
            Ok(position) if position >= 0 => Resume::From(position),
            _ => Resume::Unknown,
        },
        Err(_) => Resume::Unknown,
    }
}

/// What one stream keeps between messages.
struct Follower {
    receiver: broadcast::Receiver<Notice>,
    scope: DossierScope,
    /// Who the stream is for: their own notifications reach them.
    user_id: i64,
    /// Positions up to this one were replayed when the stream opened: not sent twice.
    replayed_up_to: i64,
    /// The position the stream has reached (every message up to it sent, or not for this reader):
    /// where its renewal tells the browser to resume.
    reached: i64,
    renew_at: tokio::time::Instant,
    ended: bool,
    /// Held as long as the stream lives: dropped with it, it frees the person's place.
    _place: Place,
}

async fn stream_handler(
    State(live): State<Live>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
) -> Response {
    if let Err(refusal) = authorize(
        caller.viewer.as_ref(),
        EntryPoint::LiveStream,
        Target::Nothing,
    ) {
        return app::http::refusal(
            StatusCode::from_u16(refusal.status()).unwrap_or(StatusCode::FORBIDDEN),
            refusal.message(),
        );
    }
    let Some(viewer) = caller.viewer else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    let Some(place) = live.places.take(viewer.user_id) else {
        tracing::warn!(
            user_id = viewer.user_id,
            "direct : trop de flux ouverts pour cette personne, flux refusé"
        );
        return app::forms::too_many(
            FULL_RETRY_AFTER_SECONDS,
            format!(
                "Trop de mises à jour en direct ouvertes pour votre compte ({} au plus à la fois). \
                 Fermez un onglet de France Sésame ou réessayez dans {FULL_RETRY_AFTER_SECONDS} secondes.",
                live.places.per_person
            ),
        );
    };
    let scope = dossier_scope(&viewer);
    // Subscribed before reading what was missed: nothing falls between the two.
    let receiver = live.subscribe();
    let mut first: Vec<Bytes> = Vec::new();
    let mut high_water = 0;
    match resume_point(&headers) {
        Resume::Fresh => {}
        Resume::Unknown => first.push(Bytes::from_static(RESYNC_FRAME)),
        // Compared with the last position first: one far behind, or from another history (ahead,
        // as after a restore of the database), reloads without a single event being read.
        Resume::From(last) => match live.store.last_position().await {
            Ok(head) if last > head || head - last > REPLAY_LIMIT => {
                first.push(Bytes::from_static(RESYNC_FRAME))
            }
            Ok(_) => match live.store.live_events_after(last, REPLAY_LIMIT + 1).await {
                Ok(missed) if missed.len() as i64 > REPLAY_LIMIT => {
                    first.push(Bytes::from_static(RESYNC_FRAME))
                }
                Ok(missed) => {
                    for event in missed {
                        high_water = high_water.max(event.position);
                        let delivery = Delivery::event(event);
                        if delivery.for_reader(&scope, viewer.user_id) {
                            first.push(delivery.frame);
                        }
                    }
                    high_water = high_water.max(last);
                }
                Err(error) => {
                    tracing::warn!(%error, "direct : rattrapage impossible");
                    first.push(Bytes::from_static(RESYNC_FRAME));
                }
            },
            Err(error) => {
                tracing::warn!(%error, "direct : position du flux illisible, resynchronisation");
                first.push(Bytes::from_static(RESYNC_FRAME));
            }
        },
    }
    // Per stream, only its receiver, its scope and a few numbers: the messages are encoded once by
    // the relay and shared.
    let renewal = live.timing.renewal;
    let spread = rand::Rng::gen_range(&mut rand::thread_rng(), 0..=renewal.as_millis() as u64 / 4);
    let follower = Follower {
        receiver,
        scope,
        user_id: viewer.user_id,
        replayed_up_to: high_water,
        reached: high_water.max(live.head.load(Ordering::SeqCst)),
        renew_at: tokio::time::Instant::now() + renewal + Duration::from_millis(spread),
        ended: false,
        _place: place,
    };
    let updates = stream::unfold(follower, |mut follower| async move {
        if follower.ended {
            return None;
        }
        loop {
            let frame = match follower.receiver.recv().await {
                Ok(Notice::Event(delivery)) => {
                    if let Some(position) = delivery.position {
                        follower.reached = follower.reached.max(position);
                        if position <= follower.replayed_up_to {
                            continue;
                        }
                    }
                    if !delivery.for_reader(&follower.scope, follower.user_id) {
                        continue;
                    }
                    delivery.frame.clone()
                }
                Ok(Notice::AccessEnded(user_id)) if user_id == follower.user_id => {
                    // Renewed at once: who asks is checked again (a suspended account is
                    // refused), and a page that comes back loads itself again as a whole.
                    follower.ended = true;
                    Bytes::from(
                        LiveMessage::AccessChanged
                            .frame(Some(follower.reached), Some(RENEWAL_RETRY_MS)),
                    )
                }
                Ok(Notice::AccessEnded(_)) => continue,
                Ok(Notice::KeepAlive) if tokio::time::Instant::now() >= follower.renew_at => {
                    // The last message: the browser comes back at once from where it is, and
                    // who it is is checked again.
                    follower.ended = true;
                    Bytes::from(
                        LiveMessage::Renewal.frame(Some(follower.reached), Some(RENEWAL_RETRY_MS)),
                    )
                }
                Ok(Notice::KeepAlive) => Bytes::from_static(KEEP_ALIVE_FRAME),
                Ok(Notice::Resync) | Err(broadcast::error::RecvError::Lagged(_)) => {
                    Bytes::from_static(RESYNC_FRAME)
                }
                Err(broadcast::error::RecvError::Closed) => return None,
            };
            return Some((frame, follower));
        }
    });
    let frames = stream::iter(first).chain(updates).map(Ok::<_, Infallible>);
    let mut response = Body::from_stream(frames).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream"),
    );
    // Nothing between the server and the browser may hold the stream back.
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache, no-store"),
    );
    headers.insert("x-accel-buffering", HeaderValue::from_static("no"));
    response
}

#[cfg(test)]
mod frame_tests {
    use super::*;
    /// Whatever a client sends as `Last-Event-ID`: see [`crate::tools::fuzz`].
    #[test]
    fn any_last_event_id_is_read_safely() {
        crate::tools::fuzz::check("last_event_id");
    }

    /// Found by `server bench-fuzz` (the property was wrong, not the reader): a no-break space
    /// is no blank in a header, and no position either: the page reloads.
    #[test]
    fn a_no_break_space_is_an_unknown_position() {
        let mut headers = HeaderMap::new();
        headers.insert(
            "last-event-id",
            HeaderValue::from_bytes("\u{a0}".as_bytes()).unwrap(),
        );
        assert_eq!(resume_point(&headers), Resume::Unknown);
    }

    #[test]
    fn the_resync_frame_is_the_message_s() {
        assert_eq!(
            RESYNC_FRAME,
            LiveMessage::Resync.frame(None, None).as_bytes()
        );
    }
}
