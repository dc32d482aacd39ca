//! The messaging service (« Messagerie »): exchanges between an operator company and the
//! administrations at a site, about a dossier or about the site in general. An exchange is
//! addressed to the competent administration (customs, or the veterinary and phytosanitary
//! inspection), or to neither when the operator does not know (« je ne sais pas »): it is then in
//! both inboxes of the site until an agent takes it for their administration. Its entries are a
//! record that nobody edits or deletes: messages, the agents' internal notes the operator never
//! sees, and the changes of status, assignment and administration.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::directory::Administration;

/// What an exchange is about, as the operator chooses it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Subject {
    Appointment,
    Documents,
    Decision,
    Release,
    Other,
}

impl Subject {
    pub const ALL: [Subject; 5] = [
        Subject::Appointment,
        Subject::Documents,
        Subject::Decision,
        Subject::Release,
        Subject::Other,
    ];

    /// The code forms and tables use.
    pub fn code(self) -> &'static str {
        match self {
            Subject::Appointment => "rendez_vous",
            Subject::Documents => "documents",
            Subject::Decision => "decision",
            Subject::Release => "mainlevee",
            Subject::Other => "autre",
        }
    }

    pub fn from_code(code: &str) -> Option<Subject> {
        Subject::ALL
            .into_iter()
            .find(|subject| subject.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Subject::Appointment => "Rendez-vous",
            Subject::Documents => "Documents",
            Subject::Decision => "Décision",
            Subject::Release => "Mainlevée",
            Subject::Other => "Autre",
        }
    }
}

/// Where an exchange stands in its inbox.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ExchangeStatus {
    /// Nobody has taken it yet.
    New,
    /// An agent works on it.
    InProgress,
    /// The administration waits for the operator (an answer, a document).
    AwaitingOperator,
    Closed,
}

impl ExchangeStatus {
    pub const ALL: [ExchangeStatus; 4] = [
        ExchangeStatus::New,
        ExchangeStatus::InProgress,
        ExchangeStatus::AwaitingOperator,
        ExchangeStatus::Closed,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ExchangeStatus::New => "nouvelle",
            ExchangeStatus::InProgress => "en_cours",
            ExchangeStatus::AwaitingOperator => "attente_operateur",
            ExchangeStatus::Closed => "close",
        }
    }

    pub fn from_code(code: &str) -> Option<ExchangeStatus> {
        ExchangeStatus::ALL
            .into_iter()
            .find(|status| status.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            ExchangeStatus::New => "Nouvelle",
            ExchangeStatus::InProgress => "En cours",
            ExchangeStatus::AwaitingOperator => "En attente de l'opérateur",
            ExchangeStatus::Closed => "Close",
        }
    }

    /// The status an exchange takes when a message arrives from this side: the operator's
    /// message reopens it and asks for an agent; an agent's reply leaves it with them, or waits
    /// for the operator when the agent asks for it.
    pub fn after_message(self, from_operator: bool) -> ExchangeStatus {
        match (self, from_operator) {
            (ExchangeStatus::New, true) => ExchangeStatus::New,
            (_, true) => ExchangeStatus::InProgress,
            (ExchangeStatus::New, false) => ExchangeStatus::InProgress,
            (status, false) => status,
        }
    }
}

/// Who an operator addresses: one administration, or « je ne sais pas » (both inboxes of the
/// site, until an agent takes it).
pub fn addressee_label(administration: Option<Administration>) -> &'static str {
    match administration {
        Some(Administration::Dgddi) => "Douane (DGDDI)",
        Some(Administration::Dgal) => "Contrôles vétérinaires et phytosanitaires (SIVEP, DGAL)",
        None => "À orienter (je ne sais pas)",
    }
}

/// The kinds of entries of an exchange.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EntryKind {
    /// A message, read by both sides.
    Message,
    /// An internal note of the administrations: never shown to the operator.
    Note,
    /// A change of status, assignment or administration, told in French.
    Change,
}

impl EntryKind {
    pub fn code(self) -> &'static str {
        match self {
            EntryKind::Message => "message",
            EntryKind::Note => "note",
            EntryKind::Change => "changement",
        }
    }

    pub fn from_code(code: &str) -> Option<EntryKind> {
        [EntryKind::Message, EntryKind::Note, EntryKind::Change]
            .into_iter()
            .find(|kind| kind.code() == code)
    }

    /// Whether the operator's people may read entries of this kind.
    pub fn shown_to_operator(self) -> bool {
        !matches!(self, EntryKind::Note)
    }
}

