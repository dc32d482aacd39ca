-- France Sésame, sign-in protection (PostgreSQL). Keep in step with ../sqlite/0008_sign_in_protection.sql.

-- The key a client's budgets count under (its address; for IPv6, its /64), kept beside the full
-- address so that failed and successful sign-ins are counted per client as the budgets are.
-- Derived from `address`, which the entry's hash covers; entries written before have none.
ALTER TABLE audit_entry ADD COLUMN client_key TEXT;
CREATE INDEX audit_entry_action_client ON audit_entry (action, client_key, at);

-- Single-use sign-in links ('connexion'), offered when an account's budget of failed sign-ins is
-- spent.
ALTER TABLE account_token DROP CONSTRAINT account_token_purpose_check;
ALTER TABLE account_token ADD CONSTRAINT account_token_purpose_check
    CHECK (purpose IN ('verification', 'reinitialisation', 'invitation', 'connexion'));
