//! Who may do what: the one access policy every entry point of the platform calls (pages, server
//! functions, form submissions, event streams). Need to know is the rule: an operator sees only
//! its company's dossiers; an agent only the sites of a habilitation valid today, for their own
//! administration; the DGITM only aggregated figures; a technical administrator no dossier at all.
//!
//! Pure rules, no I/O: the server builds the [`Viewer`] from the session, then asks [`authorize`].

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::appointment::INSPECTION;
use super::directory::{Administration, Role};
use super::journey::{EventKind, EventSource};
use super::references::Locode;

/// The person asking, as the server established it from their session. Never built from what a
/// browser sends.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Viewer {
    pub user_id: i64,
    pub email: String,
    pub full_name: String,
    pub role: Role,
    /// The operator company, for operators.
    pub company_id: Option<i64>,
    /// Whether this operator administers their company's accounts (invites, removes colleagues).
    pub company_admin: bool,
    /// The administration, for agents, heads of service and supervisors.
    pub administration: Option<Administration>,
    /// Agents: sites of a habilitation valid today for their administration. Heads of service:
    /// sites of the posts they head.
    pub sites: Vec<Locode>,
    /// The sites whose posts' calendars they set: a head of service's sites, and for an agent
    /// those of a habilitation valid today that allows it.
    pub calendar_sites: Vec<Locode>,
    /// Operators: the companies their company represents today, each at the sites of a mandate
    /// in force (importer, site).
    pub represented: Vec<(i64, Locode)>,
    /// Whether the current version of the terms of use has been accepted.
    pub cgu_accepted: bool,
    /// Whether the technical administrator opened the rights desk to this account (of the
    /// DGDDI).
    pub rights_desk: bool,
    /// How many of their notifications are unread, for the bell (counted up to
    /// [`crate::domain::notification::UNREAD_SHOWN`] + 1).
    pub unread_notifications: i64,
}

impl Viewer {
    pub fn on_site(&self, site: &Locode) -> bool {
        self.sites.contains(site)
    }

    fn is_agent(&self) -> bool {
        matches!(self.role, Role::AgentDgddi | Role::AgentSivep)
    }
}

