//! `server simulate`: realistic partner traffic through the real HTTP interface, so that the
//! platform looks alive and can be exercised. Consignments arrive at the sites by sea or air,
//! with their DSCE, checks, laboratory results, decisions, customs declarations, releases and
//! exits, at plausible durations (compressed by an acceleration factor), with some anomalies:
//! goods found non-compliant, long waits.
//!
//! The sites, posts and operators are read from the platform's database (the same configuration
//! as the server); everything is sent to `--url` with a partner key, as a partner system would.

use std::collections::VecDeque;
use std::time::Duration;

use app::domain::directory::{Company, Post, Site, SiteKind};
use app::domain::dossier::GoodsCategory;
use app::domain::references::{Awb, ChedReference, ContainerNumber, Mrn};
use app::store::Store;
use chrono::Utc;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};

/// How the simulation runs.
pub struct Settings {
    /// The platform, e.g. `http://127.0.0.1:3000`.
    pub url: String,
    pub key: String,
    /// Events sent per second, on average.
    pub rate: f64,
    /// One real second stands for this many seconds of a consignment's journey.
    pub acceleration: f64,
    /// Stop after this many events (none: run until stopped).
    pub events: Option<u64>,
    pub seed: u64,
}

/// One consignment on its way: the events still to send, each after a delay in journey time.
struct Consignment {
    pending: VecDeque<(f64, Value)>,
    due: f64,
}

const OWNERS: [&str; 6] = ["MSK", "CMA", "MSC", "HLX", "TGH", "CAI"];
const VESSELS: [&str; 5] = [
    "CMA CGM Tage",
    "MSC Aurora",
    "Maersk Sentosa",
    "Hapag Rotterdam",
    "CMA CGM Rhône",
];
const FLIGHTS: [&str; 4] = ["AF 0651", "KQ 1512", "ET 0704", "LH 8242"];
const GOODS: [(GoodsCategory, &str, &str); 6] = [
    (GoodsCategory::AnimalProducts, "Crevettes congelées", "P"),
    (GoodsCategory::FruitVegetables, "Mangues fraîches", "PP"),
    (GoodsCategory::Plants, "Boutures de rosiers", "PP"),
    (GoodsCategory::FoodNonAnimal, "Arachides décortiquées", "D"),
    (GoodsCategory::LiveAnimals, "Poissons d'ornement", "A"),
    (GoodsCategory::Feed, "Tourteaux de soja", "D"),
];

/// Waits for the platform at `url` to answer its readiness probe (a minute at most): started
/// with it, the simulator must not read its database before the platform has set it up.
pub async fn wait_until_ready(url: &str) -> Result<(), String> {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .map_err(|e| e.to_string())?;
    let ready = format!("{}/readyz", url.trim_end_matches('/'));
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        match client.get(&ready).send().await {
            Ok(response) if response.status().is_success() => return Ok(()),
            _ if tokio::time::Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(500)).await
            }
            _ => return Err(format!("plateforme injoignable à {url}")),
        }
    }
}

