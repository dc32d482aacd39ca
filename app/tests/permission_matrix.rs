//! The permission matrix: every role (and nobody, and someone who has not accepted the terms of
//! use yet) against every entry point and every kind of resource (own / other company, own /
//! other site, own / other administration), with the decision written out. A new entry point
//! without a row here makes the test fail.
//!
//! Cells: `A` allowed, `D` refused (403), `L` sign-in required (401), `C` terms of use first.
//! Columns, in this order:
//!   anonyme, CGU non acceptées (opérateur), opérateur, opérateur administrateur de l'entreprise,
//!   agent DGDDI, agent SIVEP, chef de service (DGAL), superviseur, DGITM, administrateur.
//! The people: operators of company 1; agents and the head of service on site FRLEH only.

use app::domain::access::{
    authorize, authorize_event, EntryPoint, PartnerRefusal, PartnerScope, Refusal, Target,
    TargetKind, Viewer,
};
use app::domain::directory::{Administration, Role};
use app::domain::journey::{EventKind, EventSource};
use app::domain::references::Locode;

const OWN_COMPANY: i64 = 1;
const OTHER_COMPANY: i64 = 2;

fn own_site() -> Locode {
    Locode::parse("FRLEH").unwrap()
}

fn other_site() -> Locode {
    Locode::parse("FRFOS").unwrap()
}

/// The ten people of the columns; `None` is nobody signed in.
fn people() -> Vec<(&'static str, Option<Viewer>)> {
    let viewer = |role: Role, company_admin: bool, cgu_accepted: bool| Viewer {
        user_id: 10,
        email: "personne@example.test".into(),
        full_name: "Personne".into(),
        role,
        company_id: (role == Role::Operateur).then_some(OWN_COMPANY),
        company_admin,
        administration: match role {
            Role::AgentDgddi => Some(Administration::Dgddi),
            Role::AgentSivep | Role::ChefService | Role::Superviseur => Some(Administration::Dgal),
            _ => None,
        },
        sites: match role {
            Role::AgentDgddi | Role::AgentSivep | Role::ChefService => vec![own_site()],
            _ => vec![],
        },
        // Agents set calendars only when a head allows it (see the integration tests).
        calendar_sites: match role {
            Role::ChefService => vec![own_site()],
            _ => vec![],
        },
        represented: vec![],
        cgu_accepted,
        // The rights desk is opened to one account of the DGDDI at a time: see below.
        rights_desk: false,
        unread_notifications: 0,
    };
    vec![
        ("anonyme", None),
        (
            "CGU non acceptées",
            Some(viewer(Role::Operateur, false, false)),
        ),
        ("opérateur", Some(viewer(Role::Operateur, false, true))),
        ("opérateur admin", Some(viewer(Role::Operateur, true, true))),
        ("agent DGDDI", Some(viewer(Role::AgentDgddi, false, true))),
        ("agent SIVEP", Some(viewer(Role::AgentSivep, false, true))),
        (
            "chef de service",
            Some(viewer(Role::ChefService, false, true)),
        ),
        ("superviseur", Some(viewer(Role::Superviseur, false, true))),
        ("DGITM", Some(viewer(Role::Dgitm, false, true))),
        (
            "administrateur",
            Some(viewer(Role::Administrateur, false, true)),
        ),
    ]
}

