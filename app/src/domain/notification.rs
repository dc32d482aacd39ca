//! Notifications: what the platform tells a person, in the app (the bell and the notification
//! centre) and by e-mail. The kinds are data (`notification_kind`, seeded by the migrations): each
//! says who may receive it, whether it asks for an action, and its French texts as templates. A
//! producer (the ingestion of a partner event, later the alerts and the messages) names a kind
//! and fills the template's fields; nothing else in the platform has a code path per kind.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::journey::{EventKind, LabConclusion};
use crate::domain::timeline::FactData;

/// How a person wants to be told of a kind by mail.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MailMode {
    /// A mail for each notification, as it happens (the default).
    Immediate,
    /// Gathered in one mail a day, at the person's hour.
    Daily,
    /// No mail: the notification centre only.
    Never,
}

impl MailMode {
    pub const ALL: [MailMode; 3] = [MailMode::Immediate, MailMode::Daily, MailMode::Never];

    pub fn code(self) -> &'static str {
        match self {
            MailMode::Immediate => "immediat",
            MailMode::Daily => "quotidien",
            MailMode::Never => "jamais",
        }
    }

    pub fn from_code(code: &str) -> Option<MailMode> {
        MailMode::ALL.into_iter().find(|mode| mode.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            MailMode::Immediate => "Immédiatement",
            MailMode::Daily => "Dans le récapitulatif quotidien",
            MailMode::Never => "Jamais (centre de notifications seulement)",
        }
    }

    /// What is done for a kind: one that asks for an action is mailed at once, whatever the
    /// person chose (the terms of use make the address the channel of the administration's
    /// requests).
    pub fn applied(self, action_required: bool) -> MailMode {
        if action_required {
            MailMode::Immediate
        } else {
            self
        }
    }
}

/// The hour of the daily digest when the person chose none.
pub const DEFAULT_DIGEST_HOUR: u32 = 8;

/// When the digest of a person whose hour is `hour` (Paris time) next goes: the first such hour
/// strictly after `now`.
pub fn next_digest(now: DateTime<Utc>, hour: u32) -> DateTime<Utc> {
    use crate::domain::appointment::{paris_day, paris_instant};
    let time = chrono::NaiveTime::from_hms_opt(hour.min(23), 0, 0).unwrap_or_default();
    let mut day = paris_day(now);
    loop {
        let at = paris_instant(day, time);
        if at > now {
            return at;
        }
        day = day.succ_opt().unwrap_or(day);
        if day == chrono::NaiveDate::MAX {
            return at;
        }
    }
}

/// A person's choices: the hour of their digest, and a mode per kind (kinds not listed are
/// mailed at once).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preferences {
    pub digest_hour: u32,
    pub kinds: Vec<KindPreference>,
}

/// One kind as the preferences page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KindPreference {
    pub code: String,
    pub label: String,
    pub action_required: bool,
    pub mail: MailMode,
}

/// An outside address an operator company sends chosen kinds to, as its administrator sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtraRecipient {
    pub id: i64,
    pub email: String,
    /// The labels of the kinds it receives.
    pub kinds: Vec<String>,
    /// Whether the address confirmed it wants them (nothing is sent before).
    pub confirmed: bool,
}

/// The mail an extra recipient gets: the reference, the post and what happened, nothing else of
/// the dossier; who sends it, and how to stop it.
pub fn extra_recipient_text(company: &str, label: &str, reference: &str, post: &str) -> String {
    format!(
        "Bonjour,\n\n{company} vous transmet cette information de France Sésame, le guichet unique du \
         passage frontière des marchandises sanitaires et phytosanitaires :\n\n\
         {label}\n\
         Référence : {reference}\n\
         Poste de contrôle frontalier : {post}\n\n\
         Vous recevez ce message parce que {company} a inscrit votre adresse pour ce type \
         d'information. Pour ne plus le recevoir, demandez-le à {company}.\n\
         Ce message est envoyé automatiquement : n'y répondez pas.\n"
    )
}

/// The kinds of notification an audience receives, by role: `None` for those who receive none.
pub fn audience_of(role: crate::domain::directory::Role) -> Option<&'static str> {
    use crate::domain::directory::Role;
    match role {
        Role::Operateur => Some("operateur"),
        Role::AgentSivep | Role::AgentDgddi | Role::ChefService => Some("agent"),
        _ => None,
    }
}

/// The most unread notifications counted for the bell; beyond, it says « 99+ ».
pub const UNREAD_SHOWN: i64 = 99;

/// One notification as its recipient reads it in the centre.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    pub id: i64,
    /// The kind's code (`controle_a_planifier`…), and its label as people read it.
    pub kind: String,
    pub kind_label: String,
    pub action_required: bool,
    pub title: String,
    pub body: String,
    /// Where to act: a path of the platform (`/dossiers/12/rendez-vous`).
    pub link: String,
    pub created_at: DateTime<Utc>,
    pub read: bool,
}

