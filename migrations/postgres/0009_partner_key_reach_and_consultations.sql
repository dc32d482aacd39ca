-- France Sésame, partner keys' reach, consultations (PostgreSQL). Keep in step with the other store's 0009.

-- An event id is the sending key's own: another partner's use of the same id is no conflict
-- (a 409 would tell the sender that something exists beyond its key). Events recorded before
-- this migration, and the demo's, have no key.
ALTER TABLE event ADD COLUMN partner_key_id BIGINT REFERENCES partner_key (id);
DROP INDEX event_partner_id;
CREATE UNIQUE INDEX event_partner_id ON event (partner_key_id, partner_event_id);

-- A consultation is written once however often a live page refreshes it: the trail is looked up
-- by person and action over the last minutes.
CREATE INDEX audit_entry_actor_action ON audit_entry (actor_id, action, at);