/// Every way into the platform that reads or changes something. A new page, server function,
/// form or stream gets a variant here, a rule in [`authorize`] and a row in the permission matrix
/// test; the server checks at start-up that every route it serves is listed in [`ROUTES`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EntryPoint {
    // Public.
    PublicPage,
    SignIn,
    RequestPasswordReset,
    ResetPassword,
    VerifyEmail,
    OidcSignIn,
    CguDocument,
    ListSites,
    /// Confirming an extra recipient's address: the link's token is the credential.
    ConfirmExtraRecipient,
    /// Following and completing one's request to join a company, opened when the customs
    /// account signed in someone without an account: the request's cookie is the credential.
    RequestAccess,
    // Any signed-in person, before the terms of use are accepted.
    SignOut,
    AcceptCgu,
    // Any signed-in person who accepted the terms of use.
    PersonalSpace,
    UpdateProfile,
    /// Changing one's own password (the current one is asked).
    ChangePassword,
    EndSession,
    /// One's own notifications: the centre, opening one, marking them read.
    Notifications,
    // Dossiers.
    ListDossiers,
    ReadDossier,
    /// The live stream of what happens to the dossiers one may see.
    LiveStream,
    // Operators: their company.
    CompanyColleagues,
    InviteColleague,
    /// Removing a colleague's account, or withdrawing an invitation not yet accepted.
    RemoveColleague,
    /// Company administrators: accepting or refusing a request to join their company (a person
    /// with no account yet).
    DecideAccessRequest,
    /// Company administrators: the outside addresses their company sends chosen notifications to.
    ManageExtraRecipients,
    /// The new companies waiting for verification at one's sites: agents and heads of service.
    VerifyCompanies,
    /// Reading a new company's extract of the company registry and accepting or refusing its
    /// inscription: the agents and heads of service of one of the sites it declares.
    VerifyCompany,
    /// Company administrators: their company's webhooks, their deliveries and tests.
    ManageWebhooks,
    /// Company administrators: the mandates of representation their company gives (and sees
    /// those it received); revoking one of their company's.
    ManageMandates,
    // Agents: their habilitations. Heads of service: granting them.
    OwnHabilitations,
    ManageHabilitations,
    GrantHabilitation,
    WithdrawHabilitation,
    /// Heads of service: inviting an agent into their administration, or withdrawing such an
    /// invitation not yet accepted.
    InviteAgent,
    /// The alerts desk: agents and heads of service for their sites, supervisors everywhere
    /// (reading only).
    AlertDesk,
    /// Taking an alert, closing it with a note: agents and heads of service of its site (a
    /// site's alert is asked about as a dossier of that site with no company).
    HandleAlert,
    /// Heads of service: the alert thresholds of the posts they head.
    ManageAlertThresholds,
    // Technical administrators: the keys of partner systems.
    ManagePartnerKeys,
    /// Technical administrators: opening sites and their border control posts.
    ManageSites,
    /// Technical administrators: maintenances, incidents and the sites' procédures de secours
    /// (page « État du service » of the administration).
    ManageService,
    /// Technical administrators: the accounts of the platform (names and addresses), and
    /// inviting the heads of service of the posts, the supervisors and the DGITM.
    ManageAccounts,
    /// Reading an account's state and deciding about it (suspension, reactivation, closing):
    /// technical administrators for any account but their own, heads of service for the agents
    /// of their administration and the operators of their sites.
    DecideAccount,
    // Rendez-vous. Operators: their company's appointments, and booking for its dossiers.
    MyAppointments,
    BookAppointment,
    // Agents and heads of service: the posts' plannings, deciding on appointments, the gate.
    Planning,
    DecideAppointment,
    /// A personal calendar feed: its secret address is the credential.
    CalendarFeed,
    /// Heads of service: the calendars and closures of the posts of their sites.
    ManageCalendars,
    // The digital import file.
    /// Downloading one document of a dossier: whoever reads the dossier, except the agents'
    /// internal documents, which stay with the administrations.
    ReadDocument,
    /// Adding a document to a dossier: its company's people and the agents of its site
    /// (supervisors read only).
    AddDocument,
    // Messaging.
    /// The exchanges one may read: an operator company's, or the inboxes of an agent's sites
    /// (supervisors everywhere, reading only).
    Messaging,
    /// Opening an exchange about a dossier (or a site): the company's people, to the
    /// administrations; the agents of its site, to the company (« demande de compléments »).
    OpenExchange,
    /// Reading an exchange: its company's people (without the internal notes), the agents of its
    /// site whatever their administration, supervisors.
    ReadExchange,
    /// Writing a message in an exchange: its company's people, and the agents of its site of the
    /// administration responsible for it (an exchange still to be oriented is taken first).
    ReplyExchange,
    /// Taking, assigning, changing the status of, transferring an exchange, and its internal
    /// notes: the agents of its site of the responsible administration, or of either while it
    /// is still to be oriented.
    HandleExchange,
    // The operator's card.
    /// Searching the operator companies one may read the card of: agents and heads of service
    /// among the companies present at their sites, supervisors among all.
    OperatorCards,
    /// Reading an operator's card: the agents and heads of service of a site where the company
    /// has dossiers (the card then covers those sites only), supervisors; never an operator,
    /// not even of that company (their own company is in their personal space).
    ReadOperatorCard,
    // The dashboards.
    /// The indicators of the dossiers, rendez-vous, alerts and exchanges, and their exports:
    /// supervisors everywhere, heads of service for the sites of the posts they head.
    Dashboards,
    /// The statistics (aggregates by site, month and goods category only, small counts hidden)
    /// and their exports: the DGITM, and supervisors who check what the DGITM receives.
    Statistics,
    /// The rights desk: the requests of the persons concerned about their data, their answers
    /// and the holds on records in dispute. The accounts of the DGDDI the technical
    /// administrator opened it to (the terms of use name the DGDDI as the point of contact).
    RightsDesk,
}

