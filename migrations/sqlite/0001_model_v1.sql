-- France Sésame, model v1 (SQLite). Keep in step with ../postgres/0001_model_v1.sql.
-- Codes stored as text are the domain's codes (see app/src/domain); CHECKs keep them honest.

CREATE TABLE site (
    code TEXT PRIMARY KEY,              -- UN/LOCODE, e.g. FRLEH
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('port', 'airport'))
);

CREATE TABLE post (
    code TEXT PRIMARY KEY,              -- border control post, e.g. FRLEH1
    site_code TEXT NOT NULL REFERENCES site (code),
    name TEXT NOT NULL,
    dgal INTEGER NOT NULL DEFAULT 0 CHECK (dgal IN (0, 1)),
    dgddi INTEGER NOT NULL DEFAULT 0 CHECK (dgddi IN (0, 1))
);
CREATE INDEX post_site ON post (site_code);

CREATE TABLE company (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    siret TEXT NOT NULL UNIQUE,
    eori TEXT UNIQUE,
    created_at TEXT NOT NULL
);

CREATE TABLE app_user (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    full_name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('operateur', 'agent_dgddi', 'agent_sivep', 'chef_service',
                                       'superviseur', 'dgitm', 'administrateur')),
    company_id INTEGER REFERENCES company (id),
    administration TEXT CHECK (administration IN ('dgddi', 'dgal')),
    password_hash TEXT,
    created_at TEXT NOT NULL,
    CHECK ((role = 'operateur') = (company_id IS NOT NULL))
);

CREATE TABLE user_site (
    user_id INTEGER NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    site_code TEXT NOT NULL REFERENCES site (code),
    PRIMARY KEY (user_id, site_code)
);

CREATE TABLE partner_key (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,      -- SHA-256 of the key, hex; the key itself is never stored
    sources TEXT NOT NULL,              -- comma-separated event sources, or '*'
    sites TEXT NOT NULL,                -- comma-separated UN/LOCODEs, or '*'
    created_at TEXT NOT NULL,
    revoked_at TEXT
);

CREATE TABLE dossier (
    id INTEGER PRIMARY KEY,
    site_code TEXT NOT NULL REFERENCES site (code),
    post_code TEXT REFERENCES post (code),
    company_id INTEGER REFERENCES company (id),
    goods_category TEXT NOT NULL CHECK (goods_category IN ('live_animals', 'animal_products', 'plants',
                                        'feed', 'food_non_animal', 'fruit_vegetables', 'organic')),
    goods_description TEXT NOT NULL,
    flow TEXT NOT NULL CHECK (flow IN ('import', 'transit')),
    container TEXT,
    awb TEXT,
    bill_of_lading TEXT,
    ched TEXT,
    mrn TEXT,
    status TEXT NOT NULL CHECK (status IN ('en_cours', 'bloque', 'non_conforme', 'termine')),
    current_step TEXT,
    opened_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK (COALESCE(container, awb, bill_of_lading, ched, mrn) IS NOT NULL)
);
CREATE INDEX dossier_site_updated ON dossier (site_code, updated_at);
CREATE INDEX dossier_company_updated ON dossier (company_id, updated_at);
CREATE INDEX dossier_updated ON dossier (updated_at);
CREATE INDEX dossier_container ON dossier (container);
CREATE INDEX dossier_awb ON dossier (awb);
CREATE INDEX dossier_ched ON dossier (ched);
CREATE INDEX dossier_mrn ON dossier (mrn);
CREATE INDEX dossier_bill_of_lading ON dossier (bill_of_lading);

CREATE TABLE step (
    dossier_id INTEGER NOT NULL REFERENCES dossier (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    position INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('a_venir', 'en_cours', 'termine', 'non_conforme', 'bloque',
                                         'non_requis')),
    started_at TEXT,
    ended_at TEXT,
    actor TEXT CHECK (actor IN ('dgddi', 'dgal')),
    outcome TEXT,
    expected_minutes INTEGER NOT NULL,
    PRIMARY KEY (dossier_id, kind)
);

CREATE TABLE event (
    id INTEGER PRIMARY KEY,
    dossier_id INTEGER NOT NULL REFERENCES dossier (id) ON DELETE CASCADE,
    partner_event_id TEXT,              -- the sender's id, for idempotency
    source TEXT NOT NULL,
    kind TEXT NOT NULL,
    occurred_at TEXT NOT NULL,
    received_at TEXT NOT NULL,
    post_code TEXT,
    detail TEXT,
    payload TEXT NOT NULL DEFAULT '{}'  -- the event as received, JSON
);
CREATE INDEX event_dossier ON event (dossier_id, occurred_at);
CREATE UNIQUE INDEX event_partner_id ON event (source, partner_event_id);
