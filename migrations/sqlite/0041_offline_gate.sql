-- France Sésame, the gate offline (SQLite). Keep in step with the other store's 0041.

-- A credential made for a day: issued to one device (held in a cookie only that browser sends,
-- only to the gate's offline addresses) when an agent opens the gate online, for that agent,
-- the sites of their habilitations at that moment and that day (Paris) only. It lets the device
-- send the presences and absences recorded without network, even after the web session idled
-- out, and nothing else. Ended by sign-out (of the session that opened it), by its revocation
-- from the personal space, and at the end of its day; a withdrawn habilitation or a suspended
-- account refuses it at the next use.
CREATE TABLE gate_pass (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    user_id INTEGER NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    session_id INTEGER REFERENCES session (id) ON DELETE SET NULL,
    day TEXT NOT NULL,
    sites TEXT NOT NULL,                -- the site codes, comma-separated, at issue
    device TEXT NOT NULL,               -- the browser's description, for the personal space
    created_at TEXT NOT NULL,
    last_used_at TEXT NOT NULL,
    ended_at TEXT,
    ended_reason TEXT                   -- 'deconnexion' | 'revocation'
);
CREATE INDEX gate_pass_by_user ON gate_pass (user_id, day);
CREATE INDEX gate_pass_by_session ON gate_pass (session_id) WHERE ended_at IS NULL;

-- A presence or absence recorded at the gate without network, as the device sent it: its id
-- (made by the device, so that a sending repeated is recorded once), the time of the scan or
-- tap and the time it reached the server, and what the server kept (recorded, or the conflict
-- the agent is shown).
CREATE TABLE offline_checkin (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    client_id TEXT NOT NULL,
    appointment_id INTEGER NOT NULL,
    kind TEXT NOT NULL,                 -- 'presence' | 'absence'
    reason TEXT,                        -- a late arrival's reason
    scanned_at TEXT NOT NULL,
    sent_at TEXT NOT NULL,
    outcome TEXT NOT NULL,              -- 'enregistre' or the conflict's code
    message TEXT NOT NULL,              -- what the agent was told, in French
    UNIQUE (user_id, client_id)
);
CREATE INDEX offline_checkin_by_sending ON offline_checkin (sent_at);
