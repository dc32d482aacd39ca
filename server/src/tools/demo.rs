//! Demo data that looks real: the main French SPS entry points and their posts, twenty operator
//! companies, the demo accounts, and three hundred dossiers spread over every step of the
//! journey, some blocked, some non-compliant. Deterministic (fixed seed) except for the dates,
//! which are laid out backwards from now so that the platform looks alive. Written in one
//! transaction: either everything is there or nothing is.

use chrono::{DateTime, Duration, Utc};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use secrecy::ExposeSecret;

use app::domain::appointment::Calendar;
use app::domain::directory::{
    ordered_approvals, Administration, Post, Role, Site, SiteKind, PARIS_TIME_ZONE,
};
use app::domain::dossier::{Flow, GoodsCategory, References};
use app::domain::journey::{EventKind, EventSource, Step, StepKind, StepState};
use app::domain::references::{
    Awb, BillOfLading, ChedReference, ContainerNumber, Eori, Locode, Mrn, PostCode, Siren, Siret,
};
use app::store::{NewDossier, NewEvent, NewHabilitation, NewUser, Store, StoreError};

use crate::config::Config;
use app::forms::hash_password;

/// How many dossiers the demo holds.
pub const DOSSIER_COUNT: usize = 300;

pub struct DemoAccount {
    pub email: &'static str,
    pub full_name: &'static str,
    pub role: Role,
    /// Index in [`COMPANIES`], for operators.
    pub company: Option<usize>,
    pub administration: Option<Administration>,
    /// Whether this operator administers their company's accounts.
    pub company_admin: bool,
    /// The only demo site an agent is habilitated for; `None`: every demo site.
    pub only_site: Option<&'static str>,
}

pub const ACCOUNTS: [DemoAccount; 9] = [
    DemoAccount {
        email: "operateur@demo.sesame.test",
        full_name: "Claire Martin",
        role: Role::Operateur,
        company: Some(0),
        administration: None,
        company_admin: true,
        only_site: None,
    },
    DemoAccount {
        email: "operateur2@demo.sesame.test",
        full_name: "Karim Benali",
        role: Role::Operateur,
        company: Some(1),
        administration: None,
        company_admin: false,
        only_site: None,
    },
    DemoAccount {
        email: "agent.sivep@demo.sesame.test",
        full_name: "Sophie Leroy",
        role: Role::AgentSivep,
        company: None,
        administration: Some(Administration::Dgal),
        company_admin: false,
        only_site: None,
    },
    DemoAccount {
        email: "agent.douane@demo.sesame.test",
        full_name: "Thomas Moreau",
        role: Role::AgentDgddi,
        company: None,
        administration: Some(Administration::Dgddi),
        company_admin: false,
        only_site: None,
    },
    DemoAccount {
        email: "chef@demo.sesame.test",
        full_name: "Isabelle Girard",
        role: Role::ChefService,
        company: None,
        administration: Some(Administration::Dgal),
        company_admin: false,
        only_site: None,
    },
    DemoAccount {
        email: "superviseur@demo.sesame.test",
        full_name: "Philippe Lambert",
        role: Role::Superviseur,
        company: None,
        administration: Some(Administration::Dgal),
        company_admin: false,
        only_site: None,
    },
    DemoAccount {
        email: "dgitm@demo.sesame.test",
        full_name: "Nathalie Rousseau",
        role: Role::Dgitm,
        company: None,
        administration: None,
        company_admin: false,
        only_site: None,
    },
    // An agent of one port, as most are: what they read stops at Fos.
    DemoAccount {
        email: "agent.fos@demo.sesame.test",
        full_name: "Nadia Ferrand",
        role: Role::AgentSivep,
        company: None,
        administration: Some(Administration::Dgal),
        company_admin: false,
        only_site: Some("FRFOS"),
    },
    DemoAccount {
        email: "admin@demo.sesame.test",
        full_name: "Julien Fontaine",
        role: Role::Administrateur,
        company: None,
        administration: None,
        company_admin: false,
        only_site: None,
    },
];

