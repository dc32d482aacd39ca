-- France Sésame, partner events (SQLite). Keep in step with the other store's 0003.

-- An event whose references point at two different dossiers: reported to agents, never merged
-- silently. The event joined the first (oldest) of them.
CREATE TABLE correlation_alert (
    id INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES event (id) ON DELETE CASCADE,
    dossier_ids TEXT NOT NULL,          -- comma-separated ids of every dossier the references name
    created_at TEXT NOT NULL,
    resolved_at TEXT
);
CREATE INDEX correlation_alert_open ON correlation_alert (resolved_at);
