//! The notification centre (`/notifications`): what the platform told the person, newest first,
//! each linking to where to act, with filters (a kind, unread only), « marquer comme lue » and
//! « tout marquer comme lu ». A live page: a new notification appears without reloading.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::notifications::recipients_fields::{ADDRESS_FIELD, KIND_FIELD, TOKEN_FIELD};
use crate::api::notifications::{
    get_notification_preferences, list_extra_recipients, list_notifications, ExtraRecipients,
    NotificationsPage,
};
use crate::domain::access::EntryPoint;
use crate::domain::directory::Role;
use crate::domain::notification::{unread_label, MailMode, Notification, Preferences};
use crate::ui::components::loaded::Loaded;
use crate::ui::format;
use crate::ui::live::{LiveBar, LiveWatch};
use crate::ui::notices::Notice;

const PARAM_KIND: &str = "type";
const PARAM_UNREAD: &str = "non_lues";
const PARAM_BEFORE: &str = "avant";

#[component]
pub fn NotificationsPage() -> impl IntoView {
    let params = use_query_map();
    let filters = Memo::new(move |_| {
        params.with(|p| {
            (
                p.get(PARAM_KIND).filter(|kind| !kind.is_empty()),
                p.get(PARAM_UNREAD).is_some_and(|value| value == "1"),
                p.get(PARAM_BEFORE).and_then(|id| id.parse::<i64>().ok()),
            )
        })
    });
    let user = use_context::<crate::ui::CurrentUser>()
        .unwrap_or_default()
        .0;
    // Only people who follow dossiers have a live stream.
    let live = user
        .as_ref()
        .is_some_and(|user| !matches!(user.role, Role::Dgitm | Role::Administrateur));
    let admin = user
        .as_ref()
        .is_some_and(|user| user.may_open(EntryPoint::ManageExtraRecipients));
    let webhooks = user
        .as_ref()
        .is_some_and(|user| user.may_open(EntryPoint::ManageWebhooks));
    let page = Resource::new(
        move || filters.get(),
        |(kind, unread, before)| list_notifications(kind, unread, before),
    );
    view! {
        <Title text="Notifications" />
        <div class="fr-container fr-my-6w">
            <h1>"Notifications"</h1>
            {live.then(|| view! {
                <div class="sesame-live-bar">
                    <LiveBar watch=LiveWatch::Notifications pause=false />
                </div>
            })}
            <p>
                "Ce que France Sésame vous a signalé sur vos dossiers, du plus récent au plus ancien. "
                "Les notifications qui demandent une action de votre part sont marquées « Action requise »."
            </p>
            <ul class="fr-links-group">
                <li>
                    <a class="fr-link" href="/notifications/preferences">"Choisir ce que vous recevez par courriel"</a>
                </li>
                {admin.then(|| view! {
                    <li>
                        <a class="fr-link" href="/notifications/destinataires">"Transmettre des notifications à d'autres adresses"</a>
                    </li>
                })}
                {webhooks.then(|| view! {
                    <li>
                        <a class="fr-link" href="/notifications/webhooks">"Recevoir les notifications dans votre système d'information (webhooks)"</a>
                    </li>
                })}
            </ul>
            <Notice />
            <div id="notifications-direct" data-direct>
                <Loaded resource=page loading="Chargement des notifications…" failed="Les notifications n'ont pas pu être chargées" let:page>
                    <Centre page filters=filters.get_untracked() />
                </Loaded>
            </div>
        </div>
    }
}

