-- The order in which live streams carry events, and in which a reconnecting client is replayed
-- what it missed (see the PostgreSQL migration). SQLite has one writer at a time, so the order
-- of ids is already the order of commits: the position is the id.
ALTER TABLE event ADD COLUMN position INTEGER;
UPDATE event SET position = id;
CREATE TRIGGER event_stream_position_given AFTER INSERT ON event
WHEN NEW.position IS NULL
BEGIN
    UPDATE event SET position = NEW.id WHERE id = NEW.id;
END;
CREATE UNIQUE INDEX event_stream_position ON event (position);