/// Sends the traffic until `events` have been sent (or forever).
pub async fn run(store: &Store, settings: Settings) -> Result<u64, String> {
    let sites = store.sites().await.map_err(|e| e.to_string())?;
    let posts = store.posts().await.map_err(|e| e.to_string())?;
    let companies = store.companies().await.map_err(|e| e.to_string())?;
    if sites.is_empty() {
        return Err("aucun site dans la base : lancez d'abord la plateforme avec les données de démonstration".into());
    }
    let routes = routes(&sites, &posts);
    if routes.is_empty() {
        return Err("aucun poste de la base n'est agréé pour les marchandises simulées".into());
    }
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| e.to_string())?;
    let endpoint = format!("{}/api/v1/events", settings.url.trim_end_matches('/'));
    wait_until_ready(&settings.url).await?;
    let mut rng = StdRng::seed_from_u64(settings.seed);
    let mut active: Vec<Consignment> = Vec::new();
    let mut sent = 0u64;
    let mut clock = 0.0f64; // journey seconds since the start
    let mut serial = 0u32;
    let tick = Duration::from_secs_f64(1.0 / settings.rate.max(0.01));
    let start = tokio::time::Instant::now();
    let mut last_sent = start;
    loop {
        if settings.events.is_some_and(|limit| sent >= limit) {
            return Ok(sent);
        }
        // New consignments keep arriving, more of them at a higher rate.
        let wanted = (settings.rate * 40.0).clamp(5.0, 500.0) as usize;
        while active.len() < wanted {
            serial += 1;
            let plan = plan(&mut rng, serial, &routes, &posts, &companies);
            active.push(Consignment {
                pending: plan.into(),
                due: clock,
            });
        }
        // The consignment whose next event is due first.
        let (index, due) = active
            .iter()
            .enumerate()
            .map(|(index, c)| (index, c.due))
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .expect("consignments are active");
        clock = clock.max(due);
        // Journey time runs `acceleration` times faster than real time; never faster than the rate.
        let when = (start + Duration::from_secs_f64(clock / settings.acceleration.max(1.0)))
            .max(last_sent + tick);
        tokio::time::sleep_until(when).await;
        last_sent = tokio::time::Instant::now();
        let consignment = &mut active[index];
        let Some((_, mut event)) = consignment.pending.pop_front() else {
            active.swap_remove(index);
            continue;
        };
        event["occurred_at"] = json!(Utc::now().to_rfc3339());
        match client
            .post(&endpoint)
            .bearer_auth(&settings.key)
            .json(&event)
            .send()
            .await
        {
            Ok(response) if response.status().is_success() => sent += 1,
            Ok(response) => {
                let status = response.status();
                let body = response.text().await.unwrap_or_default();
                return Err(format!("événement refusé ({status}) : {body}"));
            }
            Err(error) => return Err(format!("plateforme injoignable : {error}")),
        }
        match consignment.pending.front() {
            Some((delay, _)) => consignment.due = clock + delay,
            None => {
                active.swap_remove(index);
            }
        }
    }
}

/// A site and the goods the simulation sends there.
type Route<'a> = (&'a Site, Vec<(GoodsCategory, &'static str, &'static str)>);

/// Where goods may go: to a post of the site that is not known to refuse them (approved, or
/// whose approvals are not recorded yet), or to a site without posts. Sites that take none of
/// the simulated goods are left out.
fn routes<'a>(sites: &'a [Site], posts: &[Post]) -> Vec<Route<'a>> {
    sites
        .iter()
        .filter_map(|site| {
            let here: Vec<&Post> = posts.iter().filter(|post| post.site == site.code).collect();
            let takes: Vec<_> = GOODS
                .into_iter()
                .filter(|(goods, ..)| {
                    here.is_empty() || here.iter().any(|post| !post.refuses(*goods))
                })
                .collect();
            (!takes.is_empty()).then_some((site, takes))
        })
        .collect()
}

