-- France Sésame, heads of service invite agents (SQLite). Keep in step with
-- ../postgres/0015_agent_invitations.sql.

-- An invitation now brings a person into an operator company (an operator, invited by its
-- administrator) or into an administration (an agent, invited by one of its heads of service):
-- exactly one of the two. SQLite cannot drop a NOT NULL: the table is rebuilt, ids and links kept.
CREATE TABLE invitation_new (
    id INTEGER PRIMARY KEY,
    company_id INTEGER REFERENCES company (id),
    administration TEXT CHECK (administration IN ('dgddi', 'dgal')),
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
    CHECK ((company_id IS NULL) <> (administration IS NULL))
);
INSERT INTO invitation_new (id, company_id, administration, email, full_name, invited_by,
                            token_hash, created_at, expires_at, accepted_at, user_id,
                            withdrawn_at, withdrawn_by)
SELECT id, company_id, NULL, email, full_name, invited_by, token_hash, created_at, expires_at,
       accepted_at, user_id, withdrawn_at, withdrawn_by
FROM invitation;
DROP TABLE invitation;
ALTER TABLE invitation_new RENAME TO invitation;

-- One pending invitation per company or administration and address: inviting again refreshes it.
CREATE UNIQUE INDEX invitation_pending ON invitation (company_id, email)
    WHERE accepted_at IS NULL AND withdrawn_at IS NULL;
CREATE UNIQUE INDEX invitation_pending_administration ON invitation (administration, email)
    WHERE accepted_at IS NULL AND withdrawn_at IS NULL;
CREATE INDEX invitation_email ON invitation (email);
