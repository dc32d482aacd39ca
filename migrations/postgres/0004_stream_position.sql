-- The order in which live streams carry events, and in which a reconnecting client is replayed
-- what it missed. Event ids are handed out when rows are inserted, so two transactions can commit
-- in the other order than their ids; a client that has seen id 11 would then never be replayed
-- id 10. The position is given at the very end of the ingesting transaction, under a lock held
-- until its commit (see `Tx::ingest`), so positions follow commit order.
CREATE SEQUENCE event_position;
ALTER TABLE event ADD COLUMN position BIGINT;
UPDATE event SET position = id;
SELECT setval('event_position', GREATEST((SELECT MAX(id) FROM event), 1));
ALTER TABLE event ALTER COLUMN position SET DEFAULT nextval('event_position');
ALTER TABLE event ALTER COLUMN position SET NOT NULL;
CREATE UNIQUE INDEX event_stream_position ON event (position);