impl EntryPoint {
    pub const ALL: [EntryPoint; 60] = [
        EntryPoint::PublicPage,
        EntryPoint::SignIn,
        EntryPoint::RequestPasswordReset,
        EntryPoint::ResetPassword,
        EntryPoint::VerifyEmail,
        EntryPoint::OidcSignIn,
        EntryPoint::CguDocument,
        EntryPoint::ListSites,
        EntryPoint::ConfirmExtraRecipient,
        EntryPoint::RequestAccess,
        EntryPoint::SignOut,
        EntryPoint::AcceptCgu,
        EntryPoint::PersonalSpace,
        EntryPoint::UpdateProfile,
        EntryPoint::ChangePassword,
        EntryPoint::EndSession,
        EntryPoint::Notifications,
        EntryPoint::ListDossiers,
        EntryPoint::ReadDossier,
        EntryPoint::LiveStream,
        EntryPoint::CompanyColleagues,
        EntryPoint::InviteColleague,
        EntryPoint::RemoveColleague,
        EntryPoint::DecideAccessRequest,
        EntryPoint::ManageExtraRecipients,
        EntryPoint::VerifyCompanies,
        EntryPoint::VerifyCompany,
        EntryPoint::ManageWebhooks,
        EntryPoint::ManageMandates,
        EntryPoint::OwnHabilitations,
        EntryPoint::ManageHabilitations,
        EntryPoint::GrantHabilitation,
        EntryPoint::WithdrawHabilitation,
        EntryPoint::InviteAgent,
        EntryPoint::AlertDesk,
        EntryPoint::HandleAlert,
        EntryPoint::ManageAlertThresholds,
        EntryPoint::ManagePartnerKeys,
        EntryPoint::ManageSites,
        EntryPoint::ManageService,
        EntryPoint::ManageAccounts,
        EntryPoint::DecideAccount,
        EntryPoint::MyAppointments,
        EntryPoint::BookAppointment,
        EntryPoint::Planning,
        EntryPoint::DecideAppointment,
        EntryPoint::CalendarFeed,
        EntryPoint::ManageCalendars,
        EntryPoint::ReadDocument,
        EntryPoint::AddDocument,
        EntryPoint::Messaging,
        EntryPoint::OpenExchange,
        EntryPoint::ReadExchange,
        EntryPoint::ReplyExchange,
        EntryPoint::HandleExchange,
        EntryPoint::OperatorCards,
        EntryPoint::ReadOperatorCard,
        EntryPoint::Dashboards,
        EntryPoint::Statistics,
        EntryPoint::RightsDesk,
    ];

    /// Entry points open to anyone, signed in or not.
    pub fn is_public(self) -> bool {
        matches!(
            self,
            EntryPoint::PublicPage
                | EntryPoint::SignIn
                | EntryPoint::RequestPasswordReset
                | EntryPoint::ResetPassword
                | EntryPoint::VerifyEmail
                | EntryPoint::OidcSignIn
                | EntryPoint::CguDocument
                | EntryPoint::ListSites
                | EntryPoint::CalendarFeed
                | EntryPoint::ConfirmExtraRecipient
                | EntryPoint::RequestAccess
        )
    }

    /// What kind of thing the entry point is asked about, for the permission matrix.
    pub fn target_kind(self) -> TargetKind {
        match self {
            EntryPoint::ReadDossier
            | EntryPoint::HandleAlert
            | EntryPoint::BookAppointment
            | EntryPoint::DecideAppointment
            | EntryPoint::AddDocument
            | EntryPoint::OpenExchange => TargetKind::Dossier,
            EntryPoint::ReadDocument => TargetKind::Document,
            EntryPoint::ReadExchange | EntryPoint::ReplyExchange | EntryPoint::HandleExchange => {
                TargetKind::Exchange
            }
            EntryPoint::RemoveColleague | EntryPoint::DecideAccessRequest => TargetKind::Colleague,
            EntryPoint::GrantHabilitation | EntryPoint::WithdrawHabilitation => {
                TargetKind::Habilitation
            }
            EntryPoint::EndSession => TargetKind::Session,
            EntryPoint::ReadOperatorCard => TargetKind::Operator,
            EntryPoint::InviteAgent => TargetKind::AgentInvitation,
            EntryPoint::DecideAccount => TargetKind::Account,
            EntryPoint::VerifyCompany => TargetKind::NewCompany,
            EntryPoint::ManageMandates => TargetKind::Mandate,
            _ => TargetKind::Nothing,
        }
    }
}

/// The kinds of [`Target`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TargetKind {
    Nothing,
    Dossier,
    Document,
    Exchange,
    Colleague,
    Habilitation,
    Session,
    AgentInvitation,
    Operator,
    Account,
    NewCompany,
    Mandate,
}