/// The events of one consignment, each with the journey time before it.
fn plan(
    rng: &mut StdRng,
    serial: u32,
    routes: &[Route<'_>],
    posts: &[Post],
    companies: &[Company],
) -> Vec<(f64, Value)> {
    let (site, takes) = routes.choose(rng).expect("routes exist");
    let &(goods, description, ched_type) = takes.choose(rng).expect("a route takes some goods");
    let post = posts
        .iter()
        .filter(|p| p.site == site.code && !p.refuses(goods))
        .collect::<Vec<_>>()
        .choose(rng)
        .map(|p| p.code.to_string());
    let category = goods.code();
    let sea = site.kind == SiteKind::Port;
    let mut references = json!({
        "ched": ChedReference::parse(&format!("CHED{ched_type}.FR.2026.{:07}", 5_000_000 + serial)).map(|r| r.to_string()).unwrap_or_default()
    });
    if sea {
        let owner = OWNERS.choose(rng).expect("owners exist");
        let container = (rng.gen_range(0..900_000)..)
            .find_map(|n| ContainerNumber::from_parts(owner, 'U', n).ok())
            .expect("a valid serial exists");
        references["container"] = json!(container.to_string());
    } else {
        references["awb"] = json!(Awb::from_parts(
            rng.gen_range(100..999),
            rng.gen_range(1_000_000..9_999_999)
        )
        .to_string());
    }
    let operator = companies
        .choose(rng)
        .map(|c| json!({ "siret": c.siret.to_string() }));
    let base = |id: String, source: &str, kind: &str, data: Value, references: &Value| {
        let mut event = json!({
            "id": id,
            "source": source,
            "type": kind,
            "site": site.code.to_string(),
            "references": references,
            "goods": { "category": category, "description": description },
            "data": data
        });
        if let Some(post) = &post {
            event["post"] = json!(post);
        }
        if let Some(operator) = &operator {
            event["operator"] = operator.clone();
        }
        event
    };
    let id = |step: &str| format!("simulation-{serial}-{step}");
    let hours = |rng: &mut StdRng, low: f64, high: f64| rng.gen_range(low..high) * 3600.0;
    let community = if sea {
        "port_community"
    } else {
        "airport_community"
    };
    let means = if sea {
        VESSELS.choose(rng)
    } else {
        FLIGHTS.choose(rng)
    }
    .copied()
    .unwrap_or_default();
    let mut events = vec![
        (
            0.0,
            base(
                id("dsce"),
                "traces",
                "ched_lodged",
                json!({ "ched_type": ched_type }),
                &references,
            ),
        ),
        (
            hours(rng, 6.0, 30.0),
            base(
                id("arrivee"),
                community,
                "arrived",
                json!({ "transport_mode": if sea { "sea" } else { "air" }, "means": means }),
                &references,
            ),
        ),
        (
            hours(rng, 1.0, 6.0),
            base(
                id("dechargement"),
                community,
                "unloaded",
                json!({}),
                &references,
            ),
        ),
        (
            hours(rng, 1.0, 5.0),
            base(
                id("documentaire"),
                "traces",
                "documentary_check_done",
                json!({ "result": "satisfactory" }),
                &references,
            ),
        ),
    ];
    let physical = category == "live_animals" || rng.gen_bool(0.35);
    let identity = physical || rng.gen_bool(0.3);
    events.push((
        0.0,
        base(
            id("selection"),
            "traces",
            "checks_selected",
            json!({ "identity": identity, "physical": physical }),
            &references,
        ),
    ));
    // Some consignments wait a long time at the terminal before they are positioned.
    let long_wait = rng.gen_bool(0.1);
    if identity || physical {
        events.push((
            hours(rng, 2.0, if long_wait { 40.0 } else { 8.0 }),
            base(
                id("positionnement"),
                community,
                "positioned_at_post",
                json!({}),
                &references,
            ),
        ));
    }
    if identity {
        events.push((
            hours(rng, 0.5, 2.0),
            base(
                id("identite"),
                "sivep",
                "identity_check_done",
                json!({ "result": "satisfactory" }),
                &references,
            ),
        ));
    }
    let non_compliant = rng.gen_bool(0.08);
    if physical {
        let samples = rng.gen_bool(0.4);
        let result = if non_compliant && !samples {
            "not_satisfactory"
        } else {
            "satisfactory"
        };
        events.push((
            hours(rng, 1.0, 3.0),
            base(
                id("physique"),
                "sivep",
                "physical_check_done",
                json!({ "result": result, "samples_taken": samples }),
                &references,
            ),
        ));
        if samples {
            let conclusion = if non_compliant {
                "not_satisfactory"
            } else {
                "satisfactory"
            };
            events.push((
                hours(rng, 24.0, 96.0),
                base(
                    id("laboratoire"),
                    "sivep",
                    "lab_result",
                    json!({ "conclusion": conclusion }),
                    &references,
                ),
            ));
        }
    }
    events.push((
        hours(rng, 0.5, 3.0),
        base(
            id("decision"),
            "traces",
            "ched_decision",
            json!({ "acceptable": !non_compliant }),
            &references,
        ),
    ));
    if non_compliant {
        events.push((
            hours(rng, 48.0, 240.0),
            base(
                id("suites"),
                "sivep",
                "follow_up_done",
                json!({ "action": "destruction" }),
                &references,
            ),
        ));
    } else {
        let body: String = (0..12)
            .map(|_| char::from(b"ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"[rng.gen_range(0..34)]))
            .collect();
        let mut with_mrn = references.clone();
        if let Ok(mrn) = Mrn::from_parts(26, "FR", &body, 'A') {
            with_mrn["mrn"] = json!(mrn.to_string());
        }
        events.push((
            hours(rng, 1.0, 6.0),
            base(
                id("declaration"),
                "customs",
                "customs_declaration_lodged",
                json!({}),
                &with_mrn,
            ),
        ));
        events.push((
            hours(rng, 1.0, 8.0),
            base(
                id("bae"),
                "customs",
                "customs_released",
                json!({}),
                &with_mrn,
            ),
        ));
        events.push((
            hours(rng, 2.0, 24.0),
            base(id("sortie"), community, "exited", json!({}), &references),
        ));
    }
    events
}
