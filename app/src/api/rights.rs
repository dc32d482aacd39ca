//! The rights of the persons concerned: a person's requests in their space
//! (`/espace/donnees`), and the DGDDI's rights desk (`/droits`, `/droits/{id}`) that answers
//! them. The reads are server functions; the writes, in [`handlers`], are forms.

use leptos::prelude::*;

use crate::domain::rights::{Desk, RequestFile, RightsRequest};

/// The signed-in person's requests, the latest first.
#[server(endpoint = "mes-demandes-droits")]
pub async fn load_my_rights_requests() -> Result<Vec<RightsRequest>, ServerFnError> {
    use crate::domain::access::{EntryPoint, Target};
    let caller = crate::state::caller();
    let viewer = crate::state::signed_in(&caller, EntryPoint::PersonalSpace, Target::Nothing)?;
    let store = crate::state::store()?;
    store
        .rights_requests_of(viewer.user_id)
        .await
        .map_err(crate::state::internal)
}

/// The desk's list. Reading it is a consultation of the persons' data, audited.
#[server(endpoint = "guichet-droits")]
pub async fn load_rights_desk() -> Result<Desk, ServerFnError> {
    use crate::domain::access::{EntryPoint, Target};
    let caller = crate::state::caller();
    crate::state::signed_in(&caller, EntryPoint::RightsDesk, Target::Nothing)?;
    let store = crate::state::store()?;
    caller
        .audit_consultation(&store, "consultation_guichet_droits", "guichet-droits", "")
        .await?;
    store.rights_desk().await.map_err(crate::state::internal)
}

/// One request with the account it is about; audited as a consultation of that person's data.
#[server(endpoint = "demande-droits")]
pub async fn load_rights_request(id: i64) -> Result<Option<RequestFile>, ServerFnError> {
    use crate::domain::access::{EntryPoint, Target};
    let caller = crate::state::caller();
    crate::state::signed_in(&caller, EntryPoint::RightsDesk, Target::Nothing)?;
    let store = crate::state::store()?;
    let Some(file) = store
        .rights_request_file(id)
        .await
        .map_err(crate::state::internal)?
    else {
        return Ok(None);
    };
    let object = match file.request.user_id {
        Some(user) => format!("utilisateur:{user}"),
        None => format!("demande-droits:{id}"),
    };
    caller
        .audit_consultation(
            &store,
            "consultation_demande_droits",
            &object,
            &format!("demande n° {id}"),
        )
        .await?;
    Ok(Some(file))
}

#[cfg(feature = "ssr")]
pub use handlers::{
    answer, extend, grant_desk, hold, hold_dossier, lift, lift_dossier, lift_limitation, present,
    record, resend, sole_trader, withdraw_desk,
};

#[cfg(feature = "ssr")]
mod handlers {
    use std::collections::HashMap;

    use axum::extract::{Path, State};
    use axum::{Extension, Form};
    use chrono::Utc;

    use crate::domain::access::{local_day, EntryPoint, Target};
    use crate::domain::account::{parse_email, parse_full_name};
    use crate::domain::rights::{
        answer_mail, extension_mail, limitation_lifted_mail, parse_answer, parse_details,
        parse_extension_reason, parse_received_on, receipt_mail, Channel, Decision, RightKind,
        RightsRequest, OPEN_PER_PERSON,
    };
    use crate::forms::{
        back, check, check_viewer, done, send_mail, sensitive_budget, Forms, Outcome,
    };
    use crate::state::Caller;
    use crate::store::{NewRightsRequest, RightsAnswered};
    use crate::ui::notices::{Done, Problem};
    use crate::ui::pages::personal_data::PATH as SPACE;
    use crate::ui::pages::rights::DESK;

    type Fields = HashMap<String, String>;

