//! The state of the service, for everyone (page « État du service »), and the technical
//! administrator's forms: a maintenance scheduled or started, an incident recorded, a
//! maintenance cancelled or ended, a site's procédure de secours.

use leptos::prelude::*;

use crate::domain::service::ServiceState;

/// The state of the service now: public.
#[server(endpoint = "etat-du-service")]
pub async fn load_service_state() -> Result<ServiceState, ServerFnError> {
    let store = crate::state::store()?;
    store
        .service_state(chrono::Utc::now())
        .await
        .map_err(crate::state::internal)
}

#[cfg(feature = "ssr")]
pub use handlers::{end, incident, maintenance, procedure};

#[cfg(feature = "ssr")]
mod handlers {
    use std::collections::HashMap;

    use axum::extract::{Path, State};
    use axum::{Extension, Form};
    use chrono::Utc;

    use crate::domain::access::{EntryPoint, Target};
    use crate::domain::service::{parse_interruption, PROCEDURE_MAX};
    use crate::forms::{back, check, done, Failure, Forms, Outcome};
    use crate::state::Caller;
    use crate::store::InterruptionEnded;
    use crate::ui::notices::{Done, Problem};

    /// The administration's page of the service.
    pub const PAGE: &str = "/administration/maintenance";

    type Fields = HashMap<String, String>;

    fn field<'a>(fields: &'a Fields, name: &str) -> &'a str {
        fields.get(name).map(String::as_str).unwrap_or_default()
    }

    /// Back to the page with what was typed in form `form`, which tells what to correct.
    fn refused(form: &str, fields: &Fields) -> Failure {
        let mut pairs: Vec<(&str, &str)> = ["debut", "fin", "motif"]
            .into_iter()
            .map(|name| (name, field(fields, name)))
            .filter(|(_, value)| value.len() <= 600)
            .collect();
        pairs.push(("formulaire", form));
        back(PAGE, Problem::InterruptionInvalid, &pairs)
    }

    async fn record(forms: &Forms, caller: &Caller, planned: bool, fields: &Fields) -> Outcome {
        check(caller, EntryPoint::ManageService, Target::Nothing)?;
        let now = Utc::now();
        let form = if planned { "maintenance" } else { "incident" };
        let draft = parse_interruption(
            planned,
            field(fields, "debut"),
            field(fields, "fin"),
            field(fields, "motif"),
            now,
        )
        .map_err(|_| refused(form, fields))?;
        forms
            .store
            .record_interruption(planned, &draft, &caller.actor(), now)
            .await?;
        done(
            PAGE,
            if planned {
                Done::MaintenanceScheduled
            } else {
                Done::IncidentRecorded
            },
        )
    }

    /// `POST /administration/maintenance`: a maintenance, from now or from a given moment.
    #[tracing::instrument(skip_all)]
    pub async fn maintenance(
        State(forms): State<Forms>,
        Extension(caller): Extension<Caller>,
        Form(fields): Form<Fields>,
    ) -> Outcome {
        record(&forms, &caller, true, &fields).await
    }

    /// `POST /administration/incidents`: an incident, once over, for the history.
    #[tracing::instrument(skip_all)]
    pub async fn incident(
        State(forms): State<Forms>,
        Extension(caller): Extension<Caller>,
        Form(fields): Form<Fields>,
    ) -> Outcome {
        record(&forms, &caller, false, &fields).await
    }

    /// `POST /administration/maintenance/{id}/fin`: cancels a maintenance to come, or ends the
    /// one under way.
    #[tracing::instrument(skip_all)]
    pub async fn end(
        State(forms): State<Forms>,
        Extension(caller): Extension<Caller>,
        Path(id): Path<i64>,
    ) -> Outcome {
        check(&caller, EntryPoint::ManageService, Target::Nothing)?;
        match forms
            .store
            .end_interruption(id, &caller.actor(), Utc::now())
            .await?
        {
            InterruptionEnded::Cancelled => done(PAGE, Done::MaintenanceCancelled),
            InterruptionEnded::Ended => done(PAGE, Done::MaintenanceEnded),
            InterruptionEnded::Nothing => Err(back(PAGE, Problem::InterruptionUnknown, &[])),
        }
    }

    /// `POST /administration/procedures`: a site's procédure de secours (`site`, `texte`).
    #[tracing::instrument(skip_all)]
    pub async fn procedure(
        State(forms): State<Forms>,
        Extension(caller): Extension<Caller>,
        Form(fields): Form<Fields>,
    ) -> Outcome {
        check(&caller, EntryPoint::ManageService, Target::Nothing)?;
        let text = crate::domain::line_breaks(field(&fields, "texte").trim());
        if text.chars().count() > PROCEDURE_MAX {
            return Err(back(PAGE, Problem::ProcedureInvalid, &[]));
        }
        let site = field(&fields, "site").trim().to_uppercase();
        if !forms
            .store
            .set_fallback_procedure(&site, &text, &caller.actor(), Utc::now())
            .await?
        {
            return Err(back(PAGE, Problem::ProcedureInvalid, &[]));
        }
        done(PAGE, Done::ProcedureSaved)
    }
}
