-- France Sésame, the clock evaluates only what time can change (SQLite). Keep in step with
-- the other store's 0025.

-- A condition on a duration (a step too long, an analysis awaited, a follow-up missing, a check
-- without appointment) starts to hold at a time known in advance, and then holds until
-- something happens to its dossier, which evaluates the dossier then. `alert_due`: when each
-- dossier must be evaluated again by the clock (the next threshold one of its steps crosses, or
-- at once after an appointment changed). A dossier without a row has nothing time can change.
CREATE TABLE alert_due (
    dossier_id INTEGER PRIMARY KEY REFERENCES dossier (id) ON DELETE CASCADE,
    due_at TEXT NOT NULL
);
CREATE INDEX alert_due_at ON alert_due (due_at);

-- What the last evaluation of everything ("full sweep") rested on: a fingerprint of the
-- thresholds, responsibilities and calendars (when it changes, everything is evaluated again),
-- and when it ran (once a day at least).
CREATE TABLE alert_sweep (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    fingerprint TEXT NOT NULL,
    swept_at TEXT NOT NULL
);

-- The observed 80th percentiles the alerts were last evaluated with, by place, goods and step:
-- when the forecasts move one, the dossiers at that step are evaluated again.
CREATE TABLE alert_p80 (
    place TEXT NOT NULL,
    goods_category TEXT NOT NULL,
    kind TEXT NOT NULL,
    p80_minutes BIGINT NOT NULL,
    PRIMARY KEY (place, goods_category, kind)
);