/// A demo border control post: code, name, SIVEP present, customs present, and the goods it is
/// approved for.
type PostSeed = (
    &'static str,
    &'static str,
    bool,
    bool,
    &'static [GoodsCategory],
);

/// (UN/LOCODE, name, kind, posts, weight in traffic).
type SiteSeed = (
    &'static str,
    &'static str,
    SiteKind,
    &'static [PostSeed],
    u32,
);

use GoodsCategory::{
    AnimalProducts, Feed, FoodNonAnimal, FruitVegetables, LiveAnimals, Organic, Plants,
};

/// The demo's sites and posts. The approvals follow the pattern of the European list of border
/// control posts: the sea ports take products of animal origin, plants, fruit and vegetables and
/// food of non-animal origin, the bulk terminals feed; live animals go through the airport's
/// animal station only.
const SITES: [SiteSeed; 6] = [
    (
        "FRLEH",
        "Le Havre",
        SiteKind::Port,
        &[
            (
                "FRLEH1",
                "PCF du Havre — Terminal de France",
                true,
                true,
                &[
                    AnimalProducts,
                    Plants,
                    Feed,
                    FoodNonAnimal,
                    FruitVegetables,
                    Organic,
                ],
            ),
            (
                "FRLEH2",
                "PCF du Havre — Port 2000",
                true,
                true,
                &[AnimalProducts, FoodNonAnimal, FruitVegetables, Organic],
            ),
        ],
        30,
    ),
    (
        "FRFOS",
        "Marseille-Fos",
        SiteKind::Port,
        &[
            (
                "FRFOS1",
                "PCF de Fos-sur-Mer",
                true,
                true,
                &[AnimalProducts, Feed, FoodNonAnimal, Organic],
            ),
            (
                "FRMRS1",
                "PCF de Marseille — Cap Janet",
                true,
                true,
                &[
                    AnimalProducts,
                    Plants,
                    FoodNonAnimal,
                    FruitVegetables,
                    Organic,
                ],
            ),
        ],
        22,
    ),
    (
        "FRDKK",
        "Dunkerque",
        SiteKind::Port,
        &[(
            "FRDKK1",
            "PCF de Dunkerque — Quai de Flandre",
            true,
            true,
            &[
                AnimalProducts,
                Plants,
                Feed,
                FoodNonAnimal,
                FruitVegetables,
                Organic,
            ],
        )],
        14,
    ),
    (
        "FRNTE",
        "Nantes-Saint-Nazaire",
        SiteKind::Port,
        &[(
            "FRNTE1",
            "PCF de Montoir-de-Bretagne",
            true,
            true,
            &[
                AnimalProducts,
                Plants,
                Feed,
                FoodNonAnimal,
                FruitVegetables,
                Organic,
            ],
        )],
        8,
    ),
    (
        "FRCDG",
        "Paris-Charles-de-Gaulle",
        SiteKind::Airport,
        &[
            (
                "FRCDG4",
                "PCF de Roissy — Zone de fret",
                true,
                true,
                &[
                    AnimalProducts,
                    Plants,
                    FoodNonAnimal,
                    FruitVegetables,
                    Organic,
                ],
            ),
            (
                "FRCDG5",
                "PCF de Roissy — Animaux vivants",
                true,
                false,
                &[LiveAnimals],
            ),
        ],
        20,
    ),
    (
        "FRORY",
        "Paris-Orly",
        SiteKind::Airport,
        &[(
            "FRORY1",
            "PCF d'Orly — Fret",
            true,
            true,
            &[
                AnimalProducts,
                Plants,
                FoodNonAnimal,
                FruitVegetables,
                Organic,
            ],
        )],
        6,
    ),
];