#[component]
fn Centre(page: NotificationsPage, filters: (Option<String>, bool, Option<i64>)) -> impl IntoView {
    let (kind, unread_only, before) = filters;
    let heading = match page.unread {
        0 => "Aucune notification non lue".to_owned(),
        1 => "1 notification non lue".to_owned(),
        n => format!("{} notifications non lues", unread_label(n)),
    };
    let older = page.older.map(|id| {
        let mut pairs = vec![format!("{PARAM_BEFORE}={id}")];
        if let Some(kind) = &kind {
            pairs.push(format!("{PARAM_KIND}={}", format::query_value(kind)));
        }
        if unread_only {
            pairs.push(format!("{PARAM_UNREAD}=1"));
        }
        format!("/notifications?{}", pairs.join("&"))
    });
    let empty = if kind.is_some() || unread_only || before.is_some() {
        "Aucune notification ne correspond à ces filtres."
    } else {
        "Vous n'avez reçu aucune notification pour l'instant."
    };
    view! {
        <form method="get" action="/notifications" class="sesame-filters fr-mb-3w">
            <div class="fr-select-group">
                <label class="fr-label" for="filtre-type">"Type de notification"</label>
                <select class="fr-select" id="filtre-type" name=PARAM_KIND>
                    <option value="" selected=kind.is_none()>"Tous les types"</option>
                    {page
                        .kinds
                        .iter()
                        .map(|option| {
                            let selected = kind.as_deref() == Some(option.code.as_str());
                            view! {
                                <option value=option.code.clone() selected=selected>{option.label.clone()}</option>
                            }
                        })
                        .collect_view()}
                </select>
            </div>
            <div class="fr-checkbox-group">
                <input type="checkbox" id="filtre-non-lues" name=PARAM_UNREAD value="1" checked=unread_only />
                <label class="fr-label" for="filtre-non-lues">"Non lues seulement"</label>
            </div>
            <button class="fr-btn fr-btn--secondary" type="submit">"Filtrer"</button>
        </form>
        <h2 class="fr-h4" id="notifications-compte" aria-live="polite">{heading}</h2>
        {(page.unread > 0).then(|| view! {
            <form method="post" action="/notifications/tout-lu" class="fr-mb-3w">
                <button class="fr-btn fr-btn--tertiary" type="submit">"Tout marquer comme lu"</button>
            </form>
        })}
        {if page.notifications.is_empty() {
            view! { <p id="aucune-notification">{empty}</p> }.into_any()
        } else {
            view! {
                <ul class="sesame-notifications" aria-labelledby="notifications-compte">
                    {page
                        .notifications
                        .into_iter()
                        .map(|notification| {
                            let key = notification.id.to_string();
                            view! { <li data-cle=key><Item notification /></li> }
                        })
                        .collect_view()}
                </ul>
            }
            .into_any()
        }}
        {older.map(|href| view! {
            <p><a class="fr-link" href=href>"Notifications plus anciennes"</a></p>
        })}
    }
}

#[component]
fn Item(notification: Notification) -> impl IntoView {
    let class = if notification.read {
        "sesame-notification"
    } else {
        "sesame-notification sesame-notification--unread"
    };
    let title_id = format!("notification-{}", notification.id);
    let labelled_by = title_id.clone();
    view! {
        <article class=class aria-labelledby=labelled_by data-notification=notification.id.to_string()>
            <h3 class="fr-h6 fr-mb-1w" id=title_id>
                <a href=format!("/notifications/{}", notification.id)>{notification.title.clone()}</a>
            </h3>
            <p class="fr-mb-1w">
                {(!notification.read).then(|| view! {
                    <span class="fr-badge fr-badge--sm fr-badge--info fr-mr-1w">"Non lue"</span>
                })}
                {notification.action_required.then(|| view! {
                    <span class="fr-badge fr-badge--sm fr-badge--warning fr-mr-1w">"Action requise"</span>
                })}
                <span class="fr-text--sm">
                    {format!("{} — {}", notification.kind_label, format::date_time(notification.created_at))}
                </span>
            </p>
            <p class="fr-mb-1w">{notification.body.clone()}</p>
            {(!notification.read).then(|| view! {
                <form method="post" action=format!("/notifications/{}/lue", notification.id)>
                    <button class="fr-btn fr-btn--sm fr-btn--tertiary-no-outline" type="submit">
                        "Marquer comme lue"
                        <span class="fr-sr-only">{format!(" : {}", notification.title)}</span>
                    </button>
                </form>
            })}
        </article>
    }
}

