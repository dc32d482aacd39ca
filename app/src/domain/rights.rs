//! The rights of the persons concerned (GDPR arts. 15 to 21) and the DGDDI's desk that answers
//! them: the kinds of request, where they came from, their deadline (a month from receipt,
//! extendable by two with the reason told to the person, art. 12(3)), the decision and what a
//! granted one changes. Pure rules, no I/O.

use chrono::{DateTime, Months, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// What a person asks about their data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RightKind {
    Acces,
    Rectification,
    Effacement,
    Limitation,
    Opposition,
}

impl RightKind {
    pub const ALL: [RightKind; 5] = [
        RightKind::Acces,
        RightKind::Rectification,
        RightKind::Effacement,
        RightKind::Limitation,
        RightKind::Opposition,
    ];

    pub fn code(self) -> &'static str {
        match self {
            RightKind::Acces => "acces",
            RightKind::Rectification => "rectification",
            RightKind::Effacement => "effacement",
            RightKind::Limitation => "limitation",
            RightKind::Opposition => "opposition",
        }
    }

    pub fn from_code(code: &str) -> Option<RightKind> {
        RightKind::ALL.into_iter().find(|kind| kind.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            RightKind::Acces => "Accès (article 15 du RGPD)",
            RightKind::Rectification => "Rectification (article 16)",
            RightKind::Effacement => "Effacement (article 17)",
            RightKind::Limitation => "Limitation du traitement (article 18)",
            RightKind::Opposition => "Opposition (article 21)",
        }
    }

    /// « une demande d'effacement », in a sentence.
    pub fn noun(self) -> &'static str {
        match self {
            RightKind::Acces => "demande d'accès à vos données",
            RightKind::Rectification => "demande de rectification",
            RightKind::Effacement => "demande d'effacement",
            RightKind::Limitation => "demande de limitation",
            RightKind::Opposition => "opposition",
        }
    }
}

/// How a request reached the desk.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Channel {
    /// From the person's personal space.
    Espace,
    /// By post to the DGDDI (Comint 2).
    Courrier,
    /// By e-mail to the DGDDI.
    Courriel,
    /// Received by the DGAL, the other joint controller, and passed on (GDPR art. 26(3)).
    Dgal,
}

impl Channel {
    pub const ALL: [Channel; 4] = [
        Channel::Espace,
        Channel::Courrier,
        Channel::Courriel,
        Channel::Dgal,
    ];
    /// Those the desk records itself.
    pub const RECORDED: [Channel; 3] = [Channel::Courrier, Channel::Courriel, Channel::Dgal];

    pub fn code(self) -> &'static str {
        match self {
            Channel::Espace => "espace",
            Channel::Courrier => "courrier",
            Channel::Courriel => "courriel",
            Channel::Dgal => "dgal",
        }
    }

    pub fn from_code(code: &str) -> Option<Channel> {
        Channel::ALL
            .into_iter()
            .find(|channel| channel.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Channel::Espace => "Espace personnel",
            Channel::Courrier => "Courrier postal",
            Channel::Courriel => "Courrier électronique",
            Channel::Dgal => "Transmise par la DGAL",
        }
    }
}

/// The desk's answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Decision {
    Accordee,
    Partielle,
    Refusee,
}

impl Decision {
    pub const ALL: [Decision; 3] = [Decision::Accordee, Decision::Partielle, Decision::Refusee];

    pub fn code(self) -> &'static str {
        match self {
            Decision::Accordee => "accordee",
            Decision::Partielle => "partielle",
            Decision::Refusee => "refusee",
        }
    }

    pub fn from_code(code: &str) -> Option<Decision> {
        Decision::ALL
            .into_iter()
            .find(|decision| decision.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Decision::Accordee => "Accordée",
            Decision::Partielle => "Accordée en partie",
            Decision::Refusee => "Refusée",
        }
    }
}

/// What granting a request changes on the person's account by itself (the rest, such as a
/// rectification, the desk does and says in its answer).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    /// The account is closed at once and its identity erased by the next retention run (within
    /// a day), as two years after the last sign-in.
    Erasure,
    /// The data are kept but no longer used for notifications nor shown on the operator's card.
    Limitation,
    Nothing,
}

