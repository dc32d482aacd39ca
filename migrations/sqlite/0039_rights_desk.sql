-- France Sésame, the rights desk (SQLite). Keep in step with the other store's 0039.

-- The DGDDI's desk for the rights of the persons concerned (GDPR arts. 15 to 21): the technical
-- administrator opens it to accounts of the DGDDI, as heads of service are named to posts.
CREATE TABLE rights_desk_member (
    user_id INTEGER PRIMARY KEY REFERENCES app_user (id),
    granted_by INTEGER REFERENCES app_user (id),
    granted_at TEXT NOT NULL
);

-- A request of a person about their data: presented from their personal space, or recorded by
-- the desk when it came by post, by mail, or through the DGAL. Answered within a month of its
-- receipt, two more with the reason told to the person; the answer is kept with it.
CREATE TABLE rights_request (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER REFERENCES app_user (id),
    full_name TEXT NOT NULL,
    email TEXT NOT NULL,
    kind TEXT NOT NULL,
    channel TEXT NOT NULL,
    details TEXT NOT NULL,
    received_on TEXT NOT NULL,
    due_on TEXT NOT NULL,
    recorded_by INTEGER REFERENCES app_user (id),
    created_at TEXT NOT NULL,
    extended_at TEXT,
    extension_reason TEXT,
    decision TEXT,
    answer TEXT,
    answered_by INTEGER REFERENCES app_user (id),
    answered_at TEXT,
    answer_mailed_at TEXT
);
CREATE INDEX rights_request_open ON rights_request (due_on) WHERE answered_at IS NULL;
CREATE INDEX rights_request_answered ON rights_request (answered_at) WHERE answered_at IS NOT NULL;
CREATE INDEX rights_request_user ON rights_request (user_id) WHERE user_id IS NOT NULL;

-- What a granted request changes on the account: a limitation or an objection keeps the data
-- but stops their use for notifications and the operator's card; an erasure closes the account
-- and lets the next retention run erase it at once.
ALTER TABLE app_user ADD COLUMN limited_at TEXT;
ALTER TABLE app_user ADD COLUMN erasure_granted_at TEXT;
CREATE INDEX app_user_erasure_granted ON app_user (erasure_granted_at)
    WHERE erasure_granted_at IS NOT NULL AND erased_at IS NULL;
