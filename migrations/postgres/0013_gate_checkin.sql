-- France Sésame, the gate (PostgreSQL). Keep in step with ../sqlite/0013_gate_checkin.sql.

-- When an arrival is recorded as on time: from so many minutes before the slot's start to so many
-- after it, per border control post. A post created without them gets two hours before and four
-- after; later than that, on the same day, an agent may still accept a late arrival with a reason.
ALTER TABLE post ADD COLUMN checkin_opens_minutes INTEGER NOT NULL DEFAULT 120
    CHECK (checkin_opens_minutes BETWEEN 0 AND 1440);
ALTER TABLE post ADD COLUMN checkin_closes_minutes INTEGER NOT NULL DEFAULT 240
    CHECK (checkin_closes_minutes BETWEEN 0 AND 1440);

-- The short code a person types at the gate when the QR code cannot be read, as a SHA-256 digest
-- only (the code is worked out again from the convocation's token to print it). Appointments
-- booked before have none: their QR code still works.
ALTER TABLE appointment ADD COLUMN gate_code_hash TEXT;
CREATE UNIQUE INDEX appointment_gate_code ON appointment (gate_code_hash);