/// What an entry point is asked about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target<'a> {
    /// The entry point as a whole (a page, a list filtered by [`dossier_scope`]).
    Nothing,
    Dossier {
        site: &'a Locode,
        company_id: Option<i64>,
    },
    /// A document of a dossier: the dossier's site and company, and whether it is one of the
    /// agents' internal documents.
    Document {
        site: &'a Locode,
        company_id: Option<i64>,
        internal: bool,
    },
    /// An exchange of the messaging: its site, its company, and the administration responsible
    /// for it (none while it is still to be oriented).
    Exchange {
        site: &'a Locode,
        company_id: Option<i64>,
        administration: Option<Administration>,
    },
    /// Another person of an operator company: a user, or someone invited who has no account
    /// yet (`user_id: None`, for withdrawing the invitation).
    Colleague {
        user_id: Option<i64>,
        company_id: Option<i64>,
    },
    /// A habilitation to grant or withdraw: the agent's role and administration, and the site.
    Habilitation {
        agent_role: Role,
        administration: Administration,
        site: &'a Locode,
    },
    /// A session, by its owner.
    Session { user_id: i64 },
    /// An invitation of an agent into an administration (to send, or to withdraw).
    AgentInvitation { administration: Administration },
    /// An operator company, with the sites where it has dossiers.
    Operator {
        company_id: i64,
        sites: &'a [Locode],
    },
    /// Someone's account: its role, its administration, and the sites it is of (an agent's
    /// habilitations, the sites of an operator's dossiers, a head's posts).
    Account {
        user_id: i64,
        role: Role,
        administration: Option<Administration>,
        sites: &'a [Locode],
    },
    /// A company not yet registered, by the sites its first person declares.
    NewCompany { sites: &'a [Locode] },
    /// A mandate of representation, by the company that gave it (`None`: one to give).
    Mandate { importer_id: Option<i64> },
}

/// Why a request is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Refusal {
    /// Nobody is signed in: sign in first (HTTP 401, or a redirection to `/connexion`).
    SignInRequired,
    /// The current terms of use must be accepted first.
    CguRequired,
    /// Signed in, but this is outside the person's need to know (HTTP 403).
    Forbidden,
}

impl Refusal {
    pub fn message(self) -> &'static str {
        match self {
            Refusal::SignInRequired => "Connectez-vous pour accéder à cette page.",
            Refusal::CguRequired => {
                "Acceptez les conditions générales d'utilisation en vigueur pour continuer."
            }
            Refusal::Forbidden => {
                "Accès refusé : cette information ne relève pas de votre périmètre."
            }
        }
    }

    pub fn status(self) -> u16 {
        match self {
            Refusal::SignInRequired => 401,
            Refusal::CguRequired | Refusal::Forbidden => 403,
        }
    }
}

