-- France Sésame, partner keys' reach (SQLite). Keep in step with the other store's 0009.

-- An event id is the sending key's own: another partner's use of the same id is no conflict
-- (a 409 would tell the sender that something exists beyond its key). Events recorded before
-- this migration, and the demo's, have no key.
ALTER TABLE event ADD COLUMN partner_key_id INTEGER REFERENCES partner_key (id);
DROP INDEX event_partner_id;
CREATE UNIQUE INDEX event_partner_id ON event (partner_key_id, partner_event_id);
