//! An event as the partner interface receives it (see PARTNER_API.md, version 1): every field
//! checked, every fault named with its path and a French message saying what is wrong, so that a
//! partner fixes everything in one go.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Map, Value};

use super::access::{authorize_document, authorize_event, PartnerRefusal, PartnerScope};
use super::directory::{Post, Site};
use super::document::DocumentKind;
use super::dossier::{GoodsCategory, References};
use super::journey::{CheckResult, EventKind, EventSource, LabConclusion};
use super::references::{
    Awb, BillOfLading, ChedReference, ChedType, ContainerNumber, Eori, Locode, Mrn, PostCode, Siret,
};
use super::timeline::{Fact, FactData};

/// At most this many events in one batch.
pub const MAX_BATCH: usize = 1000;

/// One faulty field of a submission.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// Where, as a path: `references.container`, `events[3].occurred_at`…
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> FieldError {
        FieldError {
            field: field.into(),
            message: message.into(),
        }
    }

    /// The same fault, inside a batch.
    pub fn in_batch(self, index: usize) -> FieldError {
        FieldError {
            field: format!("events[{index}].{}", self.field),
            message: self.message,
        }
    }
}

/// The operator an event names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OperatorId {
    Siret(Siret),
    Eori(Eori),
}

impl OperatorId {
    /// The number as recorded (normalised; an EORI begins with FR, a SIRET is digits only).
    pub fn as_str(&self) -> &str {
        match self {
            OperatorId::Siret(siret) => siret.as_str(),
            OperatorId::Eori(eori) => eori.as_str(),
        }
    }
}

/// A checked event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartnerEvent {
    pub id: String,
    pub source: EventSource,
    pub kind: EventKind,
    pub occurred_at: DateTime<Utc>,
    pub site: Locode,
    pub post: Option<PostCode>,
    pub references: References,
    pub goods: GoodsCategory,
    pub goods_description: String,
    pub operator: Option<OperatorId>,
    /// The registered customs representative or forwarder acting for the operator (version
    /// 1.3): recorded on the dossier, it grants nothing (only a mandate does).
    pub representative: Option<OperatorId>,
    /// What moves the timeline.
    pub fact: FactData,
    /// What the event says beyond its kind, in French, for the history.
    pub detail: Option<String>,
    /// The event as received, keys sorted: the same id with other content is a conflict.
    pub content: String,
}

impl PartnerEvent {
    pub fn fact(&self) -> Fact {
        Fact {
            kind: self.kind,
            occurred_at: self.occurred_at,
            data: self.fact.clone(),
        }
    }
}

const SOURCES: &str = "traces, customs, port_community, airport_community ou sivep";
const RESULTS: &str =
    "satisfactory, satisfactory_after_intervention, not_satisfactory, not_done ou derogation";

/// Reads the fields of an event one by one, collecting every fault.
struct Reader<'a> {
    object: &'a Map<String, Value>,
    prefix: &'static str,
    errors: &'a mut Vec<FieldError>,
}

impl Reader<'_> {
    fn path(&self, name: &str) -> String {
        if self.prefix.is_empty() {
            name.to_owned()
        } else {
            format!("{}.{name}", self.prefix)
        }
    }

    fn fail(&mut self, name: &str, message: impl Into<String>) {
        let path = self.path(name);
        self.errors.push(FieldError::new(path, message));
    }

    /// A string field: `None` and a fault when required and missing or not a string.
    fn string(&mut self, name: &str, required: bool) -> Option<String> {
        match self.object.get(name) {
            None | Some(Value::Null) => {
                if required {
                    self.fail(name, "champ obligatoire manquant");
                }
                None
            }
            Some(Value::String(text)) => Some(text.clone()),
            Some(_) => {
                self.fail(name, "doit être une chaîne de caractères");
                None
            }
        }
    }

    fn boolean(&mut self, name: &str) -> Option<bool> {
        match self.object.get(name) {
            None | Some(Value::Null) => {
                self.fail(name, "champ obligatoire manquant (true ou false)");
                None
            }
            Some(Value::Bool(value)) => Some(*value),
            Some(_) => {
                self.fail(name, "doit valoir true ou false");
                None
            }
        }
    }

    fn choice<T>(
        &mut self,
        name: &str,
        allowed: &str,
        parse: impl Fn(&str) -> Option<T>,
    ) -> Option<T> {
        let text = self.string(name, true)?;
        let value = parse(&text);
        if value.is_none() {
            self.fail(
                name,
                format!("« {text} » n'est pas une valeur admise ({allowed})"),
            );
        }
        value
    }

    /// A required identifier chosen by the sender: 1 to 100 characters.
    fn identifier(&mut self, name: &str) -> Option<String> {
        let id = self.string(name, true)?;
        let length = id.chars().count();
        if !(1..=100).contains(&length) {
            self.fail(
                name,
                format!("doit compter de 1 à 100 caractères (il en compte {length})"),
            );
        }
        Some(id)
    }

    /// A string field read by `parse`, whose error (in French) is the field's fault.
    fn parsed<T, E: std::fmt::Display>(
        &mut self,
        name: &str,
        required: bool,
        parse: impl Fn(&str) -> Result<T, E>,
    ) -> Option<T> {
        let text = self.string(name, required)?;
        match parse(&text) {
            Ok(value) => Some(value),
            Err(error) => {
                self.fail(name, error.to_string());
                None
            }
        }
    }
}