const COMPANIES: [&str; 20] = [
    "Océane Import SAS",
    "Transitaire Normand SARL",
    "Marée du Nord",
    "Agrumes de la Méditerranée",
    "Comptoir des Épices de Marseille",
    "Flandres Logistique Froid",
    "Roissy Fret Express",
    "Atlantique Viandes",
    "Les Vergers du Monde",
    "Horticulture Import Loire",
    "Cafés et Cacaos du Havre",
    "Provence Aliments Animaux",
    "Bio Import France",
    "Pêcheries Réunies",
    "Transports Frigorifiques Duval",
    "Soja et Céréales de l'Ouest",
    "Exotic Fruits Distribution",
    "Aquariums et Animaux Vivants SA",
    "Douane Conseil Représentation",
    "Fromageries Internationales",
];

/// The registered addresses the demo's companies take in turn (fictitious street numbers).
const ADDRESSES: [&str; 6] = [
    "12 quai de Southampton, 76600 Le Havre",
    "4 avenue de l'Europe, 13270 Fos-sur-Mer",
    "27 rue du Port, 59140 Dunkerque",
    "8 rue des Voyelles, 95700 Roissy-en-France",
    "15 boulevard de Dunkerque, 13002 Marseille",
    "3 rue de la Pérouse, 44200 Nantes",
];

/// (category, descriptions, DSCE type code).
const GOODS: [(GoodsCategory, &[&str], &str); 7] = [
    (
        GoodsCategory::AnimalProducts,
        &[
            "Crevettes tropicales congelées (Viêt Nam)",
            "Filets de merlu congelés (Argentine)",
            "Viande bovine désossée réfrigérée (Uruguay)",
            "Miel de fleurs (Mexique)",
            "Caséine alimentaire (Nouvelle-Zélande)",
        ],
        "P",
    ),
    (
        GoodsCategory::LiveAnimals,
        &[
            "Poissons d'ornement vivants (Singapour)",
            "Chevaux de course (États-Unis)",
            "Poussins d'un jour (Royaume-Uni)",
        ],
        "A",
    ),
    (
        GoodsCategory::Plants,
        &[
            "Roses coupées (Kenya)",
            "Plants de palmiers (Espagne, transit Maroc)",
            "Boutures de chrysanthèmes (Colombie)",
        ],
        "PP",
    ),
    (
        GoodsCategory::FruitVegetables,
        &[
            "Mangues fraîches (Côte d'Ivoire)",
            "Avocats (Pérou)",
            "Agrumes — oranges (Afrique du Sud)",
            "Ananas (Costa Rica)",
        ],
        "PP",
    ),
    (
        GoodsCategory::FoodNonAnimal,
        &[
            "Arachides décortiquées (Argentine)",
            "Épices — piment séché (Inde)",
            "Pistaches en coque (Turquie)",
        ],
        "D",
    ),
    (
        GoodsCategory::Feed,
        &["Tourteaux de soja (Brésil)", "Pulpe de betterave (Égypte)"],
        "D",
    ),
    (
        GoodsCategory::Organic,
        &[
            "Quinoa biologique (Bolivie)",
            "Café vert biologique (Éthiopie)",
        ],
        "PP",
    ),
];

const CONTAINER_OWNERS: [&str; 8] = ["CSQ", "MSC", "CMA", "MAE", "HLX", "ONE", "EGH", "COS"];
const AIRLINE_PREFIXES: [u16; 5] = [57, 20, 176, 157, 74];
const VESSELS: [&str; 6] = [
    "CMA CGM Jacques Saadé",
    "MSC Gülsün",
    "Ever Ace",
    "HMM Algeciras",
    "Maersk Mc-Kinney Møller",
    "ONE Innovation",
];
const FLIGHTS: [&str; 5] = ["AF 6724", "LH 8350", "EK 9013", "QR 8163", "ET 3726"];

/// Loads the demo data, in one transaction.
pub async fn seed(store: &Store, config: &Config) -> Result<(), StoreError> {
    seed_at(store, config, Utc::now()).await
}

