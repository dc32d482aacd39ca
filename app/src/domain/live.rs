//! The messages of the live stream (`/api/v1/stream`): one type for the server, which encodes
//! each message once for every stream that may receive it, and for the browser, which decodes
//! it and uses what it says. The names of the stream's events are constants here, not literals
//! on two sides.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::appointment::{AppointmentState, CheckKind};
use crate::domain::dossier::{DossierQuery, DossierStatus};
use crate::domain::journey::{EventKind, StepKind};
use crate::domain::references::{Locode, PostCode};

/// The names of the stream's events (the `event:` field of server-sent events).
pub mod names {
    /// A partner event changed a dossier.
    pub const DOSSIER: &str = "dossier";
    /// An appointment of a dossier was booked or changed.
    pub const APPOINTMENT: &str = "rendez-vous";
    /// A post's places changed (one taken or given back).
    pub const SLOTS: &str = "creneau";
    /// The person's notifications changed (one arrived, or was read): the bell counts again.
    pub const NOTIFICATION: &str = "notification";
    /// An alert of a site opened or changed.
    pub const ALERT: &str = "alerte";
    /// An exchange of the messaging changed (a message, a note for the administrations, a
    /// change of hands or status).
    pub const EXCHANGE: &str = "echange";
    /// The client may have missed messages: it reads everything again.
    pub const RESYNC: &str = "resync";
    /// The server ends the stream to check again who is asking; the client comes back at once.
    pub const RENEWAL: &str = "renouvellement";
}

/// A partner event recorded on a dossier, and how the dossier stands after it. Its site and
/// company decide who may receive it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveEvent {
    pub event_id: i64,
    /// Its place in the order of commits: what streams give as `id:` and replay from.
    pub position: i64,
    pub dossier_id: i64,
    pub site: Locode,
    pub company_id: Option<i64>,
    pub kind: EventKind,
    pub status: DossierStatus,
    pub current_step: Option<StepKind>,
    pub occurred_at: DateTime<Utc>,
}

impl LiveEvent {
    /// Whether the dossier, standing as this event says, may belong in the list `query`
    /// selects: false only when a filter the event tells (site, status, step) excludes it.
    pub fn may_enter(&self, query: &DossierQuery) -> bool {
        query.site.as_ref().is_none_or(|site| *site == self.site)
            && query.status.is_none_or(|status| status == self.status)
            && query
                .step
                .is_none_or(|step| Some(step) == self.current_step)
    }
}

/// An appointment of a dossier was booked or changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppointmentChange {
    pub dossier_id: i64,
    pub appointment_id: i64,
    pub state: AppointmentState,
}

/// A post's places changed: its availability is to be read again. Names no dossier.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlotsChange {
    pub post: PostCode,
    pub check: CheckKind,
}

/// An alert of a site opened or changed: the desk reads itself again. Its site decides who
/// hears it; it carries its id only.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertChange {
    pub alert_id: i64,
}

/// An exchange of the messaging changed: its pages read themselves again. Its site and company
/// decide who hears it (an internal note: the administrations only); it carries its id and its
/// dossier, never what was written.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExchangeChange {
    pub exchange_id: i64,
    pub dossier_id: Option<i64>,
}

/// One message of the live stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LiveMessage {
    Dossier(LiveEvent),
    Appointment(AppointmentChange),
    Slots(SlotsChange),
    Alert(AlertChange),
    Exchange(ExchangeChange),
    /// Sent to one person only; carries nothing: the page reads itself again.
    Notification,
    Resync,
    Renewal,
    /// A renewal because what the person may see changed (a mandate, a habilitation, their
    /// account): once the stream is back, the page is loaded again as a whole, so that nothing
    /// they may no longer see stays on screen.
    AccessChanged,
}

/// The data of a renewal whose cause is a change of what the person may see.
pub const ACCESS_CHANGED: &str = "{\"acces\":true}";

