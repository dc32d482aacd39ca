//! The OpenAPI 3 document of the partner interface, `GET /api/v1/openapi.json`, built from the
//! code: the sources, event types, goods categories, limits and answers are the ones the server
//! uses, so the document cannot drift from what it does (a test sends the document's own example,
//! and removes each required field in turn). It also describes what the companies' webhooks
//! receive (`x-webhooks`, schema `Livraison`: OpenAPI 3.0 has no `webhooks` section), from the
//! type the worker serialises and the kinds the store holds.

use app::domain::document::{DocumentKind, MediaType, DEFAULT_MAX_BYTES};
use app::domain::dossier::GoodsCategory;
use app::domain::journey::{EventKind, EventSource};
use app::domain::notification::NotificationKind;
use app::domain::partner::MAX_BATCH;
use app::domain::webhook::{
    WebhookDossier, WebhookPayload, DELIVERY_HEADER, REPLAY_WINDOW_SECONDS, SIGNATURE_HEADER,
    TEST_KIND,
};
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

/// The fields every event must carry.
pub const REQUIRED: [&str; 7] = [
    "id",
    "source",
    "type",
    "occurred_at",
    "site",
    "references",
    "goods",
];

/// An event the interface accepts, shown as the document's example.
pub fn example_event() -> Value {
    json!({
        "id": "TRACES-2026-000123",
        "source": "traces",
        "type": "ched_lodged",
        "occurred_at": "2026-11-26T09:30:00+01:00",
        "site": "FRLEH",
        "post": "FRLEH1",
        "references": { "container": "MSKU1234565", "ched": "CHEDP.FR.2026.0000123" },
        "goods": { "category": "animal_products", "description": "Crevettes congelées" },
        "data": { "ched_type": "P" }
    })
}

fn problem_response(description: &str) -> Value {
    json!({
        "description": description,
        "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Probleme" } } }
    })
}

/// A delivery shown as the document's example: built from the type the worker sends.
pub fn example_delivery() -> Value {
    let payload = WebhookPayload {
        id: "3f6c1e0a9b8d4c2e8f7a6b5c4d3e2f1a".to_owned(),
        kind: "controle_a_planifier".to_owned(),
        created_at: "2026-11-26T08:30:00Z".parse().unwrap_or_default(),
        action_required: true,
        title: "MSKU1234565 : contrôle physique — prenez rendez-vous".to_owned(),
        text: "Votre marchandise MSKU1234565 est sélectionnée pour un contrôle physique au poste de contrôle frontalier Le Havre — Terminal de France (FRLEH4). Action requise : prenez rendez-vous au poste pour ce contrôle, puis faites-y acheminer la marchandise.".to_owned(),
        dossier: Some(WebhookDossier {
            id: 1234,
            reference: "MSKU1234565".to_owned(),
            site: "FRLEH".to_owned(),
            post: Some("FRLEH4".to_owned()),
            url: "https://sesame.example.gouv.fr/dossiers/1234/rendez-vous".to_owned(),
        }),
    };
    serde_json::to_value(payload).unwrap_or_default()
}

