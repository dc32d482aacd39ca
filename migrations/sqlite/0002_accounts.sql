-- France Sésame, accounts, habilitations, sessions, terms of use and audit trail (SQLite).
-- Keep in step with ../postgres/0002_accounts.sql.

-- A local account may sign in only once its address is verified; a disabled account cannot.
ALTER TABLE app_user ADD COLUMN email_verified_at TEXT;
ALTER TABLE app_user ADD COLUMN company_admin INTEGER NOT NULL DEFAULT 0 CHECK (company_admin IN (0, 1));
ALTER TABLE app_user ADD COLUMN disabled_at TEXT;
-- Failed sign-ins before the last password change no longer slow the account down.
ALTER TABLE app_user ADD COLUMN password_changed_at TEXT;
-- Addresses are compared in lower case; accounts that already had a password were created by
-- someone who checked their address.
UPDATE app_user SET email = lower(email);
UPDATE app_user SET email_verified_at = created_at WHERE password_hash IS NOT NULL;

-- What an agent may see: a site, for one administration, between two dates (inclusive), granted
-- by a head of service. Withdrawing keeps the row (history), it never deletes it.
CREATE TABLE habilitation (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES app_user (id),
    site_code TEXT NOT NULL REFERENCES site (code),
    administration TEXT NOT NULL CHECK (administration IN ('dgddi', 'dgal')),
    starts_on TEXT NOT NULL,
    ends_on TEXT,
    granted_by INTEGER REFERENCES app_user (id),
    granted_at TEXT NOT NULL,
    withdrawn_at TEXT,
    withdrawn_by INTEGER REFERENCES app_user (id),
    CHECK (ends_on IS NULL OR ends_on >= starts_on)
);
CREATE INDEX habilitation_user ON habilitation (user_id);
CREATE INDEX habilitation_site ON habilitation (site_code);

-- The sites an agent worked on become open-ended habilitations for their administration.
INSERT INTO habilitation (user_id, site_code, administration, starts_on, granted_at)
SELECT u.id, us.site_code, u.administration, substr(u.created_at, 1, 10), u.created_at
FROM user_site us JOIN app_user u ON u.id = us.user_id
WHERE u.role IN ('agent_dgddi', 'agent_sivep') AND u.administration IS NOT NULL;

-- The posts a head of service heads: they grant habilitations on these posts' sites.
CREATE TABLE post_head (
    user_id INTEGER NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    post_code TEXT NOT NULL REFERENCES post (code),
    PRIMARY KEY (user_id, post_code)
);
INSERT INTO post_head (user_id, post_code)
SELECT u.id, p.code
FROM user_site us JOIN app_user u ON u.id = us.user_id JOIN post p ON p.site_code = us.site_code
WHERE u.role = 'chef_service';

DROP TABLE user_site;

-- Server-side sessions; the browser only holds a random token whose hash is stored here.
CREATE TABLE session (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    user_id INTEGER NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    method TEXT NOT NULL,               -- 'mot_de_passe' or 'oidc:<provider>'
    id_token TEXT,                      -- for signing out of the identity provider
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,           -- absolute limit
    ip TEXT NOT NULL,
    user_agent TEXT NOT NULL,
    ended_at TEXT
);
CREATE INDEX session_by_user ON session (user_id);

-- Single-use links sent by mail: address verification, password reset, invitation.
CREATE TABLE account_token (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    purpose TEXT NOT NULL CHECK (purpose IN ('verification', 'reinitialisation', 'invitation')),
    new_email TEXT,                     -- for an address change, the address being verified
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT
);
CREATE INDEX account_token_user ON account_token (user_id);

-- Sign-ins started with an identity provider, until it calls back.
CREATE TABLE oidc_login (
    state_hash TEXT PRIMARY KEY,
    browser_hash TEXT NOT NULL,         -- the hash of a cookie only the browser that began holds
    pending TEXT NOT NULL,              -- JSON: provider, state, nonce, PKCE verifier
    return_to TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- Which account a provider's subject signs in to: linked at the first sign-in by verified
-- address, then by subject only, so that a recycled address at the provider cannot take over.
CREATE TABLE oidc_link (
    provider TEXT NOT NULL,
    subject TEXT NOT NULL,
    user_id INTEGER NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    PRIMARY KEY (provider, subject)
);
CREATE UNIQUE INDEX oidc_link_user ON oidc_link (provider, user_id);

CREATE TABLE cgu_acceptance (
    user_id INTEGER NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    version TEXT NOT NULL,
    accepted_at TEXT NOT NULL,
    ip TEXT NOT NULL,
    PRIMARY KEY (user_id, version)
);

-- The audit trail: append-only, each entry chained to the previous one by its hash. The head
-- row serialises writers and remembers the last hash, so that removing the newest entries is
-- detected too.
CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL,
    last_hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, last_hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE audit_entry (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor_id INTEGER,
    actor TEXT NOT NULL,                -- the address of the account, or 'anonyme'
    action TEXT NOT NULL,
    object TEXT NOT NULL,
    address TEXT NOT NULL,
    detail TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_entry_action_object ON audit_entry (action, object, at);
CREATE INDEX audit_entry_action_address ON audit_entry (action, address, at);
CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_entry
BEGIN SELECT RAISE(ABORT, 'le journal d''audit ne se modifie pas'); END;
CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry
BEGIN SELECT RAISE(ABORT, 'le journal d''audit ne se modifie pas'); END;