impl Effect {
    /// What a decision on a kind of request does to an account.
    pub fn of(kind: RightKind, decision: Decision) -> Effect {
        match (kind, decision) {
            (RightKind::Effacement, Decision::Accordee) => Effect::Erasure,
            (RightKind::Limitation | RightKind::Opposition, Decision::Accordee) => {
                Effect::Limitation
            }
            _ => Effect::Nothing,
        }
    }
}

/// The answer is due a month after receipt (GDPR art. 12(3))…
pub fn due_on(received_on: NaiveDate) -> NaiveDate {
    received_on
        .checked_add_months(Months::new(1))
        .unwrap_or(received_on)
}

/// …or three, once extended with the reason told to the person.
pub fn extended_due_on(received_on: NaiveDate) -> NaiveDate {
    received_on
        .checked_add_months(Months::new(3))
        .unwrap_or(received_on)
}

/// A request, as the desk and the person see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RightsRequest {
    pub id: i64,
    /// The person's account, when they have one.
    pub user_id: Option<i64>,
    pub full_name: String,
    pub email: String,
    pub kind: RightKind,
    pub channel: Channel,
    pub details: String,
    pub received_on: NaiveDate,
    pub due_on: NaiveDate,
    pub created_at: DateTime<Utc>,
    /// When the deadline was extended, and why (told to the person).
    pub extension: Option<(DateTime<Utc>, String)>,
    pub decision: Option<Decision>,
    pub answer: Option<String>,
    pub answered_at: Option<DateTime<Utc>>,
    /// Whether the answer's mail left (it is sent again from the request's page otherwise).
    pub answer_mailed: bool,
}

impl RightsRequest {
    pub fn answered(&self) -> bool {
        self.answered_at.is_some()
    }

    /// Past its deadline without an answer, on `today`.
    pub fn late(&self, today: NaiveDate) -> bool {
        !self.answered() && self.due_on < today
    }

    /// « En cours », « En retard », « Accordée »…
    pub fn state_label(&self, today: NaiveDate) -> &'static str {
        match self.decision {
            Some(decision) => decision.label(),
            None if self.late(today) => "En retard",
            None if self.extension.is_some() => "En cours (délai prolongé)",
            None => "En cours",
        }
    }
}

/// A hold of the desk on an account, in force.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hold {
    pub id: i64,
    pub reason: String,
    pub placed_at: DateTime<Utc>,
}

/// A hold of the desk on a dossier in dispute, in force: the persons who acted in it (wrote in
/// its exchanges, added its documents, booked its appointments) keep their identity while it
/// lasts, so that its records can serve as evidence.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DossierHold {
    pub id: i64,
    pub dossier_id: i64,
    pub site: String,
    pub reason: String,
    pub placed_at: DateTime<Utc>,
}

/// The account a request is about, as the desk needs it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonAccount {
    pub id: i64,
    pub role_label: String,
    pub company: Option<String>,
    /// The company is a sole trader's (a person): its name follows the retention of personal
    /// data.
    pub sole_trader: bool,
    pub last_sign_in_at: Option<DateTime<Utc>>,
    pub closed: bool,
    pub erased: bool,
    pub limited: bool,
    pub erasure_granted: bool,
    pub holds: Vec<Hold>,
}

/// The desk's page of one request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestFile {
    pub request: RightsRequest,
    pub account: Option<PersonAccount>,
}

/// The desk's list.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Desk {
    /// Not answered yet, the nearest deadline first.
    pub open: Vec<RightsRequest>,
    /// Answered, the latest first ([`ANSWERED_SHOWN`] at most).
    pub answered: Vec<RightsRequest>,
    /// The dossiers held, the latest first.
    pub dossier_holds: Vec<DossierHold>,
}

/// How many answered requests the desk lists.
pub const ANSWERED_SHOWN: i64 = 50;
/// How many open requests a person may have at once from their space (the desk records more).
pub const OPEN_PER_PERSON: i64 = 5;

/// The bounds of a request's text, an extension's reason and an answer.
pub const DETAILS_CHARS: (usize, usize) = (10, 4000);
pub const REASON_CHARS: (usize, usize) = (10, 1000);
pub const ANSWER_CHARS: (usize, usize) = (10, 6000);