fn check_result(code: &str) -> Option<CheckResult> {
    serde_json::from_value(Value::String(code.to_owned())).ok()
}

fn lab_conclusion(code: &str) -> Option<LabConclusion> {
    serde_json::from_value(Value::String(code.to_owned())).ok()
}

/// Checks one event. Every fault is reported, each with its field.
pub fn validate(value: &Value) -> Result<PartnerEvent, Vec<FieldError>> {
    let mut errors = Vec::new();
    let Some(object) = value.as_object() else {
        return Err(vec![FieldError::new(
            "",
            "un événement doit être un objet JSON",
        )]);
    };
    let mut reader = Reader {
        object,
        prefix: "",
        errors: &mut errors,
    };

    let id = reader.identifier("id");
    let source = reader.choice("source", SOURCES, EventSource::from_code);
    let kind = reader.choice(
        "type",
        "voir la liste des types de la version 1",
        EventKind::from_code,
    );
    let occurred_at = reader.string("occurred_at", true).and_then(|text| {
        match DateTime::parse_from_rfc3339(&text) {
            Ok(at) => Some(at.with_timezone(&Utc)),
            Err(_) => {
                reader.fail(
                    "occurred_at",
                    format!("« {text} » n'est pas un horodatage RFC 3339 avec décalage (exemple : 2026-11-26T14:30:00+01:00)"),
                );
                None
            }
        }
    });
    let site = reader.parsed("site", true, Locode::parse);
    let post = reader.parsed("post", false, PostCode::parse);

    let references = read_references(object.get("references"), reader.errors);
    let (goods, goods_description) = read_goods(object.get("goods"), reader.errors);
    let operator = read_company(object.get("operator"), "operator", reader.errors);
    let representative = read_company(
        object.get("representative"),
        "representative",
        reader.errors,
    );
    let (fact, detail) = match kind {
        Some(kind) => read_data(kind, object.get("data"), &references, reader.errors),
        None => (FactData::None, None),
    };

    match (id, source, kind, occurred_at, site, references, goods) {
        (
            Some(id),
            Some(source),
            Some(kind),
            Some(occurred_at),
            Some(site),
            Some(references),
            Some(goods),
        ) if errors.is_empty() => Ok(PartnerEvent {
            id,
            source,
            kind,
            occurred_at,
            site,
            post,
            references,
            goods,
            goods_description: goods_description.unwrap_or_default(),
            operator,
            representative,
            fact,
            detail,
            content: serde_json::to_string(value).unwrap_or_default(),
        }),
        _ => Err(errors),
    }
}

