-- France Sésame, mandates of representation (SQLite). Keep in step with the other store's 0034.

-- An importer company gives a representative company (a registered customs representative, a
-- freight forwarder) a mandate for some of its sites, from its first day to its last (none:
-- until revoked). While it is in force, the representative's people see and act on the
-- importer's dossiers at those sites and are told of them. Revoking keeps the row: the audit
-- trail and the dossiers' history say who acted for whom, and when.
CREATE TABLE mandate (
    id INTEGER PRIMARY KEY,
    importer_id INTEGER NOT NULL REFERENCES company (id),
    representative_id INTEGER NOT NULL REFERENCES company (id),
    starts_on TEXT NOT NULL,
    ends_on TEXT,
    given_by INTEGER NOT NULL REFERENCES app_user (id),
    given_at TEXT NOT NULL,
    revoked_by INTEGER REFERENCES app_user (id),
    revoked_at TEXT,
    CHECK (importer_id <> representative_id),
    CHECK (ends_on IS NULL OR ends_on >= starts_on),
    CHECK ((revoked_by IS NULL) = (revoked_at IS NULL))
);
CREATE TABLE mandate_site (
    mandate_id INTEGER NOT NULL REFERENCES mandate (id),
    site_code TEXT NOT NULL REFERENCES site (code),
    PRIMARY KEY (mandate_id, site_code)
);
-- What a representative's people may see (read at each request), what an importer gave, and
-- who represents an importer at a site (the recipients of a dossier's notifications).
CREATE INDEX mandate_representative ON mandate (representative_id) WHERE revoked_at IS NULL;
CREATE INDEX mandate_importer ON mandate (importer_id);
CREATE INDEX mandate_site_site ON mandate_site (site_code, mandate_id);

-- The representative's administrators hear of a mandate given, and of one revoked.
INSERT INTO notification_kind (code, audience, label, action_required, title, body, position, about_dossier, sent_outside) VALUES
('mandat_recu', 'operateur', 'Mandat de représentation reçu', 0,
 'Mandat de représentation de {entreprise}',
 '{entreprise} donne à votre entreprise un mandat de représentation pour {sites}, {periode}. Pendant ce mandat, les personnes de votre entreprise voient ses dossiers de ces sites et agissent pour son compte : rendez-vous, documents, échanges avec les administrations.',
 185, 0, 0),
('mandat_revoque', 'operateur', 'Mandat de représentation révoqué', 0,
 'Mandat de {entreprise} révoqué',
 '{entreprise} a révoqué le mandat de représentation qu''elle avait donné à votre entreprise pour {sites}. Les personnes de votre entreprise ne voient plus ses dossiers de ces sites.',
 190, 0, 0);