pub async fn seed_at(store: &Store, config: &Config, now: DateTime<Utc>) -> Result<(), StoreError> {
    let mut rng = StdRng::seed_from_u64(2026);
    let mut tx = store.begin().await?;

    let posts_by_site = demo_sites();
    for (site, posts, _) in &posts_by_site {
        tx.insert_site(site).await?;
        for post in posts {
            tx.insert_post(post).await?;
        }
        // Every post takes appointments: weekdays, two opening periods, half-hour slots. The
        // ports validate each request; the airports confirm at booking.
        for post in posts {
            tx.save_calendar(
                &post.code,
                &Calendar::standard(site.kind == SiteKind::Port),
                now,
            )
            .await?;
        }
    }

    let mut company_ids = Vec::new();
    for (index, name) in COMPANIES.into_iter().enumerate() {
        let address = ADDRESSES[index % ADDRESSES.len()];
        let siren = Siren::from_base(rng.gen_range(10_000_000..99_999_999));
        let siret = Siret::from_siren_nic(&siren, rng.gen_range(10..99) * 10);
        let eori = Eori::from_siren(&siren);
        company_ids.push(
            tx.insert_company(name, &siret, Some(&eori), Some(address), now)
                .await?,
        );
    }

    for account in &ACCOUNTS {
        let user = NewUser {
            email: account.email.to_owned(),
            full_name: account.full_name.to_owned(),
            role: account.role,
            company_id: account.company.map(|index| company_ids[index]),
            administration: account.administration,
            company_admin: account.company_admin,
            email_verified: true,
            password_hash: Some(hash_password(config.demo_password.expose_secret())?),
        };
        let user_id = tx.insert_user(&user, now).await?;
        // Demo agents hold habilitations for every demo site (but the agent of one port); the
        // demo head of service heads every demo post.
        if let Some(administration) = account.role.administration() {
            let sites = posts_by_site.iter().filter(|(site, ..)| {
                account
                    .only_site
                    .is_none_or(|only| site.code.as_str() == only)
            });
            for (site, ..) in sites {
                tx.insert_habilitation(
                    &NewHabilitation {
                        manages_calendars: false,
                        user_id,
                        site: site.code.clone(),
                        administration,
                        starts_on: (now - Duration::days(365)).date_naive(),
                        ends_on: None,
                        granted_by: None,
                    },
                    now,
                )
                .await?;
            }
        }
        // The demo's customs agent holds the rights desk, which the terms give the DGDDI.
        if account.role == Role::AgentDgddi {
            tx.insert_rights_desk_member(user_id, now).await?;
        }
        if account.role == Role::ChefService {
            for (_, posts, _) in &posts_by_site {
                for post in posts {
                    tx.insert_post_head(user_id, post.code.as_str()).await?;
                }
            }
        }
    }

    if let Some(key) = &config.demo_api_key {
        tx.insert_partner_key(
            "Clé de démonstration",
            &app::state::token_hash(key.expose_secret()),
            "*",
            "*",
            now,
        )
        .await?;
    }

    for index in 0..DOSSIER_COUNT {
        let (site, posts) = pick_site(&mut rng, &posts_by_site);
        // The two demo operators get a good share of the traffic so that their lists are full.
        let company = match index % 10 {
            0..=2 => company_ids[0],
            3 | 4 => company_ids[1],
            _ => *company_ids.choose(&mut rng).expect("companies exist"),
        };
        let dossier = dossier(&mut rng, index, site, posts, company, now, false);
        tx.insert_dossier(&dossier).await?;
    }
    tx.commit().await
}

