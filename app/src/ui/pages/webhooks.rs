//! `/notifications/webhooks`: a company administrator's webhooks. Register an HTTPS address and
//! the kinds it receives (its secret shown once), read its last attempts, send a test delivery,
//! send a delivery again, resume a paused webhook, remove one.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::notifications::webhooks_fields::{KIND_FIELD, URL_FIELD};
use crate::api::notifications::{list_webhooks, Webhooks};
use crate::domain::webhook::{
    DeliveryState, WebhookAttempt, WebhookEndpoint, DELIVERY_HEADER, REPLAY_WINDOW_SECONDS,
    SIGNATURE_HEADER,
};
use crate::ui::components::loaded::Loaded;
use crate::ui::components::table::DataTable;
use crate::ui::format;
use crate::ui::notices::Notice;

#[component]
pub fn WebhooksPage() -> impl IntoView {
    let desk = Resource::new(|| (), |_| list_webhooks());
    view! {
        <Title text="Webhooks" />
        <div class="fr-container fr-my-6w">
            <h1>"Webhooks"</h1>
            <p>
                "Le système d'information de votre entreprise peut recevoir, à une adresse HTTPS, un document JSON "
                "pour chaque notification choisie sur vos marchandises (par exemple « Contrôle à planifier »), "
                "dès qu'elle se produit. Chaque livraison est signée avec le secret du webhook ; en cas d'échec, "
                "elle est retentée pendant 24 heures. Un webhook en échec depuis 24 heures est suspendu et vous êtes prévenu."
            </p>
            <p>
                <a class="fr-link" href="/api/v1/openapi.json">"Format des livraisons (document OpenAPI, schéma « Livraison »)"</a>
            </p>
            <Notice />
            <Loaded resource=desk loading="Chargement des webhooks…" failed="Les webhooks n'ont pas pu être chargés" let:desk>
                <Desk desk />
            </Loaded>
        </div>
    }
}

#[component]
fn Desk(desk: Webhooks) -> impl IntoView {
    let query = use_query_map();
    let typed = query.with_untracked(|q| q.get("webhook_adresse").unwrap_or_default());
    let Webhooks {
        endpoints,
        kinds,
        fresh,
    } = desk;
    view! {
        {fresh.map(|(id, secret)| view! {
            <div class="fr-alert fr-alert--warning fr-mb-4w" role="status" id="secret-webhook">
                <h2 class="fr-alert__title">{format!("Secret du webhook n° {id} : copiez-le maintenant")}</h2>
                <p>"Il ne sera plus jamais affiché. Enregistrez-le dans le système qui reçoit les livraisons : il sert à vérifier leur signature."</p>
                <p><label class="fr-label" for="secret-valeur">"Secret"</label>
                <input class="fr-input" id="secret-valeur" readonly value=secret /></p>
            </div>
        })}
        <section class="fr-mb-6w" aria-labelledby="webhooks-inscrits">
            <h2 class="fr-h4" id="webhooks-inscrits">"Webhooks inscrits"</h2>
            {if endpoints.is_empty() {
                view! { <p>"Aucun webhook n'est inscrit pour votre entreprise."</p> }.into_any()
            } else {
                endpoints
                    .into_iter()
                    .map(|endpoint| view! { <Endpoint endpoint /> })
                    .collect_view()
                    .into_any()
            }}
        </section>
        <section class="fr-mb-6w" aria-labelledby="titre-inscrire">
            <h2 class="fr-h4" id="titre-inscrire">"Inscrire un webhook"</h2>
            <form method="post" action="/notifications/webhooks" class="sesame-narrow" novalidate>
                <div class="fr-input-group">
                    <label class="fr-label" for="webhook-adresse">
                        "Adresse qui reçoit les livraisons"
                        <span class="fr-hint-text">"Une adresse https:// publique. Exemple : https://api.mon-entreprise.fr/sesame"</span>
                    </label>
                    <input class="fr-input" type="url" id="webhook-adresse" name=URL_FIELD autocomplete="off" required value=typed />
                </div>
                <fieldset class="fr-fieldset">
                    <legend class="fr-fieldset__legend">"Ce qu'il reçoit"</legend>
                    {kinds
                        .into_iter()
                        .map(|kind| {
                            let id = format!("webhook-{KIND_FIELD}{}", kind.code);
                            view! {
                                <div class="fr-fieldset__element">
                                    <div class="fr-checkbox-group">
                                        <input type="checkbox" id=id.clone() name=format!("{KIND_FIELD}{}", kind.code) value="1" />
                                        <label class="fr-label" for=id>{kind.label}</label>
                                    </div>
                                </div>
                            }
                        })
                        .collect_view()}
                </fieldset>
                <button class="fr-btn" type="submit">"Inscrire le webhook"</button>
            </form>
        </section>
        <section aria-labelledby="titre-verifier">
            <h2 class="fr-h4" id="titre-verifier">"Vérifier une livraison"</h2>
            <p>
                {format!(
                    "Chaque livraison est un POST JSON avec deux en-têtes : « {DELIVERY_HEADER} », l'identifiant du \
                     document (le même à chaque essai : ignorez un document déjà traité), et « {SIGNATURE_HEADER} » de \
                     la forme t=<horodatage Unix de l'essai>,v1=<signature>. La signature est le HMAC-SHA256, en \
                     hexadécimal, de « t.corps » (l'horodatage, un point, puis le corps reçu tel quel) avec le secret du \
                     webhook. Refusez une livraison dont la signature diffère, ou dont l'horodatage s'écarte de plus de \
                     {} minutes de votre horloge. Le champ created_at du document donne sa date d'origine, la même à \
                     chaque essai : il permet de remettre dans l'ordre des livraisons arrivées dans le désordre.",
                    REPLAY_WINDOW_SECONDS / 60
                )}
            </p>
            <p>"Vérification en ligne de commande, avec OpenSSL :"</p>
            <pre class="sesame-code"><code>"printf '%s.%s' \"$t\" \"$corps\" | openssl dgst -sha256 -hmac \"$secret\""</code></pre>
        </section>
    }
}

