//! Signing in, recovering a password, confirming an address, and accepting the terms of use.
//! Every form posts to the server (`api::account::sign_in` and its neighbours) as plain HTML, so it works the same with
//! or without JavaScript; the outcome comes back in the address and [`Notice`] says it.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::account::link_status;
use crate::domain::account::PASSWORD_MIN_CHARS;
use crate::domain::cgu;
use crate::ui::components::load_failure::LoadFailure;
use crate::ui::notices::{Notice, Problem};
use crate::ui::pages::legal::CguText;
use crate::ui::IdentityProviders;

/// A query parameter, read once (pages are rendered again after every form).
fn param(name: &'static str) -> String {
    use_query_map().with_untracked(|query| query.get(name).unwrap_or_default())
}

/// The narrow centred column forms sit in.
#[component]
fn FormColumn(children: Children) -> impl IntoView {
    view! {
        <div class="fr-container fr-my-6w">
            <div class="fr-grid-row fr-grid-row--center">
                <div class="fr-col-12 fr-col-md-8 fr-col-lg-6">{children()}</div>
            </div>
        </div>
    }
}

/// What the person typed into a refused form, from its short-lived cookie (read by the server
/// and handed to the browser with the page), else from an older `?adresse=`.
fn typed_address() -> String {
    let typed = SharedValue::new(|| {
        #[cfg(feature = "ssr")]
        let typed = crate::state::request_cookie(crate::domain::account::TYPED_ADDRESS_COOKIE)
            .and_then(|value| crate::domain::account::decode_typed(&value))
            .unwrap_or_default();
        // In the browser, the value comes from the server's rendering of the page.
        #[cfg(not(feature = "ssr"))]
        let typed = String::new();
        typed
    })
    .into_inner();
    if typed.is_empty() {
        param("adresse")
    } else {
        typed
    }
}