/// The demo's sites with their posts and their weight in traffic.
pub(crate) fn demo_sites() -> Vec<(Site, Vec<Post>, u32)> {
    SITES
        .into_iter()
        .map(|(code, name, kind, posts, weight)| {
            let site = Site {
                code: demo_value(Locode::parse(code)),
                name: name.to_owned(),
                kind,
                time_zone: PARIS_TIME_ZONE.to_owned(),
            };
            let posts = posts
                .iter()
                .map(|(post_code, post_name, sivep, customs, approvals)| {
                    let mut administrations = Vec::new();
                    if *sivep {
                        administrations.push(Administration::Dgal);
                    }
                    if *customs {
                        administrations.push(Administration::Dgddi);
                    }
                    Post {
                        code: demo_value(PostCode::parse(post_code)),
                        site: site.code.clone(),
                        name: (*post_name).to_owned(),
                        administrations,
                        approvals: ordered_approvals(approvals.iter().copied()),
                    }
                })
                .collect();
            (site, posts, weight)
        })
        .collect()
}

/// A site drawn by its weight in traffic, with its posts.
pub(crate) fn pick_site<'a>(
    rng: &mut StdRng,
    sites: &'a [(Site, Vec<Post>, u32)],
) -> (&'a Site, &'a [Post]) {
    let total: u32 = sites.iter().map(|(.., weight)| weight).sum();
    let mut pick = rng.gen_range(0..total);
    let (site, posts, _) = sites
        .iter()
        .find(|(.., weight)| {
            if pick < *weight {
                true
            } else {
                pick -= weight;
                false
            }
        })
        .expect("the pick is below the total weight");
    (site, posts)
}

/// The demo's own constants are valid by construction; a failure here is a bug in this file.
fn demo_value<T, E: std::fmt::Display>(value: Result<T, E>) -> T {
    value.unwrap_or_else(|error| panic!("donnée de démonstration invalide : {error}"))
}

/// How a demo dossier's journey ends (or stands).
#[derive(Clone, Copy, PartialEq)]
enum Fate {
    Ongoing,
    Blocked,
    NonCompliant,
}