/// `/notifications/preferences`: for each kind, a mail at once, in the daily digest, or never;
/// and the hour of the digest.
#[component]
pub fn NotificationPreferencesPage() -> impl IntoView {
    let preferences = Resource::new(|| (), |_| get_notification_preferences());
    view! {
        <Title text="Préférences de notification" />
        <div class="fr-container fr-my-6w">
            <h1>"Préférences de notification"</h1>
            <p>
                "Toutes vos notifications restent dans le "
                <a href="/notifications">"centre de notifications"</a>
                ". Choisissez ici lesquelles vous recevez aussi par courriel, et quand."
            </p>
            <Notice />
            <Loaded resource=preferences loading="Chargement de vos préférences…" failed="Vos préférences n'ont pas pu être chargées" let:preferences>
                {match preferences {
                    Some(preferences) => view! { <PreferencesForm preferences /> }.into_any(),
                    None => view! {
                        <p>"Aucun type de notification ne vous est adressé pour l'instant."</p>
                    }
                    .into_any(),
                }}
            </Loaded>
        </div>
    }
}

#[component]
fn PreferencesForm(preferences: Preferences) -> impl IntoView {
    use crate::api::notifications::preferences_fields::{HOUR_FIELD, MAIL_FIELD};
    let hour = preferences.digest_hour;
    view! {
        <form method="post" action="/notifications/preferences" class="sesame-narrow" novalidate>
            <fieldset class="fr-fieldset">
                <legend class="fr-fieldset__legend">"Par courriel"</legend>
                {preferences
                    .kinds
                    .into_iter()
                    .map(|kind| {
                        let id = format!("{MAIL_FIELD}{}", kind.code);
                        let hint = if kind.action_required {
                            "Toujours envoyée immédiatement : elle demande une action de votre part."
                        } else {
                            ""
                        };
                        view! {
                            <div class="fr-select-group fr-fieldset__element">
                                <label class="fr-label" for=id.clone()>
                                    {kind.label.clone()}
                                    {kind.action_required.then(|| view! { <span class="fr-hint-text">{hint}</span> })}
                                </label>
                                <select class="fr-select" id=id.clone() name=id disabled=kind.action_required>
                                    {MailMode::ALL
                                        .into_iter()
                                        .map(|mode| view! {
                                            <option value=mode.code() selected=mode == kind.mail>{mode.label()}</option>
                                        })
                                        .collect_view()}
                                </select>
                            </div>
                        }
                    })
                    .collect_view()}
            </fieldset>
            <div class="fr-select-group">
                <label class="fr-label" for=HOUR_FIELD>
                    "Heure du récapitulatif quotidien"
                    <span class="fr-hint-text">"Heure de Paris. Le récapitulatif n'est envoyé que s'il contient au moins une notification."</span>
                </label>
                <select class="fr-select" id=HOUR_FIELD name=HOUR_FIELD>
                    {(0..24u32)
                        .map(|h| view! { <option value=h.to_string() selected=h == hour>{format!("{h} h")}</option> })
                        .collect_view()}
                </select>
            </div>
            <button class="fr-btn" type="submit">"Enregistrer mes préférences"</button>
        </form>
    }
}

/// `/notifications/destinataires`: the outside addresses the company sends chosen kinds to.
#[component]
pub fn ExtraRecipientsPage() -> impl IntoView {
    let recipients = Resource::new(|| (), |_| list_extra_recipients());
    view! {
        <Title text="Autres destinataires" />
        <div class="fr-container fr-my-6w">
            <h1>"Transmettre des notifications à d'autres adresses"</h1>
            <p>
                "Votre transporteur, votre commissionnaire ou un autre partenaire peut recevoir par courriel certains types "
                "de notification sur les marchandises de votre entreprise, par exemple « Contrôle à planifier », pour organiser "
                "aussitôt l'acheminement au poste. Ces courriels ne contiennent que la référence, le poste de contrôle frontalier "
                "et ce qui se passe. Chaque adresse doit d'abord confirmer, par le lien que nous lui envoyons."
            </p>
            <Notice />
            <Loaded resource=recipients loading="Chargement des adresses…" failed="Les adresses n'ont pas pu être chargées" let:recipients>
                <RecipientsList recipients />
            </Loaded>
        </div>
    }
}

