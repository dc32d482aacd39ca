-- France Sésame, sealed copies of records (SQLite). Keep in step with the other store's 0038.

-- A dossier's or a person's record carries the audit entries about it: read by their object
-- (`dossier:42`, `utilisateur:7`), in the trail's order, without walking the trail.
CREATE INDEX audit_entry_object ON audit_entry (object, seq);

-- The copy of a person's data carries the messages they wrote.
CREATE INDEX exchange_entry_author ON exchange_entry (author_user_id) WHERE author_user_id IS NOT NULL;