/// What a company's webhooks receive: the schema of [`WebhookPayload`], the kinds that may be
/// sent (`kinds`, from the store), the headers and their signature.
fn delivery(kinds: &[NotificationKind]) -> (Value, Value) {
    let mut codes: Vec<&str> = kinds.iter().map(|kind| kind.code.as_str()).collect();
    codes.push(TEST_KIND);
    let window = REPLAY_WINDOW_SECONDS / 60;
    let schema = json!({
        "type": "object",
        "description": "Document livré à un webhook d'entreprise : uniquement ce que les opérateurs de l'entreprise lisent dans la notification. Le corps est identique à chaque essai et à chaque renvoi.",
        "required": ["id", "type", "created_at", "action_required", "title", "text", "dossier"],
        "properties": {
            "id": { "type": "string", "description": "Identifiant du document, le même à chaque essai (en-tête Sesame-Delivery) : ignorer un document déjà traité." },
            "type": { "type": "string", "enum": codes, "description": "Type de notification (« test » pour une livraison de test)." },
            "created_at": { "type": "string", "format": "date-time", "description": "Date d'origine du document, jamais celle de l'essai : elle permet de remettre dans l'ordre des livraisons arrivées dans le désordre." },
            "action_required": { "type": "boolean" },
            "title": { "type": "string" },
            "text": { "type": "string" },
            "dossier": {
                "nullable": true,
                "description": "Le dossier concerné ; absent (null) pour une livraison de test.",
                "type": "object",
                "required": ["id", "reference", "site", "post", "url"],
                "properties": {
                    "id": { "type": "integer" },
                    "reference": { "type": "string", "description": "Conteneur, LTA, DSCE, connaissement ou MRN qui désigne le dossier." },
                    "site": { "type": "string", "description": "UN/LOCODE du site." },
                    "post": { "type": "string", "nullable": true, "description": "Code du poste de contrôle frontalier, une fois désigné." },
                    "url": { "type": "string", "format": "uri", "description": "Où agir sur France Sésame." }
                }
            }
        }
    });
    let operation = json!({
        "post": {
            "summary": "Livraison d'une notification au webhook d'une entreprise",
            "description": format!("France Sésame envoie ce POST à l'adresse HTTPS inscrite par l'administrateur de l'entreprise. En-têtes : `{DELIVERY_HEADER}` (l'identifiant du document) et `{SIGNATURE_HEADER}: t=<horodatage Unix de l'essai>,v1=<HMAC-SHA256 hexadécimal de \"<t>.<corps>\" avec le secret du webhook>`. Refuser une signature différente, ou un horodatage à plus de {window} minutes de l'horloge du récepteur. Toute réponse 2xx vaut réception ; sinon (ou sans réponse en 10 secondes) la livraison est retentée, avec des délais croissants, pendant 24 heures ; un webhook en échec depuis 24 heures est suspendu et ses administrateurs prévenus."),
            "parameters": [
                { "name": DELIVERY_HEADER, "in": "header", "required": true, "schema": { "type": "string" } },
                { "name": SIGNATURE_HEADER, "in": "header", "required": true, "schema": { "type": "string", "pattern": "^t=[0-9]+,v1=[0-9a-f]{64}$" } }
            ],
            "requestBody": {
                "required": true,
                "content": { "application/json": {
                    "schema": { "$ref": "#/components/schemas/Livraison" },
                    "example": example_delivery()
                }}
            },
            "responses": { "2XX": { "description": "Reçue : aucun nouvel essai." } }
        }
    });
    (schema, operation)
}