impl LiveMessage {
    /// Its event name on the stream.
    pub fn name(&self) -> &'static str {
        match self {
            LiveMessage::Dossier(_) => names::DOSSIER,
            LiveMessage::Appointment(_) => names::APPOINTMENT,
            LiveMessage::Slots(_) => names::SLOTS,
            LiveMessage::Alert(_) => names::ALERT,
            LiveMessage::Exchange(_) => names::EXCHANGE,
            LiveMessage::Notification => names::NOTIFICATION,
            LiveMessage::Resync => names::RESYNC,
            LiveMessage::Renewal | LiveMessage::AccessChanged => names::RENEWAL,
        }
    }

    /// Its data, as JSON.
    pub fn data(&self) -> String {
        let data = match self {
            LiveMessage::Dossier(event) => serde_json::to_string(event),
            LiveMessage::Appointment(change) => serde_json::to_string(change),
            LiveMessage::Slots(change) => serde_json::to_string(change),
            LiveMessage::Alert(change) => serde_json::to_string(change),
            LiveMessage::Exchange(change) => serde_json::to_string(change),
            LiveMessage::Notification | LiveMessage::Resync | LiveMessage::Renewal => {
                Ok("{}".to_owned())
            }
            LiveMessage::AccessChanged => Ok(ACCESS_CHANGED.to_owned()),
        };
        data.unwrap_or_else(|_| "{}".to_owned())
    }

    /// The whole server-sent events frame: its stream position (`id:`), if any, a reconnection
    /// delay (`retry:`, in milliseconds), if any, its name and its data.
    pub fn frame(&self, id: Option<i64>, retry_ms: Option<u64>) -> String {
        let mut frame = String::new();
        if let Some(id) = id {
            frame.push_str(&format!("id: {id}\n"));
        }
        if let Some(retry) = retry_ms {
            frame.push_str(&format!("retry: {retry}\n"));
        }
        frame.push_str(&format!(
            "event: {}\ndata: {}\n\n",
            self.name(),
            self.data()
        ));
        frame
    }

    /// Reads a message back from its event name and data; `None` for what this version does not
    /// know (a newer server's message is ignored, not misread).
    pub fn decode(name: &str, data: &str) -> Option<LiveMessage> {
        Some(match name {
            names::DOSSIER => LiveMessage::Dossier(serde_json::from_str(data).ok()?),
            names::APPOINTMENT => LiveMessage::Appointment(serde_json::from_str(data).ok()?),
            names::SLOTS => LiveMessage::Slots(serde_json::from_str(data).ok()?),
            names::ALERT => LiveMessage::Alert(serde_json::from_str(data).ok()?),
            names::EXCHANGE => LiveMessage::Exchange(serde_json::from_str(data).ok()?),
            names::NOTIFICATION => LiveMessage::Notification,
            names::RESYNC => LiveMessage::Resync,
            names::RENEWAL if data == ACCESS_CHANGED => LiveMessage::AccessChanged,
            names::RENEWAL => LiveMessage::Renewal,
            _ => return None,
        })
    }

    /// The dossier it is about, if any.
    pub fn dossier_id(&self) -> Option<i64> {
        match self {
            LiveMessage::Dossier(event) => Some(event.dossier_id),
            LiveMessage::Appointment(change) => Some(change.dossier_id),
            _ => None,
        }
    }
}