/// Decides whether `viewer` (or nobody) may use `entry` on `target`.
pub fn authorize(
    viewer: Option<&Viewer>,
    entry: EntryPoint,
    target: Target,
) -> Result<(), Refusal> {
    if entry.is_public() {
        return Ok(());
    }
    let viewer = viewer.ok_or(Refusal::SignInRequired)?;
    if matches!(entry, EntryPoint::SignOut | EntryPoint::AcceptCgu) {
        return Ok(());
    }
    if !viewer.cgu_accepted {
        return Err(Refusal::CguRequired);
    }
    let allowed = match (entry, target) {
        (
            EntryPoint::PersonalSpace
            | EntryPoint::UpdateProfile
            | EntryPoint::ChangePassword
            | EntryPoint::Notifications,
            Target::Nothing,
        ) => true,
        (EntryPoint::EndSession, Target::Session { user_id }) => user_id == viewer.user_id,
        (EntryPoint::ListDossiers | EntryPoint::LiveStream, Target::Nothing) => {
            dossier_scope(viewer) != DossierScope::Nothing
        }
        (EntryPoint::ReadDossier, Target::Dossier { site, company_id }) => {
            dossier_scope(viewer).contains(site, company_id)
        }
        (EntryPoint::CompanyColleagues, Target::Nothing) => viewer.role == Role::Operateur,
        (
            EntryPoint::InviteColleague
            | EntryPoint::ManageExtraRecipients
            | EntryPoint::ManageWebhooks,
            Target::Nothing,
        ) => viewer.role == Role::Operateur && viewer.company_admin && viewer.company_id.is_some(),
        // An administrator gives their own company's mandates, and revokes only those.
        (EntryPoint::ManageMandates, Target::Mandate { importer_id }) => {
            viewer.role == Role::Operateur
                && viewer.company_admin
                && viewer.company_id.is_some()
                && importer_id.is_none_or(|importer| Some(importer) == viewer.company_id)
        }
        (
            EntryPoint::RemoveColleague,
            Target::Colleague {
                user_id,
                company_id,
            },
        ) => {
            viewer.role == Role::Operateur
                && viewer.company_admin
                && user_id != Some(viewer.user_id)
                && company_id.is_some()
                && company_id == viewer.company_id
        }
        (
            EntryPoint::DecideAccessRequest,
            Target::Colleague {
                user_id: None,
                company_id,
            },
        ) => {
            viewer.role == Role::Operateur
                && viewer.company_admin
                && company_id.is_some()
                && company_id == viewer.company_id
        }
        (EntryPoint::AlertDesk, Target::Nothing) => {
            matches!(
                viewer.role,
                Role::AgentDgddi | Role::AgentSivep | Role::ChefService | Role::Superviseur
            ) && dossier_scope(viewer) != DossierScope::Nothing
        }
        (EntryPoint::HandleAlert, Target::Dossier { site, company_id }) => {
            matches!(
                viewer.role,
                Role::AgentDgddi | Role::AgentSivep | Role::ChefService
            ) && dossier_scope(viewer).contains(site, company_id)
        }
        (EntryPoint::ManageAlertThresholds, Target::Nothing) => viewer.role == Role::ChefService,
        // The inspection services of a site vouch for the companies that come to work there.
        (EntryPoint::VerifyCompanies, Target::Nothing) => {
            matches!(
                viewer.role,
                Role::AgentDgddi | Role::AgentSivep | Role::ChefService
            ) && !viewer.sites.is_empty()
        }
        (EntryPoint::VerifyCompany, Target::NewCompany { sites }) => {
            matches!(
                viewer.role,
                Role::AgentDgddi | Role::AgentSivep | Role::ChefService
            ) && sites.iter().any(|site| viewer.on_site(site))
        }
        (
            EntryPoint::ManagePartnerKeys
            | EntryPoint::ManageSites
            | EntryPoint::ManageService
            | EntryPoint::ManageAccounts,
            Target::Nothing,
        ) => viewer.role == Role::Administrateur,
        // The page of an account, as a whole: what it shows is asked about the account.
        (EntryPoint::DecideAccount, Target::Nothing) => {
            matches!(viewer.role, Role::Administrateur | Role::ChefService)
        }
        // Never one's own account; a head of service only for the people of their sites: the
        // agents of their administration, the operators whose company has dossiers there.
        (
            EntryPoint::DecideAccount,
            Target::Account {
                user_id,
                role,
                administration,
                sites,
            },
        ) => {
            user_id != viewer.user_id
                && match viewer.role {
                    Role::Administrateur => true,
                    Role::ChefService => {
                        let theirs = match role {
                            Role::AgentDgddi | Role::AgentSivep => {
                                administration.is_some() && administration == viewer.administration
                            }
                            Role::Operateur => true,
                            _ => false,
                        };
                        theirs && sites.iter().any(|site| viewer.on_site(site))
                    }
                    _ => false,
                }
        }
        (EntryPoint::MyAppointments, Target::Nothing) => {
            viewer.role == Role::Operateur && viewer.company_id.is_some()
        }
        // Its company's people, and those of a representative it gave a mandate for the site.
        (EntryPoint::BookAppointment, Target::Dossier { site, company_id }) => {
            viewer.role == Role::Operateur && dossier_scope(viewer).contains(site, company_id)
        }
        // Appointments are for the inspection's checks: its people set the calendars and decide.
        (EntryPoint::ManageCalendars, Target::Nothing) => {
            matches!(viewer.role, Role::ChefService | Role::AgentSivep)
                && viewer.administration == Some(INSPECTION)
                && !viewer.calendar_sites.is_empty()
        }
        (EntryPoint::Planning, Target::Nothing) => {
            matches!(
                viewer.role,
                Role::AgentDgddi | Role::AgentSivep | Role::ChefService
            ) && !viewer.sites.is_empty()
        }
        (EntryPoint::DecideAppointment, Target::Dossier { site, company_id }) => {
            matches!(viewer.role, Role::AgentSivep | Role::ChefService)
                && viewer.administration == Some(INSPECTION)
                && dossier_scope(viewer).contains(site, company_id)
        }
        (
            EntryPoint::ReadDocument,
            Target::Document {
                site,
                company_id,
                internal,
            },
        ) => {
            dossier_scope(viewer).contains(site, company_id)
                && (!internal || super::document::sees_internal(viewer.role))
        }
        (EntryPoint::AddDocument, Target::Dossier { site, company_id }) => {
            super::document::AuthorKind::of_role(viewer.role).is_some()
                && dossier_scope(viewer).contains(site, company_id)
        }
        (EntryPoint::Messaging, Target::Nothing) => dossier_scope(viewer) != DossierScope::Nothing,
        (EntryPoint::OpenExchange, Target::Dossier { site, company_id }) => {
            matches!(
                viewer.role,
                Role::Operateur | Role::AgentDgddi | Role::AgentSivep | Role::ChefService
            ) && dossier_scope(viewer).contains(site, company_id)
        }
        (
            EntryPoint::ReadExchange,
            Target::Exchange {
                site, company_id, ..
            },
        ) => dossier_scope(viewer).contains(site, company_id),
        (
            EntryPoint::ReplyExchange,
            Target::Exchange {
                site,
                company_id,
                administration,
            },
        ) => match viewer.role {
            Role::Operateur => dossier_scope(viewer).contains(site, company_id),
            Role::AgentDgddi | Role::AgentSivep | Role::ChefService => {
                viewer.on_site(site)
                    && administration.is_some()
                    && viewer.administration == administration
            }
            _ => false,
        },
        (
            EntryPoint::HandleExchange,
            Target::Exchange {
                site,
                administration,
                ..
            },
        ) => {
            matches!(
                viewer.role,
                Role::AgentDgddi | Role::AgentSivep | Role::ChefService
            ) && viewer.on_site(site)
                && administration
                    .is_none_or(|responsible| viewer.administration == Some(responsible))
        }
        (EntryPoint::OperatorCards, Target::Nothing) => match viewer.role {
            Role::AgentDgddi | Role::AgentSivep | Role::ChefService => !viewer.sites.is_empty(),
            Role::Superviseur => true,
            _ => false,
        },
        (EntryPoint::ReadOperatorCard, Target::Operator { sites, .. }) => match viewer.role {
            Role::AgentDgddi | Role::AgentSivep | Role::ChefService => {
                sites.iter().any(|site| viewer.on_site(site))
            }
            Role::Superviseur => true,
            _ => false,
        },
        (EntryPoint::Dashboards, Target::Nothing) => match viewer.role {
            Role::ChefService => !viewer.sites.is_empty(),
            Role::Superviseur => true,
            _ => false,
        },
        (EntryPoint::Statistics, Target::Nothing) => {
            matches!(viewer.role, Role::Dgitm | Role::Superviseur)
        }
        (EntryPoint::RightsDesk, Target::Nothing) => {
            viewer.rights_desk && viewer.administration == Some(Administration::Dgddi)
        }
        (EntryPoint::OwnHabilitations, Target::Nothing) => viewer.is_agent(),
        (EntryPoint::ManageHabilitations, Target::Nothing) => viewer.role == Role::ChefService,
        (
            EntryPoint::GrantHabilitation | EntryPoint::WithdrawHabilitation,
            Target::Habilitation {
                agent_role,
                administration,
                site,
            },
        ) => {
            viewer.role == Role::ChefService
                && viewer.administration == Some(administration)
                && agent_role.administration() == Some(administration)
                && viewer.on_site(site)
        }
        // Into their own administration only: a SIVEP head brings SIVEP agents.
        (EntryPoint::InviteAgent, Target::AgentInvitation { administration }) => {
            viewer.role == Role::ChefService && viewer.administration == Some(administration)
        }
        _ => false,
    };
    if allowed {
        Ok(())
    } else {
        Err(Refusal::Forbidden)
    }
}

