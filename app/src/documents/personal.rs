//! The copy of a person's data (GDPR art. 15): their account, the terms of use they accepted,
//! their sessions and sign-ins kept, their habilitations, their company's mandates, the
//! messages they wrote and the entries of the audit trail about them, as a JSON file a program
//! reads and a PDF/A a person reads. Entries written by others say when and what, never which
//! agent (« une personne habilitée »).

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::pdf::{render, Block, Document as Pdf, DocumentError, Typeface};
use crate::domain::account::SessionInfo;
use crate::domain::directory::{Company, Habilitation, User};
use crate::domain::mandate::Mandate;
use crate::store::{AuditEntry, PersonalRows};
use crate::ui::format::date_time;

pub const JSON_NAME: &str = "donnees-personnelles.json";
pub const PDF_NAME: &str = "donnees-personnelles.pdf";
pub const FORMAT: &str = "france-sesame/donnees-personnelles";

/// What the copy is made of, read by the caller within the person's own account.
pub struct PersonalRecord {
    pub user: User,
    pub company: Option<Company>,
    pub rows: PersonalRows,
    pub sessions: Vec<SessionInfo>,
    pub habilitations: Vec<Habilitation>,
    pub mandates_given: Vec<Mandate>,
    pub mandates_received: Vec<Mandate>,
    /// The person's requests to the rights desk, the latest first.
    pub rights_requests: Vec<crate::domain::rights::RightsRequest>,
    /// The audit entries about the person and by them, in the trail's order.
    pub trail: Vec<AuditEntry>,
}

impl PersonalRecord {
    /// Who wrote an entry, as the person may know it.
    pub fn by(&self, entry: &AuditEntry) -> String {
        match entry.actor_id {
            Some(id) if id == self.user.id => "vous",
            None => "la plateforme",
            Some(_) => "une personne habilitée",
        }
        .to_owned()
    }
}

#[derive(Serialize)]
struct Data<'a> {
    format: &'static str,
    version: u32,
    etabli_le: DateTime<Utc>,
    compte: Account<'a>,
    cgu_acceptees: Vec<Accepted<'a>>,
    sessions: Vec<Session<'a>>,
    connexions: Vec<SignIn<'a>>,
    habilitations: Vec<Granted<'a>>,
    mandats: Vec<Mandated<'a>>,
    messages: Vec<Written<'a>>,
    demandes_droits: Vec<Asked<'a>>,
    journal: Vec<Journal<'a>>,
}

#[derive(Serialize)]
struct Account<'a> {
    numero: i64,
    nom: &'a str,
    adresse_electronique: &'a str,
    adresse_verifiee: bool,
    role: &'static str,
    administration: Option<&'static str>,
    entreprise: Option<CompanyData<'a>>,
    administrateur_entreprise: bool,
    suspendu: bool,
    cree_le: DateTime<Utc>,
    derniere_connexion_le: Option<DateTime<Utc>>,
}

#[derive(Serialize)]
struct CompanyData<'a> {
    nom: &'a str,
    siret: String,
    eori: Option<String>,
}

#[derive(Serialize)]
struct Accepted<'a> {
    version: &'a str,
    le: DateTime<Utc>,
    adresse_ip: &'a str,
}

#[derive(Serialize)]
struct Session<'a> {
    ouverte_le: DateTime<Utc>,
    derniere_activite_le: DateTime<Utc>,
    navigateur: &'a str,
    adresse_ip: &'a str,
    connexion: String,
}

#[derive(Serialize)]
struct SignIn<'a> {
    le: DateTime<Utc>,
    methode: &'a str,
    adresse_ip: &'a str,
}

#[derive(Serialize)]
struct Granted<'a> {
    site: String,
    nom_du_site: &'a str,
    administration: &'static str,
    du: NaiveDate,
    au: Option<NaiveDate>,
    retiree: bool,
}

#[derive(Serialize)]
struct Mandated<'a> {
    sens: &'static str,
    importateur: &'a str,
    representant: &'a str,
    sites: &'a [String],
    du: NaiveDate,
    au: Option<NaiveDate>,
    etat: &'static str,
}

#[derive(Serialize)]
struct Written<'a> {
    echange: i64,
    titre_echange: &'a str,
    nature: &'a str,
    le: DateTime<Utc>,
    texte: &'a str,
}