/// A kind of notification, as the centre's filter offers it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationKind {
    pub code: String,
    pub label: String,
    pub action_required: bool,
}

/// What a partner event tells the operators of its dossier: a kind, the fields of its texts
/// that only the event knows, and where to act.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventNotice {
    pub kind: &'static str,
    /// `{controles}`, `{suite}`.
    pub fields: Vec<(&'static str, String)>,
    /// Appended to the dossier's path (`/dossiers/{id}`): empty, or `/rendez-vous`.
    pub link_suffix: &'static str,
}

/// The notices an event of a dossier gives, `opened` when it opened the dossier.
pub fn event_notices(kind: EventKind, fact: &FactData, opened: bool) -> Vec<EventNotice> {
    let mut notices = Vec::new();
    if opened {
        notices.push(EventNotice {
            kind: "dossier_ouvert",
            fields: Vec::new(),
            link_suffix: "",
        });
    }
    let notice = match (kind, fact) {
        (EventKind::ChecksSelected, FactData::Selection { identity, physical })
            if *identity || *physical =>
        {
            let checks = match (identity, physical) {
                (true, true) => "d'identité et physique",
                (true, false) => "d'identité",
                _ => "physique",
            };
            Some(EventNotice {
                kind: "controle_a_planifier",
                fields: vec![("controles", checks.to_owned())],
                link_suffix: "/rendez-vous",
            })
        }
        (EventKind::LabResult, FactData::Lab(conclusion)) => Some(EventNotice {
            kind: "resultat_laboratoire",
            fields: vec![("suite", lab_outcome(*conclusion).to_owned())],
            link_suffix: "",
        }),
        (EventKind::ChedDecision, FactData::Decision { acceptable }) => Some(EventNotice {
            kind: "decision_dsce",
            fields: vec![
                (
                    "decision",
                    if *acceptable {
                        "favorable"
                    } else {
                        "défavorable"
                    }
                    .to_owned(),
                ),
                (
                    "suite",
                    if *acceptable {
                        "favorable. La marchandise peut poursuivre vers le dédouanement.".to_owned()
                    } else {
                        "défavorable. La marchandise ne peut pas être mise en libre pratique ; le \
                     service d'inspection vous indique ce qui suit (réexpédition, destruction, \
                     traitement spécial ou autre usage)."
                            .to_owned()
                    },
                ),
            ],
            link_suffix: "",
        }),
        (EventKind::CustomsReleased, _) => Some(EventNotice {
            kind: "mainlevee",
            fields: Vec::new(),
            link_suffix: "",
        }),
        (EventKind::Exited, _) => Some(EventNotice {
            kind: "sortie",
            fields: Vec::new(),
            link_suffix: "",
        }),
        _ => None,
    };
    notices.extend(notice);
    notices
}

fn lab_outcome(conclusion: LabConclusion) -> &'static str {
    match conclusion {
        LabConclusion::Satisfactory => "satisfaisant. La décision sur le DSCE suit.",
        LabConclusion::NotSatisfactory => {
            "non satisfaisant. Le service d'inspection vous dira ce qui suit pour la marchandise."
        }
        LabConclusion::NotInterpretable => {
            "non interprétable. Le service d'inspection peut demander une nouvelle analyse."
        }
        LabConclusion::Pending => "en attente. Un nouveau message suivra le résultat définitif.",
    }
}