/// The resources an entry point is asked about, by kind, each with its name in the report.
fn resources(
    kind: TargetKind,
    own: &Locode,
    other: &Locode,
) -> Vec<(&'static str, Target<'static>)> {
    // The targets borrow sites for the whole test; leaking two tiny values keeps this simple.
    let own: &'static Locode = Box::leak(Box::new(own.clone()));
    let other: &'static Locode = Box::leak(Box::new(other.clone()));
    match kind {
        TargetKind::Nothing => vec![("—", Target::Nothing)],
        TargetKind::Dossier => vec![
            (
                "dossier : même entreprise, même site",
                Target::Dossier {
                    site: own,
                    company_id: Some(OWN_COMPANY),
                },
            ),
            (
                "dossier : même entreprise, autre site",
                Target::Dossier {
                    site: other,
                    company_id: Some(OWN_COMPANY),
                },
            ),
            (
                "dossier : autre entreprise, même site",
                Target::Dossier {
                    site: own,
                    company_id: Some(OTHER_COMPANY),
                },
            ),
            (
                "dossier : autre entreprise, autre site",
                Target::Dossier {
                    site: other,
                    company_id: Some(OTHER_COMPANY),
                },
            ),
        ],
        TargetKind::Document => {
            let document = |site, company_id, internal| Target::Document {
                site,
                company_id,
                internal,
            };
            vec![
                (
                    "document : même entreprise, même site",
                    document(own, Some(OWN_COMPANY), false),
                ),
                (
                    "document interne des agents : même entreprise, même site",
                    document(own, Some(OWN_COMPANY), true),
                ),
                (
                    "document : même entreprise, autre site",
                    document(other, Some(OWN_COMPANY), false),
                ),
                (
                    "document : autre entreprise, même site",
                    document(own, Some(OTHER_COMPANY), false),
                ),
                (
                    "document interne des agents : autre entreprise, même site",
                    document(own, Some(OTHER_COMPANY), true),
                ),
                (
                    "document : autre entreprise, autre site",
                    document(other, Some(OTHER_COMPANY), false),
                ),
            ]
        }
        TargetKind::Colleague => vec![
            (
                "collègue de la même entreprise",
                Target::Colleague {
                    user_id: Some(11),
                    company_id: Some(OWN_COMPANY),
                },
            ),
            (
                "utilisateur d'une autre entreprise",
                Target::Colleague {
                    user_id: Some(12),
                    company_id: Some(OTHER_COMPANY),
                },
            ),
            (
                "soi-même",
                Target::Colleague {
                    user_id: Some(10),
                    company_id: Some(OWN_COMPANY),
                },
            ),
            (
                "invitation de la même entreprise",
                Target::Colleague {
                    user_id: None,
                    company_id: Some(OWN_COMPANY),
                },
            ),
            (
                "invitation d'une autre entreprise",
                Target::Colleague {
                    user_id: None,
                    company_id: Some(OTHER_COMPANY),
                },
            ),
        ],
        TargetKind::Habilitation => vec![
            (
                "agent SIVEP, site du chef",
                Target::Habilitation {
                    agent_role: Role::AgentSivep,
                    administration: Administration::Dgal,
                    site: own,
                },
            ),
            (
                "agent SIVEP, autre site",
                Target::Habilitation {
                    agent_role: Role::AgentSivep,
                    administration: Administration::Dgal,
                    site: other,
                },
            ),
            (
                "agent DGDDI, site du chef",
                Target::Habilitation {
                    agent_role: Role::AgentDgddi,
                    administration: Administration::Dgddi,
                    site: own,
                },
            ),
            // The head's own administration asked for an agent of the other one: still refused.
            (
                "agent DGDDI habilité DGAL, site du chef",
                Target::Habilitation {
                    agent_role: Role::AgentDgddi,
                    administration: Administration::Dgal,
                    site: own,
                },
            ),
        ],
        TargetKind::AgentInvitation => vec![
            (
                "invitation d'agent de sa propre administration (DGAL)",
                Target::AgentInvitation {
                    administration: Administration::Dgal,
                },
            ),
            (
                "invitation d'agent d'une autre administration (DGDDI)",
                Target::AgentInvitation {
                    administration: Administration::Dgddi,
                },
            ),
        ],
        TargetKind::Exchange => {
            let exchange = |site, company_id, administration| Target::Exchange {
                site,
                company_id,
                administration,
            };
            vec![
                (
                    "échange : même entreprise, même site, DGAL",
                    exchange(own, Some(OWN_COMPANY), Some(Administration::Dgal)),
                ),
                (
                    "échange : même entreprise, même site, DGDDI",
                    exchange(own, Some(OWN_COMPANY), Some(Administration::Dgddi)),
                ),
                (
                    "échange : même entreprise, même site, à orienter",
                    exchange(own, Some(OWN_COMPANY), None),
                ),
                (
                    "échange : même entreprise, autre site, DGAL",
                    exchange(other, Some(OWN_COMPANY), Some(Administration::Dgal)),
                ),
                (
                    "échange : autre entreprise, même site, DGAL",
                    exchange(own, Some(OTHER_COMPANY), Some(Administration::Dgal)),
                ),
                (
                    "échange : autre entreprise, autre site, DGAL",
                    exchange(other, Some(OTHER_COMPANY), Some(Administration::Dgal)),
                ),
            ]
        }
        TargetKind::Operator => {
            let sites: &'static [Locode] = Box::leak(Box::new([own.clone()]));
            let elsewhere: &'static [Locode] = Box::leak(Box::new([other.clone()]));
            let both: &'static [Locode] = Box::leak(Box::new([own.clone(), other.clone()]));
            vec![
                (
                    "opérateur : sa propre entreprise, présente sur le site",
                    Target::Operator {
                        company_id: OWN_COMPANY,
                        sites,
                    },
                ),
                (
                    "opérateur : autre entreprise, présente sur le site et ailleurs",
                    Target::Operator {
                        company_id: OTHER_COMPANY,
                        sites: both,
                    },
                ),
                (
                    "opérateur : autre entreprise, présente ailleurs seulement",
                    Target::Operator {
                        company_id: OTHER_COMPANY,
                        sites: elsewhere,
                    },
                ),
                (
                    "opérateur : autre entreprise, sans dossier",
                    Target::Operator {
                        company_id: OTHER_COMPANY,
                        sites: &[],
                    },
                ),
            ]
        }
        TargetKind::Account => {
            let here: &'static [Locode] = Box::leak(Box::new([own.clone()]));
            let elsewhere: &'static [Locode] = Box::leak(Box::new([other.clone()]));
            let both: &'static [Locode] = Box::leak(Box::new([own.clone(), other.clone()]));
            let account = |user_id, role, administration, sites| Target::Account {
                user_id,
                role,
                administration,
                sites,
            };
            vec![
                ("compte : le sien", account(10, Role::Operateur, None, here)),
                (
                    "compte : agent SIVEP habilité sur le site",
                    account(99, Role::AgentSivep, Some(Administration::Dgal), here),
                ),
                (
                    "compte : agent DGDDI habilité sur le site",
                    account(99, Role::AgentDgddi, Some(Administration::Dgddi), here),
                ),
                (
                    "compte : agent SIVEP habilité ailleurs seulement",
                    account(99, Role::AgentSivep, Some(Administration::Dgal), elsewhere),
                ),
                (
                    "compte : opérateur d'une entreprise présente sur le site",
                    account(99, Role::Operateur, None, both),
                ),
                (
                    "compte : opérateur d'une entreprise présente ailleurs seulement",
                    account(99, Role::Operateur, None, elsewhere),
                ),
                (
                    "compte : chef de service du site",
                    account(99, Role::ChefService, Some(Administration::Dgal), here),
                ),
                (
                    "compte : superviseur",
                    account(99, Role::Superviseur, Some(Administration::Dgal), &[]),
                ),
            ]
        }
        TargetKind::NewCompany => {
            let here: &'static [Locode] = Box::leak(Box::new([own.clone()]));
            let elsewhere: &'static [Locode] = Box::leak(Box::new([other.clone()]));
            let both: &'static [Locode] = Box::leak(Box::new([other.clone(), own.clone()]));
            vec![
                (
                    "nouvelle entreprise : déclarée sur le site",
                    Target::NewCompany { sites: here },
                ),
                (
                    "nouvelle entreprise : déclarée sur ce site et un autre",
                    Target::NewCompany { sites: both },
                ),
                (
                    "nouvelle entreprise : déclarée ailleurs seulement",
                    Target::NewCompany { sites: elsewhere },
                ),
            ]
        }
        TargetKind::Mandate => vec![
            ("mandat à donner", Target::Mandate { importer_id: None }),
            (
                "mandat donné par sa propre entreprise",
                Target::Mandate {
                    importer_id: Some(OWN_COMPANY),
                },
            ),
            (
                "mandat donné par une autre entreprise",
                Target::Mandate {
                    importer_id: Some(OTHER_COMPANY),
                },
            ),
        ],
        TargetKind::Session => vec![
            ("sa propre session", Target::Session { user_id: 10 }),
            ("la session d'un autre", Target::Session { user_id: 99 }),
        ],
    }
}

