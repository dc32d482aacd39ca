//! The frame of every page, following the State design system (DSFR): skip links, header with
//! navigation, footer with the mandatory links. The DSFR's own JavaScript is not loaded: the
//! mobile menu opens and closes through a small island ([`MenuButton`]), and on desktop the
//! navigation needs no script. Links are plain links: each page comes whole from the server.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::branding::Branding;
use crate::domain::access::EntryPoint;
use crate::ui::CurrentUser;

const SERVICE_NAME: &str = "France Sésame";
const TAGLINE: &str =
    "Le guichet unique du passage frontière des marchandises sanitaires et phytosanitaires";

/// The information pages, linked from the footer and the home page: (label, path).
pub const INFORMATION: [(&str, &str); 5] = [
    (
        "Informations réglementaires",
        "/informations-reglementaires",
    ),
    ("Informations pratiques", "/informations-pratiques"),
    ("Guide d'utilisation", "/guide"),
    ("Foire aux questions", "/faq"),
    ("Contact", "/contact"),
];

#[component]
pub fn SkipLinks() -> impl IntoView {
    view! {
        <div class="fr-skiplinks">
            <nav class="fr-container" role="navigation" aria-label="Accès rapide">
                <ul class="fr-skiplinks__list">
                    // Plain anchors: the browser moves the focus to the target.
                    <li>
                        <a class="fr-link" href="#contenu" target="_self">"Contenu"</a>
                    </li>
                    <li>
                        <a class="fr-link" href="#navigation" target="_self">"Menu"</a>
                    </li>
                    <li>
                        <a class="fr-link" href="#pied-de-page" target="_self">"Pied de page"</a>
                    </li>
                </ul>
            </nav>
        </div>
    }
}

/// "République Française", the State's brand block, shown only on State deployments.
#[component]
fn StateLogo() -> impl IntoView {
    view! {
        <p class="fr-logo">"République" <br /> "Française"</p>
    }
}

/// Signing in, or the signed-in person's space and signing out. Shown in the header on wide
/// screens and in the menu on phones.
/// `place` tells the header's copy from the menu's: each has its own bell region.
#[component]
fn AccountLinks(place: &'static str) -> impl IntoView {
    let user = use_context::<CurrentUser>().unwrap_or_default().0;
    view! {
        <ul class="fr-btns-group">
            {match user {
                Some(user) => view! {
                    {user.cgu_accepted.then(|| view! {
                        <li><Bell unread=user.unread_notifications place /></li>
                    })}
                    <li>
                        <a class="fr-btn" href="/espace" title=format!("Mon espace — {}", user.name)>
                            {format!("Mon espace ({})", user.name)}
                        </a>
                    </li>
                    <li>
                        <form method="post" action="/deconnexion">
                            <button class="fr-btn" type="submit">"Se déconnecter"</button>
                        </form>
                    </li>
                }
                .into_any(),
                None => view! {
                    <li><a class="fr-btn" href="/connexion">"Se connecter"</a></li>
                }
                .into_any(),
            }}
        </ul>
    }
}

/// The bell: a link to the notification centre that says how many are unread. A live region
/// (`data-direct`): the page's live updates bring its count up to date when a notification
/// arrives.
#[component]
fn Bell(unread: i64, place: &'static str) -> impl IntoView {
    use crate::domain::notification::unread_label;
    let (text, title) = match unread {
        0 => (
            "Notifications".to_owned(),
            "Notifications : aucune non lue".to_owned(),
        ),
        1 => (
            "Notifications (1)".to_owned(),
            "Notifications : 1 non lue".to_owned(),
        ),
        n => (
            format!("Notifications ({})", unread_label(n)),
            format!("Notifications : {} non lues", unread_label(n)),
        ),
    };
    let class = if unread > 0 {
        "fr-btn sesame-bell sesame-bell--unread"
    } else {
        "fr-btn sesame-bell"
    };
    view! {
        <span id=format!("cloche-{place}") data-direct>
            <a class=class href="/notifications" title=title data-unread=unread.to_string()>
                {text}
            </a>
        </span>
    }
}