/// What a partner key reaches: the sources and sites it was issued for (`None`: every one).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartnerScope {
    pub sources: Option<Vec<EventSource>>,
    pub sites: Option<Vec<Locode>>,
}

impl PartnerScope {
    /// The scope as keys store it: `*`, or codes separated by commas (unknown codes reach
    /// nothing).
    pub fn parse(sources: &str, sites: &str) -> PartnerScope {
        fn list<T>(text: &str, parse: impl Fn(&str) -> Option<T>) -> Option<Vec<T>> {
            (text.trim() != "*").then(|| {
                text.split(',')
                    .filter_map(|code| parse(code.trim()))
                    .collect()
            })
        }
        PartnerScope {
            sources: list(sources, EventSource::from_code),
            sites: list(sites, |code| Locode::parse(code).ok()),
        }
    }

    pub fn allows_source(&self, source: EventSource) -> bool {
        self.sources
            .as_ref()
            .is_none_or(|sources| sources.contains(&source))
    }

    pub fn allows_site(&self, site: &Locode) -> bool {
        self.sites.as_ref().is_none_or(|sites| sites.contains(site))
    }
}

/// Why the partner interface refuses an event, each naming the field at fault (HTTP 403).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PartnerRefusal {
    /// The key was not issued for this source.
    Source,
    /// The key was not issued for this site.
    Site,
    /// The source is not the authority for this type of event.
    Authority,
}

impl PartnerRefusal {
    pub fn field(self) -> &'static str {
        match self {
            PartnerRefusal::Source => "source",
            PartnerRefusal::Site => "site",
            PartnerRefusal::Authority => "type",
        }
    }
}

