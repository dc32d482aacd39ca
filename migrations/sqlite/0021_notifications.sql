-- France Sésame, notifications (SQLite). Keep in step with the other store's 0021.

-- What the platform tells people, as data: a later service (alerts, messages) adds its kinds
-- with rows here and a producer, not with new code paths in the centre, the mails or the
-- preferences. `audience` says who may receive it (operators of the dossier's company, or the
-- agents of its site); `action_required` notices cannot be turned off (the terms of use make
-- the e-mail address the channel for the administration's requests). `title` and `body` are
-- French templates: {reference}, {site}, {poste}, {controles} and {suite} are filled in from
-- the dossier and the event when the notification is created.
CREATE TABLE notification_kind (
    code TEXT PRIMARY KEY,
    audience TEXT NOT NULL CHECK (audience IN ('operateur', 'agent')),
    label TEXT NOT NULL,
    action_required INTEGER NOT NULL DEFAULT 0 CHECK (action_required IN (0, 1)),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    position INTEGER NOT NULL UNIQUE
);

INSERT INTO notification_kind (code, audience, label, action_required, title, body, position) VALUES
('dossier_ouvert', 'operateur', 'Dossier ouvert', 0,
 '{reference} : dossier ouvert à {site}',
 'Un dossier de passage frontière a été ouvert à {site} pour votre marchandise {reference}. Vous pouvez suivre chacune de ses étapes sur France Sésame.',
 10),
('controle_a_planifier', 'operateur', 'Contrôle à planifier (action requise)', 1,
 '{reference} : contrôle {controles} — prenez rendez-vous',
 'Votre marchandise {reference} est sélectionnée pour un contrôle {controles} au poste de contrôle frontalier {poste}. Action requise : prenez rendez-vous au poste pour ce contrôle, puis faites-y acheminer la marchandise.',
 20),
('resultat_laboratoire', 'operateur', 'Résultat d''analyse', 0,
 '{reference} : résultat d''analyse reçu',
 'Le laboratoire a rendu son résultat pour votre marchandise {reference} : {suite}',
 30),
('decision_dsce', 'operateur', 'Décision sur le DSCE', 0,
 '{reference} : décision sur le DSCE, {decision}',
 'Le service d''inspection a rendu sa décision sur le DSCE de votre marchandise {reference} : {suite}',
 40),
('mainlevee', 'operateur', 'Mainlevée douanière', 0,
 '{reference} : mainlevée douanière accordée',
 'La douane a accordé la mainlevée de votre marchandise {reference} à {site} : elle peut être enlevée.',
 50),
('sortie', 'operateur', 'Sortie du terminal', 0,
 '{reference} : sortie du terminal enregistrée',
 'La sortie de votre marchandise {reference} du terminal de {site} est enregistrée : son passage frontière est terminé.',
 60);

-- One notification of one person. `cause` names what caused it (`evenement:<id>`), so that the
-- same cause never notifies the same person twice for the same kind, whatever retries happen.
CREATE TABLE notification (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    kind TEXT NOT NULL REFERENCES notification_kind (code),
    dossier_id INTEGER REFERENCES dossier (id) ON DELETE CASCADE,
    cause TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    link TEXT NOT NULL,
    created_at TEXT NOT NULL,
    read_at TEXT
);
CREATE UNIQUE INDEX notification_once ON notification (user_id, cause, kind);
-- A person's notifications, newest first (the centre), and their unread ones (the bell, on
-- every page).
CREATE INDEX notification_person ON notification (user_id, id);
CREATE INDEX notification_unread ON notification (user_id) WHERE read_at IS NULL;

-- The mail of a notification, written in the same transaction as the notification (an outbox),
-- sent by whichever instance leases it first. A lease is held while sending and lapses if its
-- instance dies; a failure is retried with growing delays for a day, then given up (and logged).
CREATE TABLE notification_mail (
    id INTEGER PRIMARY KEY,
    notification_id INTEGER NOT NULL UNIQUE REFERENCES notification (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    leased_until TEXT,
    leased_by TEXT,
    sent_at TEXT,
    given_up_at TEXT,
    last_error TEXT
);
CREATE INDEX notification_mail_due ON notification_mail (next_attempt_at)
    WHERE sent_at IS NULL AND given_up_at IS NULL;
