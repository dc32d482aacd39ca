//! The user interface: the HTML shell, the application and its routes. Pages live in
//! `ui/pages`, shared pieces in `ui/components`.

pub mod components;
pub mod format;
pub mod live;
pub mod notices;
pub mod pages;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{ParamSegment, SsrMode, StaticSegment};
use serde::{Deserialize, Serialize};

use crate::branding::Branding;
use crate::domain::access::EntryPoint;
use components::layout::{Footer, Header, SkipLinks};
use pages::{
    access_request::AccessRequestPage,
    account::AccountPage,
    accounts,
    alert_desk::{AlertDeskPage, AlertThresholdsPage},
    appointments::{BookingPage, CalendarsPage, GatePage, MyAppointmentsPage, PlanningPage},
    company_verifications, dashboards,
    dossier::DossierPage,
    dossiers::DossierListPage,
    habilitations::HabilitationsPage,
    home::HomePage,
    information, legal, messaging,
    not_found::{NotForYou, NotFound},
    notifications::{
        ConfirmExtraRecipientPage, ExtraRecipientsPage, NotificationPreferencesPage,
        NotificationsPage,
    },
    operators,
    partner_keys::PartnerKeysPage,
    personal_data, rights, service, sign_in, sites, suspended,
    webhooks::WebhooksPage,
    welcome::WelcomePage,
};

/// The external identity providers people may sign in with: (id, label). Read on the server from
/// the configuration.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentityProviders(pub Vec<(String, String)>);

/// The signed-in person, as the header and navigation show them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedIn {
    pub name: String,
    pub role: crate::domain::directory::Role,
    /// The pages (by their entry point) this person may open: the navigation, the home pages and
    /// the page guard read it, so that nobody is offered a page that would refuse them.
    pub pages: Vec<crate::domain::access::EntryPoint>,
    pub cgu_accepted: bool,
    /// Their unread notifications, for the bell (see [`crate::domain::notification`]).
    pub unread_notifications: i64,
}

impl SignedIn {
    /// Whether this person may open the page of this entry point.
    pub fn may_open(&self, entry: crate::domain::access::EntryPoint) -> bool {
        self.pages.contains(&entry)
    }
}

/// Who is signed in on this page, if anyone; decided by the server for the page it rendered.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser(pub Option<SignedIn>);

#[cfg(feature = "ssr")]
fn signed_in_on_server() -> Option<SignedIn> {
    use crate::domain::access::{authorize, EntryPoint, Target};
    let viewer = crate::state::caller().viewer?;
    let may = |entry| authorize(Some(&viewer), entry, Target::Nothing).is_ok();
    let mut pages: Vec<EntryPoint> = Vec::new();
    for (_, entry) in crate::domain::access::ROUTES {
        if entry != EntryPoint::PublicPage && !pages.contains(&entry) && may(entry) {
            pages.push(entry);
        }
    }
    Some(SignedIn {
        name: viewer.full_name.clone(),
        role: viewer.role,
        pages,
        cgu_accepted: viewer.cgu_accepted,
        unread_notifications: viewer.unread_notifications,
    })
}

/// Tells people and tests that the page's islands are interactive: called by the browser entry
/// point once they are hydrated.
#[cfg(feature = "hydrate")]
pub fn mark_interactive() {
    // After the islands the loader hydrates in the same turn.
    set_timeout(
        || {
            if let Some(body) = document().body() {
                let _ = body.set_attribute("data-hydrated", "true");
            }
        },
        std::time::Duration::ZERO,
    );
}