/// Decides whether a partner key may submit an event of this source, type and site: every
/// reason it may not, in the order of the fields. Where the event's references lead is the
/// store's to keep within the event's site (an event joins only a dossier of its own site).
pub fn authorize_event(
    scope: &PartnerScope,
    source: EventSource,
    kind: EventKind,
    site: &Locode,
) -> Result<(), Vec<PartnerRefusal>> {
    authorize_partner(scope, source, site, source.reports(kind))
}

/// Decides whether a partner key may send a document of this kind for this site, as for an
/// event: every reason it may not (the authority is over the document's kind).
pub fn authorize_document(
    scope: &PartnerScope,
    source: EventSource,
    kind: super::document::DocumentKind,
    site: &Locode,
) -> Result<(), Vec<PartnerRefusal>> {
    authorize_partner(scope, source, site, kind.sent_by(source))
}

/// Every reason a partner key may not send for `source` and `site`, in the order of the fields,
/// `authority` saying whether the source is the authority for what it sends.
fn authorize_partner(
    scope: &PartnerScope,
    source: EventSource,
    site: &Locode,
    authority: bool,
) -> Result<(), Vec<PartnerRefusal>> {
    let mut refusals = Vec::new();
    if !scope.allows_source(source) {
        refusals.push(PartnerRefusal::Source);
    }
    if !scope.allows_site(site) {
        refusals.push(PartnerRefusal::Site);
    }
    if !authority {
        refusals.push(PartnerRefusal::Authority);
    }
    if refusals.is_empty() {
        Ok(())
    } else {
        Err(refusals)
    }
}

/// The day it is in metropolitan France: habilitations start and end on French calendar days.
pub fn local_day(now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&chrono_tz::Europe::Paris).date_naive()
}

/// Which dossiers a viewer may see, for lists: applied by the store in the query itself.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DossierScope {
    /// Every dossier (supervisors, who follow the whole activity).
    All,
    /// The dossiers of one company (operators), and those of the companies it represents at the
    /// sites of their mandates in force (importer, site).
    Company {
        id: i64,
        represented: Vec<(i64, Locode)>,
    },
    /// The dossiers of these sites (agents, heads of service).
    Sites(Vec<Locode>),
    /// None at all.
    Nothing,
}

impl DossierScope {
    pub fn contains(&self, site: &Locode, company_id: Option<i64>) -> bool {
        match self {
            DossierScope::All => true,
            DossierScope::Company { id, represented } => match company_id {
                Some(company) => {
                    company == *id
                        || represented
                            .iter()
                            .any(|(importer, at)| *importer == company && at == site)
                }
                None => false,
            },
            DossierScope::Sites(sites) => sites.contains(site),
            DossierScope::Nothing => false,
        }
    }
}

/// The dossiers `viewer` may see. The DGITM sees aggregated figures only, and technical
/// administrators no dossier.
pub fn dossier_scope(viewer: &Viewer) -> DossierScope {
    match viewer.role {
        Role::Operateur => viewer
            .company_id
            .map(|id| DossierScope::Company {
                id,
                represented: viewer.represented.clone(),
            })
            .unwrap_or(DossierScope::Nothing),
        Role::AgentDgddi | Role::AgentSivep | Role::ChefService => {
            if viewer.sites.is_empty() {
                DossierScope::Nothing
            } else {
                DossierScope::Sites(viewer.sites.clone())
            }
        }
        Role::Superviseur => DossierScope::All,
        Role::Dgitm | Role::Administrateur => DossierScope::Nothing,
    }
}