/// Whether a message concerns a list of dossiers selected by `query`, of which `shown` tells
/// the dossiers on screen: its dossier is shown, or the dossier, as an event says it stands, may
/// now belong in the list (a new one, or one that now matches the filters). A change of places
/// never does. The list page reads itself again on these only (and the bench counts with it).
pub fn concerns_list(
    query: &DossierQuery,
    shown: impl Fn(i64) -> bool,
    message: &LiveMessage,
) -> bool {
    match message {
        LiveMessage::Dossier(event) => shown(event.dossier_id) || event.may_enter(query),
        LiveMessage::Appointment(change) => shown(change.dossier_id),
        LiveMessage::Slots(_)
        | LiveMessage::Alert(_)
        | LiveMessage::Exchange(_)
        | LiveMessage::Renewal
        | LiveMessage::AccessChanged => false,
        LiveMessage::Notification | LiveMessage::Resync => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event() -> LiveEvent {
        LiveEvent {
            event_id: 7,
            position: 12,
            dossier_id: 3,
            site: Locode::parse("FRLEH").unwrap(),
            company_id: Some(2),
            kind: EventKind::Arrived,
            status: DossierStatus::EnCours,
            current_step: None,
            occurred_at: DateTime::parse_from_rfc3339("2026-12-01T10:00:00Z")
                .unwrap()
                .with_timezone(&Utc),
        }
    }

    #[test]
    fn every_message_reads_back_from_its_frame() {
        let messages = [
            LiveMessage::Dossier(event()),
            LiveMessage::Appointment(AppointmentChange {
                dossier_id: 3,
                appointment_id: 9,
                state: AppointmentState::Demande,
            }),
            LiveMessage::Slots(SlotsChange {
                post: PostCode::parse("FRLEH1").unwrap(),
                check: CheckKind::Physical,
            }),
            LiveMessage::Exchange(ExchangeChange {
                exchange_id: 4,
                dossier_id: Some(3),
            }),
            LiveMessage::Resync,
            LiveMessage::Renewal,
            LiveMessage::AccessChanged,
        ];
        for message in messages {
            let frame = message.frame(Some(12), None);
            let name = frame
                .lines()
                .find_map(|line| line.strip_prefix("event: "))
                .unwrap();
            let data = frame
                .lines()
                .find_map(|line| line.strip_prefix("data: "))
                .unwrap();
            assert_eq!(LiveMessage::decode(name, data), Some(message));
        }
    }

    #[test]
    fn an_unknown_or_garbled_message_is_ignored() {
        assert_eq!(LiveMessage::decode("inconnu", "{}"), None);
        assert_eq!(
            LiveMessage::decode(names::DOSSIER, "{\"dossier_id\": 3}"),
            None
        );
    }

    #[test]
    fn the_frame_carries_position_and_retry() {
        assert_eq!(
            LiveMessage::Renewal.frame(Some(40), Some(250)),
            "id: 40\nretry: 250\nevent: renouvellement\ndata: {}\n\n"
        );
        assert_eq!(
            LiveMessage::Resync.frame(None, None),
            "event: resync\ndata: {}\n\n"
        );
    }
    #[test]
    fn a_live_event_may_enter_a_list_unless_a_filter_it_tells_excludes_it() {
        let event = LiveEvent {
            event_id: 1,
            position: 1,
            dossier_id: 9,
            site: Locode::parse("FRLEH").unwrap(),
            company_id: None,
            kind: EventKind::Arrived,
            status: DossierStatus::EnCours,
            current_step: Some(StepKind::PhysicalCheck),
            occurred_at: chrono::Utc::now(),
        };
        let all = DossierQuery::default();
        assert!(event.may_enter(&all));
        let other_site = DossierQuery {
            site: Some(Locode::parse("FRFOS").unwrap()),
            ..DossierQuery::default()
        };
        assert!(!event.may_enter(&other_site));
        let finished = DossierQuery {
            status: Some(DossierStatus::Termine),
            ..DossierQuery::default()
        };
        assert!(!event.may_enter(&finished));
        let same = DossierQuery {
            site: Some(Locode::parse("FRLEH").unwrap()),
            status: Some(DossierStatus::EnCours),
            step: Some(StepKind::PhysicalCheck),
            ..DossierQuery::default()
        };
        assert!(event.may_enter(&same));
        let other_step = DossierQuery {
            step: Some(StepKind::DocumentaryCheck),
            ..DossierQuery::default()
        };
        assert!(!event.may_enter(&other_step));
    }

    #[test]
    fn a_list_reads_again_only_for_what_concerns_it() {
        let query = DossierQuery {
            site: Some(Locode::parse("FRFOS").unwrap()),
            ..DossierQuery::default()
        };
        let shown = |id: i64| id == 3;
        let elsewhere = LiveMessage::Dossier(event());
        assert!(
            concerns_list(&query, shown, &elsewhere),
            "dossier 3 is shown"
        );
        let mut other = event();
        other.dossier_id = 4;
        assert!(!concerns_list(
            &query,
            shown,
            &LiveMessage::Dossier(other.clone())
        ));
        assert!(concerns_list(
            &DossierQuery::default(),
            shown,
            &LiveMessage::Dossier(other)
        ));
        let slots = LiveMessage::Slots(SlotsChange {
            post: PostCode::parse("FRLEH1").unwrap(),
            check: CheckKind::Physical,
        });
        assert!(!concerns_list(&DossierQuery::default(), shown, &slots));
        let appointment = |dossier_id| {
            LiveMessage::Appointment(AppointmentChange {
                dossier_id,
                appointment_id: 1,
                state: AppointmentState::Demande,
            })
        };
        assert!(concerns_list(&query, shown, &appointment(3)));
        assert!(!concerns_list(
            &DossierQuery::default(),
            shown,
            &appointment(4)
        ));
        assert!(concerns_list(&query, shown, &LiveMessage::Resync));
    }
}