/// The expected decisions: one row per entry point, one string of ten cells per resource.
const MATRIX: &[(EntryPoint, &[&str])] = &[
    (EntryPoint::PublicPage, &["AAAAAAAAAA"]),
    (EntryPoint::SignIn, &["AAAAAAAAAA"]),
    (EntryPoint::RequestPasswordReset, &["AAAAAAAAAA"]),
    (EntryPoint::ResetPassword, &["AAAAAAAAAA"]),
    (EntryPoint::VerifyEmail, &["AAAAAAAAAA"]),
    (EntryPoint::ConfirmExtraRecipient, &["AAAAAAAAAA"]),
    (EntryPoint::RequestAccess, &["AAAAAAAAAA"]),
    (EntryPoint::OidcSignIn, &["AAAAAAAAAA"]),
    (EntryPoint::CguDocument, &["AAAAAAAAAA"]),
    (EntryPoint::ListSites, &["AAAAAAAAAA"]),
    (EntryPoint::SignOut, &["LAAAAAAAAA"]),
    (EntryPoint::AcceptCgu, &["LAAAAAAAAA"]),
    (EntryPoint::PersonalSpace, &["LCAAAAAAAA"]),
    (EntryPoint::UpdateProfile, &["LCAAAAAAAA"]),
    (EntryPoint::ChangePassword, &["LCAAAAAAAA"]),
    (EntryPoint::Notifications, &["LCAAAAAAAA"]),
    (EntryPoint::EndSession, &["LCAAAAAAAA", "LCDDDDDDDD"]),
    (EntryPoint::ListDossiers, &["LCAAAAAADD"]),
    (EntryPoint::LiveStream, &["LCAAAAAADD"]),
    (
        EntryPoint::ReadDossier,
        &["LCAAAAAADD", "LCAADDDADD", "LCDDAAAADD", "LCDDDDDADD"],
    ),
    (EntryPoint::CompanyColleagues, &["LCAADDDDDD"]),
    (EntryPoint::InviteColleague, &["LCDADDDDDD"]),
    (EntryPoint::ManageExtraRecipients, &["LCDADDDDDD"]),
    (EntryPoint::ManageWebhooks, &["LCDADDDDDD"]),
    (
        EntryPoint::RemoveColleague,
        &[
            "LCDADDDDDD",
            "LCDDDDDDDD",
            "LCDDDDDDDD",
            "LCDADDDDDD",
            "LCDDDDDDDD",
        ],
    ),
    (
        EntryPoint::DecideAccessRequest,
        &[
            "LCDDDDDDDD",
            "LCDDDDDDDD",
            "LCDDDDDDDD",
            "LCDADDDDDD",
            "LCDDDDDDDD",
        ],
    ),
    // A new company's inscription: the inspection services of a site it declares verify its
    // extract of the company registry — agents of either administration and heads of service;
    // not the supervisor (no site of their own), not an operator, not the administrator.
    (EntryPoint::VerifyCompanies, &["LCDDAAADDD"]),
    (
        EntryPoint::VerifyCompany,
        &["LCDDAAADDD", "LCDDAAADDD", "LCDDDDDDDD"],
    ),
    // Mandates: a company's administrators give theirs and revoke only those; nobody else.
    (
        EntryPoint::ManageMandates,
        &["LCDADDDDDD", "LCDADDDDDD", "LCDDDDDDDD"],
    ),
    (EntryPoint::OwnHabilitations, &["LCDDAADDDD"]),
    (EntryPoint::ManageHabilitations, &["LCDDDDADDD"]),
    (
        EntryPoint::GrantHabilitation,
        &["LCDDDDADDD", "LCDDDDDDDD", "LCDDDDDDDD", "LCDDDDDDDD"],
    ),
    (
        EntryPoint::WithdrawHabilitation,
        &["LCDDDDADDD", "LCDDDDDDDD", "LCDDDDDDDD", "LCDDDDDDDD"],
    ),
    // Only a head of service, only into their own administration: not an agent, not the
    // supervisor of the same administration, not the DGITM.
    (EntryPoint::InviteAgent, &["LCDDDDADDD", "LCDDDDDDDD"]),
    (EntryPoint::AlertDesk, &["LCDDAAAADD"]),
    (
        EntryPoint::HandleAlert,
        &["LCDDAAADDD", "LCDDDDDDDD", "LCDDAAADDD", "LCDDDDDDDD"],
    ),
    (EntryPoint::ManageAlertThresholds, &["LCDDDDADDD"]),
    (EntryPoint::ManagePartnerKeys, &["LCDDDDDDDA"]),
    (EntryPoint::ManageSites, &["LCDDDDDDDA"]),
    (EntryPoint::ManageService, &["LCDDDDDDDA"]),
    // Accounts: the technical administrator lists them and invites the State's accounts; an
    // account's suspension, reactivation or closing is theirs for any account but their own, and
    // a head of service's for the agents of their administration and the operators of their
    // sites — never another head, a supervisor, nor themselves.
    (EntryPoint::ManageAccounts, &["LCDDDDDDDA"]),
    (
        EntryPoint::DecideAccount,
        &[
            "LCDDDDDDDD",
            "LCDDDDADDA",
            "LCDDDDDDDA",
            "LCDDDDDDDA",
            "LCDDDDADDA",
            "LCDDDDDDDA",
            "LCDDDDDDDA",
            "LCDDDDDDDA",
        ],
    ),
    (EntryPoint::MyAppointments, &["LCAADDDDDD"]),
    (
        EntryPoint::BookAppointment,
        &["LCAADDDDDD", "LCAADDDDDD", "LCDDDDDDDD", "LCDDDDDDDD"],
    ),
    (EntryPoint::Planning, &["LCDDAAADDD"]),
    (
        EntryPoint::DecideAppointment,
        &["LCDDDAADDD", "LCDDDDDDDD", "LCDDDAADDD", "LCDDDDDDDD"],
    ),
    (EntryPoint::CalendarFeed, &["AAAAAAAAAA"]),
    (EntryPoint::ManageCalendars, &["LCDDDDADDD"]),
    // The digital import file: the operator never gets the agents' internal documents; the
    // supervisor reads everything and adds nothing; the DGITM and the administrator nothing.
    (
        EntryPoint::ReadDocument,
        &[
            "LCAAAAAADD",
            "LCDDAAAADD",
            "LCAADDDADD",
            "LCDDAAAADD",
            "LCDDAAAADD",
            "LCDDDDDADD",
        ],
    ),
    (
        EntryPoint::AddDocument,
        &["LCAAAAADDD", "LCAADDDDDD", "LCDDAAADDD", "LCDDDDDDDD"],
    ),
    // Messaging: agents of both administrations at a site read every exchange of that site;
    // only the responsible administration replies and handles; one still to be oriented is
    // handled (taken) by either; the supervisor reads; the DGITM and the administrator nothing.
    (EntryPoint::Messaging, &["LCAAAAAADD"]),
    // The operator's card: the agents and heads of service of a site where the company has
    // dossiers, supervisors everywhere; no operator (not even for their own company), no DGITM,
    // no administrator.
    (EntryPoint::OperatorCards, &["LCDDAAAADD"]),
    (
        EntryPoint::ReadOperatorCard,
        &["LCDDAAAADD", "LCDDAAAADD", "LCDDDDDADD", "LCDDDDDADD"],
    ),
    // Dashboards: supervisors everywhere, heads of service for their sites; the statistics: the
    // DGITM and supervisors. Nobody else, not an agent, not an operator.
    (EntryPoint::Dashboards, &["LCDDDDAADD"]),
    (EntryPoint::Statistics, &["LCDDDDDAAD"]),
    // Nobody by their role alone: the desk is opened to an account (see
    // `the_rights_desk_is_opened_to_accounts_of_the_dgddi_only`).
    (EntryPoint::RightsDesk, &["LCDDDDDDDD"]),
    (
        EntryPoint::OpenExchange,
        &["LCAAAAADDD", "LCAADDDDDD", "LCDDAAADDD", "LCDDDDDDDD"],
    ),
    (
        EntryPoint::ReadExchange,
        &[
            "LCAAAAAADD",
            "LCAAAAAADD",
            "LCAAAAAADD",
            "LCAADDDADD",
            "LCDDAAAADD",
            "LCDDDDDADD",
        ],
    ),
    (
        EntryPoint::ReplyExchange,
        &[
            "LCAADAADDD",
            "LCAAADDDDD",
            "LCAADDDDDD",
            "LCAADDDDDD",
            "LCDDDAADDD",
            "LCDDDDDDDD",
        ],
    ),
    (
        EntryPoint::HandleExchange,
        &[
            "LCDDDAADDD",
            "LCDDADDDDD",
            "LCDDAAADDD",
            "LCDDDDDDDD",
            "LCDDDAADDD",
            "LCDDDDDDDD",
        ],
    ),
];