/// The most a message or a note may hold, in characters.
pub const MAX_TEXT_CHARS: usize = 5_000;
/// The most a subject line may hold, in characters.
pub const MAX_TITLE_CHARS: usize = 150;

/// A message's text, trimmed, or why it cannot be sent (in French).
pub fn check_text(text: &str) -> Result<String, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("le message est vide : écrivez votre demande".to_owned());
    }
    let count = text.chars().count();
    if count > MAX_TEXT_CHARS {
        return Err(format!(
            "le message compte {count} caractères, pour {MAX_TEXT_CHARS} au plus : raccourcissez-le ou joignez un document"
        ));
    }
    if crate::domain::has_control_characters(text) {
        return Err("le message contient des caractères invisibles non admis : recopiez-le depuis un éditeur de texte simple".to_owned());
    }
    Ok(crate::domain::line_breaks(text))
}

/// An exchange's title, on one line, or why it cannot be used (in French).
pub fn check_title(title: &str) -> Result<String, String> {
    let title = title.split_whitespace().collect::<Vec<_>>().join(" ");
    if title.is_empty() {
        return Err("l'objet est vide : résumez votre demande en quelques mots".to_owned());
    }
    let count = title.chars().count();
    if count > MAX_TITLE_CHARS {
        return Err(format!(
            "l'objet compte {count} caractères, pour {MAX_TITLE_CHARS} au plus"
        ));
    }
    Ok(title)
}

/// How long the operator has waited, since their last message still unanswered (none when the
/// administration spoke last, or the exchange is closed).
pub fn waiting_minutes(
    status: ExchangeStatus,
    operator_last: Option<DateTime<Utc>>,
    administration_last: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Option<i64> {
    if status == ExchangeStatus::Closed {
        return None;
    }
    let since = operator_last?;
    if administration_last.is_some_and(|answered| answered >= since) {
        return None;
    }
    Some((now - since).num_minutes().max(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for subject in Subject::ALL {
            assert_eq!(Subject::from_code(subject.code()), Some(subject));
        }
        for status in ExchangeStatus::ALL {
            assert_eq!(ExchangeStatus::from_code(status.code()), Some(status));
        }
        for kind in [EntryKind::Message, EntryKind::Note, EntryKind::Change] {
            assert_eq!(EntryKind::from_code(kind.code()), Some(kind));
        }
        assert!(!EntryKind::Note.shown_to_operator());
    }

    #[test]
    fn texts_are_checked_with_a_french_reason() {
        assert_eq!(
            check_text("  Bonjour\r\nMerci  ").unwrap(),
            "Bonjour\nMerci"
        );
        assert!(check_text("   ").unwrap_err().contains("vide"));
        let long = "é".repeat(MAX_TEXT_CHARS + 1);
        assert!(check_text(&long).unwrap_err().contains("5001 caractères"));
        assert!(check_text("a\u{0}b").is_err());
        assert_eq!(
            check_title(" Quand  passer \n au poste ? ").unwrap(),
            "Quand passer au poste ?"
        );
        assert!(check_title("").is_err());
    }

    #[test]
    fn a_message_moves_the_status_as_people_expect() {
        use ExchangeStatus::*;
        assert_eq!(New.after_message(true), New);
        assert_eq!(New.after_message(false), InProgress);
        assert_eq!(AwaitingOperator.after_message(true), InProgress);
        assert_eq!(Closed.after_message(true), InProgress);
        assert_eq!(AwaitingOperator.after_message(false), AwaitingOperator);
        assert_eq!(InProgress.after_message(false), InProgress);
    }

    #[test]
    fn waiting_counts_from_the_operator_s_last_unanswered_message() {
        let at = |minutes: i64| {
            DateTime::<Utc>::from_timestamp(1_800_000_000 + minutes * 60, 0).unwrap()
        };
        let now = at(90);
        assert_eq!(
            waiting_minutes(ExchangeStatus::New, Some(at(30)), None, now),
            Some(60)
        );
        assert_eq!(
            waiting_minutes(ExchangeStatus::InProgress, Some(at(30)), Some(at(40)), now),
            None
        );
        assert_eq!(
            waiting_minutes(ExchangeStatus::InProgress, Some(at(50)), Some(at(40)), now),
            Some(40)
        );
        assert_eq!(
            waiting_minutes(ExchangeStatus::Closed, Some(at(30)), None, now),
            None
        );
        assert_eq!(
            waiting_minutes(ExchangeStatus::AwaitingOperator, None, Some(at(10)), now),
            None
        );
    }
}