#[derive(Serialize)]
struct Asked<'a> {
    numero: i64,
    nature: &'static str,
    canal: &'static str,
    recue_le: chrono::NaiveDate,
    reponse_due_le: chrono::NaiveDate,
    texte: &'a str,
    prolongation: Option<&'a str>,
    decision: Option<&'static str>,
    reponse: Option<&'a str>,
    repondue_le: Option<DateTime<Utc>>,
}

#[derive(Serialize)]
struct Journal<'a> {
    numero: i64,
    le: DateTime<Utc>,
    action: &'a str,
    libelle: String,
    par: String,
    /// What the person acted on, for their own entries only.
    #[serde(skip_serializing_if = "Option::is_none")]
    objet: Option<&'a str>,
    empreinte: &'a str,
}

/// The person's own sign-ins the trail still holds with their address (six months).
fn sign_ins(record: &PersonalRecord) -> impl Iterator<Item = &AuditEntry> {
    record.trail.iter().filter(move |entry| {
        entry.action == "connexion"
            && entry.actor_id == Some(record.user.id)
            && !entry.address.is_empty()
    })
}

/// The copy as JSON: every part, complete.
pub fn json(record: &PersonalRecord, made_at: DateTime<Utc>) -> Vec<u8> {
    let user = &record.user;
    let data = Data {
        format: FORMAT,
        version: 1,
        etabli_le: made_at,
        compte: Account {
            numero: user.id,
            nom: &user.full_name,
            adresse_electronique: &user.email,
            adresse_verifiee: user.email_verified,
            role: user.role.label(),
            administration: user.administration.map(|a| a.label()),
            entreprise: record.company.as_ref().map(|company| CompanyData {
                nom: &company.name,
                siret: company.siret.as_str().to_owned(),
                eori: company.eori.as_ref().map(|eori| eori.as_str().to_owned()),
            }),
            administrateur_entreprise: user.company_admin,
            suspendu: user.suspended,
            cree_le: record.rows.created_at,
            derniere_connexion_le: record.rows.last_sign_in_at,
        },
        cgu_acceptees: record
            .rows
            .acceptances
            .iter()
            .map(|accepted| Accepted {
                version: &accepted.version,
                le: accepted.accepted_at,
                adresse_ip: &accepted.ip,
            })
            .collect(),
        sessions: record
            .sessions
            .iter()
            .map(|session| Session {
                ouverte_le: session.created_at,
                derniere_activite_le: session.last_seen_at,
                navigateur: &session.user_agent,
                adresse_ip: &session.ip,
                connexion: session.method_label(),
            })
            .collect(),
        connexions: sign_ins(record)
            .map(|entry| SignIn {
                le: entry.at,
                methode: &entry.detail,
                adresse_ip: &entry.address,
            })
            .collect(),
        habilitations: record
            .habilitations
            .iter()
            .map(|granted| Granted {
                site: granted.site.to_string(),
                nom_du_site: &granted.site_name,
                administration: granted.administration.label(),
                du: granted.starts_on,
                au: granted.ends_on,
                retiree: granted.withdrawn,
            })
            .collect(),
        mandats: record
            .mandates_given
            .iter()
            .map(|mandate| ("donne", mandate))
            .chain(
                record
                    .mandates_received
                    .iter()
                    .map(|mandate| ("recu", mandate)),
            )
            .map(|(sens, mandate)| Mandated {
                sens,
                importateur: &mandate.importer,
                representant: &mandate.representative,
                sites: &mandate.sites,
                du: mandate.starts_on,
                au: mandate.ends_on,
                etat: mandate.state.label(),
            })
            .collect(),
        messages: record
            .rows
            .written
            .iter()
            .map(|written| Written {
                echange: written.exchange_id,
                titre_echange: &written.exchange_title,
                nature: &written.kind,
                le: written.at,
                texte: &written.text,
            })
            .collect(),
        demandes_droits: record
            .rights_requests
            .iter()
            .map(|request| Asked {
                numero: request.id,
                nature: request.kind.label(),
                canal: request.channel.label(),
                recue_le: request.received_on,
                reponse_due_le: request.due_on,
                texte: &request.details,
                prolongation: request
                    .extension
                    .as_ref()
                    .map(|(_, reason)| reason.as_str()),
                decision: request.decision.map(|decision| decision.label()),
                reponse: request.answer.as_deref(),
                repondue_le: request.answered_at,
            })
            .collect(),
        journal: record
            .trail
            .iter()
            .map(|entry| {
                let own = entry.actor_id == Some(record.user.id);
                Journal {
                    numero: entry.seq,
                    le: entry.at,
                    action: &entry.action,
                    libelle: super::evidence::action_label(&entry.action),
                    par: record.by(entry),
                    objet: own.then_some(entry.object.as_str()),
                    empreinte: &entry.hash,
                }
            })
            .collect(),
    };
    serde_json::to_vec_pretty(&data).unwrap_or_default()
}