#[component]
pub fn SignInPage() -> impl IntoView {
    let email = typed_address();
    let back = param("retour");
    let providers = use_context::<IdentityProviders>().unwrap_or_default().0;
    let problem = Problem::from_code(&param("erreur"));
    // Which fields the error is about: they are marked invalid and point to the message.
    let address_invalid = matches!(
        problem,
        Some(Problem::WrongCredentials | Problem::AddressInvalid | Problem::AddressNotVerified)
    );
    let password_invalid = matches!(
        problem,
        Some(Problem::WrongCredentials | Problem::PasswordMissing)
    );
    // The account's budget of failed sign-ins is spent: the password works only from the
    // owner's usual places; from here, a link by mail.
    let protected = (problem == Some(Problem::AccountProtected)).then(|| {
        let email = email.clone();
        view! {
            <form method="post" action="/connexion/lien" class="fr-mb-4w">
                <input type="hidden" name="adresse" value=email />
                <button class="fr-btn" type="submit">"Recevoir un lien de connexion par courriel"</button>
            </form>
        }
    });
    let provider_links = (!providers.is_empty()).then(|| {
        let back = back.clone();
        view! {
            <section class="fr-mb-4w" aria-labelledby="titre-fournisseurs">
                <h2 class="fr-h5" id="titre-fournisseurs">"Avec un fournisseur d'identité"</h2>
                <ul class="fr-btns-group">
                    {providers
                        .into_iter()
                        .map(|(id, label)| {
                            let href = if back.is_empty() {
                                format!("/connexion/oidc/{id}")
                            } else {
                                format!("/connexion/oidc/{id}?retour={}", crate::ui::format::query_value(&back))
                            };
                            view! {
                                <li>
                                    <a class="fr-btn fr-btn--secondary" href=href rel="external">
                                        {format!("Se connecter avec {label}")}
                                    </a>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
                <p class="fr-hr-or">"ou"</p>
            </section>
        }
    });
    view! {
        <Title text="Se connecter" />
        <FormColumn>
            <h1>"Se connecter à France Sésame"</h1>
            <Notice typed=email.clone() />
            {protected}
            {provider_links}
            <form method="post" action="/connexion" novalidate>
                <fieldset class="fr-fieldset" aria-labelledby="titre-identifiants">
                    <legend class="fr-fieldset__legend" id="titre-identifiants">
                        <h2 class="fr-h5 fr-mb-0">"Avec votre adresse électronique"</h2>
                    </legend>
                    <div class="fr-fieldset__element">
                        <div class="fr-input-group" class:fr-input-group--error=address_invalid>
                            <label class="fr-label" for="adresse">
                                "Adresse électronique"
                                <span class="fr-hint-text">"Format attendu : nom@domaine.fr"</span>
                            </label>
                            <input
                                class="fr-input"
                                class:fr-input--error=address_invalid
                                type="email"
                                id="adresse"
                                name="adresse"
                                autocomplete="username"
                                required
                                value=email
                                aria-invalid=address_invalid.then_some("true")
                                aria-describedby=address_invalid.then_some("erreur-formulaire")
                            />
                        </div>
                    </div>
                    <div class="fr-fieldset__element">
                        <div class="fr-input-group" class:fr-input-group--error=password_invalid>
                            <label class="fr-label" for="mot-de-passe">"Mot de passe"</label>
                            <input
                                class="fr-input"
                                class:fr-input--error=password_invalid
                                type="password"
                                id="mot-de-passe"
                                name="mot_de_passe"
                                autocomplete="current-password"
                                required
                                aria-invalid=password_invalid.then_some("true")
                                aria-describedby=password_invalid.then_some("erreur-formulaire")
                            />
                        </div>
                        <p class="fr-mt-2w">
                            <a class="fr-link" href="/mot-de-passe-oublie">"Mot de passe oublié ?"</a>
                        </p>
                    </div>
                    <input type="hidden" name="retour" value=back />
                    <div class="fr-fieldset__element">
                        <button class="fr-btn" type="submit">"Se connecter"</button>
                    </div>
                </fieldset>
            </form>
            <p class="fr-text--sm sesame-muted">
                "Les comptes des opérateurs sont créés par l'administrateur de leur entreprise ; ceux des agents, par leur chef de service. En vous connectant, vous acceptez que la connexion soit enregistrée dans le journal d'audit."
            </p>
        </FormColumn>
    }
}

/// A page a mailed link opens (`?jeton=…`, for `purpose`): what confirming does (`prompt`, given
/// the account's address) and a button posting the token to `action`, so that a mail scanner
/// opening the link confirms nothing; a spent or expired link says so and what to do (`spent`),
/// with a way back when one is given.
#[component]
fn LinkConfirmation(
    title: &'static str,
    purpose: &'static str,
    action: &'static str,
    prompt: fn(String) -> AnyView,
    button: &'static str,
    spent: &'static str,
    #[prop(optional)] way_back: Option<(&'static str, &'static str)>,
) -> impl IntoView {
    let token = param("jeton");
    let status = Resource::new(move || (), {
        let token = token.clone();
        move |_| link_status(token.clone(), purpose.into())
    });
    view! {
        <Title text=title />
        <FormColumn>
            <h1>{title}</h1>
            <Notice />
            <Suspense fallback=|| view! { <p>"Vérification du lien…"</p> }>
                {move || Suspend::new({
                    let token = token.clone();
                    async move {
                        match status.await {
                            Ok(Some(email)) => view! {
                                {prompt(email)}
                                <form method="post" action=action>
                                    <input type="hidden" name="jeton" value=token />
                                    <button class="fr-btn" type="submit">{button}</button>
                                </form>
                            }
                            .into_any(),
                            Ok(None) => view! {
                                <div class="fr-alert fr-alert--warning fr-mb-3w">
                                    <h2 class="fr-alert__title">"Ce lien n'est plus valable"</h2>
                                    <p>{spent}</p>
                                </div>
                                {way_back.map(|(href, label)| view! { <a class="fr-btn" href=href>{label}</a> })}
                            }
                            .into_any(),
                            Err(error) => view! {
                                <LoadFailure title="Le lien n'a pas pu être vérifié" message=error.to_string() />
                            }
                            .into_any(),
                        }
                    }
                })}
            </Suspense>
        </FormColumn>
    }
}

/// The page a sign-in link opens.
#[component]
pub fn SignInLinkPage() -> impl IntoView {
    view! {
        <LinkConfirmation
            title="Se connecter avec un lien"
            purpose="connexion"
            action="/connexion/lien/utilisation"
            prompt=|email| view! { <p>"Pour le compte " <strong>{email}</strong> "."</p> }.into_any()
            button="Me connecter"
            spent="Il a déjà servi ou il a expiré. Demandez-en un nouveau depuis la page de connexion."
            way_back=("/connexion", "Retour à la connexion")
        />
    }
}

#[component]
pub fn ForgottenPasswordPage() -> impl IntoView {
    let email = param("adresse");
    view! {
        <Title text="Mot de passe oublié" />
        <FormColumn>
            <h1>"Mot de passe oublié"</h1>
            <Notice />
            <p>"Saisissez l'adresse électronique de votre compte : vous recevrez un lien, valable une heure, pour choisir un nouveau mot de passe."</p>
            <form method="post" action="/mot-de-passe-oublie" novalidate>
                <div class="fr-input-group">
                    <label class="fr-label" for="adresse">
                        "Adresse électronique"
                        <span class="fr-hint-text">"Format attendu : nom@domaine.fr"</span>
                    </label>
                    <input class="fr-input" type="email" id="adresse" name="adresse" autocomplete="username" required value=email />
                </div>
                <button class="fr-btn" type="submit">"Recevoir un lien"</button>
            </form>
            <p class="fr-mt-4w"><a class="fr-link" href="/connexion">"Retour à la connexion"</a></p>
        </FormColumn>
    }
}

/// The new password fields, with the rules said before they are broken.
#[component]
fn NewPasswordFields() -> impl IntoView {
    view! {
        <div class="fr-input-group">
            <label class="fr-label" for="mot-de-passe">
                "Nouveau mot de passe"
                <span class="fr-hint-text">
                    {format!("Au moins {PASSWORD_MIN_CHARS} caractères. Une phrase de plusieurs mots est facile à retenir et difficile à deviner. Les mots de passe trop courants sont refusés.")}
                </span>
            </label>
            <input class="fr-input" type="password" id="mot-de-passe" name="mot_de_passe" autocomplete="new-password" required minlength=PASSWORD_MIN_CHARS.to_string() />
        </div>
        <div class="fr-input-group">
            <label class="fr-label" for="confirmation">"Confirmation du mot de passe"</label>
            <input class="fr-input" type="password" id="confirmation" name="confirmation" autocomplete="new-password" required />
        </div>
    }
}

#[component]
pub fn NewPasswordPage() -> impl IntoView {
    let token = param("jeton");
    let status = Resource::new(move || (), {
        let token = token.clone();
        move |_| link_status(token.clone(), "reinitialisation".into())
    });
    view! {
        <Title text="Choisir un mot de passe" />
        <FormColumn>
            <h1>"Choisir un mot de passe"</h1>
            <Notice />
            <Suspense fallback=|| view! { <p>"Vérification du lien…"</p> }>
                {move || Suspend::new({
                    let token = token.clone();
                    async move {
                        match status.await {
                            Ok(Some(email)) => view! {
                                <p>"Pour le compte " <strong>{email}</strong> "."</p>
                                <form method="post" action="/mot-de-passe/nouveau" novalidate>
                                    <input type="hidden" name="jeton" value=token />
                                    <NewPasswordFields />
                                    <button class="fr-btn" type="submit">"Enregistrer le mot de passe"</button>
                                </form>
                            }
                            .into_any(),
                            Ok(None) => view! {
                                <div class="fr-alert fr-alert--warning fr-mb-3w">
                                    <h2 class="fr-alert__title">"Ce lien n'est plus valable"</h2>
                                    <p>"Il a déjà servi ou il a expiré. Demandez un nouveau lien : il arrive en quelques instants."</p>
                                </div>
                                <a class="fr-btn" href="/mot-de-passe-oublie">"Demander un nouveau lien"</a>
                            }
                            .into_any(),
                            Err(error) => view! {
                                <LoadFailure title="Le lien n'a pas pu être vérifié" message=error.to_string() />
                            }
                            .into_any(),
                        }
                    }
                })}
            </Suspense>
        </FormColumn>
    }
}

/// The page an address-verification link opens.
#[component]
pub fn VerificationPage() -> impl IntoView {
    view! {
        <LinkConfirmation
            title="Confirmer mon adresse électronique"
            purpose="verification"
            action="/verification"
            prompt=|email| view! {
                <p>"Confirmez que l'adresse " <strong>{email}</strong> " est la vôtre : elle deviendra celle de votre compte."</p>
            }
            .into_any()
            button="Confirmer mon adresse"
            spent="Il a déjà servi ou il a expiré. Refaites la demande depuis votre espace personnel."
        />
    }
}

#[component]
pub fn CguAcceptancePage() -> impl IntoView {
    let back = param("retour");
    let failed = !param("erreur").is_empty();
    view! {
        <Title text="Accepter les conditions générales d'utilisation" />
        <div class="fr-container fr-my-6w sesame-prose">
            <h1>"Conditions générales d'utilisation"</h1>
            <Notice />
            <section class="fr-mb-4w" aria-labelledby="titre-donnees-personnelles">
                <h2 id="titre-donnees-personnelles">"Vos données personnelles"</h2>
                <p>"Avant toute chose, voici comment France Sésame traite vos données personnelles."</p>
                <div class="sesame-cgu-box fr-mb-2w" tabindex="0" role="region" aria-label="Information sur vos données personnelles">
                    <crate::ui::pages::legal::PersonalDataNotice heading_level=3 />
                </div>
            </section>
            <h2>"Conditions générales d'utilisation"</h2>
            <p>
                {format!("Prenez ensuite connaissance des conditions générales d'utilisation ({}) et acceptez-les. ", cgu::VERSION_LABEL)}
                <a class="fr-link" href="/cgu.pdf" rel="external" download>"Télécharger les CGU (PDF)"</a>
            </p>
            <div class="sesame-cgu-box fr-mb-4w" tabindex="0" role="region" aria-label="Texte des conditions générales d'utilisation">
                <CguText heading_level=3 />
            </div>
            <form method="post" action="/cgu/acceptation" novalidate>
                <input type="hidden" name="retour" value=back />
                <div class="fr-checkbox-group fr-mb-3w" class:fr-checkbox-group--error=failed>
                    <input type="checkbox" id="accepte" name="accepte" value="oui" required aria-invalid=failed.then_some("true") aria-describedby=failed.then_some("erreur-formulaire") />
                    <label class="fr-label" for="accepte">
                        {format!("J'ai lu et j'accepte les conditions générales d'utilisation ({})", cgu::VERSION_LABEL)}
                    </label>
                </div>
                <button class="fr-btn" type="submit">"Accepter et continuer"</button>
            </form>
            <form method="post" action="/deconnexion" class="fr-mt-2w">
                <button class="fr-btn fr-btn--tertiary" type="submit">"Refuser et me déconnecter"</button>
            </form>
        </div>
    }
}
