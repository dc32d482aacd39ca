-- The typed facts of each event as ingestion validated them (JSON text of
-- `app::domain::timeline::FactData`): timelines are worked out from these, never by validating
-- the stored payloads again with today's rules, so a rule tightened later cannot change an old
-- timeline. NULL only for events recorded before this migration (or by an instance still on the
-- previous version during a rolling upgrade): the store works them out once from their payload,
-- at start and whenever it meets one. The partial index finds them without a scan, and is empty
-- once they are done.
ALTER TABLE event ADD COLUMN fact TEXT;
CREATE INDEX event_fact_pending ON event (id) WHERE fact IS NULL;