#[component]
fn Endpoint(endpoint: WebhookEndpoint) -> impl IntoView {
    let WebhookEndpoint {
        id,
        url,
        kinds,
        created_at,
        failing_since,
        paused_at,
        attempts,
    } = endpoint;
    let badge = match (paused_at, failing_since) {
        (Some(at), _) => view! {
            <span class="fr-badge fr-badge--sm fr-badge--error">{format!("Suspendu le {}", format::date_time(at))}</span>
        }
        .into_any(),
        (None, Some(since)) => view! {
            <span class="fr-badge fr-badge--sm fr-badge--warning">{format!("En échec depuis le {}", format::date_time(since))}</span>
        }
        .into_any(),
        (None, None) => view! { <span class="fr-badge fr-badge--sm fr-badge--success">"Actif"</span> }.into_any(),
    };
    let heading = format!("webhook-{id}");
    let labelled_by = heading.clone();
    let paused = paused_at.is_some();
    let rows = attempts
        .into_iter()
        .map(|attempt| view! { <AttemptRow attempt active=!paused /> })
        .collect_view();
    view! {
        <article class="sesame-notification fr-mb-3w" aria-labelledby=labelled_by>
            <h3 class="fr-h6 fr-mb-1w" id=heading>
                {format!("Webhook n° {id} ")}
                {badge}
            </h3>
            <p class="fr-mb-1w sesame-break">{url.clone()}</p>
            <p class="fr-mb-1w">{format!("Reçoit : {}", kinds.join(", "))}</p>
            <p class="fr-mb-2w fr-text--sm">{format!("Inscrit le {}", format::date_time(created_at))}</p>
            <ul class="fr-btns-group fr-btns-group--inline-sm fr-btns-group--sm">
                {if paused {
                    view! {
                        <li>
                            <form method="post" action=format!("/notifications/webhooks/{id}/reactivation")>
                                <button class="fr-btn fr-btn--sm" type="submit">
                                    "Réactiver"<span class="fr-sr-only">{format!(" le webhook n° {id}")}</span>
                                </button>
                            </form>
                        </li>
                    }
                    .into_any()
                } else {
                    view! {
                        <li>
                            <form method="post" action=format!("/notifications/webhooks/{id}/test")>
                                <button class="fr-btn fr-btn--sm" type="submit">
                                    "Envoyer un test"<span class="fr-sr-only">{format!(" au webhook n° {id}")}</span>
                                </button>
                            </form>
                        </li>
                    }
                    .into_any()
                }}
                <li>
                    <form method="post" action=format!("/notifications/webhooks/{id}/retrait")>
                        <button class="fr-btn fr-btn--sm fr-btn--secondary" type="submit">
                            "Retirer"<span class="fr-sr-only">{format!(" le webhook n° {id}")}</span>
                        </button>
                    </form>
                </li>
            </ul>
            {if rows.is_empty() {
                view! { <p>"Aucun essai de livraison pour l'instant."</p> }.into_any()
            } else {
                view! {
                    <DataTable caption="Derniers essais de livraison" multiline=true>
                        <thead>
                            <tr>
                                <th scope="col">"Essai"</th>
                                <th scope="col">"Type"</th>
                                <th scope="col">"Réponse"</th>
                                <th scope="col">"Durée"</th>
                                <th scope="col">"Livraison"</th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </DataTable>
                }
                .into_any()
            }}
        </article>
    }
}

#[component]
fn AttemptRow(attempt: WebhookAttempt, active: bool) -> impl IntoView {
    let answer = match (&attempt.status, &attempt.error) {
        (Some(status), None) => format!("{status} — reçue"),
        (Some(_), Some(error)) | (None, Some(error)) => error.clone(),
        (None, None) => "—".to_owned(),
    };
    let delivery = attempt.delivery_id;
    let resend = (active && attempt.state != DeliveryState::Pending).then(|| {
        view! {
            <form method="post" action=format!("/notifications/livraisons/{delivery}/renvoi")>
                <button class="fr-btn fr-btn--sm fr-btn--tertiary" type="submit">
                    "Renvoyer"<span class="fr-sr-only">{format!(" la livraison n° {delivery}")}</span>
                </button>
            </form>
        }
    });
    view! {
        <tr>
            <td>{format::date_time(attempt.at)}</td>
            <td>{attempt.kind_label.clone()}</td>
            <td>{answer}</td>
            <td>{format!("{} ms", attempt.duration_ms)}</td>
            <td>
                {format!("n° {delivery} : {}", attempt.state.label())}
                {resend}
            </td>
        </tr>
    }
}