fn read_references(value: Option<&Value>, errors: &mut Vec<FieldError>) -> Option<References> {
    let Some(object) = value.and_then(Value::as_object) else {
        errors.push(FieldError::new(
            "references",
            "champ obligatoire : un objet avec au moins une référence parmi container, awb, bill_of_lading, ched, mrn",
        ));
        return None;
    };
    let mut reader = Reader {
        object,
        prefix: "references",
        errors,
    };
    let mut references = References::default();
    let before = reader.errors.len();
    macro_rules! reference {
        ($name:literal, $field:ident, $parse:path) => {
            if let Some(text) = reader.string($name, false) {
                match $parse(&text) {
                    Ok(parsed) => references.$field = Some(parsed),
                    Err(error) => reader.fail($name, error.to_string()),
                }
            }
        };
    }
    reference!("container", container, ContainerNumber::parse);
    reference!("awb", awb, Awb::parse);
    reference!("bill_of_lading", bill_of_lading, BillOfLading::parse);
    reference!("ched", ched, ChedReference::parse);
    reference!("mrn", mrn, Mrn::parse);
    for key in object.keys() {
        if !["container", "awb", "bill_of_lading", "ched", "mrn"].contains(&key.as_str()) {
            reader.fail(
                key,
                "référence inconnue (attendu : container, awb, bill_of_lading, ched ou mrn)",
            );
        }
    }
    let empty = references.container.is_none()
        && references.awb.is_none()
        && references.bill_of_lading.is_none()
        && references.ched.is_none()
        && references.mrn.is_none();
    if empty && reader.errors.len() == before {
        reader.errors.push(FieldError::new(
            "references",
            "au moins une référence est requise parmi container, awb, bill_of_lading, ched, mrn",
        ));
    }
    (reader.errors.len() == before && !empty).then_some(references)
}

fn read_goods(
    value: Option<&Value>,
    errors: &mut Vec<FieldError>,
) -> (Option<GoodsCategory>, Option<String>) {
    let Some(object) = value.and_then(Value::as_object) else {
        errors.push(FieldError::new(
            "goods",
            "champ obligatoire : un objet { \"category\": …, \"description\": … }",
        ));
        return (None, None);
    };
    let mut reader = Reader {
        object,
        prefix: "goods",
        errors,
    };
    let category = reader.choice(
        "category",
        "live_animals, animal_products, plants, feed, food_non_animal, fruit_vegetables ou organic",
        GoodsCategory::from_code,
    );
    let description = reader.string("description", true);
    if let Some(description) = &description {
        let length = description.trim().chars().count();
        if length == 0 || length > 500 {
            reader.fail("description", "doit compter de 1 à 500 caractères");
        }
    }
    (category, description.map(|text| text.trim().to_owned()))
}

/// A company an event names under `field` (`operator`, `representative`), by SIRET or EORI.
fn read_company(
    value: Option<&Value>,
    field: &'static str,
    errors: &mut Vec<FieldError>,
) -> Option<OperatorId> {
    let object = match value {
        None | Some(Value::Null) => return None,
        Some(Value::Object(object)) => object,
        Some(_) => {
            errors.push(FieldError::new(
                field,
                "doit être un objet { \"siret\": … } ou { \"eori\": … }",
            ));
            return None;
        }
    };
    let mut reader = Reader {
        object,
        prefix: field,
        errors,
    };
    if let Some(text) = reader.string("siret", false) {
        return match Siret::parse(&text) {
            Ok(siret) => Some(OperatorId::Siret(siret)),
            Err(error) => {
                reader.fail("siret", error.to_string());
                None
            }
        };
    }
    if let Some(text) = reader.string("eori", false) {
        return match Eori::parse(&text) {
            Ok(eori) => Some(OperatorId::Eori(eori)),
            Err(error) => {
                reader.fail("eori", error.to_string());
                None
            }
        };
    }
    reader
        .errors
        .push(FieldError::new(field, "indiquez siret ou eori"));
    None
}

