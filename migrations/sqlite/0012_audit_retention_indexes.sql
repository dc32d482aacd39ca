-- France Sésame, what the trail's upkeep reads, indexed (SQLite). Keep in step
-- with ../postgres/0012_audit_retention_indexes.sql.

-- Every start asks whether entries of the old format remain to be re-chained: answered from an
-- index that holds only those (empty once re-chained), not by reading the whole trail.
CREATE INDEX audit_entry_format_1 ON audit_entry (seq) WHERE format = 1;
-- The daily purge finds the entries older than a retention by their time.
CREATE INDEX audit_entry_at ON audit_entry (at);