fn bounded(
    text: &str,
    (min, max): (usize, usize),
    empty: &str,
    what: &str,
) -> Result<String, String> {
    let text = crate::domain::line_breaks(text.trim());
    match text.chars().count() {
        0 => Err(empty.to_owned()),
        n if n < min => Err(format!(
            "{what} est trop court ({n} caractères) : {min} caractères au moins."
        )),
        n if n > max => Err(format!("{what} compte {n} caractères : {max} au plus.")),
        _ if crate::domain::has_control_characters(&text) => {
            Err(crate::domain::account::INVISIBLE.into())
        }
        _ => Ok(text),
    }
}

/// What the person asks, in their words.
pub fn parse_details(text: &str) -> Result<String, String> {
    bounded(
        text,
        DETAILS_CHARS,
        "Précisez votre demande : ce que vous souhaitez, et sur quelles données.",
        "Le texte de la demande",
    )
}

/// Why the deadline is extended, told to the person.
pub fn parse_extension_reason(text: &str) -> Result<String, String> {
    bounded(
        text,
        REASON_CHARS,
        "Indiquez le motif de la prolongation : il est communiqué à la personne.",
        "Le motif",
    )
}

/// The answer sent to the person.
pub fn parse_answer(text: &str) -> Result<String, String> {
    bounded(
        text,
        ANSWER_CHARS,
        "Rédigez la réponse : elle est envoyée à la personne par courriel et conservée.",
        "La réponse",
    )
}

/// The day a request was received, as the desk types it: not in the future, not more than a
/// year ago (an older one is long overdue and is recorded as received today, with its history
/// in the text).
pub fn parse_received_on(text: &str, today: NaiveDate) -> Result<NaiveDate, String> {
    if text.trim().is_empty() {
        return Err("Indiquez le jour où la demande a été reçue (JJ/MM/AAAA).".into());
    }
    let Some(day) = crate::domain::dates::parse_day(text) else {
        return Err(format!(
            "« {} » n'est pas une date : écrivez-la JJ/MM/AAAA, par exemple 02/12/2026.",
            text.trim()
        ));
    };
    if day > today {
        return Err("Le jour de réception ne peut pas être dans le futur.".into());
    }
    if day < today - chrono::Duration::days(366) {
        return Err(
            "La demande a été reçue il y a plus d'un an : enregistrez-la comme reçue aujourd'hui et indiquez son historique dans le texte."
                .into(),
        );
    }
    Ok(day)
}

/// The French day of a date, for mails and pages.
pub fn day_text(day: NaiveDate) -> String {
    day.format("%d/%m/%Y").to_string()
}

/// The mail acknowledging a request.
pub fn receipt_mail(request: &RightsRequest) -> (String, String) {
    (
        format!("Votre demande n° {} a bien été reçue", request.id),
        format!(
            "Bonjour {name},\n\nVotre {noun} (demande n° {id}) concernant vos données personnelles \
             dans France Sésame a été reçue le {received}. Le bureau de la DGDDI chargé des droits \
             des personnes, point de contact des responsables conjoints du traitement, vous \
             répondra au plus tard le {due}. Ce délai peut être prolongé de deux mois si la \
             demande est complexe ; vous en seriez informé avec le motif.\n\n{follow}— France \
             Sésame\n",
            name = request.full_name,
            noun = request.kind.noun(),
            id = request.id,
            received = day_text(request.received_on),
            due = day_text(request.due_on),
            follow = if request.user_id.is_some() {
                "Vous suivez votre demande depuis la page « Mes données personnelles » de votre \
                 espace France Sésame.\n\n"
            } else {
                ""
            },
        ),
    )
}