/// The type-specific `data`: what moves the timeline and what the history says.
fn read_data(
    kind: EventKind,
    value: Option<&Value>,
    references: &Option<References>,
    errors: &mut Vec<FieldError>,
) -> (FactData, Option<String>) {
    let empty = Map::new();
    let object = match value {
        None | Some(Value::Null) => &empty,
        Some(Value::Object(object)) => object,
        Some(_) => {
            errors.push(FieldError::new("data", "doit être un objet"));
            return (FactData::None, None);
        }
    };
    let mut reader = Reader {
        object,
        prefix: "data",
        errors,
    };
    match kind {
        EventKind::ChedLodged => {
            let ched_type = reader.choice("ched_type", "A, P, PP ou D", |code| match code {
                "A" => Some(ChedType::A),
                "P" => Some(ChedType::P),
                "PP" => Some(ChedType::PP),
                "D" => Some(ChedType::D),
                _ => None,
            });
            (
                FactData::None,
                ched_type.map(|kind| kind.label().to_owned()),
            )
        }
        EventKind::Arrived => {
            let mode = reader.choice("transport_mode", "sea ou air", |code| match code {
                "sea" => Some("Navire"),
                "air" => Some("Vol"),
                _ => None,
            });
            let means = reader.string("means", true);
            (
                FactData::None,
                mode.zip(means)
                    .map(|(mode, means)| format!("{mode} {means}")),
            )
        }
        EventKind::DocumentaryCheckDone | EventKind::IdentityCheckDone => {
            let result = reader.choice("result", RESULTS, check_result);
            (
                result.map(FactData::Check).unwrap_or_default(),
                result.map(|r| r.label().to_owned()),
            )
        }
        EventKind::ChecksSelected => {
            let identity = reader.boolean("identity");
            let physical = reader.boolean("physical");
            match (identity, physical) {
                (Some(identity), Some(physical)) => {
                    let said = match (identity, physical) {
                        (true, true) => "Contrôles d'identité et physique",
                        (true, false) => "Contrôle d'identité seul",
                        (false, true) => "Contrôle physique seul",
                        (false, false) => "Aucun contrôle complémentaire",
                    };
                    (
                        FactData::Selection { identity, physical },
                        Some(said.to_owned()),
                    )
                }
                _ => (FactData::None, None),
            }
        }
        EventKind::PhysicalCheckDone => {
            let result = reader.choice("result", RESULTS, check_result);
            let samples = reader.boolean("samples_taken");
            match (result, samples) {
                (Some(result), Some(samples_taken)) => (
                    FactData::PhysicalCheck {
                        result,
                        samples_taken,
                    },
                    Some(format!(
                        "{}{}",
                        result.label(),
                        if samples_taken {
                            ", prélèvements effectués"
                        } else {
                            ""
                        }
                    )),
                ),
                _ => (FactData::None, None),
            }
        }
        EventKind::LabResult => {
            let conclusion = reader.choice(
                "conclusion",
                "satisfactory, not_satisfactory, not_interpretable ou pending",
                lab_conclusion,
            );
            (
                conclusion.map(FactData::Lab).unwrap_or_default(),
                conclusion.map(|c| c.label().to_owned()),
            )
        }
        EventKind::ChedDecision => {
            let acceptable = reader.boolean("acceptable");
            for name in ["purpose", "action", "code"] {
                reader.string(name, false);
            }
            let said = acceptable.map(|acceptable| {
                if acceptable {
                    "Lot acceptable"
                } else {
                    "Lot non acceptable"
                }
                .to_owned()
            });
            (
                acceptable
                    .map(|acceptable| FactData::Decision { acceptable })
                    .unwrap_or_default(),
                said,
            )
        }
        EventKind::CustomsDeclarationLodged => {
            if references.as_ref().is_some_and(|r| r.mrn.is_none()) {
                reader.errors.push(FieldError::new(
                    "references.mrn",
                    "obligatoire pour une déclaration en douane (customs_declaration_lodged)",
                ));
            }
            (FactData::None, None)
        }
        EventKind::FollowUpDone => {
            let action = reader.string("action", true);
            (
                FactData::None,
                action.map(|action| format!("Mesure : {action}")),
            )
        }
        EventKind::Unloaded
        | EventKind::PositionedAtPost
        | EventKind::CustomsReleased
        | EventKind::Exited => (FactData::None, None),
    }
}

/// How long ago an event may have happened: ten years (a consignment's records are not older;
/// an older date is a typing or clock error).
pub const EVENT_AT_MOST_DAYS_AGO: i64 = 3653;
/// How far ahead an event may be dated: one day (clocks and time zones of partner systems).
pub const EVENT_AT_MOST_HOURS_AHEAD: i64 = 24;

/// Whether the event happened within the bounds the interface accepts, as of `now`: the fault
/// to report on `occurred_at` otherwise. Checked on receipt only: a recorded event grows older.
pub fn time_error(event: &PartnerEvent, now: DateTime<Utc>) -> Option<FieldError> {
    let earliest = now - chrono::Duration::days(EVENT_AT_MOST_DAYS_AGO);
    let latest = now + chrono::Duration::hours(EVENT_AT_MOST_HOURS_AHEAD);
    (event.occurred_at < earliest || event.occurred_at > latest).then(|| {
        FieldError::new(
            "occurred_at",
            format!(
                "la date {} est hors des bornes admises : un événement date d'il y a dix ans au plus et d'un jour au plus dans l'avenir",
                event.occurred_at.to_rfc3339()
            ),
        )
    })
}