/// A dossier as it stands at `now`; a `settled` one has been through its whole journey (the
/// scale run's history: a consignment of last year is long released or refused).
pub(crate) fn dossier(
    rng: &mut StdRng,
    index: usize,
    site: &Site,
    posts: &[Post],
    company: i64,
    now: DateTime<Utc>,
    settled: bool,
) -> NewDossier {
    let kind = site.kind;
    // Goods go only through a post approved for them: goods no post of the site takes are drawn
    // again (the airport takes no feed, only its animal station live animals).
    let (goods, descriptions, ched_type) = (0..1_000)
        .map(|_| GOODS[weighted_goods(rng)])
        .find(|(goods, ..)| posts.iter().any(|post| post.approves(*goods)))
        .expect("each demo site has a post approved for some of the demo goods");
    let description = descriptions
        .choose(rng)
        .expect("descriptions exist")
        .to_string();
    let flow = if rng.gen_bool(0.15) {
        Flow::Transit
    } else {
        Flow::Import
    };
    let approved: Vec<&Post> = posts.iter().filter(|post| post.approves(goods)).collect();
    let post = approved.choose(rng).map(|post| post.code.clone());
    let sea = kind == SiteKind::Port;

    let mut references = References {
        ched: Some(demo_value(ChedReference::parse(&format!(
            "CHED{ched_type}.FR.2026.{:07}",
            100_000 + index * 37
        )))),
        ..References::default()
    };
    if sea {
        let owner = CONTAINER_OWNERS.choose(rng).expect("owners exist");
        references.container = Some(valid_container(rng, owner));
        references.bill_of_lading = Some(demo_value(BillOfLading::parse(&format!(
            "{}{:09}",
            &owner[..3],
            rng.gen_range(100_000_000..999_999_999u32)
        ))));
    } else {
        let prefix = *AIRLINE_PREFIXES.choose(rng).expect("prefixes exist");
        references.awb = Some(Awb::from_parts(prefix, rng.gen_range(1_000_000..9_999_999)));
    }

    // Which checks this consignment gets, as the rules and risk analysis would decide.
    let identity = matches!(
        goods,
        GoodsCategory::LiveAnimals | GoodsCategory::AnimalProducts
    ) || rng.gen_bool(0.3);
    let physical = goods == GoodsCategory::LiveAnimals || rng.gen_bool(0.35);
    let lab = physical && goods != GoodsCategory::LiveAnimals && rng.gen_bool(0.4);

    let fate = match rng.gen_range(0..100) {
        0..=6 => Fate::NonCompliant,
        7..=13 if !settled => Fate::Blocked,
        _ => Fate::Ongoing,
    };
    let mut plan: Vec<StepKind> = vec![
        StepKind::ChedLodged,
        StepKind::Arrival,
        StepKind::DocumentaryCheck,
    ];
    if identity {
        plan.push(StepKind::IdentityCheck);
    }
    if physical {
        plan.push(StepKind::PhysicalCheck);
    }
    if lab {
        plan.push(StepKind::LabAnalysis);
    }
    plan.push(StepKind::Decision);
    if fate == Fate::NonCompliant {
        plan.push(StepKind::FollowUp);
    } else {
        plan.extend([StepKind::CustomsClearance, StepKind::Exit]);
    }

    // How far along the dossier is: the index of the step in progress (plan.len() = all done).
    let reached = match fate {
        _ if settled => plan.len(),
        Fate::NonCompliant => plan.len() - 1 + usize::from(rng.gen_bool(0.4)),
        Fate::Blocked => rng.gen_range(2..plan.len()),
        Fate::Ongoing => rng.gen_range(0..=plan.len()),
    };
    let durations: Vec<i64> = plan
        .iter()
        .map(|step| {
            let typical = i64::from(step.typical_minutes());
            rng.gen_range(typical / 2..=typical * 2)
        })
        .collect();
    // Lay the dates backwards from now: the step in progress started a while ago.
    let mut cursor = now
        - Duration::minutes(match durations.get(reached) {
            Some(minutes) => {
                rng.gen_range(5..=*minutes.max(&6)) * if fate == Fate::Blocked { 3 } else { 1 }
            }
            None => rng.gen_range(60..5 * 24 * 60),
        });
    let mut starts = vec![cursor; plan.len()];
    for position in (0..reached.min(plan.len())).rev() {
        cursor -= Duration::minutes(durations[position]);
        starts[position] = cursor;
    }
    let opened_at = starts[0] - Duration::minutes(rng.gen_range(10..120));

    let mut steps = Vec::new();
    let mut events = Vec::new();
    let event_source_arrival = if sea {
        EventSource::PortCommunity
    } else {
        EventSource::AirportCommunity
    };
    let mut event = |kind: EventKind,
                     source: EventSource,
                     at: DateTime<Utc>,
                     detail: Option<String>,
                     rng: &mut StdRng| {
        events.push(NewEvent {
            kind,
            source,
            occurred_at: at,
            received_at: at + Duration::seconds(rng.gen_range(5..900)),
            post: post.clone(),
            detail,
        });
    };
    for kind in StepKind::ALL {
        let Some(position) = plan.iter().position(|step| *step == kind) else {
            if matches!(
                kind,
                StepKind::IdentityCheck | StepKind::PhysicalCheck | StepKind::LabAnalysis
            ) {
                steps.push(step(kind, StepState::NonRequis, None, None, None));
            } else if fate == Fate::NonCompliant
                && matches!(kind, StepKind::CustomsClearance | StepKind::Exit)
            {
                steps.push(step(
                    kind,
                    StepState::NonRequis,
                    None,
                    None,
                    Some("Sans objet : marchandise refusée".into()),
                ));
            }
            continue;
        };
        let start = starts[position];
        let end = start + Duration::minutes(durations[position]);
        let state = if position < reached {
            if kind == StepKind::Decision && fate == Fate::NonCompliant {
                StepState::NonConforme
            } else {
                StepState::Termine
            }
        } else if position == reached {
            if fate == Fate::Blocked {
                StepState::Bloque
            } else {
                StepState::EnCours
            }
        } else {
            StepState::AVenir
        };
        let done = position < reached;
        let outcome = outcome(kind, state, flow, sea, rng);
        if position <= reached {
            // The events that opened and, when done, closed this step.
            match kind {
                StepKind::ChedLodged => event(
                    EventKind::ChedLodged,
                    EventSource::Traces,
                    start,
                    references
                        .ched
                        .as_ref()
                        .map(|c| format!("{} déposé", c.ched_type().label())),
                    rng,
                ),
                StepKind::Arrival => {
                    let means = if sea {
                        format!("Navire {}", VESSELS.choose(rng).expect("vessels exist"))
                    } else {
                        format!("Vol {}", FLIGHTS.choose(rng).expect("flights exist"))
                    };
                    event(
                        EventKind::Arrived,
                        event_source_arrival,
                        start,
                        Some(means),
                        rng,
                    );
                    if done {
                        event(EventKind::Unloaded, event_source_arrival, end, None, rng);
                    }
                }
                StepKind::DocumentaryCheck if done => {
                    event(
                        EventKind::DocumentaryCheckDone,
                        EventSource::Traces,
                        end,
                        Some("Résultat : satisfaisant".into()),
                        rng,
                    );
                    let selection = match (identity, physical) {
                        (_, true) => "Sélectionné pour un contrôle physique",
                        (true, false) => "Sélectionné pour un contrôle d'identité",
                        (false, false) => "Aucun contrôle complémentaire",
                    };
                    event(
                        EventKind::ChecksSelected,
                        EventSource::Traces,
                        end,
                        Some(selection.into()),
                        rng,
                    );
                }
                StepKind::IdentityCheck if done => event(
                    EventKind::IdentityCheckDone,
                    EventSource::Traces,
                    end,
                    Some("Résultat : satisfaisant".into()),
                    rng,
                ),
                StepKind::PhysicalCheck => {
                    event(
                        EventKind::PositionedAtPost,
                        event_source_arrival,
                        start,
                        None,
                        rng,
                    );
                    if done {
                        let samples = if lab {
                            "prélèvements effectués"
                        } else {
                            "sans prélèvement"
                        };
                        event(
                            EventKind::PhysicalCheckDone,
                            EventSource::Traces,
                            end,
                            Some(format!("Résultat : satisfaisant, {samples}")),
                            rng,
                        );
                    }
                }
                StepKind::LabAnalysis if done => event(
                    EventKind::LabResult,
                    EventSource::Sivep,
                    end,
                    outcome.clone(),
                    rng,
                ),
                StepKind::Decision if done => event(
                    EventKind::ChedDecision,
                    EventSource::Traces,
                    end,
                    outcome.clone(),
                    rng,
                ),
                StepKind::CustomsClearance => {
                    references.mrn = Some(valid_mrn(rng));
                    event(
                        EventKind::CustomsDeclarationLodged,
                        EventSource::Customs,
                        start,
                        references.mrn.as_ref().map(|m| format!("MRN {m}")),
                        rng,
                    );
                    if done {
                        event(
                            EventKind::CustomsReleased,
                            EventSource::Customs,
                            end,
                            None,
                            rng,
                        );
                    }
                }
                StepKind::Exit if done => {
                    event(EventKind::Exited, event_source_arrival, end, None, rng)
                }
                StepKind::FollowUp if done => event(
                    EventKind::FollowUpDone,
                    EventSource::Sivep,
                    end,
                    outcome.clone(),
                    rng,
                ),
                _ => {}
            }
        }
        let (started, ended) = match state {
            StepState::AVenir => (None, None),
            StepState::EnCours | StepState::Bloque => (Some(start), None),
            _ => (Some(start), Some(end)),
        };
        steps.push(step(kind, state, started, ended, outcome));
    }
    steps.sort_by_key(|step| step.kind);

    NewDossier {
        references,
        goods,
        goods_description: description,
        flow,
        site: site.code.clone(),
        post,
        company_id: Some(company),
        opened_at,
        steps,
        events,
    }
}

