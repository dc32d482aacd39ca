-- France Sésame, the accounts the technical administrator names, suspended and closed accounts
-- (SQLite). Keep in step with the other store's 0031.

-- An invitation may now also be sent by a technical administrator, for an account of the State:
-- a head of service of one post for an administration (`chef_service`, with `post_code`), a
-- supervisor of an administration (`superviseur`), or the DGITM (`dgitm`, neither company nor
-- administration). Without `role`, it is as before: an operator of a company, or an agent of an
-- administration. SQLite cannot change a CHECK: the table is rebuilt, ids and links kept.
CREATE TABLE invitation_new (
    id INTEGER PRIMARY KEY,
    company_id INTEGER REFERENCES company (id),
    administration TEXT CHECK (administration IN ('dgddi', 'dgal')),
    role TEXT CHECK (role IN ('chef_service', 'superviseur', 'dgitm')),
    post_code TEXT REFERENCES post (code),
    email TEXT NOT NULL,                -- lower case, as parsed
    full_name TEXT NOT NULL,            -- checked as a name: it goes into the mail
    invited_by INTEGER REFERENCES app_user (id), -- unknown for invitations older than 0010
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    accepted_at TEXT,
    user_id INTEGER REFERENCES app_user (id),    -- the account its acceptance opened
    withdrawn_at TEXT,
    withdrawn_by INTEGER REFERENCES app_user (id),
    CHECK (accepted_at IS NULL OR withdrawn_at IS NULL),
    CHECK (CASE role
        WHEN 'chef_service' THEN company_id IS NULL AND administration IS NOT NULL AND post_code IS NOT NULL
        WHEN 'superviseur' THEN company_id IS NULL AND administration IS NOT NULL AND post_code IS NULL
        WHEN 'dgitm' THEN company_id IS NULL AND administration IS NULL AND post_code IS NULL
        ELSE (company_id IS NULL) <> (administration IS NULL) AND post_code IS NULL
    END)
);
INSERT INTO invitation_new (id, company_id, administration, email, full_name, invited_by,
                            token_hash, created_at, expires_at, accepted_at, user_id,
                            withdrawn_at, withdrawn_by)
SELECT id, company_id, administration, email, full_name, invited_by, token_hash, created_at,
       expires_at, accepted_at, user_id, withdrawn_at, withdrawn_by
FROM invitation;
DROP TABLE invitation;
ALTER TABLE invitation_new RENAME TO invitation;

-- One pending invitation per company or administration and address (inviting again refreshes
-- it), and one pending invitation of the technical administrators per address.
CREATE UNIQUE INDEX invitation_pending ON invitation (company_id, email)
    WHERE accepted_at IS NULL AND withdrawn_at IS NULL AND role IS NULL;
CREATE UNIQUE INDEX invitation_pending_administration ON invitation (administration, email)
    WHERE accepted_at IS NULL AND withdrawn_at IS NULL AND role IS NULL;
CREATE UNIQUE INDEX invitation_pending_state ON invitation (email)
    WHERE accepted_at IS NULL AND withdrawn_at IS NULL AND role IS NOT NULL;
CREATE INDEX invitation_email ON invitation (email);

-- A suspended account cannot sign in, and receives nothing, until it is reactivated; its data
-- stay. A closed account (`disabled_at`) is ended for good.
ALTER TABLE app_user ADD COLUMN suspended_at TEXT;

-- Every suspension, reactivation and closing, with its reason and who decided: what the account's
-- page shows, beside the audit trail.
CREATE TABLE account_decision (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES app_user (id),
    decision TEXT NOT NULL CHECK (decision IN ('suspension', 'reactivation', 'cloture')),
    reason TEXT NOT NULL,
    decided_by INTEGER REFERENCES app_user (id),
    decided_at TEXT NOT NULL
);
CREATE INDEX account_decision_user ON account_decision (user_id, decided_at);

-- The inspection hears of the appointments cancelled with the account that booked them.
INSERT INTO notification_kind (code, audience, label, action_required, title, body, position, about_dossier, sent_outside) VALUES
('rendez_vous_annule', 'agent', 'Rendez-vous annulé avec le compte qui l''avait pris', 0,
 '{reference} : rendez-vous du {quand} annulé au poste {poste}',
 'Le rendez-vous de contrôle {controle} du {quand} au poste de contrôle frontalier {poste} est annulé : le compte de l''opérateur qui l''avait pris n''est plus actif. Le créneau est libéré.',
 150, 1, 0);