/// The HTML document around the application, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    use_request_nonce();
    let sheets = use_context::<crate::assets::Stylesheets>().unwrap_or_default();
    // Marianne is reserved to the State's sites; elsewhere the system's own fonts.
    let marianne = use_context::<Branding>()
        .unwrap_or_default()
        .state
        .then(|| view! { <link rel="stylesheet" href=sheets.marianne.clone() /> });
    view! {
        <!DOCTYPE html>
        <html lang="fr" data-fr-scheme="light">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="format-detection" content="telephone=no" />
                <link rel="stylesheet" href=sheets.design_system />
                {marianne}
                <link rel="stylesheet" href=sheets.own />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <HydrationScripts options islands=true />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// Gives the page the nonce the HTTP perimeter minted for this response (it is in the request's
/// extensions and in the response's Content-Security-Policy), so that the hydration script and
/// the resource scripts carry it. Replaces the nonce leptos_axum provides by itself, which no
/// header would name.
#[cfg(feature = "ssr")]
fn use_request_nonce() {
    let nonce = use_context::<axum::http::request::Parts>().and_then(|parts| {
        parts
            .extensions
            .get::<crate::security::PageNonce>()
            .cloned()
    });
    if let Some(crate::security::PageNonce(nonce)) = nonce {
        provide_context(leptos::nonce::Nonce::from_value(nonce));
    }
}

/// A page for signed-in people only. The server already redirects a page load (see
/// `server::sessions::guard_pages`); this does the same for a navigation inside the hydrated
/// application, which does not ask the server for the page.
///
/// A signed-in person whose role has no business on the page gets a page that says so, with a
/// 403, and the page itself (its data, its live updates) never starts.
#[component]
fn SignedInOnly(
    /// The page's entry point, as in [`crate::domain::access::ROUTES`].
    entry: crate::domain::access::EntryPoint,
    children: ChildrenFn,
) -> impl IntoView {
    use leptos_router::components::Redirect;
    use leptos_router::hooks::use_location;
    let user = use_context::<CurrentUser>().unwrap_or_default().0;
    let location = use_location();
    let back = move || {
        let path = location.pathname.get_untracked();
        let search = location.search.get_untracked();
        let back = if search.is_empty() {
            path
        } else {
            format!("{path}?{search}")
        };
        format::query_value(&back)
    };
    match user {
        Some(user) if user.cgu_accepted && user.may_open(entry) => children().into_any(),
        Some(user) if user.cgu_accepted => view! { <NotForYou /> }.into_any(),
        Some(_) => {
            view! { <Redirect path=format!("/cgu/acceptation?retour={}", back()) /> }.into_any()
        }
        None => view! { <Redirect path=format!("/connexion?retour={}", back()) /> }.into_any(),
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // The application is rendered on the server only (the browser hydrates islands, see
    // `ui::live` and the header's menu): who is signed in is decided here, for this page.
    #[cfg(feature = "ssr")]
    provide_context(CurrentUser(signed_in_on_server()));

    view! {
        <Title formatter=|page: String| format!("{page} — France Sésame") />
        <Router>
            <SkipLinks />
            <Header />
            <service::MaintenanceBanner />
            <main id="contenu" role="main" tabindex="-1">
                <Routes fallback=|| view! { <NotFound /> }>
                    <Route path=StaticSegment("") view=HomePage />
                    // Pages that load data render whole (`Async`): the content is in the HTML
                    // itself, readable without JavaScript, and the status (404) is right.
                    <Route
                        path=StaticSegment("dossiers")
                        view=|| view! { <SignedInOnly entry=EntryPoint::ListDossiers><DossierListPage /></SignedInOnly> }
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=(StaticSegment("dossiers"), ParamSegment("id"))
                        view=|| view! { <SignedInOnly entry=EntryPoint::ListDossiers><DossierPage /></SignedInOnly> }
                        ssr=SsrMode::Async
                    />
                    <Route path=StaticSegment("informations-reglementaires") view=information::RegulatoryInformation />
                    <Route path=StaticSegment("informations-pratiques") view=information::PracticalInformation ssr=SsrMode::Async />
                    <Route path=StaticSegment("guide") view=information::UserGuide />
                    <Route path=StaticSegment("faq") view=information::Faq />
                    <Route path=StaticSegment("contact") view=information::Contact />
                    <Route path=StaticSegment("cgu") view=legal::Cgu />
                    <Route path=StaticSegment("donnees-personnelles") view=legal::PersonalData />
                    <Route path=StaticSegment("accessibilite") view=legal::Accessibility />
                    <Route path=StaticSegment("mentions-legales") view=legal::LegalNotice />
                    <Route path=StaticSegment("etat-du-service") view=service::ServiceStatusPage ssr=SsrMode::Async />
                    <Route path=StaticSegment("connexion") view=sign_in::SignInPage />
                    <Route
                        path=(StaticSegment("connexion"), StaticSegment("lien"))
                        view=sign_in::SignInLinkPage
                        ssr=SsrMode::Async
                    />
                    <Route path=StaticSegment("mot-de-passe-oublie") view=sign_in::ForgottenPasswordPage />
                    <Route
                        path=(StaticSegment("mot-de-passe"), StaticSegment("nouveau"))
                        view=sign_in::NewPasswordPage
                        ssr=SsrMode::Async
                    />
                    <Route path=StaticSegment("verification") view=sign_in::VerificationPage ssr=SsrMode::Async />
                    <Route
                        path=(StaticSegment("cgu"), StaticSegment("acceptation"))
                        view=sign_in::CguAcceptancePage
                    />
                    <Route
                        path=StaticSegment("espace")
                        view=|| view! { <SignedInOnly entry=EntryPoint::PersonalSpace><AccountPage /></SignedInOnly> }
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=(StaticSegment("espace"), StaticSegment("donnees"))
                        view=|| view! { <SignedInOnly entry=EntryPoint::PersonalSpace><personal_data::PersonalDataPage /></SignedInOnly> }
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=StaticSegment("accueil")
                        view=|| view! { <SignedInOnly entry=EntryPoint::PersonalSpace><WelcomePage /></SignedInOnly> }
                    />
                    <Route
                        path=StaticSegment("habilitations")
                        view=|| view! { <SignedInOnly entry=EntryPoint::ManageHabilitations><HabilitationsPage /></SignedInOnly> }
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=(StaticSegment("dossiers"), ParamSegment("id"), StaticSegment("rendez-vous"))
                        view=|| view! { <SignedInOnly entry=EntryPoint::MyAppointments><BookingPage /></SignedInOnly> }
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=StaticSegment("rendez-vous")
                        view=|| view! { <SignedInOnly entry=EntryPoint::MyAppointments><MyAppointmentsPage /></SignedInOnly> }
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=StaticSegment("planning")
                        view=|| view! { <SignedInOnly entry=EntryPoint::Planning><PlanningPage /></SignedInOnly> }
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=(StaticSegment("postes"), StaticSegment("calendrier"))
                        view=|| view! { <SignedInOnly entry=EntryPoint::ManageCalendars><CalendarsPage /></SignedInOnly> }
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=StaticSegment("controle-arrivee")
                        view=|| view! { <SignedInOnly entry=EntryPoint::Planning><GatePage /></SignedInOnly> }
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=StaticSegment("notifications")
                        view=|| view! { <SignedInOnly entry=EntryPoint::Notifications><NotificationsPage /></SignedInOnly> }
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=(StaticSegment("notifications"), StaticSegment("preferences"))
                        view=|| view! { <SignedInOnly entry=EntryPoint::Notifications><NotificationPreferencesPage /></SignedInOnly> }
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=(StaticSegment("notifications"), StaticSegment("destinataires"))
                        view=|| view! { <SignedInOnly entry=EntryPoint::ManageExtraRecipients><ExtraRecipientsPage /></SignedInOnly> }
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=(StaticSegment("notifications"), StaticSegment("webhooks"))
                        view=|| view! { <SignedInOnly entry=EntryPoint::ManageWebhooks><WebhooksPage /></SignedInOnly> }
                        ssr=SsrMode::Async
                    />
                    <Route path=StaticSegment("confirmation-destinataire") view=ConfirmExtraRecipientPage />
                    <Route
                        path=StaticSegment("alertes")
                        view=|| view! { <SignedInOnly entry=EntryPoint::AlertDesk><AlertDeskPage /></SignedInOnly> }
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=(StaticSegment("alertes"), StaticSegment("seuils"))
                        view=|| view! { <SignedInOnly entry=EntryPoint::ManageAlertThresholds><AlertThresholdsPage /></SignedInOnly> }
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=StaticSegment("messagerie")
                        view=|| view! { <SignedInOnly entry=EntryPoint::Messaging><messaging::MessagingPage /></SignedInOnly> }
                        ssr=SsrMode::Async
                    />
                    // Before the exchange's page: the first route that matches wins.
                    <Route
                        path=(StaticSegment("messagerie"), StaticSegment("nouvelle"))
                        view=|| view! { <SignedInOnly entry=EntryPoint::Messaging><messaging::NewExchangePage /></SignedInOnly> }
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=(StaticSegment("messagerie"), ParamSegment("id"))
                        view=|| view! { <SignedInOnly entry=EntryPoint::Messaging><messaging::ExchangePageView /></SignedInOnly> }
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=StaticSegment("operateurs")
                        view=|| view! { <SignedInOnly entry=EntryPoint::OperatorCards><operators::OperatorsPage /></SignedInOnly> }
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=(StaticSegment("operateurs"), ParamSegment("id"))
                        view=|| view! { <SignedInOnly entry=EntryPoint::OperatorCards><operators::OperatorCardPage /></SignedInOnly> }
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=StaticSegment("tableaux-de-bord")
                        view=|| view! { <SignedInOnly entry=EntryPoint::Dashboards><dashboards::DashboardPage /></SignedInOnly> }
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=StaticSegment("statistiques")
                        view=|| view! { <SignedInOnly entry=EntryPoint::Statistics><dashboards::StatisticsPage /></SignedInOnly> }
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=StaticSegment("droits")
                        view=|| view! { <SignedInOnly entry=EntryPoint::RightsDesk><rights::RightsDeskPage /></SignedInOnly> }
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=(StaticSegment("droits"), ParamSegment("id"))
                        view=|| view! { <SignedInOnly entry=EntryPoint::RightsDesk><rights::RightsRequestPage /></SignedInOnly> }
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=(StaticSegment("administration"), StaticSegment("cles-partenaires"))
                        view=|| view! { <SignedInOnly entry=EntryPoint::ManagePartnerKeys><PartnerKeysPage /></SignedInOnly> }
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=(StaticSegment("administration"), StaticSegment("sites"))
                        view=|| view! { <SignedInOnly entry=EntryPoint::ManageSites><sites::SitesPage /></SignedInOnly> }
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=(StaticSegment("administration"), StaticSegment("maintenance"))
                        view=|| view! { <SignedInOnly entry=EntryPoint::ManageService><service::MaintenancePage /></SignedInOnly> }
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=(StaticSegment("administration"), StaticSegment("comptes"))
                        view=|| view! { <SignedInOnly entry=EntryPoint::ManageAccounts><accounts::AccountsPage /></SignedInOnly> }
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=(StaticSegment("comptes"), ParamSegment("id"))
                        view=|| view! { <SignedInOnly entry=EntryPoint::DecideAccount><accounts::AccountPage /></SignedInOnly> }
                        ssr=SsrMode::Async
                    />
                    <Route path=StaticSegment("compte-suspendu") view=suspended::SuspendedPage />
                    <Route path=StaticSegment("demande-acces") view=AccessRequestPage ssr=SsrMode::Async />
                    <Route
                        path=StaticSegment("verifications-entreprises")
                        view=|| view! { <SignedInOnly entry=EntryPoint::VerifyCompanies><company_verifications::CompanyVerificationsPage /></SignedInOnly> }
                        ssr=SsrMode::Async
                    />
                </Routes>
            </main>
            <Footer />
        </Router>
    }
}