/// The pages of the platform and the entry point each one is: a test fails for a page route not
/// listed here, and the server redirects to sign-in before rendering a page that needs it. A
/// dossier's page is guarded as the list is; the dossier itself is checked by its server
/// function ([`EntryPoint::ReadDossier`]). `{}` stands for one path segment.
pub const ROUTES: [(&str, EntryPoint); 55] = [
    ("/", EntryPoint::PublicPage),
    ("/informations-reglementaires", EntryPoint::PublicPage),
    ("/informations-pratiques", EntryPoint::PublicPage),
    ("/guide", EntryPoint::PublicPage),
    ("/faq", EntryPoint::PublicPage),
    ("/contact", EntryPoint::PublicPage),
    ("/cgu", EntryPoint::PublicPage),
    ("/donnees-personnelles", EntryPoint::PublicPage),
    ("/accessibilite", EntryPoint::PublicPage),
    ("/compte-suspendu", EntryPoint::PublicPage),
    ("/demande-acces", EntryPoint::RequestAccess),
    ("/mentions-legales", EntryPoint::PublicPage),
    ("/etat-du-service", EntryPoint::PublicPage),
    ("/connexion", EntryPoint::SignIn),
    ("/connexion/lien", EntryPoint::SignIn),
    ("/connexion/oidc/{}", EntryPoint::OidcSignIn),
    ("/connexion/oidc/{}/retour", EntryPoint::OidcSignIn),
    ("/mot-de-passe-oublie", EntryPoint::RequestPasswordReset),
    ("/mot-de-passe/nouveau", EntryPoint::ResetPassword),
    ("/verification", EntryPoint::VerifyEmail),
    ("/deconnexion", EntryPoint::SignOut),
    ("/cgu/acceptation", EntryPoint::AcceptCgu),
    ("/espace", EntryPoint::PersonalSpace),
    ("/espace/donnees", EntryPoint::PersonalSpace),
    ("/accueil", EntryPoint::PersonalSpace),
    ("/notifications", EntryPoint::Notifications),
    ("/notifications/preferences", EntryPoint::Notifications),
    (
        "/notifications/destinataires",
        EntryPoint::ManageExtraRecipients,
    ),
    ("/notifications/webhooks", EntryPoint::ManageWebhooks),
    (
        "/confirmation-destinataire",
        EntryPoint::ConfirmExtraRecipient,
    ),
    ("/dossiers", EntryPoint::ListDossiers),
    ("/dossiers/{}", EntryPoint::ListDossiers),
    ("/habilitations", EntryPoint::ManageHabilitations),
    ("/alertes", EntryPoint::AlertDesk),
    ("/alertes/seuils", EntryPoint::ManageAlertThresholds),
    (
        "/administration/cles-partenaires",
        EntryPoint::ManagePartnerKeys,
    ),
    ("/administration/sites", EntryPoint::ManageSites),
    ("/administration/maintenance", EntryPoint::ManageService),
    ("/administration/comptes", EntryPoint::ManageAccounts),
    ("/comptes/{}", EntryPoint::DecideAccount),
    ("/verifications-entreprises", EntryPoint::VerifyCompanies),
    ("/rendez-vous", EntryPoint::MyAppointments),
    ("/dossiers/{}/rendez-vous", EntryPoint::MyAppointments),
    ("/planning", EntryPoint::Planning),
    ("/controle-arrivee", EntryPoint::Planning),
    ("/postes/calendrier", EntryPoint::ManageCalendars),
    ("/messagerie", EntryPoint::Messaging),
    // Before `/messagerie/{}`: the first pattern that matches wins.
    ("/messagerie/nouvelle", EntryPoint::Messaging),
    ("/messagerie/{}", EntryPoint::Messaging),
    ("/operateurs", EntryPoint::OperatorCards),
    ("/operateurs/{}", EntryPoint::OperatorCards),
    ("/tableaux-de-bord", EntryPoint::Dashboards),
    ("/statistiques", EntryPoint::Statistics),
    ("/droits", EntryPoint::RightsDesk),
    ("/droits/{}", EntryPoint::RightsDesk),
];

/// The entry point of a page path, or `None` for a path the platform does not serve as a page.
pub fn route_entry(path: &str) -> Option<EntryPoint> {
    let path = if path.len() > 1 {
        path.trim_end_matches('/')
    } else {
        path
    };
    let segments: Vec<&str> = path.split('/').collect();
    ROUTES.iter().find_map(|(pattern, entry)| {
        let pattern: Vec<&str> = pattern.split('/').collect();
        let matches = pattern.len() == segments.len()
            && pattern.iter().zip(&segments).all(|(expected, actual)| {
                *expected == "{}" && !actual.is_empty() || expected == actual
            });
        matches.then_some(*entry)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_are_recognised_with_their_parameters() {
        assert_eq!(route_entry("/"), Some(EntryPoint::PublicPage));
        assert_eq!(route_entry("/dossiers"), Some(EntryPoint::ListDossiers));
        assert_eq!(route_entry("/dossiers/"), Some(EntryPoint::ListDossiers));
        assert_eq!(route_entry("/dossiers/42"), Some(EntryPoint::ListDossiers));
        assert_eq!(route_entry("/dossiers/42/x"), None);
        assert_eq!(
            route_entry("/connexion/oidc/douane/retour"),
            Some(EntryPoint::OidcSignIn)
        );
        assert_eq!(route_entry("/inconnu"), None);
    }
}