/// What a key's scope refuses for this event, as the access policy decides it: the faults, as
/// fields, naming the key.
pub fn scope_errors(key_name: &str, scope: &PartnerScope, event: &PartnerEvent) -> Vec<FieldError> {
    let Err(refusals) = authorize_event(scope, event.source, event.kind, &event.site) else {
        return Vec::new();
    };
    refusals
        .into_iter()
        .map(|refusal| {
            let message = match refusal {
                PartnerRefusal::Source => format!(
                    "la clé « {key_name} » n'est pas autorisée pour la source {}",
                    event.source.code()
                ),
                PartnerRefusal::Site => format!(
                    "la clé « {key_name} » n'est pas autorisée pour le site {}",
                    event.site
                ),
                PartnerRefusal::Authority => {
                    let authorities: Vec<&str> = EventSource::ALL
                        .into_iter()
                        .filter(|source| source.reports(event.kind))
                        .map(EventSource::code)
                        .collect();
                    format!(
                        "la source {} ne fait pas autorité pour les événements {} : seules {} peuvent les envoyer",
                        event.source.code(),
                        event.kind.code(),
                        authorities.join(" et ")
                    )
                }
            };
            FieldError::new(refusal.field(), message)
        })
        .collect()
}

/// The sites and posts the platform knows, against which a valid event is checked.
pub struct KnownPlaces {
    pub sites: Vec<Site>,
    pub posts: Vec<Post>,
}

impl KnownPlaces {
    /// An event for a site or post the platform does not know, or a post of another site, is
    /// refused.
    pub fn errors(&self, event: &PartnerEvent) -> Vec<FieldError> {
        self.place_errors(&event.site, event.post.as_ref())
    }

    /// The same rule for any submission naming a site and perhaps a post (a document).
    pub fn place_errors(&self, site: &Locode, post: Option<&PostCode>) -> Vec<FieldError> {
        let mut errors = Vec::new();
        if !self.sites.iter().any(|known| &known.code == site) {
            errors.push(FieldError::new(
                "site",
                format!("site inconnu de France Sésame : {site}"),
            ));
        }
        if let Some(post) = post {
            match self.posts.iter().find(|known| &known.code == post) {
                None => errors.push(FieldError::new(
                    "post",
                    format!("poste de contrôle inconnu de France Sésame : {post}"),
                )),
                Some(known) if &known.site != site => errors.push(FieldError::new(
                    "post",
                    format!(
                        "le poste {post} n'est pas sur le site {site} mais sur {}",
                        known.site
                    ),
                )),
                Some(_) => {}
            }
        }
        errors
    }

    /// What an accepted event says that the platform doubts, without refusing it (the partner
    /// systems are authoritative): goods sent to a post not approved for them. Worked out from
    /// the event and the known places alone, so that a duplicate gets the same answer as the
    /// original.
    pub fn warnings(&self, event: &PartnerEvent) -> Vec<FieldError> {
        let Some(post) = event
            .post
            .as_ref()
            .and_then(|code| self.posts.iter().find(|known| &known.code == code))
        else {
            return Vec::new();
        };
        if !post.refuses(event.goods) {
            return Vec::new();
        }
        let approvals: Vec<&str> = post.approvals.iter().map(|goods| goods.code()).collect();
        vec![FieldError::new(
            "post",
            format!(
                "le poste {} n'est pas agréé pour les marchandises {} (il l'est pour : {}) : l'événement est enregistré et les agents du site en sont alertés",
                post.code,
                event.goods.code(),
                approvals.join(", ")
            ),
        )]
    }
}

/// A document as the partner interface receives it (PARTNER_API.md, version 1.2), its file
/// apart: the text parts of the `multipart/form-data` request, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartnerDocument {
    pub id: String,
    pub source: EventSource,
    pub site: Locode,
    pub post: Option<PostCode>,
    pub references: References,
    pub kind: DocumentKind,
    pub title: String,
    /// The goods, as for an event: needed only when no dossier of the site holds the references
    /// and the document opens one.
    pub goods: Option<(GoodsCategory, String)>,
    pub operator: Option<OperatorId>,
    /// The partner's id of an earlier document of the same key that this one corrects.
    pub supersedes: Option<String>,
}

