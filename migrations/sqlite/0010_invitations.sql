-- France Sésame, invitations (SQLite). Keep in step with ../postgres/0010_invitations.sql.

-- An invitation to join a company, until the invitee accepts it. It reserves nothing: no
-- account exists before the invitee opens the link and chooses a password, and the address
-- stays free for anyone (another company's invitation, an address change) until then. The link's
-- token travels only in the mail; its hash is kept here.
CREATE TABLE invitation (
    id INTEGER PRIMARY KEY,
    company_id INTEGER NOT NULL REFERENCES company (id),
    email TEXT NOT NULL,                -- lower case, as parsed
    full_name TEXT NOT NULL,            -- checked as a name: it goes into the mail
    invited_by INTEGER REFERENCES app_user (id), -- unknown for invitations older than this table
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    accepted_at TEXT,
    user_id INTEGER REFERENCES app_user (id),    -- the account its acceptance opened
    withdrawn_at TEXT,
    withdrawn_by INTEGER REFERENCES app_user (id),
    CHECK (accepted_at IS NULL OR withdrawn_at IS NULL)
);
-- One pending invitation per company and address: inviting again refreshes it.
CREATE UNIQUE INDEX invitation_pending ON invitation (company_id, email)
    WHERE accepted_at IS NULL AND withdrawn_at IS NULL;
CREATE INDEX invitation_email ON invitation (email);

-- Until now an invitation was an account without a password, its address unverified, with an
-- unused 'invitation' link: it held the address. Each becomes an invitation row (its link moves
-- with its hash, so that a mail already sent still works until it expires).
CREATE TEMPORARY TABLE placeholder AS
SELECT u.id, u.company_id, u.email, u.full_name, t.token_hash, t.created_at, t.expires_at
FROM app_user u
JOIN account_token t ON t.user_id = u.id AND t.purpose = 'invitation' AND t.used_at IS NULL
WHERE u.role = 'operateur' AND u.company_id IS NOT NULL AND u.password_hash IS NULL
  AND u.email_verified_at IS NULL AND u.disabled_at IS NULL
  AND NOT EXISTS (SELECT 1 FROM oidc_link l WHERE l.user_id = u.id)
  AND t.created_at = (SELECT MAX(o.created_at) FROM account_token o
                      WHERE o.user_id = u.id AND o.purpose = 'invitation' AND o.used_at IS NULL);

INSERT INTO invitation (company_id, email, full_name, invited_by, token_hash, created_at, expires_at)
SELECT p.company_id, p.email, p.full_name,
       (SELECT a.actor_id FROM audit_entry a
        WHERE a.action = 'collegue_invite' AND a.object = 'utilisateur:' || p.id
          AND a.actor_id IN (SELECT id FROM app_user)
        ORDER BY a.seq DESC LIMIT 1),
       p.token_hash, p.created_at, p.expires_at
FROM placeholder p;
DELETE FROM account_token WHERE purpose = 'invitation' AND user_id IN (SELECT id FROM placeholder);

-- The placeholder accounts go. One that something points to (a session, an acceptance of the
-- terms, an audit entry it wrote, …) is kept, disabled, its address moved out of the way so
-- that it no longer holds the real one; so is the newest account, whose id SQLite would give
-- again to the next account while the audit trail still names it ('collegue_invite' on
-- 'utilisateur:<id>'). Both stores do the same, so that they stay alike.
DELETE FROM app_user
WHERE id IN (SELECT id FROM placeholder)
  AND id < (SELECT MAX(id) FROM app_user)
  AND NOT EXISTS (SELECT 1 FROM session s WHERE s.user_id = app_user.id)
  AND NOT EXISTS (SELECT 1 FROM cgu_acceptance c WHERE c.user_id = app_user.id)
  AND NOT EXISTS (SELECT 1 FROM habilitation h
                  WHERE app_user.id IN (h.user_id, h.granted_by, h.withdrawn_by))
  AND NOT EXISTS (SELECT 1 FROM post_head h WHERE h.user_id = app_user.id)
  AND NOT EXISTS (SELECT 1 FROM correlation_alert c WHERE c.resolved_by = app_user.id)
  AND NOT EXISTS (SELECT 1 FROM appointment a WHERE a.booked_by = app_user.id)
  AND NOT EXISTS (SELECT 1 FROM calendar_feed f WHERE f.user_id = app_user.id)
  AND NOT EXISTS (SELECT 1 FROM invitation i WHERE i.invited_by = app_user.id)
  AND NOT EXISTS (SELECT 1 FROM audit_entry a WHERE a.actor_id = app_user.id);
UPDATE app_user
SET disabled_at = strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now'), email = 'invitation-' || id || '@remplacee.invalid'
WHERE id IN (SELECT id FROM placeholder);
UPDATE account_token SET used_at = strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now')
WHERE used_at IS NULL AND user_id IN (SELECT id FROM placeholder);

DROP TABLE placeholder;
