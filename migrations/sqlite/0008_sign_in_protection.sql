-- France Sésame, sign-in protection (SQLite). Keep in step with ../postgres/0008_sign_in_protection.sql.

-- The key a client's budgets count under (its address; for IPv6, its /64), kept beside the full
-- address so that failed and successful sign-ins are counted per client as the budgets are.
-- Derived from `address`, which the entry's hash covers; entries written before have none.
ALTER TABLE audit_entry ADD COLUMN client_key TEXT;
CREATE INDEX audit_entry_action_client ON audit_entry (action, client_key, at);

-- Single-use sign-in links ('connexion'), offered when an account's budget of failed sign-ins is
-- spent. SQLite cannot change a CHECK constraint: the table is rebuilt.
CREATE TABLE account_token_new (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    purpose TEXT NOT NULL CHECK (purpose IN ('verification', 'reinitialisation', 'invitation', 'connexion')),
    new_email TEXT,                     -- for an address change, the address being verified
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT
);
INSERT INTO account_token_new (token_hash, user_id, purpose, new_email, created_at, expires_at, used_at)
SELECT token_hash, user_id, purpose, new_email, created_at, expires_at, used_at FROM account_token;
DROP TABLE account_token;
ALTER TABLE account_token_new RENAME TO account_token;
CREATE INDEX account_token_user ON account_token (user_id);