    fn field<'a>(fields: &'a Fields, name: &str) -> &'a str {
        fields.get(name).map(String::as_str).unwrap_or_default()
    }

    /// What was typed, to refill a refused form (long texts are not carried in the address).
    fn kept<'a>(fields: &'a Fields, names: &[&'a str]) -> Vec<(&'a str, &'a str)> {
        names
            .iter()
            .map(|name| (*name, field(fields, name)))
            .filter(|(_, value)| value.len() <= 1500)
            .collect()
    }

    fn page_of(id: i64) -> String {
        format!("{DESK}/{id}")
    }

    /// Back to `page` saying `said`, or that the mail to the person did not leave.
    fn told(page: &str, sent: bool, said: Done) -> Outcome {
        done(page, if sent { said } else { Done::RightsMailNotSent })
    }

    /// Tells the desk's members that a request arrived: its number and deadline, nothing about
    /// the person (they read it on the desk).
    async fn tell_desk(forms: &Forms, request: &RightsRequest) {
        let addresses = match forms.store.rights_desk_addresses().await {
            Ok(addresses) => addresses,
            Err(error) => {
                tracing::error!(%error, "membres du guichet des droits illisibles");
                return;
            }
        };
        for address in addresses {
            let text = format!(
                "Bonjour,\n\nUne nouvelle demande sur des données personnelles (n° {id}) attend \
                 le guichet des droits ; sa réponse est due le {due}.\n\n{base}{DESK}/{id}\n\n— \
                 France Sésame\n",
                id = request.id,
                due = crate::domain::rights::day_text(request.due_on),
                base = forms.base_url,
            );
            send_mail(
                forms,
                &address,
                "Nouvelle demande au guichet des droits",
                text,
            )
            .await;
        }
    }

    /// `POST /espace/donnees/demandes`: the signed-in person asks (`nature`, `texte`).
    #[tracing::instrument(skip_all)]
    pub async fn present(
        State(forms): State<Forms>,
        Extension(caller): Extension<Caller>,
        Form(fields): Form<Fields>,
    ) -> Outcome {
        let viewer = check_viewer(&caller, EntryPoint::PersonalSpace, Target::Nothing)?;
        let form = format!("{SPACE}#demande");
        let refused = |problem| back(&form, problem, &kept(&fields, &["nature", "texte"]));
        let kind = RightKind::from_code(field(&fields, "nature"))
            .ok_or_else(|| refused(Problem::RightsRequestInvalid))?;
        let details = parse_details(field(&fields, "texte"))
            .map_err(|_| refused(Problem::RightsRequestInvalid))?;
        sensitive_budget(&forms, &[&format!("demande-droits:{}", viewer.user_id)])?;
        let now = Utc::now();
        let (request, new) = forms
            .store
            .file_rights_request(
                &NewRightsRequest {
                    user_id: Some(viewer.user_id),
                    full_name: &viewer.full_name,
                    email: &viewer.email,
                    kind,
                    channel: Channel::Espace,
                    details: &details,
                    received_on: local_day(now),
                    open_limit: Some(OPEN_PER_PERSON),
                },
                &caller.actor(),
                now,
            )
            .await?
            .ok_or_else(|| refused(Problem::RightsRequestsTooMany))?;
        if new {
            let (subject, text) = receipt_mail(&request);
            send_mail(&forms, &request.email, &subject, text).await;
            tell_desk(&forms, &request).await;
        }
        done(&format!("{SPACE}#mes-demandes"), Done::RightsRequestSent)
    }

    /// `POST /droits/demandes`: the desk records a request that came by post, by mail or
    /// through the DGAL (`nom`, `adresse`, `nature`, `canal`, `recue`, `texte`). An account with
    /// that address is linked to it.
    #[tracing::instrument(skip_all)]
    pub async fn record(
        State(forms): State<Forms>,
        Extension(caller): Extension<Caller>,
        Form(fields): Form<Fields>,
    ) -> Outcome {
        check(&caller, EntryPoint::RightsDesk, Target::Nothing)?;
        let now = Utc::now();
        let form = format!("{DESK}#enregistrer");
        let refused = || {
            back(
                &form,
                Problem::RightsRequestInvalid,
                &kept(
                    &fields,
                    &["nom", "adresse", "nature", "canal", "recue", "texte"],
                ),
            )
        };
        let name = parse_full_name(field(&fields, "nom")).map_err(|_| refused())?;
        let email = parse_email(field(&fields, "adresse")).map_err(|_| refused())?;
        let kind = RightKind::from_code(field(&fields, "nature")).ok_or_else(refused)?;
        let channel = Channel::from_code(field(&fields, "canal"))
            .filter(|channel| Channel::RECORDED.contains(channel))
            .ok_or_else(refused)?;
        let received_on =
            parse_received_on(field(&fields, "recue"), local_day(now)).map_err(|_| refused())?;
        let details = parse_details(field(&fields, "texte")).map_err(|_| refused())?;
        let user_id = forms.store.account_of_address(&email).await?;
        let (request, new) = forms
            .store
            .file_rights_request(
                &NewRightsRequest {
                    user_id,
                    full_name: &name,
                    email: &email,
                    kind,
                    channel,
                    details: &details,
                    received_on,
                    open_limit: None,
                },
                &caller.actor(),
                now,
            )
            .await?
            .ok_or_else(refused)?;
        let sent = if new {
            let (subject, text) = receipt_mail(&request);
            send_mail(&forms, &request.email, &subject, text).await
        } else {
            true
        };
        told(&page_of(request.id), sent, Done::RightsRequestRecorded)
    }

    /// `POST /droits/{id}/prolongation` (`motif`): two more months, once, the reason mailed.
    #[tracing::instrument(skip_all)]
    pub async fn extend(
        State(forms): State<Forms>,
        Extension(caller): Extension<Caller>,
        Path(id): Path<i64>,
        Form(fields): Form<Fields>,
    ) -> Outcome {
        check(&caller, EntryPoint::RightsDesk, Target::Nothing)?;
        let page = page_of(id);
        let refused = || {
            back(
                &page,
                Problem::RightsExtensionInvalid,
                &kept(&fields, &["motif"]),
            )
        };
        let reason = parse_extension_reason(field(&fields, "motif")).map_err(|_| refused())?;
        let Some(request) = forms
            .store
            .extend_rights_request(id, &reason, &caller.actor(), Utc::now())
            .await?
        else {
            return Err(refused());
        };
        let (subject, text) = extension_mail(&request, &reason);
        let to = forms.store.rights_mail_address(&request).await?;
        let sent = send_mail(&forms, &to, &subject, text).await;
        told(&page, sent, Done::RightsRequestExtended)
    }

    async fn mail_answer(
        forms: &Forms,
        request: &RightsRequest,
    ) -> Result<bool, crate::store::StoreError> {
        let (subject, text) = answer_mail(request);
        let to = forms.store.rights_mail_address(request).await?;
        let sent = send_mail(forms, &to, &subject, text).await;
        if sent {
            forms
                .store
                .rights_answer_mailed(request.id, Utc::now())
                .await?;
        }
        Ok(sent)
    }

    /// `POST /droits/{id}/reponse` (`decision`, `reponse`): the answer, kept and mailed; a
    /// granted erasure, limitation or objection changes the account at once.
    #[tracing::instrument(skip_all)]
    pub async fn answer(
        State(forms): State<Forms>,
        Extension(caller): Extension<Caller>,
        Path(id): Path<i64>,
        Form(fields): Form<Fields>,
    ) -> Outcome {
        check(&caller, EntryPoint::RightsDesk, Target::Nothing)?;
        let page = page_of(id);
        let refused = |problem| back(&page, problem, &kept(&fields, &["decision", "reponse"]));
        let decision = Decision::from_code(field(&fields, "decision"))
            .ok_or_else(|| refused(Problem::RightsAnswerInvalid))?;
        let text = parse_answer(field(&fields, "reponse"))
            .map_err(|_| refused(Problem::RightsAnswerInvalid))?;
        let answered = match forms
            .store
            .answer_rights_request(id, decision, &text, &caller.actor(), Utc::now())
            .await?
        {
            RightsAnswered::Done(request) => request,
            RightsAnswered::Already => return Err(back(&page, Problem::RightsRequestUnknown, &[])),
            RightsAnswered::Held => return Err(refused(Problem::RightsErasureHeld)),
            RightsAnswered::Protected => return Err(refused(Problem::RightsAnswerProtected)),
        };
        let sent = mail_answer(&forms, &answered).await?;
        told(&page, sent, Done::RightsRequestAnswered)
    }

    /// `POST /droits/{id}/renvoi`: sends an answer whose mail did not leave.
    #[tracing::instrument(skip_all)]
    pub async fn resend(
        State(forms): State<Forms>,
        Extension(caller): Extension<Caller>,
        Path(id): Path<i64>,
    ) -> Outcome {
        check(&caller, EntryPoint::RightsDesk, Target::Nothing)?;
        let page = page_of(id);
        let Some(request) = forms
            .store
            .rights_request(id)
            .await?
            .filter(|request| request.answered() && !request.answer_mailed)
        else {
            return Err(back(&page, Problem::RightsRequestUnknown, &[]));
        };
        let sent = mail_answer(&forms, &request).await?;
        told(&page, sent, Done::RightsRequestAnswered)
    }

    /// `POST /droits/{id}/gel` (`motif`): holds the account the request is about: its data are
    /// not purged while the hold lasts.
    #[tracing::instrument(skip_all)]
    pub async fn hold(
        State(forms): State<Forms>,
        Extension(caller): Extension<Caller>,
        Path(id): Path<i64>,
        Form(fields): Form<Fields>,
    ) -> Outcome {
        check(&caller, EntryPoint::RightsDesk, Target::Nothing)?;
        let page = page_of(id);
        let refused = || back(&page, Problem::RightsHoldInvalid, &kept(&fields, &["gel"]));
        let reason =
            crate::domain::account::parse_reason(field(&fields, "gel")).map_err(|_| refused())?;
        let Some(user_id) = forms
            .store
            .rights_request(id)
            .await?
            .and_then(|request| request.user_id)
        else {
            return Err(refused());
        };
        forms
            .store
            .place_hold(Some(user_id), None, &reason, &caller.actor(), Utc::now())
            .await?;
        done(&page, Done::RightsHoldPlaced)
    }

    /// `POST /droits/{id}/gels/{hold}/levee`: lifts a hold on the request's account.
    #[tracing::instrument(skip_all)]
    pub async fn lift(
        State(forms): State<Forms>,
        Extension(caller): Extension<Caller>,
        Path((id, hold)): Path<(i64, i64)>,
    ) -> Outcome {
        check(&caller, EntryPoint::RightsDesk, Target::Nothing)?;
        let page = page_of(id);
        if !forms.store.hold_of_request(id, hold).await?
            || !forms
                .store
                .lift_hold(hold, &caller.actor(), Utc::now())
                .await?
        {
            return Err(back(&page, Problem::RightsHoldInvalid, &[]));
        }
        done(&page, Done::RightsHoldLifted)
    }

    /// `POST /droits/{id}/limitation/levee` (`motif`): ends a limitation granted on the request's
    /// account; the person is told why by mail.
    #[tracing::instrument(skip_all)]
    pub async fn lift_limitation(
        State(forms): State<Forms>,
        Extension(caller): Extension<Caller>,
        Path(id): Path<i64>,
        Form(fields): Form<Fields>,
    ) -> Outcome {
        check(&caller, EntryPoint::RightsDesk, Target::Nothing)?;
        let page = page_of(id);
        let refused = || {
            back(
                &page,
                Problem::RightsLimitationLiftInvalid,
                &kept(&fields, &["motif"]),
            )
        };
        let reason =
            crate::domain::account::parse_reason(field(&fields, "motif")).map_err(|_| refused())?;
        let Some((email, name)) = forms
            .store
            .lift_limitation(id, &reason, &caller.actor(), Utc::now())
            .await?
        else {
            return Err(refused());
        };
        let (subject, text) = limitation_lifted_mail(&name, id, &reason);
        let sent = send_mail(&forms, &email, &subject, text).await;
        told(&page, sent, Done::RightsLimitationLifted)
    }

    /// `POST /droits/{id}/entreprise-individuelle` (`valeur`: `oui` or `non`): the company of
    /// the request's account is (or is not) a sole trader's, as the person told the desk.
    #[tracing::instrument(skip_all)]
    pub async fn sole_trader(
        State(forms): State<Forms>,
        Extension(caller): Extension<Caller>,
        Path(id): Path<i64>,
        Form(fields): Form<Fields>,
    ) -> Outcome {
        check(&caller, EntryPoint::RightsDesk, Target::Nothing)?;
        let page = page_of(id);
        let value = match field(&fields, "valeur") {
            "oui" => true,
            "non" => false,
            _ => return Err(back(&page, Problem::RightsSoleTraderInvalid, &[])),
        };
        if !forms
            .store
            .set_sole_trader_of_request(id, value, &caller.actor(), Utc::now())
            .await?
        {
            return Err(back(&page, Problem::RightsSoleTraderInvalid, &[]));
        }
        done(
            &page,
            if value {
                Done::RightsSoleTraderMarked
            } else {
                Done::RightsSoleTraderUnmarked
            },
        )
    }

    /// `POST /droits/gels` (`dossier`, `motif`): holds a dossier in dispute: the persons who acted
    /// in it keep their identity while the hold lasts.
    #[tracing::instrument(skip_all)]
    pub async fn hold_dossier(
        State(forms): State<Forms>,
        Extension(caller): Extension<Caller>,
        Form(fields): Form<Fields>,
    ) -> Outcome {
        check(&caller, EntryPoint::RightsDesk, Target::Nothing)?;
        let form = format!("{DESK}#gels");
        let refused = || {
            back(
                &form,
                Problem::RightsDossierHoldInvalid,
                &kept(&fields, &["dossier", "motif"]),
            )
        };
        let reason =
            crate::domain::account::parse_reason(field(&fields, "motif")).map_err(|_| refused())?;
        let number = field(&fields, "dossier")
            .trim()
            .trim_start_matches("n°")
            .trim()
            .parse::<i64>()
            .map_err(|_| refused())?;
        if !forms.store.dossier_exists(number).await? {
            return Err(refused());
        }
        forms
            .store
            .place_hold(None, Some(number), &reason, &caller.actor(), Utc::now())
            .await?;
        done(&form, Done::RightsDossierHoldPlaced)
    }

    /// `POST /droits/gels/{hold}/levee`: lifts a hold on a dossier.
    #[tracing::instrument(skip_all)]
    pub async fn lift_dossier(
        State(forms): State<Forms>,
        Extension(caller): Extension<Caller>,
        Path(hold): Path<i64>,
    ) -> Outcome {
        check(&caller, EntryPoint::RightsDesk, Target::Nothing)?;
        let form = format!("{DESK}#gels");
        if !forms.store.is_dossier_hold(hold).await?
            || !forms
                .store
                .lift_hold(hold, &caller.actor(), Utc::now())
                .await?
        {
            return Err(back(&form, Problem::RightsDossierHoldInvalid, &[]));
        }
        done(&form, Done::RightsDossierHoldLifted)
    }

    async fn set_desk(forms: &Forms, caller: &Caller, id: i64, member: bool) -> Outcome {
        check(caller, EntryPoint::ManageAccounts, Target::Nothing)?;
        let page = format!("/comptes/{id}");
        let Some(account) = forms.store.user(id).await? else {
            return Err(back(&page, Problem::AccountUnknown, &[]));
        };
        if !forms
            .store
            .set_rights_desk(id, member, &caller.actor(), Utc::now())
            .await?
        {
            return Err(back(
                &page,
                if member {
                    Problem::RightsDeskNotApplicable
                } else {
                    Problem::RightsDeskNotHeld
                },
                &[],
            ));
        }
        if !member {
            return done(&page, Done::RightsDeskWithdrawn);
        }
        let text = format!(
            "Bonjour {},\n\nL'administration technique de France Sésame vous a confié le guichet \
             des droits : vous recevez les demandes des personnes sur leurs données (accès, \
             rectification, effacement, limitation, opposition), vous y répondez dans le délai \
             d'un mois et vous pouvez geler les données d'un compte en litige.\n\n{}{DESK}\n\n— \
             France Sésame\n",
            account.full_name, forms.base_url,
        );
        let sent = send_mail(
            forms,
            &account.email,
            "Le guichet des droits vous est confié",
            text,
        )
        .await;
        done(
            &page,
            if sent {
                Done::RightsDeskGranted
            } else {
                Done::DecisionMailNotSent
            },
        )
    }

    /// `POST /comptes/{id}/guichet-droits`: the technical administrator opens the desk to an
    /// account of the DGDDI.
    #[tracing::instrument(skip_all)]
    pub async fn grant_desk(
        State(forms): State<Forms>,
        Extension(caller): Extension<Caller>,
        Path(id): Path<i64>,
    ) -> Outcome {
        set_desk(&forms, &caller, id, true).await
    }

    /// `POST /comptes/{id}/guichet-droits/retrait`: and closes it.
    #[tracing::instrument(skip_all)]
    pub async fn withdraw_desk(
        State(forms): State<Forms>,
        Extension(caller): Extension<Caller>,
        Path(id): Path<i64>,
    ) -> Outcome {
        set_desk(&forms, &caller, id, false).await
    }
}