fn step(
    kind: StepKind,
    state: StepState,
    started_at: Option<DateTime<Utc>>,
    ended_at: Option<DateTime<Utc>>,
    outcome: Option<String>,
) -> Step {
    Step {
        kind,
        state,
        started_at,
        ended_at,
        actor: kind.actor(),
        outcome,
        expected_minutes: kind.typical_minutes(),
    }
}

fn outcome(
    kind: StepKind,
    state: StepState,
    flow: Flow,
    sea: bool,
    rng: &mut StdRng,
) -> Option<String> {
    let text = match (kind, state) {
        (_, StepState::AVenir | StepState::NonRequis) => return None,
        (StepKind::DocumentaryCheck, StepState::Bloque) => {
            "En attente d'un certificat sanitaire original"
        }
        (StepKind::IdentityCheck | StepKind::PhysicalCheck, StepState::Bloque) => {
            "Conteneur non positionné au poste : rendez-vous à prendre"
        }
        (StepKind::LabAnalysis, StepState::Bloque) => "Résultat d'analyse en retard",
        (StepKind::LabAnalysis, StepState::EnCours) => "En attente",
        (StepKind::CustomsClearance, StepState::Bloque) => {
            "Contrôle douanier : marchandise retenue"
        }
        (_, StepState::Bloque) => "En attente d'une intervention",
        (StepKind::ChedLodged, StepState::Termine) => "Déposé dans TRACES NT",
        (StepKind::Arrival, StepState::Termine) => {
            if sea {
                "Déchargé au terminal"
            } else {
                "Déchargé en zone de fret"
            }
        }
        (
            StepKind::DocumentaryCheck | StepKind::IdentityCheck | StepKind::PhysicalCheck,
            StepState::Termine,
        ) => "Satisfaisant",
        (StepKind::LabAnalysis, StepState::Termine) => "Satisfaisant",
        (StepKind::Decision, StepState::NonConforme) => [
            "Non acceptable — réexpédition",
            "Non acceptable — destruction",
            "Non acceptable — traitement spécial",
        ]
        .choose(rng)
        .expect("actions exist"),
        (StepKind::Decision, StepState::Termine) => match flow {
            Flow::Import => "Acceptable pour le marché intérieur",
            Flow::Transit => "Acceptable pour le transit",
        },
        (StepKind::CustomsClearance, StepState::Termine) => "Bon à enlever délivré",
        (StepKind::Exit, StepState::Termine) => "Sorti du terminal",
        (StepKind::FollowUp, StepState::Termine) => "Action réalisée sous contrôle officiel",
        (StepKind::FollowUp, StepState::EnCours) => "Action en cours sous contrôle officiel",
        _ => return None,
    };
    Some(text.to_owned())
}

/// Most traffic is products of animal origin and fruit and vegetables.
fn weighted_goods(rng: &mut StdRng) -> usize {
    match rng.gen_range(0..100) {
        0..=34 => 0,
        35..=41 => 1,
        42..=51 => 2,
        52..=76 => 3,
        77..=86 => 4,
        87..=93 => 5,
        _ => 6,
    }
}

/// Serials whose checksum would be 10 are not issued (the check digit could not tell them
/// apart), so a refused draw is simply drawn again.
fn valid_container(rng: &mut StdRng, owner: &str) -> ContainerNumber {
    loop {
        if let Ok(container) = ContainerNumber::from_parts(owner, 'U', rng.gen_range(0..1_000_000))
        {
            return container;
        }
    }
}

fn valid_mrn(rng: &mut StdRng) -> Mrn {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    loop {
        let body: String = (0..12)
            .map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())]))
            .collect();
        if let Ok(mrn) = Mrn::from_parts(26, "FR", &body, 'A') {
            return mrn;
        }
    }
}