/// The document; `kinds`: the kinds of notification a company may receive.
pub fn document(kinds: &[NotificationKind]) -> Value {
    let (delivery_schema, delivery_operation) = delivery(kinds);
    let sources: Vec<&str> = EventSource::ALL.iter().map(|s| s.code()).collect();
    let kinds: Vec<&str> = EventKind::ALL.iter().map(|k| k.code()).collect();
    // Which source may send which type (PARTNER_API.md 1.1), from the rule the server applies.
    let authority = EventSource::ALL
        .iter()
        .map(|source| {
            let reported: Vec<&str> = EventKind::ALL
                .iter()
                .filter(|kind| source.reports(**kind))
                .map(|kind| kind.code())
                .collect();
            format!("{} : {}", source.code(), reported.join(", "))
        })
        .collect::<Vec<_>>()
        .join(" ; ");
    let categories: Vec<&str> = GoodsCategory::ALL.iter().map(|g| g.code()).collect();
    let document_kinds: Vec<&str> = DocumentKind::PARTNER.iter().map(|k| k.code()).collect();
    // Which source may send which kind of document (PARTNER_API.md 1.2), from the same rule.
    let document_authority = EventSource::ALL
        .iter()
        .map(|source| {
            let sent: Vec<&str> = DocumentKind::PARTNER
                .iter()
                .filter(|kind| kind.sent_by(*source))
                .map(|kind| kind.code())
                .collect();
            let sent = if sent.is_empty() {
                "aucun".to_owned()
            } else {
                sent.join(", ")
            };
            format!("{} : {sent}", source.code())
        })
        .collect::<Vec<_>>()
        .join(" ; ");
    let media: Vec<&str> = MediaType::ALL.iter().map(|m| m.label()).collect();
    let most_mib = DEFAULT_MAX_BYTES / (1024 * 1024);
    let results = [
        "satisfactory",
        "satisfactory_after_intervention",
        "not_satisfactory",
        "not_done",
        "derogation",
    ];
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "France Sésame — interface des systèmes partenaires",
            "version": "1.3.0",
            "description": "Les systèmes de référence (TRACES NT, dédouanement, systèmes portuaires et aéroportuaires, SIVEP) transmettent ce qui arrive aux envois. Chaque refus est un document de problème (RFC 9457) en français qui nomme chaque champ fautif. Dans l'autre sens, les webhooks des entreprises reçoivent leurs notifications : voir `x-webhooks` et le schéma `Livraison`."
        },
        "paths": {
            "/api/v1/events": {
                "post": {
                    "summary": "Transmettre un événement, ou un lot d'événements",
                    "security": [{ "cle": [] }],
                    "requestBody": {
                        "required": true,
                        "content": { "application/json": {
                            "schema": { "oneOf": [
                                { "$ref": "#/components/schemas/Evenement" },
                                { "$ref": "#/components/schemas/Lot" }
                            ]},
                            "example": example_event()
                        }}
                    },
                    "responses": {
                        "201": { "description": "Événement enregistré", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Resultat" } } } },
                        "200": { "description": "Même identifiant et même contenu déjà reçus (« duplicate »), ou résultat d'un lot", "content": { "application/json": { "schema": { "oneOf": [
                            { "$ref": "#/components/schemas/Resultat" },
                            { "$ref": "#/components/schemas/ResultatsDuLot" }
                        ]}}}},
                        "400": problem_response("JSON mal formé"),
                        "401": problem_response("Clé absente, inconnue ou révoquée"),
                        "403": problem_response("Clé non autorisée pour la source ou le site, ou source sans autorité pour ce type"),
                        "409": problem_response("Même identifiant, autre contenu"),
                        "413": problem_response(&format!("Corps trop volumineux, ou lot de plus de {MAX_BATCH} événements")),
                        "422": problem_response("Événement invalide : chaque champ fautif est nommé"),
                        "429": problem_response("Trop d'événements pour cette clé (un lot compte chacun de ses événements), ou trop de requêtes depuis cette adresse (en-tête Retry-After)"),
                        "503": problem_response("Plateforme en maintenance : rien n'est enregistré ; réessayer après le délai de l'en-tête Retry-After (la page publique /etat-du-service dit jusqu'à quand)")
                    }
                }
            },
            "/api/v1/documents": {
                "post": {
                    "summary": "Transmettre un document d'un dossier",
                    "description": format!("Mêmes clés, périmètres, idempotence et documents de problème que les événements. Le document rejoint le dossier de son site qui porte l'une de ses références, ou en ouvre un (il faut alors la partie `goods`, comme pour un événement). Le fichier ({}, reconnu à son contenu, {most_mib} Mio au plus par défaut) est analysé par l'antivirus avant que quiconque puisse le télécharger.", media.join(", ")),
                    "security": [{ "cle": [] }],
                    "requestBody": {
                        "required": true,
                        "content": { "multipart/form-data": { "schema": { "$ref": "#/components/schemas/Document" } } }
                    },
                    "responses": {
                        "201": { "description": "Document enregistré, en attente de l'antivirus", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ResultatDocument" } } } },
                        "200": { "description": "Même identifiant et mêmes octets déjà reçus (« duplicate »)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ResultatDocument" } } } },
                        "400": problem_response("Corps multipart/form-data illisible"),
                        "401": problem_response("Clé absente, inconnue ou révoquée"),
                        "403": problem_response("Clé non autorisée pour la source ou le site, ou source sans autorité pour ce type de document (« kind »)"),
                        "409": problem_response("Même identifiant, autres octets"),
                        "413": problem_response("Document trop volumineux"),
                        "415": problem_response("Type de fichier non accepté"),
                        "422": problem_response("Document invalide : chaque partie fautive est nommée"),
                        "429": problem_response("Trop d'envois pour cette clé, ou depuis cette adresse (en-tête Retry-After)"),
                        "503": problem_response("Antivirus indisponible, ou plateforme en maintenance : aucun document n'est reçu pour l'instant (en-tête Retry-After)")
                    }
                }
            },
            "/api/v1/stream": {
                "get": {
                    "summary": "Flux en direct (server-sent events) de la personne connectée",
                    "description": "Réservé aux sessions du portail. Chaque message porte l'identifiant de l'événement (`id:`) ; en se reconnectant avec `Last-Event-ID`, le client reçoit ce qu'il a manqué, ou un message `resync` (trop de retard, ou position inconnue). Une personne peut garder quelques flux ouverts à la fois (ses onglets) ; au-delà, 429.",
                    "security": [{ "session": [] }],
                    "responses": { "200": { "description": "Flux", "content": { "text/event-stream": {} } }, "401": { "description": "Non connecté" }, "429": { "description": "Trop de flux ouverts pour cette personne (en-tête Retry-After)" } }
                }
            }
        },
        "x-webhooks": { "livraison": delivery_operation },
        "components": {
            "securitySchemes": {
                "cle": { "type": "http", "scheme": "bearer", "description": "Clé d'API du système partenaire, limitée à des sources et des sites." },
                "session": { "type": "apiKey", "in": "cookie", "name": "__Host-sesame_session" }
            },
            "schemas": {
                "Evenement": {
                    "type": "object",
                    "required": REQUIRED,
                    "properties": {
                        "id": { "type": "string", "minLength": 1, "maxLength": 100, "description": "Identifiant unique chez le partenaire, propre à sa clé ; renvoyer le même contenu est sans effet." },
                        "source": { "type": "string", "enum": sources },
                        "type": { "type": "string", "enum": kinds, "description": format!("Chaque source n'envoie que ce dont elle fait autorité (sinon 403 nommant « type ») — {authority}.") },
                        "occurred_at": { "type": "string", "format": "date-time", "description": "Quand c'est arrivé (RFC 3339 avec décalage), il y a dix ans au plus et un jour au plus dans l'avenir ; l'ordre d'arrivée est indifférent." },
                        "site": { "type": "string", "pattern": "^[A-Z]{2}[A-Z2-9]{3}$", "description": "UN/LOCODE d'un site de France Sésame autorisé pour la clé. Les références de l'événement ne rejoignent qu'un dossier de ce site ; aucune réponse ne dépend de ce qui existe ailleurs." },
                        "post": { "type": "string", "description": "Code du poste de contrôle frontalier, sur le site." },
                        "references": { "$ref": "#/components/schemas/References" },
                        "goods": {
                            "type": "object",
                            "required": ["category", "description"],
                            "properties": {
                                "category": { "type": "string", "enum": categories },
                                "description": { "type": "string", "minLength": 1, "maxLength": 500 }
                            }
                        },
                        "operator": {
                            "type": "object",
                            "description": "SIRET ou EORI de l'opérateur ; vérifié.",
                            "properties": { "siret": { "type": "string" }, "eori": { "type": "string" } }
                        },
                        "representative": {
                            "type": "object",
                            "description": "SIRET ou EORI du représentant en douane enregistré ou du commissionnaire qui agit pour l'opérateur (version 1.3) ; vérifié comme operator. Affiché sur le dossier ; il n'ouvre à lui seul aucun accès : les personnes du représentant ne voient le dossier que si l'importateur lui a donné un mandat pour ce site et ce jour.",
                            "properties": { "siret": { "type": "string" }, "eori": { "type": "string" } }
                        },
                        "data": { "$ref": "#/components/schemas/Donnees" }
                    }
                },
                "References": {
                    "type": "object",
                    "minProperties": 1,
                    "description": "Au moins une ; chacune vérifiée (chiffres de contrôle, longueurs). Espaces, tirets et minuscules acceptés et normalisés.",
                    "properties": {
                        "container": { "type": "string", "description": "ISO 6346, chiffre de contrôle vérifié" },
                        "awb": { "type": "string", "description": "LTA : 3 + 8 chiffres, chiffre de contrôle modulo 7" },
                        "bill_of_lading": { "type": "string" },
                        "ched": { "type": "string", "description": "CHEDP.FR.2026.0001234" },
                        "mrn": { "type": "string", "description": "18 caractères, caractère de contrôle vérifié ; obligatoire pour customs_declaration_lodged" }
                    },
                    "additionalProperties": false
                },
                "Donnees": {
                    "type": "object",
                    "description": "Selon le type : ched_lodged {ched_type}, arrived {transport_mode, means}, documentary_check_done et identity_check_done {result}, checks_selected {identity, physical}, physical_check_done {result, samples_taken}, lab_result {conclusion}, ched_decision {acceptable, purpose?, action?, code?}, follow_up_done {action}.",
                    "properties": {
                        "ched_type": { "type": "string", "enum": ["A", "P", "PP", "D"] },
                        "transport_mode": { "type": "string", "enum": ["sea", "air"] },
                        "means": { "type": "string" },
                        "result": { "type": "string", "enum": results },
                        "identity": { "type": "boolean" },
                        "physical": { "type": "boolean" },
                        "samples_taken": { "type": "boolean" },
                        "conclusion": { "type": "string", "enum": ["satisfactory", "not_satisfactory", "not_interpretable", "pending"] },
                        "acceptable": { "type": "boolean" },
                        "purpose": { "type": "string" },
                        "action": { "type": "string" },
                        "code": { "type": "string" }
                    }
                },
                "Document": {
                    "type": "object",
                    "required": ["id", "source", "site", "references", "kind", "title", "file"],
                    "properties": {
                        "id": { "type": "string", "minLength": 1, "maxLength": 100, "description": "Identifiant unique chez le partenaire, propre à sa clé ; renvoyer les mêmes octets est sans effet, d'autres octets sont refusés (409)." },
                        "source": { "type": "string", "enum": sources },
                        "site": { "type": "string", "pattern": "^[A-Z]{2}[A-Z2-9]{3}$" },
                        "post": { "type": "string" },
                        "references": { "type": "string", "description": "Objet JSON des références, comme pour un événement (schéma References)." },
                        "kind": { "type": "string", "enum": document_kinds, "description": format!("Chaque source n'envoie que ce dont elle fait autorité (sinon 403 nommant « kind ») — {document_authority}.") },
                        "title": { "type": "string", "minLength": 1, "maxLength": 200, "description": "Montré aux personnes." },
                        "goods": { "type": "string", "description": "Objet JSON {category, description}, comme pour un événement : nécessaire seulement quand le document ouvre le dossier." },
                        "operator": { "type": "string", "description": "Objet JSON {siret} ou {eori}, comme pour un événement." },
                        "supersedes": { "type": "string", "description": "Ajout compatible au contrat : l'identifiant d'un document envoyé plus tôt avec la même clé pour le même dossier, que celui-ci corrige (l'ancien reste listé, marqué remplacé)." },
                        "file": { "type": "string", "format": "binary", "description": format!("{} ; reconnu à son contenu, non à son nom.", media.join(", ")) }
                    }
                },
                "ResultatDocument": {
                    "type": "object",
                    "required": ["id", "dossier_id", "document_id", "sha256", "status"],
                    "properties": {
                        "id": { "type": "string" },
                        "dossier_id": { "type": "integer" },
                        "document_id": { "type": "integer" },
                        "sha256": { "type": "string", "pattern": "^[0-9a-f]{64}$" },
                        "status": { "type": "string", "enum": ["created", "duplicate"] }
                    }
                },
                "Lot": {
                    "type": "object",
                    "required": ["events"],
                    "properties": { "events": { "type": "array", "maxItems": MAX_BATCH, "items": {
                        // Each item is meant to be an event; whatever it is, it is judged on its
                        // own and a faulty one is refused alone in the results, the batch answered
                        // 200: the document says so rather than promising a 422 for the batch.
                        "description": "Un événement (schéma Evenement). Chaque élément est vérifié à part : un élément invalide, quel qu'il soit, est refusé seul dans les résultats (« rejected »), les autres sont enregistrés.",
                        "anyOf": [{ "$ref": "#/components/schemas/Evenement" }, {}]
                    } } }
                },
                "Resultat": {
                    "type": "object",
                    "required": ["id", "status"],
                    "properties": {
                        "id": { "type": "string" },
                        "dossier_id": { "type": "integer" },
                        "status": { "type": "string", "enum": ["created", "duplicate"] },
                        "warnings": { "$ref": "#/components/schemas/Avertissements" }
                    }
                },
                "ResultatsDuLot": {
                    "type": "object",
                    "required": ["results"],
                    "properties": { "results": { "type": "array", "items": {
                        "type": "object",
                        "required": ["id", "status"],
                        "properties": {
                            "id": { "type": "string", "nullable": true, "description": "L'identifiant de l'élément, null s'il n'en avait pas" },
                            "status": { "type": "string", "enum": ["created", "duplicate", "rejected"] },
                            "dossier_id": { "type": "integer" },
                            "errors": { "type": "array", "items": { "$ref": "#/components/schemas/ChampFautif" } },
                            "warnings": { "$ref": "#/components/schemas/Avertissements" }
                        }
                    }}}
                },
                "Avertissements": {
                    "type": "array",
                    "description": "Ajout compatible au contrat : ce que l'événement accepté a de douteux, sans le refuser (les systèmes partenaires font foi) — des marchandises envoyées à un poste qui n'est pas agréé pour leur catégorie (champ « post »). Les agents du site en sont alertés. Absent quand il n'y a rien à signaler.",
                    "items": { "$ref": "#/components/schemas/ChampFautif" }
                },
                "Probleme": {
                    "type": "object",
                    "required": ["type", "title", "status", "detail"],
                    "properties": {
                        "type": { "type": "string" },
                        "title": { "type": "string" },
                        "status": { "type": "integer" },
                        "detail": { "type": "string" },
                        "errors": { "type": "array", "items": { "$ref": "#/components/schemas/ChampFautif" } }
                    }
                },
                "Livraison": delivery_schema,
                "ChampFautif": {
                    "type": "object",
                    "required": ["field", "message"],
                    "properties": { "field": { "type": "string", "example": "references.container" }, "message": { "type": "string" } }
                }
            }
        }
    })
}

/// `GET /api/v1/openapi.json`.
pub async fn serve(State(partners): State<crate::partner::Partners>) -> Response {
    match partners.store.company_kinds().await {
        Ok(kinds) => (
            [(header::CONTENT_TYPE, "application/json")],
            serde_json::to_string_pretty(&document(&kinds)).unwrap_or_default(),
        )
            .into_response(),
        Err(error) => {
            tracing::warn!(%error, "document OpenAPI : types de notification illisibles");
            crate::partner::problem(
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                "Service momentanément indisponible",
                "Le document n'a pas pu être produit. Réessayez dans quelques instants.",
                &[],
            )
        }
    }
}