fn cell(decision: Result<(), Refusal>) -> char {
    match decision {
        Ok(()) => 'A',
        Err(Refusal::Forbidden) => 'D',
        Err(Refusal::SignInRequired) => 'L',
        Err(Refusal::CguRequired) => 'C',
    }
}

#[test]
fn every_entry_point_has_a_row() {
    for entry in EntryPoint::ALL {
        assert!(
            MATRIX.iter().any(|(row, _)| *row == entry),
            "{entry:?} n'a pas de ligne dans la matrice des permissions"
        );
    }
    assert_eq!(MATRIX.len(), EntryPoint::ALL.len(), "une ligne en double");
}

#[test]
fn every_cell_holds() {
    let people = people();
    let mut wrong = Vec::new();
    for (entry, rows) in MATRIX {
        let resources = resources(entry.target_kind(), &own_site(), &other_site());
        assert_eq!(
            rows.len(),
            resources.len(),
            "{entry:?} : une colonne de décisions par ressource"
        );
        for ((resource, target), expected) in resources.iter().zip(rows.iter()) {
            assert_eq!(
                expected.len(),
                people.len(),
                "{entry:?} : une décision par personne"
            );
            for ((who, viewer), expected) in people.iter().zip(expected.chars()) {
                let actual = cell(authorize(viewer.as_ref(), *entry, *target));
                if actual != expected {
                    wrong.push(format!(
                        "{entry:?} / {resource} / {who} : attendu {expected}, obtenu {actual}"
                    ));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "décisions inattendues :\n{}",
        wrong.join("\n")
    );
}

#[test]
fn asking_about_the_wrong_kind_of_resource_is_refused() {
    let people = people();
    let chef = people[6].1.as_ref().unwrap();
    assert_eq!(
        authorize(Some(chef), EntryPoint::ReadDossier, Target::Nothing),
        Err(Refusal::Forbidden)
    );
    assert_eq!(
        authorize(Some(chef), EntryPoint::EndSession, Target::Nothing),
        Err(Refusal::Forbidden)
    );
}

#[test]
fn an_agent_without_a_valid_habilitation_sees_no_dossier() {
    let mut agent = people()[5].1.clone().unwrap();
    agent.sites.clear();
    let site = own_site();
    assert_eq!(
        authorize(Some(&agent), EntryPoint::ListDossiers, Target::Nothing),
        Err(Refusal::Forbidden)
    );
    assert_eq!(
        authorize(
            Some(&agent),
            EntryPoint::ReadDossier,
            Target::Dossier {
                site: &site,
                company_id: Some(OWN_COMPANY)
            }
        ),
        Err(Refusal::Forbidden)
    );
}

/// The representative's cells: an operator whose company (1) holds a mandate of company 2 for
/// FRLEH reads and acts on company 2's dossiers there — the dossier, its documents (not the
/// agents' internal ones), booking, opening and replying to exchanges — and nowhere else; its
/// own company's dossiers stay its own everywhere.
#[test]
fn a_representative_acts_on_the_importer_s_dossiers_at_the_mandated_sites_only() {
    let mut representative = people()[2].1.clone().unwrap();
    representative.represented = vec![(OTHER_COMPANY, own_site())];
    let (here, elsewhere) = (own_site(), other_site());
    let dossier = |site, company_id| Target::Dossier { site, company_id };
    for entry in [
        EntryPoint::ReadDossier,
        EntryPoint::BookAppointment,
        EntryPoint::AddDocument,
        EntryPoint::OpenExchange,
    ] {
        let at = |site, company| authorize(Some(&representative), entry, dossier(site, company));
        assert_eq!(
            at(&here, Some(OTHER_COMPANY)),
            Ok(()),
            "{entry:?} : site du mandat"
        );
        assert_eq!(
            at(&elsewhere, Some(OTHER_COMPANY)),
            Err(Refusal::Forbidden),
            "{entry:?} : autre site"
        );
        assert_eq!(
            at(&elsewhere, Some(OWN_COMPANY)),
            Ok(()),
            "{entry:?} : sa propre entreprise"
        );
        assert_eq!(
            at(&here, Some(3)),
            Err(Refusal::Forbidden),
            "{entry:?} : une entreprise qui ne l'a pas mandaté"
        );
    }
    let document = |internal| Target::Document {
        site: &here,
        company_id: Some(OTHER_COMPANY),
        internal,
    };
    assert_eq!(
        authorize(
            Some(&representative),
            EntryPoint::ReadDocument,
            document(false)
        ),
        Ok(())
    );
    assert_eq!(
        authorize(
            Some(&representative),
            EntryPoint::ReadDocument,
            document(true)
        ),
        Err(Refusal::Forbidden)
    );
    let exchange = |site| Target::Exchange {
        site,
        company_id: Some(OTHER_COMPANY),
        administration: Some(Administration::Dgal),
    };
    for entry in [EntryPoint::ReadExchange, EntryPoint::ReplyExchange] {
        assert_eq!(
            authorize(Some(&representative), entry, exchange(&here)),
            Ok(())
        );
        assert_eq!(
            authorize(Some(&representative), entry, exchange(&elsewhere)),
            Err(Refusal::Forbidden)
        );
    }
    // A mandate gives no say over the importer's mandates or people.
    assert_eq!(
        authorize(
            Some(&representative),
            EntryPoint::ManageMandates,
            Target::Mandate {
                importer_id: Some(OTHER_COMPANY)
            }
        ),
        Err(Refusal::Forbidden)
    );
}

// Partner keys. A key reaches an event when it was issued for the event's source and site, and
// the source is the authority for the event's type (PARTNER_API.md 1.1). Where the event's
// references lead is decided by the store, always within the event's site: the integration
// matrix (`server/tests/integration/partner_scope.rs`) sends every cell below against a dossier
// of the event's site and one of another site.

/// Which source may send which type. Columns: the types in the order of `EventKind::ALL`:
/// ched_lodged, arrived, unloaded, documentary_check_done, checks_selected, positioned_at_post,
/// identity_check_done, physical_check_done, lab_result, ched_decision,
/// customs_declaration_lodged, customs_released, exited, follow_up_done.
const AUTHORITY: [(EventSource, &str); 5] = [
    (EventSource::Traces, "ADDAADAAAADDDA"),
    (EventSource::Customs, "DDDDDDDDDDAADD"),
    (EventSource::PortCommunity, "DAADDADDDDDDAD"),
    (EventSource::AirportCommunity, "DAADDADDDDDDAD"),
    (EventSource::Sivep, "ADDAADAAAADDDA"),
];

/// What each key reaches. Columns: traces, customs, port_community, airport_community, sivep,
/// each at FRLEH then at FRFOS.
const KEYS: [(&str, &str, &str); 5] = [
    ("traces", "FRLEH", "ADDDDDDDDD"),
    ("port_community,airport_community", "FRLEH", "DDDDADADDD"),
    ("customs", "*", "DDAADDDDDD"),
    ("*", "FRFOS", "DADADADADA"),
    ("*", "*", "AAAAAAAAAA"),
];

#[test]
fn the_partner_key_matrix() {
    assert_eq!(EventKind::ALL.len(), 14);
    let sites = [own_site(), other_site()];
    let mut wrong = Vec::new();
    for (sources, key_sites, reach) in KEYS {
        let scope = PartnerScope::parse(sources, key_sites);
        let reach: Vec<char> = reach.chars().collect();
        for (s, (source, authority)) in AUTHORITY.iter().enumerate() {
            let authority: Vec<char> = authority.chars().collect();
            for (i, site) in sites.iter().enumerate() {
                let in_scope = reach[s * 2 + i] == 'A';
                for (k, kind) in EventKind::ALL.into_iter().enumerate() {
                    let expected = in_scope && authority[k] == 'A';
                    let decision = authorize_event(&scope, *source, kind, site);
                    if decision.is_ok() != expected {
                        wrong.push(format!(
                            "clé {sources} @ {key_sites} × {} {} @ {site} : attendu {}, obtenu {decision:?}",
                            source.code(),
                            kind.code(),
                            if expected { "accepté" } else { "refusé" }
                        ));
                    }
                    // A refusal names each field at fault, the type when the source has no
                    // authority.
                    if let Err(refusals) = decision {
                        let names_type = refusals.contains(&PartnerRefusal::Authority);
                        if names_type != (authority[k] == 'D') {
                            wrong.push(format!(
                                "{} {} : champ « type » mal signalé",
                                source.code(),
                                kind.code()
                            ));
                        }
                    }
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "décisions inattendues :\n{}",
        wrong.join("\n")
    );
}

/// The rights desk is no role's by default: it is opened to an account of the DGDDI, and an
/// account of another administration (or none) is refused even with the mark.
#[test]
fn the_rights_desk_is_opened_to_accounts_of_the_dgddi_only() {
    let desk = |role: Role, administration: Option<Administration>, rights_desk: bool| Viewer {
        user_id: 11,
        email: "guichet@example.test".into(),
        full_name: "Guichet".into(),
        role,
        company_id: None,
        company_admin: false,
        administration,
        sites: vec![],
        calendar_sites: vec![],
        represented: vec![],
        cgu_accepted: true,
        rights_desk,
        unread_notifications: 0,
    };
    let may =
        |viewer: Viewer| authorize(Some(&viewer), EntryPoint::RightsDesk, Target::Nothing).is_ok();
    assert!(may(desk(
        Role::AgentDgddi,
        Some(Administration::Dgddi),
        true
    )));
    assert!(may(desk(
        Role::Superviseur,
        Some(Administration::Dgddi),
        true
    )));
    assert!(!may(desk(
        Role::AgentDgddi,
        Some(Administration::Dgddi),
        false
    )));
    assert!(!may(desk(
        Role::AgentSivep,
        Some(Administration::Dgal),
        true
    )));
    assert!(!may(desk(Role::Administrateur, None, true)));
}