/// Fills a kind's template: each `{name}` of `fields` is replaced by its value; a name the
/// template does not hold is ignored, and a `{name}` without a value is left out.
pub fn fill(template: &str, fields: &[(&str, String)]) -> String {
    let mut text = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        text.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        match after.find('}') {
            Some(end) => {
                let name = &after[..end];
                if let Some((_, value)) = fields.iter().find(|(field, _)| *field == name) {
                    text.push_str(value);
                }
                rest = &after[end + 1..];
            }
            None => {
                text.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    text.push_str(rest);
    text
}

/// The bell's count as shown: « 99+ » beyond [`UNREAD_SHOWN`].
pub fn unread_label(unread: i64) -> String {
    if unread > UNREAD_SHOWN {
        format!("{UNREAD_SHOWN}+")
    } else {
        unread.to_string()
    }
}

/// The mail of a notification: the subject says the reference and what happened (the title);
/// the text, what to do and where.
pub fn mail_text(full_name: &str, title: &str, body: &str, url: &str, action: bool) -> String {
    let mut text = format!("Bonjour {full_name},\n\n{body}\n\n");
    if action {
        text.push_str(&format!("Pour agir : {url}\n\n"));
    } else {
        text.push_str(&format!("Pour voir le dossier : {url}\n\n"));
    }
    text.push_str(&format!(
        "Vous recevez ce message parce que votre compte France Sésame suit ce dossier ({title}).\n\
         Vos préférences de notification : Notifications, Préférences, sur France Sésame.\n\n\
         France Sésame — le guichet unique du passage frontière des marchandises sanitaires et \
         phytosanitaires. Ce message est envoyé automatiquement : n'y répondez pas.\n"
    ));
    text
}

/// A daily digest: each notification's title, text and link, in the order they came.
pub fn digest_text(full_name: &str, items: &[(String, String, String)]) -> String {
    let mut text = format!(
        "Bonjour {full_name},\n\nVoici ce que France Sésame vous a signalé depuis votre dernier \
         récapitulatif ({} notification{}).\n",
        items.len(),
        if items.len() > 1 { "s" } else { "" }
    );
    for (title, body, url) in items {
        text.push_str(&format!("\n— {title}\n{body}\n{url}\n"));
    }
    text.push_str(
        "\nVous recevez ce récapitulatif parce que vous l'avez choisi dans vos préférences de \
         notification (Mon espace, Notifications, Préférences).\n\n\
         France Sésame — le guichet unique du passage frontière des marchandises sanitaires et \
         phytosanitaires. Ce message est envoyé automatiquement : n'y répondez pas.\n",
    );
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::timeline::FactData;

    #[test]
    fn templates_are_filled_with_what_is_known() {
        let fields = [
            ("reference", "MSCU1234565".to_owned()),
            ("poste", "Le Havre".to_owned()),
        ];
        assert_eq!(
            fill("{reference} : contrôle au poste {poste}", &fields),
            "MSCU1234565 : contrôle au poste Le Havre"
        );
        assert_eq!(fill("{inconnu}x", &fields), "x");
        assert_eq!(fill("sans champ {", &fields), "sans champ {");
    }

    #[test]
    fn events_give_the_notices_operators_need() {
        let selected = event_notices(
            EventKind::ChecksSelected,
            &FactData::Selection {
                identity: true,
                physical: true,
            },
            false,
        );
        assert_eq!(selected.len(), 1);
        assert_eq!(selected[0].kind, "controle_a_planifier");
        assert_eq!(selected[0].link_suffix, "/rendez-vous");
        assert_eq!(
            selected[0].fields,
            vec![("controles", "d'identité et physique".to_owned())]
        );
        // Documentary check only: nothing to book, nothing to say.
        assert!(event_notices(
            EventKind::ChecksSelected,
            &FactData::Selection {
                identity: false,
                physical: false,
            },
            false,
        )
        .is_empty());
        let opened = event_notices(EventKind::Arrived, &FactData::None, true);
        assert_eq!(
            opened.iter().map(|n| n.kind).collect::<Vec<_>>(),
            ["dossier_ouvert"]
        );
        let refused = event_notices(
            EventKind::ChedDecision,
            &FactData::Decision { acceptable: false },
            false,
        );
        assert_eq!(refused[0].fields[0].1, "défavorable");
        assert!(refused[0].fields[1].1.starts_with("défavorable."));
        assert!(event_notices(EventKind::Unloaded, &FactData::None, false).is_empty());
    }

    #[test]
    fn the_digest_goes_at_the_next_chosen_hour_in_paris() {
        use chrono::TimeZone;
        // 3 December, 07:30 UTC = 08:30 in Paris: 8 h has passed, the next is tomorrow's.
        let now = Utc.with_ymd_and_hms(2026, 12, 3, 7, 30, 0).unwrap();
        assert_eq!(
            next_digest(now, 8),
            Utc.with_ymd_and_hms(2026, 12, 4, 7, 0, 0).unwrap()
        );
        assert_eq!(
            next_digest(now, 18),
            Utc.with_ymd_and_hms(2026, 12, 3, 17, 0, 0).unwrap()
        );
        // Summer time: 8 h in Paris is 6 h UTC.
        let june = Utc.with_ymd_and_hms(2026, 6, 1, 5, 0, 0).unwrap();
        assert_eq!(
            next_digest(june, 8),
            Utc.with_ymd_and_hms(2026, 6, 1, 6, 0, 0).unwrap()
        );
    }

    #[test]
    fn action_required_kinds_are_always_mailed_at_once() {
        assert_eq!(MailMode::Never.applied(true), MailMode::Immediate);
        assert_eq!(MailMode::Daily.applied(false), MailMode::Daily);
        for mode in MailMode::ALL {
            assert_eq!(MailMode::from_code(mode.code()), Some(mode));
        }
    }

    #[test]
    fn the_bell_stops_counting_at_99() {
        assert_eq!(unread_label(3), "3");
        assert_eq!(unread_label(100), "99+");
    }
}
