-- Rendez-vous: each post's calendar, its closures, the slots booked so far and the appointments.
-- A slot row holds its capacity and how many places are taken; the database refuses more places
-- than the capacity (CHECK), and bookings take a place with a conditional update, so that any
-- number of simultaneous attempts on the last places accept exactly as many as remain.

CREATE TABLE post_calendar (
    post_code TEXT PRIMARY KEY REFERENCES post (code),
    slot_minutes INTEGER NOT NULL CHECK (slot_minutes BETWEEN 5 AND 480),
    identity_capacity INTEGER NOT NULL CHECK (identity_capacity BETWEEN 0 AND 500),
    physical_capacity INTEGER NOT NULL CHECK (physical_capacity BETWEEN 0 AND 500),
    min_notice_hours INTEGER NOT NULL CHECK (min_notice_hours >= 0),
    cutoff_hours INTEGER NOT NULL CHECK (cutoff_hours >= 0),
    requires_validation BOOLEAN NOT NULL,
    open_on_public_holidays BOOLEAN NOT NULL,
    openings TEXT NOT NULL,             -- JSON: [{"weekday": 1, "opens": "08:00:00", "closes": "12:00:00"}, …]
    updated_at TEXT NOT NULL
);

CREATE TABLE post_closure (
    id INTEGER PRIMARY KEY,
    post_code TEXT NOT NULL REFERENCES post (code),
    starts_on TEXT NOT NULL,            -- days of Paris, inclusive
    ends_on TEXT NOT NULL,
    reason TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX post_closure_post ON post_closure (post_code, starts_on);

CREATE TABLE slot (
    id INTEGER PRIMARY KEY,
    post_code TEXT NOT NULL REFERENCES post (code),
    check_kind TEXT NOT NULL CHECK (check_kind IN ('identity', 'physical')),
    starts_at TEXT NOT NULL,
    ends_at TEXT NOT NULL,
    capacity INTEGER NOT NULL CHECK (capacity >= 0),
    booked INTEGER NOT NULL DEFAULT 0,
    CHECK (booked >= 0 AND booked <= capacity),
    UNIQUE (post_code, check_kind, starts_at)
);

CREATE TABLE appointment (
    id INTEGER PRIMARY KEY,
    dossier_id INTEGER NOT NULL REFERENCES dossier (id),
    check_kind TEXT NOT NULL CHECK (check_kind IN ('identity', 'physical')),
    slot_id INTEGER NOT NULL REFERENCES slot (id),
    state TEXT NOT NULL CHECK (state IN ('demande', 'confirme', 'refuse', 'reporte', 'annule', 'honore', 'absent')),
    company_id INTEGER REFERENCES company (id),
    booked_by INTEGER REFERENCES app_user (id),
    reason TEXT,                        -- why it was refused or moved
    checkin_token TEXT NOT NULL UNIQUE,   -- in the convocation's QR code; kept to print it again
    checked_in_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
-- One active appointment per dossier and check.
CREATE UNIQUE INDEX appointment_one_active ON appointment (dossier_id, check_kind)
    WHERE state IN ('demande', 'confirme', 'reporte');
CREATE INDEX appointment_slot ON appointment (slot_id);

-- Personal calendar subscriptions: a secret address calendar programs follow (revocable).
CREATE TABLE calendar_feed (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES app_user (id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