/// How many of the person's own actions the PDF lists (the JSON has them all).
const OWN_ACTIONS_SHOWN: usize = 100;
/// How many messages the PDF quotes (the JSON has them all).
const MESSAGES_SHOWN: usize = 100;

/// The copy as blocks of a PDF a person reads.
pub fn blocks(record: &PersonalRecord, made_at: DateTime<Utc>) -> Vec<Block> {
    let user = &record.user;
    let none = |blocks: &mut Vec<Block>, text: &str| blocks.push(Block::Paragraph(text.into()));
    let mut blocks = vec![Block::Paragraph(format!(
        "Établie le {} (heure de Paris) par France Sésame à la demande de la personne concernée (droit d'accès, article 15 du RGPD). Le fichier {JSON_NAME} joint contient les mêmes données, complètes, dans un format lisible par un programme. Le fichier scellement.json permet à quiconque de vérifier que cette copie n'a pas été modifiée.",
        date_time(made_at)
    ))];

    blocks.push(Block::Heading("Votre compte".into()));
    blocks.push(Block::Bullet(format!("Nom : {}", user.full_name)));
    blocks.push(Block::Bullet(format!(
        "Adresse électronique : {}{}",
        user.email,
        if user.email_verified {
            " (vérifiée)"
        } else {
            " (non vérifiée)"
        }
    )));
    blocks.push(Block::Bullet(format!("Rôle : {}", user.role.label())));
    if let Some(administration) = user.administration {
        blocks.push(Block::Bullet(format!(
            "Administration : {}",
            administration.label()
        )));
    }
    if let Some(company) = &record.company {
        blocks.push(Block::Bullet(format!(
            "Entreprise : {} (SIRET {}){}",
            company.name,
            company.siret.as_str(),
            if user.company_admin {
                ", dont vous administrez les comptes"
            } else {
                ""
            }
        )));
    }
    blocks.push(Block::Bullet(format!(
        "Compte créé le {}",
        date_time(record.rows.created_at)
    )));
    if let Some(last) = record.rows.last_sign_in_at {
        blocks.push(Block::Bullet(format!(
            "Dernière connexion le {} : vos données sont conservées deux ans après votre dernière connexion",
            date_time(last)
        )));
    }

    blocks.push(Block::Heading(
        "Conditions générales d'utilisation acceptées".into(),
    ));
    if record.rows.acceptances.is_empty() {
        none(&mut blocks, "Aucune acceptation enregistrée.");
    }
    for accepted in &record.rows.acceptances {
        blocks.push(Block::Bullet(format!(
            "Version {} acceptée le {} depuis l'adresse IP {}",
            accepted.version,
            date_time(accepted.accepted_at),
            accepted.ip
        )));
    }

    blocks.push(Block::Heading("Sessions ouvertes".into()));
    if record.sessions.is_empty() {
        none(&mut blocks, "Aucune session ouverte.");
    }
    for session in &record.sessions {
        blocks.push(Block::Bullet(format!(
            "Ouverte le {} ({}), dernière activité le {}, {} depuis l'adresse IP {}",
            date_time(session.created_at),
            session.method_label(),
            date_time(session.last_seen_at),
            session.browser_label(),
            session.ip
        )));
    }

    blocks.push(Block::Heading("Connexions conservées (six mois)".into()));
    let mut any = false;
    for entry in sign_ins(record) {
        any = true;
        blocks.push(Block::Bullet(format!(
            "Le {} depuis l'adresse IP {}",
            date_time(entry.at),
            entry.address
        )));
    }
    if !any {
        none(&mut blocks, "Aucune connexion conservée.");
    }

    if !record.habilitations.is_empty() {
        blocks.push(Block::Heading("Habilitations".into()));
        for granted in &record.habilitations {
            blocks.push(Block::Bullet(format!(
                "{} ({}), {}, du {}{}{}",
                granted.site_name,
                granted.site,
                granted.administration.label(),
                granted.starts_on.format("%d/%m/%Y"),
                granted
                    .ends_on
                    .map(|day| format!(" au {}", day.format("%d/%m/%Y")))
                    .unwrap_or_default(),
                if granted.withdrawn { " (retirée)" } else { "" }
            )));
        }
    }

    if !record.mandates_given.is_empty() || !record.mandates_received.is_empty() {
        blocks.push(Block::Heading(
            "Mandats de représentation de votre entreprise".into(),
        ));
        for (given, mandate) in record
            .mandates_given
            .iter()
            .map(|mandate| (true, mandate))
            .chain(
                record
                    .mandates_received
                    .iter()
                    .map(|mandate| (false, mandate)),
            )
        {
            blocks.push(Block::Bullet(format!(
                "{} {} {} : {} — {}",
                if given { "Donné à" } else { "Reçu de" },
                if given {
                    &mandate.representative
                } else {
                    &mandate.importer
                },
                crate::domain::mandate::period(mandate.starts_on, mandate.ends_on),
                mandate.sites.join(", "),
                mandate.state.label()
            )));
        }
    }

    blocks.push(Block::Heading("Messages écrits dans la messagerie".into()));
    let written = &record.rows.written;
    if written.is_empty() {
        none(&mut blocks, "Aucun message.");
    } else if written.len() > MESSAGES_SHOWN {
        none(
            &mut blocks,
            &format!(
                "{} messages : les {MESSAGES_SHOWN} plus récents sont cités ici, tous sont dans {JSON_NAME}.",
                written.len()
            ),
        );
    }
    for message in written.iter().rev().take(MESSAGES_SHOWN).rev() {
        blocks.push(Block::Bullet(format!(
            "Le {}, échange n° {} « {} » : {}",
            date_time(message.at),
            message.exchange_id,
            message.exchange_title,
            message.text
        )));
    }

    if !record.rights_requests.is_empty() {
        blocks.push(Block::Heading("Vos demandes au guichet des droits".into()));
        for request in &record.rights_requests {
            blocks.push(Block::Bullet(format!(
                "Demande n° {} — {}, reçue le {} : {}. {}",
                request.id,
                request.kind.label(),
                crate::domain::rights::day_text(request.received_on),
                request.details,
                match (request.decision, &request.answer) {
                    (Some(decision), Some(answer)) => format!("{} : {answer}", decision.label()),
                    _ => format!(
                        "En cours, réponse due le {}.",
                        crate::domain::rights::day_text(request.due_on)
                    ),
                }
            )));
        }
    }

    blocks.push(Block::Heading(
        "Consultations et modifications de vos données".into(),
    ));
    none(
        &mut blocks,
        "Chaque consultation de vos données par un agent et chaque modification de votre compte est inscrite au journal d'audit. Cette copie dit quand et pourquoi, pas quel agent ; le numéro et l'empreinte de chaque entrée figurent dans le fichier JSON, que l'administration peut confronter à son journal.",
    );
    let about: Vec<&AuditEntry> = record
        .trail
        .iter()
        .filter(|entry| entry.actor_id != Some(user.id))
        .collect();
    if about.is_empty() {
        none(
            &mut blocks,
            "Aucune entrée par une autre personne que vous.",
        );
    }
    for entry in about {
        blocks.push(Block::Bullet(format!(
            "Le {} : {}, par {}",
            date_time(entry.at),
            super::evidence::action_label(&entry.action),
            record.by(entry)
        )));
    }

    blocks.push(Block::Heading("Vos actions inscrites au journal".into()));
    let own: Vec<&AuditEntry> = record
        .trail
        .iter()
        .filter(|entry| entry.actor_id == Some(user.id))
        .collect();
    if own.len() > OWN_ACTIONS_SHOWN {
        none(
            &mut blocks,
            &format!(
                "{} entrées : les {OWN_ACTIONS_SHOWN} plus récentes sont reprises ici, toutes sont dans {JSON_NAME}.",
                own.len()
            ),
        );
    } else if own.is_empty() {
        none(&mut blocks, "Aucune entrée.");
    }
    for entry in own.iter().rev().take(OWN_ACTIONS_SHOWN) {
        blocks.push(Block::Bullet(format!(
            "Le {} : {} ({})",
            date_time(entry.at),
            super::evidence::action_label(&entry.action),
            entry.object
        )));
    }
    blocks
}

/// The copy as a PDF/A.
pub fn pdf(
    record: &PersonalRecord,
    made_at: DateTime<Utc>,
    typeface: &Typeface,
) -> Result<Vec<u8>, DocumentError> {
    let blocks = blocks(record, made_at);
    let subtitle = format!(
        "{} — copie de vos données personnelles",
        record.user.full_name
    );
    render(
        &Pdf {
            title: "Vos données personnelles sur France Sésame",
            subtitle: Some(&subtitle),
            blocks: &blocks,
        },
        typeface,
    )
}