/// The text parts a document's request may carry besides `file`.
pub const DOCUMENT_PARTS: [&str; 10] = [
    "id",
    "source",
    "site",
    "post",
    "references",
    "kind",
    "title",
    "goods",
    "operator",
    "supersedes",
];

/// Checks the text parts of a document's request (`references`, `goods` and `operator` hold
/// JSON, as in an event). Every fault is reported, each with its part.
pub fn validate_document(
    parts: &std::collections::BTreeMap<String, String>,
) -> Result<PartnerDocument, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut object = Map::new();
    for (name, text) in parts {
        let value = if ["references", "goods", "operator"].contains(&name.as_str()) {
            match serde_json::from_str::<Value>(text) {
                Ok(value) => value,
                Err(error) => {
                    errors.push(FieldError::new(
                        name.as_str(),
                        format!("doit contenir un objet JSON ({error})"),
                    ));
                    continue;
                }
            }
        } else {
            Value::String(text.clone())
        };
        object.insert(name.clone(), value);
    }
    let mut reader = Reader {
        object: &object,
        prefix: "",
        errors: &mut errors,
    };
    let id = reader.identifier("id");
    let source = reader.choice("source", SOURCES, EventSource::from_code);
    let kinds: Vec<&str> = DocumentKind::PARTNER
        .iter()
        .map(|kind| kind.code())
        .collect();
    let kind = reader.choice("kind", &kinds.join(", "), |code| {
        DocumentKind::from_code(code).filter(|kind| DocumentKind::PARTNER.contains(kind))
    });
    let title = reader.parsed("title", true, super::document::check_title);
    let site = reader.parsed("site", true, Locode::parse);
    let post = reader.parsed("post", false, PostCode::parse);
    let supersedes = reader.string("supersedes", false);
    if let Some(earlier) = &supersedes {
        if !(1..=100).contains(&earlier.chars().count()) {
            reader.fail("supersedes", "doit compter de 1 à 100 caractères : l'identifiant d'un document envoyé plus tôt avec la même clé");
        }
    }
    // A part that is not JSON was reported as such, not again as missing.
    let unreadable = |name: &str, errors: &[FieldError]| errors.iter().any(|e| e.field == name);
    let references = if unreadable("references", &errors) {
        None
    } else {
        read_references(object.get("references"), &mut errors)
    };
    let goods = match object.get("goods") {
        None | Some(Value::Null) => None,
        value => match read_goods(value, &mut errors) {
            (Some(category), Some(description)) => Some((category, description)),
            _ => None,
        },
    };
    let operator = read_company(object.get("operator"), "operator", &mut errors);
    match (id, source, kind, title, site, references) {
        (Some(id), Some(source), Some(kind), Some(title), Some(site), Some(references))
            if errors.is_empty() =>
        {
            Ok(PartnerDocument {
                id,
                source,
                site,
                post,
                references,
                kind,
                title,
                goods,
                operator,
                supersedes,
            })
        }
        _ => Err(errors),
    }
}