/// The mail telling the person their deadline is extended, and why.
pub fn extension_mail(request: &RightsRequest, reason: &str) -> (String, String) {
    (
        format!(
            "Votre demande n° {} : délai de réponse prolongé",
            request.id
        ),
        format!(
            "Bonjour {name},\n\nLe délai de réponse à votre {noun} (demande n° {id}, reçue le \
             {received}) est prolongé de deux mois, comme le permet l'article 12, paragraphe 3, \
             du RGPD. Vous recevrez la réponse au plus tard le {due}.\n\nMotif de la \
             prolongation :\n« {reason} »\n\n— France Sésame\n",
            name = request.full_name,
            noun = request.kind.noun(),
            id = request.id,
            received = day_text(request.received_on),
            due = day_text(request.due_on),
        ),
    )
}

/// The mail telling a person that the limitation of their data's processing is lifted, and why
/// (GDPR art. 18(3)).
pub fn limitation_lifted_mail(name: &str, request_id: i64, reason: &str) -> (String, String) {
    (
        format!("Votre demande n° {request_id} : la limitation est levée"),
        format!(
            "Bonjour {name},

La limitation du traitement de vos données, accordée à la suite de              votre demande n° {request_id}, est levée : vous recevez de nouveau les notifications              de France Sésame et vous apparaissez de nouveau sur la fiche de votre entreprise.

             Motif :
« {reason} »

Si vous estimez que vos droits ne sont pas respectés, vous              pouvez écrire au guichet des droits depuis votre espace, ou adresser une réclamation              à la Commission nationale de l'informatique et des libertés (CNIL, www.cnil.fr).

             — France Sésame
"
        ),
    )
}

/// The mail carrying the desk's answer.
pub fn answer_mail(request: &RightsRequest) -> (String, String) {
    let decision = request.decision.map(Decision::label).unwrap_or_default();
    (
        format!("Réponse à votre demande n° {}", request.id),
        format!(
            "Bonjour {name},\n\nVoici la réponse à votre {noun} (demande n° {id}, reçue le \
             {received}).\n\nDécision : {decision}\n\n{answer}\n\nSi vous estimez que vos droits \
             ne sont pas respectés, vous pouvez adresser une réclamation à la Commission \
             nationale de l'informatique et des libertés (CNIL, www.cnil.fr).\n\n— France Sésame\n",
            name = request.full_name,
            noun = request.kind.noun(),
            id = request.id,
            received = day_text(request.received_on),
            answer = request.answer.as_deref().unwrap_or_default(),
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn a_request_is_answered_within_a_month_or_three_once_extended() {
        assert_eq!(due_on(day(2026, 12, 6)), day(2027, 1, 6));
        // The end of a month stays within the next.
        assert_eq!(due_on(day(2027, 1, 31)), day(2027, 2, 28));
        assert_eq!(extended_due_on(day(2026, 12, 6)), day(2027, 3, 6));
    }

    #[test]
    fn only_granted_erasures_limitations_and_objections_change_the_account() {
        assert_eq!(
            Effect::of(RightKind::Effacement, Decision::Accordee),
            Effect::Erasure
        );
        assert_eq!(
            Effect::of(RightKind::Opposition, Decision::Accordee),
            Effect::Limitation
        );
        assert_eq!(
            Effect::of(RightKind::Effacement, Decision::Partielle),
            Effect::Nothing
        );
        assert_eq!(
            Effect::of(RightKind::Rectification, Decision::Accordee),
            Effect::Nothing
        );
    }

    #[test]
    fn the_day_of_receipt_is_neither_to_come_nor_a_year_old() {
        let today = day(2026, 12, 6);
        assert_eq!(parse_received_on("02/12/2026", today), Ok(day(2026, 12, 2)));
        assert!(parse_received_on("07/12/2026", today)
            .unwrap_err()
            .contains("futur"));
        assert!(parse_received_on("01/12/2025", today)
            .unwrap_err()
            .contains("plus d'un an"));
        assert!(parse_received_on("lundi", today)
            .unwrap_err()
            .contains("n'est pas une date"));
    }

    #[test]
    fn texts_say_what_is_missing() {
        assert!(parse_details("  ").unwrap_err().starts_with("Précisez"));
        assert!(parse_details("court").unwrap_err().contains("trop court"));
        assert_eq!(
            parse_details(" Effacez mon adresse. ").unwrap(),
            "Effacez mon adresse."
        );
        assert!(parse_answer(&"x".repeat(6001))
            .unwrap_err()
            .contains("6000 au plus"));
    }
}