/// A page of the platform a person may be offered, by what they may open.
pub struct Destination {
    pub entry: EntryPoint,
    pub path: &'static str,
    /// Its name in the navigation.
    pub label: &'static str,
    /// What it is for, as the home pages say it.
    pub description: &'static str,
}

/// The pages offered to signed-in people, in the navigation's order; each shows only to whoever
/// may open it.
pub const DESTINATIONS: [Destination; 17] = [
    Destination {
        entry: EntryPoint::ListDossiers,
        path: "/dossiers",
        label: "Dossiers",
        description: "Suivre en direct les envois, étape par étape, et retrouver un dossier par sa référence.",
    },
    Destination {
        entry: EntryPoint::Messaging,
        path: "/messagerie",
        label: "Messagerie",
        description: "Écrire à la douane et au SIVEP au sujet d'un dossier ou d'un site, suivre leurs réponses et leurs demandes de compléments.",
    },
    Destination {
        entry: EntryPoint::OperatorCards,
        path: "/operateurs",
        label: "Opérateurs",
        description: "La fiche d'identité d'un opérateur : son identité et son activité sur vos sites, ses rendez-vous, ses non-conformités, ses échanges.",
    },
    Destination {
        entry: EntryPoint::Dashboards,
        path: "/tableaux-de-bord",
        label: "Tableaux de bord",
        description: "Les volumes, les délais des étapes, les contrôles, les rendez-vous, les alertes et les échanges, par site, poste et période, avec leur tendance.",
    },
    Destination {
        entry: EntryPoint::Statistics,
        path: "/statistiques",
        label: "Statistiques",
        description: "Les chiffres du passage frontière par site, mois et catégorie de marchandises, sans aucune donnée d'entreprise ni de personne.",
    },
    Destination {
        entry: EntryPoint::RightsDesk,
        path: "/droits",
        label: "Guichet des droits",
        description: "Les demandes des personnes sur leurs données : accès, rectification, effacement, limitation, opposition, avec leur échéance et leur réponse.",
    },
    Destination {
        entry: EntryPoint::MyAppointments,
        path: "/rendez-vous",
        label: "Mes rendez-vous",
        description: "Les rendez-vous de contrôle de votre entreprise, leurs convocations et l'abonnement à votre agenda.",
    },
    Destination {
        entry: EntryPoint::Planning,
        path: "/planning",
        label: "Planning",
        description: "Les rendez-vous des postes de vos sites : les demandes à valider, les places libres, les présences.",
    },
    Destination {
        entry: EntryPoint::Planning,
        path: "/controle-arrivee",
        label: "Arrivées",
        description: "À la porte : retrouver le rendez-vous d'une marchandise qui se présente et enregistrer son arrivée.",
    },
    Destination {
        entry: EntryPoint::ManageCalendars,
        path: "/postes/calendrier",
        label: "Calendriers",
        description: "Les heures d'ouverture et les fermetures des postes dont vous fixez le calendrier.",
    },
    Destination {
        entry: EntryPoint::ManageHabilitations,
        path: "/habilitations",
        label: "Habilitations",
        description: "Les agents de votre administration et les sites sur lesquels ils sont habilités.",
    },
    Destination {
        entry: EntryPoint::AlertDesk,
        path: "/alertes",
        label: "Alertes",
        description: "Les anomalies et engorgements détectés sur vos sites : les prendre en charge, les clore.",
    },
    Destination {
        entry: EntryPoint::VerifyCompanies,
        path: crate::ui::pages::company_verifications::PATH,
        label: "Entreprises à vérifier",
        description: "Les entreprises qui demandent leur inscription pour vos sites : vérifier leur SIRET et leur raison sociale sur l'extrait du registre, puis accepter ou refuser.",
    },
    Destination {
        entry: EntryPoint::ManagePartnerKeys,
        path: "/administration/cles-partenaires",
        label: "Clés partenaires",
        description: "Les clés d'accès des systèmes partenaires qui envoient les événements des dossiers.",
    },
    Destination {
        entry: EntryPoint::ManageSites,
        path: "/administration/sites",
        label: "Sites et postes",
        description: "Ouvrir les ports, aéroports et postes de contrôle frontaliers de la plateforme.",
    },
    Destination {
        entry: EntryPoint::ManageService,
        path: "/administration/maintenance",
        label: "Maintenance",
        description: "Prévoir une maintenance, enregistrer un incident, écrire la procédure de secours de chaque site.",
    },
    Destination {
        entry: EntryPoint::ManageAccounts,
        path: "/administration/comptes",
        label: "Comptes",
        description: "Retrouver un compte pour le suspendre, le réactiver ou le clore ; inviter les chefs de service, les superviseurs et la DGITM.",
    },
];