#[component]
fn RecipientsList(recipients: ExtraRecipients) -> impl IntoView {
    let ExtraRecipients { recipients, kinds } = recipients;
    view! {
        <h2 class="fr-h4" id="destinataires-inscrits">"Adresses inscrites"</h2>
        {if recipients.is_empty() {
            view! { <p>"Aucune adresse n'est inscrite pour votre entreprise."</p> }.into_any()
        } else {
            view! {
                <ul class="sesame-notifications" aria-labelledby="destinataires-inscrits">
                    {recipients
                        .into_iter()
                        .map(|recipient| {
                            let status = if recipient.confirmed {
                                view! { <span class="fr-badge fr-badge--sm fr-badge--success">"Confirmée"</span> }.into_any()
                            } else {
                                view! { <span class="fr-badge fr-badge--sm fr-badge--warning">"En attente de confirmation"</span> }.into_any()
                            };
                            view! {
                                <li class="sesame-notification">
                                    <p class="fr-mb-1w"><strong>{recipient.email.clone()}</strong>" " {status}</p>
                                    <p class="fr-mb-1w">{format!("Reçoit : {}", recipient.kinds.join(", "))}</p>
                                    <form method="post" action=format!("/notifications/destinataires/{}/retrait", recipient.id)>
                                        <button class="fr-btn fr-btn--sm fr-btn--secondary" type="submit">
                                            "Retirer"
                                            <span class="fr-sr-only">{format!(" l'adresse {}", recipient.email)}</span>
                                        </button>
                                    </form>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            }
            .into_any()
        }}
        <h2 class="fr-h4">"Inscrire une adresse"</h2>
        <form method="post" action="/notifications/destinataires" class="sesame-narrow" novalidate>
            <div class="fr-input-group">
                <label class="fr-label" for="destinataire-adresse">
                    "Adresse électronique"
                    <span class="fr-hint-text">"Format attendu : nom@domaine.fr"</span>
                </label>
                <input class="fr-input" type="email" id="destinataire-adresse" name=ADDRESS_FIELD autocomplete="off" required />
            </div>
            <fieldset class="fr-fieldset">
                <legend class="fr-fieldset__legend">"Ce qu'elle reçoit"</legend>
                {kinds
                    .into_iter()
                    .map(|kind| {
                        let id = format!("{KIND_FIELD}{}", kind.code);
                        view! {
                            <div class="fr-fieldset__element">
                                <div class="fr-checkbox-group">
                                    <input type="checkbox" id=id.clone() name=id.clone() value="1" />
                                    <label class="fr-label" for=id>{kind.label}</label>
                                </div>
                            </div>
                        }
                    })
                    .collect_view()}
            </fieldset>
            <button class="fr-btn" type="submit">"Inscrire et envoyer le lien de confirmation"</button>
        </form>
    }
}

/// `/confirmation-destinataire?jeton=…`: the outside address confirms, with a button (a link
/// opened by a mail scanner confirms nothing).
#[component]
pub fn ConfirmExtraRecipientPage() -> impl IntoView {
    let params = use_query_map();
    let token = move || params.with(|p| p.get(TOKEN_FIELD).unwrap_or_default());
    let confirmed = move || {
        params.with(|p| {
            p.get("message").as_deref()
                == Some(crate::ui::notices::Done::ExtraRecipientConfirmed.code())
        })
    };
    view! {
        <Title text="Confirmer votre adresse" />
        <div class="fr-container fr-my-6w">
            <h1>"Confirmer votre adresse"</h1>
            <Notice />
            {move || (!confirmed()).then(|| view! {
                <p>
                    "Une entreprise souhaite vous transmettre par courriel, depuis France Sésame, des informations sur ses "
                    "marchandises (la référence, le poste de contrôle frontalier et ce qui se passe). Confirmez pour les recevoir."
                </p>
                <form method="post" action="/confirmation-destinataire">
                    <input type="hidden" name=TOKEN_FIELD value=token() />
                    <button class="fr-btn" type="submit">"Confirmer mon adresse"</button>
                </form>
            })}
        </div>
    }
}
