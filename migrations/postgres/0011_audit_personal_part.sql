-- France Sésame, the audit trail ready for retention (PostgreSQL). Keep in step with
-- ../sqlite/0011_audit_personal_part.sql.
--
-- An entry now has two parts. What it records (number, time, account number, action, object,
-- detail) stays for the trail's whole life. Its personal values are kept beside it in two
-- erasable groups, each committed to the chain only through a salted digest:
--   identity   — `actor` (the account's address) and `personal_detail` (an address typed or
--                named: a failed sign-in's, an invited colleague's), erased after two years;
--   connection — `address` (the client's IP address) and `client_key`, erased after six months.
-- Erasing a group empties its values and its salt; its digest stays, so the chain still verifies
-- and nobody can find the erased values back from it.
--
-- Entries written before (format 1) hashed every value in clear: the server re-chains them once,
-- right after this migration, after verifying them (a trail already altered is not laundered).
--
-- Roles: the application's role may only read and append (`server` grants it so after migrating
-- as the owner); the purge's role may only erase the personal groups.
ALTER TABLE audit_entry ADD COLUMN format SMALLINT NOT NULL DEFAULT 1;
ALTER TABLE audit_entry ADD COLUMN personal_detail TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_entry ADD COLUMN identity_salt TEXT;
ALTER TABLE audit_entry ADD COLUMN identity_digest TEXT;
ALTER TABLE audit_entry ADD COLUMN connection_salt TEXT;
ALTER TABLE audit_entry ADD COLUMN connection_digest TEXT;
CREATE INDEX audit_entry_action_personal ON audit_entry (action, personal_detail, at);

DROP TRIGGER audit_entry_append_only ON audit_entry;
DROP FUNCTION audit_entry_append_only();

CREATE FUNCTION audit_entry_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.format <> 2 OR NEW.identity_digest IS NULL OR NEW.connection_digest IS NULL
           OR NEW.identity_salt IS NULL OR NEW.connection_salt IS NULL THEN
            RAISE EXCEPTION 'le journal d''audit ne se modifie pas';
        END IF;
        RETURN NEW;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        IF OLD.format = 1 AND NEW.format = 2 AND NEW.seq = OLD.seq AND NEW.at = OLD.at THEN
            RETURN NEW;
        END IF;
        IF OLD.format = 2 AND NEW.format = 2 AND NEW.seq = OLD.seq AND NEW.at = OLD.at
           AND NEW.actor_id IS NOT DISTINCT FROM OLD.actor_id
           AND NEW.action = OLD.action AND NEW.object = OLD.object AND NEW.detail = OLD.detail
           AND NEW.prev_hash = OLD.prev_hash AND NEW.hash = OLD.hash
           AND NEW.identity_digest = OLD.identity_digest
           AND NEW.connection_digest = OLD.connection_digest
           AND ((NEW.actor = OLD.actor AND NEW.personal_detail = OLD.personal_detail
                 AND NEW.identity_salt IS NOT DISTINCT FROM OLD.identity_salt)
                OR (NEW.actor = '' AND NEW.personal_detail = '' AND NEW.identity_salt IS NULL))
           AND ((NEW.address = OLD.address AND NEW.client_key IS NOT DISTINCT FROM OLD.client_key
                 AND NEW.connection_salt IS NOT DISTINCT FROM OLD.connection_salt)
                OR (NEW.address = '' AND NEW.client_key IS NULL AND NEW.connection_salt IS NULL))
        THEN
            RETURN NEW;
        END IF;
    END IF;
    RAISE EXCEPTION 'le journal d''audit ne se modifie pas';
END;
$$;
CREATE TRIGGER audit_entry_guard BEFORE INSERT OR UPDATE OR DELETE ON audit_entry
FOR EACH ROW EXECUTE FUNCTION audit_entry_guard();
CREATE FUNCTION audit_entry_no_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'le journal d''audit ne se modifie pas';
END;
$$;
CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON audit_entry
FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_no_truncate();
