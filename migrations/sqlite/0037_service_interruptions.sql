-- France Sésame, maintenance and the state of the service (SQLite). Keep in step with the other
-- store's 0037.

-- An interruption of the service: a maintenance the technical administrator schedules (or
-- starts now), or an incident recorded afterwards, each with its period and what it is about.
-- During a maintenance, pages answer 503 with the procédure de secours of each site and the
-- partner interface answers 503 with Retry-After; before it, every page shows a banner and the
-- operators whose appointments fall in it are told. Cancelling keeps the row.
CREATE TABLE service_interruption (
    id INTEGER PRIMARY KEY,
    planned INTEGER NOT NULL,            -- 1: a maintenance; 0: an incident
    starts_at TEXT NOT NULL,
    ends_at TEXT NOT NULL,
    message TEXT NOT NULL,
    created_by INTEGER REFERENCES app_user (id),
    created_at TEXT NOT NULL,
    cancelled_at TEXT,
    CHECK (ends_at > starts_at)
);
CREATE INDEX service_interruption_end ON service_interruption (ends_at);

-- What to do when the platform does not answer, at each site: the contacts and steps of its
-- procédure de secours, written by the technical administrator (empty: the platform's general
-- procedure is shown).
ALTER TABLE site ADD COLUMN fallback_procedure TEXT NOT NULL DEFAULT '';

-- Operators whose appointment falls in a maintenance are told when it is scheduled.
INSERT INTO notification_kind (code, audience, label, action_required, title, body, position, about_dossier, sent_outside) VALUES
('maintenance_rendez_vous', 'operateur', 'Maintenance de la plateforme pendant un rendez-vous', 0,
 '{reference} : maintenance de France Sésame pendant votre rendez-vous',
 'France Sésame sera indisponible du {debut} au {fin} ({motif}). Votre rendez-vous du {rendez_vous} au poste {poste} est maintenu : présentez-vous à l''heure prévue avec votre convocation imprimée ou enregistrée. Pendant la maintenance, suivez la procédure de secours du site, décrite sur la page « État du service ».',
 360, 1, 1);