/// The main navigation for this person: what they may open.
fn navigation() -> Vec<(&'static str, &'static str)> {
    let user = use_context::<CurrentUser>().unwrap_or_default().0;
    let mut links = vec![("Accueil", "/")];
    match &user {
        None => links.push(("Dossiers", "/dossiers")),
        Some(user) => {
            links.push(("Mon accueil", "/accueil"));
            links.extend(
                DESTINATIONS
                    .iter()
                    .filter(|destination| user.may_open(destination.entry))
                    .map(|destination| (destination.label, destination.path)),
            );
        }
    }
    links
}

#[component]
pub fn Header() -> impl IntoView {
    let branding = use_context::<Branding>().unwrap_or_default();

    view! {
        <header role="banner" class="fr-header">
            <div class="fr-header__body">
                <div class="fr-container">
                    <div class="fr-header__body-row">
                        <div class="fr-header__brand fr-enlarge-link">
                            <div class="fr-header__brand-top">
                                {branding.state.then(|| view! {
                                    <div class="fr-header__logo"><StateLogo /></div>
                                })}
                                <div class="fr-header__navbar">
                                    <MenuButton />
                                </div>
                            </div>
                            <div class="fr-header__service">
                                <a href="/" title=format!("Accueil — {SERVICE_NAME}")>
                                    <p class="fr-header__service-title">{SERVICE_NAME}</p>
                                </a>
                                <p class="fr-header__service-tagline">{TAGLINE}</p>
                            </div>
                        </div>
                        <div class="fr-header__tools">
                            <div class="fr-header__tools-links">
                                <AccountLinks place="entete" />
                            </div>
                        </div>
                    </div>
                </div>
            </div>
            <div
                class="fr-header__menu fr-modal"
                id="menu-principal"
                aria-labelledby="bouton-menu"
            >
                <div class="fr-container">
                    <button
                        class="fr-btn--close fr-btn"
                        type="button"
                        aria-controls="menu-principal"
                        title="Fermer"
                    >
                        "Fermer"
                    </button>
                    <div class="fr-header__menu-links">
                        <AccountLinks place="menu" />
                    </div>
                    <nav class="fr-nav" id="navigation" role="navigation" aria-label="Menu principal">
                        <ul class="fr-nav__list">
                            {navigation()
                                .into_iter()
                                .map(|(label, path)| {
                                    view! {
                                        <li class="fr-nav__item">
                                            <A href=path attr:class="fr-nav__link" exact=true>{label}</A>
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    </nav>
                </div>
            </div>
        </header>
    }
}

/// The button that opens the navigation on phones, and what closes it (its "Fermer" button,
/// Escape). An island: the only script of the frame.
#[island]
fn MenuButton() -> impl IntoView {
    let open = RwSignal::new(false);
    #[cfg(feature = "hydrate")]
    menu::wire(open);
    view! {
        <button
            class="fr-btn--menu fr-btn"
            type="button"
            id="bouton-menu"
            aria-controls="menu-principal"
            aria-haspopup="menu"
            aria-expanded=move || open.get().to_string()
            title="Menu"
            on:click=move |_| open.set(true)
        >
            "Menu"
        </button>
    }
}

#[cfg(feature = "hydrate")]
mod menu {
    use leptos::prelude::*;
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;

    /// The menu is the server's `#menu-principal`: opened and closed by its class, as the DSFR
    /// draws it.
    pub fn wire(open: RwSignal<bool>) {
        let Some(menu) = document().get_element_by_id("menu-principal") else {
            return;
        };
        Effect::new({
            let menu = send_wrapper::SendWrapper::new(menu.clone());
            move |_| {
                let _ = menu
                    .class_list()
                    .toggle_with_force("fr-modal--opened", open.get());
            }
        });
        let on_key = Closure::<dyn FnMut(web_sys::KeyboardEvent)>::new(
            move |event: web_sys::KeyboardEvent| {
                if event.key() == "Escape" {
                    open.set(false);
                }
            },
        );
        let _ = menu.add_event_listener_with_callback("keydown", on_key.as_ref().unchecked_ref());
        on_key.forget();
        if let Ok(Some(close)) = menu.query_selector(".fr-btn--close") {
            let on_close =
                Closure::<dyn FnMut(web_sys::Event)>::new(move |_: web_sys::Event| open.set(false));
            let _ =
                close.add_event_listener_with_callback("click", on_close.as_ref().unchecked_ref());
            on_close.forget();
        }
    }
}

#[component]
pub fn Footer() -> impl IntoView {
    let branding = use_context::<Branding>().unwrap_or_default();
    view! {
        <footer class="fr-footer" role="contentinfo" id="pied-de-page">
            <div class="fr-container">
                <div class="fr-footer__body">
                    <div class="fr-footer__brand fr-enlarge-link">
                        {if branding.state {
                            view! {
                                <a href="/" title=format!("Retour à l'accueil — {SERVICE_NAME}")>
                                    <StateLogo />
                                </a>
                            }
                                .into_any()
                        } else {
                            view! {
                                <a class="fr-footer__brand-link sesame-footer-name" href="/">
                                    {SERVICE_NAME}
                                </a>
                            }
                                .into_any()
                        }}
                    </div>
                    <div class="fr-footer__content">
                        <p class="fr-footer__content-desc">
                            "France Sésame rassemble en un seul endroit le suivi des envois soumis aux contrôles sanitaires et phytosanitaires aux frontières, les rendez-vous d'inspection et les échanges avec la douane (DGDDI) et le SIVEP (DGAL). Le service est gratuit."
                        </p>
                        <ul class="fr-footer__content-list">
                            {navigation()
                                .into_iter()
                                .chain(INFORMATION)
                                .map(|(label, path)| {
                                    view! {
                                        <li class="fr-footer__content-item">
                                            <a class="fr-footer__content-link" href=path>{label}</a>
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    </div>
                </div>
                <div class="fr-footer__bottom">
                    <ul class="fr-footer__bottom-list">
                        <li class="fr-footer__bottom-item">
                            <a class="fr-footer__bottom-link" href="/cgu">"Conditions générales d'utilisation"</a>
                        </li>
                        <li class="fr-footer__bottom-item">
                            <a class="fr-footer__bottom-link" href="/donnees-personnelles">"Données personnelles"</a>
                        </li>
                        <li class="fr-footer__bottom-item">
                            <a class="fr-footer__bottom-link" href="/accessibilite">"Accessibilité : non conforme"</a>
                        </li>
                        <li class="fr-footer__bottom-item">
                            <a class="fr-footer__bottom-link" href="/mentions-legales">"Mentions légales"</a>
                        </li>
                    </ul>
                    <div class="fr-footer__bottom-copy">
                        <p>"France Sésame est un logiciel libre. Sauf mention contraire, les contenus de ce site sont proposés sous licence ouverte Etalab 2.0."</p>
                    </div>
                </div>
            </div>
        </footer>
    }
}
