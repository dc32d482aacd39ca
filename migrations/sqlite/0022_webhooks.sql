-- France Sésame, webhooks of operator companies (SQLite). Keep in step with the other store's 0022.

-- Whether a kind tells something about a dossier (most) or about the company's account (a
-- webhook paused): only the former may be sent to extra recipients and webhooks.
ALTER TABLE notification_kind ADD COLUMN about_dossier INTEGER NOT NULL DEFAULT 1 CHECK (about_dossier IN (0, 1));

INSERT INTO notification_kind (code, audience, label, action_required, title, body, position, about_dossier) VALUES
('webhook_suspendu', 'operateur', 'Webhook suspendu (action requise)', 1,
 'Webhook suspendu : {adresse}',
 'Les livraisons au webhook {adresse} de votre entreprise échouent depuis le {depuis} : il est suspendu et ne reçoit plus rien. Dernière erreur : {erreur}. Action requise : réparez le serveur qui reçoit les livraisons, puis réactivez le webhook ; vous pourrez renvoyer les livraisons manquées une à une.',
 140, 0);

-- An HTTPS address an operator company's administrator registered to receive chosen kinds as
-- signed JSON documents. `secret` signs every delivery (HMAC-SHA256): it is shown once to the
-- administrator and kept to sign, never logged. Failing since `failing_since` (every attempt
-- failed since then); paused after 24 hours of failures, until the administrator resumes it.
CREATE TABLE webhook_endpoint (
    id INTEGER PRIMARY KEY,
    company_id INTEGER NOT NULL REFERENCES company (id),
    url TEXT NOT NULL,
    secret TEXT NOT NULL,
    kinds TEXT NOT NULL,                -- comma-separated kinds of notification_kind
    created_by INTEGER REFERENCES app_user (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    failing_since TEXT,
    paused_at TEXT,
    removed_at TEXT
);
CREATE INDEX webhook_endpoint_company ON webhook_endpoint (company_id) WHERE removed_at IS NULL;

-- One document to deliver to one endpoint, written with the notification that causes it (an
-- outbox), leased and sent like the mails. `payload` is the document as written then: every
-- attempt and every re-sending carries the same content and its original time. Tried for 24
-- hours from `failing_since`, its first failed attempt since its writing (or its re-sending), so
-- that time the platform itself was stopped is not counted against the receiver.
CREATE TABLE webhook_delivery (
    id INTEGER PRIMARY KEY,
    endpoint_id INTEGER NOT NULL REFERENCES webhook_endpoint (id) ON DELETE CASCADE,
    dossier_id INTEGER REFERENCES dossier (id) ON DELETE CASCADE,   -- none for a test
    cause TEXT NOT NULL,
    kind TEXT NOT NULL,                 -- a notification kind, or 'test'
    payload TEXT NOT NULL,
    created_at TEXT NOT NULL,
    failing_since TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    leased_until TEXT,
    leased_by TEXT,
    sent_at TEXT,
    given_up_at TEXT,
    last_error TEXT,
    UNIQUE (endpoint_id, cause, kind)
);
CREATE INDEX webhook_delivery_due ON webhook_delivery (next_attempt_at)
    WHERE sent_at IS NULL AND given_up_at IS NULL;
-- The deliveries of an endpoint not done yet: one is sent at a time per endpoint.
CREATE INDEX webhook_delivery_pending ON webhook_delivery (endpoint_id)
    WHERE sent_at IS NULL AND given_up_at IS NULL;

-- The last attempts of each endpoint, shown to its administrator: when, the HTTP status answered
-- (none when nothing answered), how long it took, what went wrong. The 50 latest are kept.
CREATE TABLE webhook_attempt (
    id INTEGER PRIMARY KEY,
    endpoint_id INTEGER NOT NULL REFERENCES webhook_endpoint (id) ON DELETE CASCADE,
    delivery_id INTEGER NOT NULL REFERENCES webhook_delivery (id) ON DELETE CASCADE,
    attempted_at TEXT NOT NULL,
    status INTEGER,
    duration_ms INTEGER NOT NULL,
    error TEXT
);
CREATE INDEX webhook_attempt_endpoint ON webhook_attempt (endpoint_id, id);
CREATE INDEX webhook_attempt_delivery ON webhook_attempt (delivery_id);