/// What a key's scope refuses for this document, as for an event; the authority is over the
/// document's `kind`.
pub fn document_scope_errors(
    key_name: &str,
    scope: &PartnerScope,
    document: &PartnerDocument,
) -> Vec<FieldError> {
    let Err(refusals) = authorize_document(scope, document.source, document.kind, &document.site)
    else {
        return Vec::new();
    };
    refusals
        .into_iter()
        .map(|refusal| match refusal {
            PartnerRefusal::Source => FieldError::new(
                "source",
                format!(
                    "la clé « {key_name} » n'est pas autorisée pour la source {}",
                    document.source.code()
                ),
            ),
            PartnerRefusal::Site => FieldError::new(
                "site",
                format!(
                    "la clé « {key_name} » n'est pas autorisée pour le site {}",
                    document.site
                ),
            ),
            PartnerRefusal::Authority => {
                let authorities: Vec<&str> = EventSource::ALL
                    .into_iter()
                    .filter(|source| document.kind.sent_by(*source))
                    .map(EventSource::code)
                    .collect();
                FieldError::new(
                    "kind",
                    format!(
                        "la source {} ne fait pas autorité pour les documents {} : seules {} peuvent les envoyer",
                        document.source.code(),
                        document.kind.code(),
                        authorities.join(" et ")
                    ),
                )
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    proptest::proptest! {
        /// Any instant chrono can write, as a partner would send it: read without panicking,
        /// and accepted exactly within the bounds.
        #[test]
        fn any_event_time_is_read_and_bounded(seconds in -8_000_000_000_000i64..8_000_000_000_000i64, offset in -86_399i32..86_399i32) {
            let now = DateTime::parse_from_rfc3339("2026-12-01T12:00:00Z").unwrap().with_timezone(&Utc);
            let Some(at) = DateTime::from_timestamp(seconds, 0) else { return Ok(()) };
            let Some(zone) = chrono::FixedOffset::east_opt(offset) else { return Ok(()) };
            let mut event = valid();
            event["occurred_at"] = json!(at.with_timezone(&zone).to_rfc3339());
            match validate(&event) {
                Ok(event) => {
                    let inside = event.occurred_at >= now - chrono::Duration::days(EVENT_AT_MOST_DAYS_AGO)
                        && event.occurred_at <= now + chrono::Duration::hours(EVENT_AT_MOST_HOURS_AHEAD);
                    proptest::prop_assert_eq!(time_error(&event, now).is_none(), inside);
                }
                // Years beyond four digits are not RFC 3339: refused by name.
                Err(errors) => proptest::prop_assert!(errors.iter().any(|e| e.field == "occurred_at")),
            }
        }
    }

    fn valid() -> Value {
        json!({
            "id": "TRACES-0001",
            "source": "traces",
            "type": "ched_lodged",
            "occurred_at": "2026-11-26T09:30:00+01:00",
            "site": "FRLEH",
            "post": "FRLEH1",
            "references": { "container": "msku 123456-5", "ched": "CHEDP.FR.2026.0001234" },
            "goods": { "category": "animal_products", "description": "Crevettes congelées" },
            "operator": { "siret": "73282932000074" },
            "data": { "ched_type": "P" }
        })
    }

    #[test]
    fn a_valid_event_is_read_and_normalised() {
        let event = validate(&valid()).unwrap();
        assert_eq!(event.kind, EventKind::ChedLodged);
        assert_eq!(event.references.container.unwrap().as_str(), "MSKU1234565");
        assert_eq!(event.occurred_at.to_rfc3339(), "2026-11-26T08:30:00+00:00");
        assert_eq!(
            event.detail.as_deref(),
            Some("DSCE-P (produits d'origine animale)")
        );
    }

    #[test]
    fn a_representative_is_read_and_checked_like_the_operator() {
        let mut value = valid();
        value["representative"] = json!({ "eori": "fr 732829320 00074" });
        let event = validate(&value).unwrap();
        assert!(
            matches!(&event.representative, Some(OperatorId::Eori(eori)) if eori.as_str() == "FR73282932000074")
        );
        value["representative"] = json!({ "siret": "73282932000075" });
        let errors = validate(&value).unwrap_err();
        assert_eq!(errors[0].field, "representative.siret");
        value["representative"] = json!("73282932000074");
        let errors = validate(&value).unwrap_err();
        assert_eq!(errors[0].field, "representative");
        value["representative"] = json!({});
        assert_eq!(
            validate(&value).unwrap_err()[0].message,
            "indiquez siret ou eori"
        );
        value.as_object_mut().unwrap().remove("representative");
        assert_eq!(validate(&value).unwrap().representative, None);
    }

    #[test]
    fn every_faulty_field_is_named() {
        let mut value = valid();
        value["source"] = json!("fax");
        value["occurred_at"] = json!("hier");
        value["references"]["container"] = json!("MSKU1234566");
        value["goods"]["category"] = json!("bananes");
        value["data"] = json!({});
        let errors = validate(&value).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "source",
                "occurred_at",
                "references.container",
                "goods.category",
                "data.ched_type"
            ]
        );
        let container = &errors[2].message;
        assert!(
            container.contains('5'),
            "the expected check digit is said: {container}"
        );
    }

    #[test]
    fn type_specific_rules_hold() {
        let mut value = valid();
        value["type"] = json!("customs_declaration_lodged");
        let errors = validate(&value).unwrap_err();
        assert_eq!(errors[0].field, "references.mrn");
        value["type"] = json!("checks_selected");
        value["data"] = json!({ "identity": "oui" });
        let errors = validate(&value).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["data.identity", "data.physical"]);
        value["references"] = json!({});
        assert!(validate(&value)
            .unwrap_err()
            .iter()
            .any(|e| e.field == "references"));
    }
}
