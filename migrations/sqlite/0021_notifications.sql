-- France Sésame, notifications (SQLite). Keep in step with the other store's 0021.

-- What the platform tells people, as data: a later service (alerts, messages) adds its kinds
-- with rows here and a producer, not with new code paths in the centre, the mails or the
-- preferences. `audience` says who may receive it (operators of the dossier's company, or the
-- agents of its site); `action_required` notices cannot be turned off (the terms of use make
-- the e-mail address the channel for the administration's requests). `title` and `body` are
-- French templates: {reference}, {site}, {poste}, {controles}, {decision}, {suite}, {controle},
-- {quand} and {motif} are filled in from the dossier, the event or the appointment when the
-- notification is created.
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
 60),
('rendez_vous_confirme', 'operateur', 'Rendez-vous confirmé', 0,
 '{reference} : rendez-vous confirmé le {quand}',
 'Le poste de contrôle frontalier {poste} a confirmé votre rendez-vous de contrôle {controle} du {quand}. Faites présenter la marchandise à l''heure, avec la convocation.',
 70),
('rendez_vous_refuse', 'operateur', 'Rendez-vous refusé (action requise)', 1,
 '{reference} : rendez-vous refusé — choisissez un autre créneau',
 'Le poste de contrôle frontalier {poste} a refusé votre rendez-vous de contrôle {controle} du {quand}. Motif : {motif}. Action requise : prenez un nouveau rendez-vous.',
 80),
('rendez_vous_deplace', 'operateur', 'Rendez-vous déplacé par le poste', 0,
 '{reference} : rendez-vous déplacé au {quand}',
 'Le poste de contrôle frontalier {poste} a déplacé votre rendez-vous de contrôle {controle} au {quand}. Motif : {motif}.',
 90),
('rappel_veille', 'operateur', 'Rappel la veille d''un rendez-vous', 0,
 '{reference} : rappel du rendez-vous du {quand}',
 'Rappel : le contrôle {controle} de votre marchandise {reference} a lieu le {quand} au poste de contrôle frontalier {poste}. Faites présenter la marchandise à l''heure, avec la convocation.',
 100),
('rappel_deux_heures', 'operateur', 'Rappel deux heures avant un rendez-vous', 0,
 '{reference} : rendez-vous dans deux heures, {quand}',
 'Rappel : le contrôle {controle} de votre marchandise {reference} a lieu le {quand} au poste de contrôle frontalier {poste}.',
 110),
('demande_a_valider', 'agent', 'Demande de rendez-vous à valider (action requise)', 1,
 '{reference} : demande de rendez-vous à valider au poste {poste}',
 'Un opérateur demande un rendez-vous de contrôle {controle} le {quand} au poste de contrôle frontalier {poste}. Action requise : validez, reportez ou refusez la demande dans le planning.',
 120),
('etape_en_retard', 'operateur', 'Étape plus longue que prévu', 0,
 '{reference} : {etape} plus longue que prévu',
 'L''étape « {etape} » de votre marchandise {reference} dure depuis le {depuis}, bien au-delà de ce qu''elle prend d''habitude ({habitude}). Vérifiez qu''aucune action n''est attendue de votre part, ou contactez le poste de contrôle frontalier {poste}.',
 130);

-- A mail to send: one notification's (immediately), or a person's daily digest (`digest_at`,
-- the hour they chose, gathering every notification they asked to receive that way until
-- then). Written in the same transaction as its notifications (an outbox), sent by whichever
-- instance leases it first. A lease is held while sending and lapses if its instance dies; a
-- failure is tried again with growing delays for a day, then given up (and logged).
CREATE TABLE notification_mail (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    digest_at TEXT,
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
-- One digest per person and hour: the notifications of the day join it.
CREATE UNIQUE INDEX notification_mail_digest ON notification_mail (user_id, digest_at);

-- One notification of one person, and the mail that carries it (none when the person asked for
-- none). `cause` names what caused it (`evenement:<id>`, `rendez-vous:<id>:…`), so that the same
-- cause never notifies the same person twice for the same kind, whatever retries happen.
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
    read_at TEXT,
    mail_id INTEGER REFERENCES notification_mail (id) ON DELETE SET NULL
);
CREATE UNIQUE INDEX notification_once ON notification (user_id, cause, kind);
-- A person's notifications, newest first (the centre), and their unread ones (the bell, on
-- every page); a mail's notifications.
CREATE INDEX notification_person ON notification (user_id, id);
CREATE INDEX notification_unread ON notification (user_id) WHERE read_at IS NULL;
CREATE INDEX notification_mail_items ON notification (mail_id);

-- How each person wants to be told by mail, per kind: at once (the default, when no row says
-- otherwise), in their daily digest, or never. Kinds that ask for an action are always mailed at
-- once, whatever is stored here. The hour of the digest is one per person (8 h by default).
CREATE TABLE notification_preference (
    user_id INTEGER NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    kind TEXT NOT NULL REFERENCES notification_kind (code),
    mail TEXT NOT NULL CHECK (mail IN ('immediat', 'quotidien', 'jamais')),
    PRIMARY KEY (user_id, kind)
);
CREATE TABLE notification_digest_hour (
    user_id INTEGER PRIMARY KEY REFERENCES app_user (id) ON DELETE CASCADE,
    hour INTEGER NOT NULL CHECK (hour BETWEEN 0 AND 23)
);

-- The reminders of an appointment, once each (two hours before, the day before).
ALTER TABLE appointment ADD COLUMN reminded_day_before_at TEXT;
ALTER TABLE appointment ADD COLUMN reminded_two_hours_at TEXT;
-- The appointments that start soon, for their reminders; the operators of a company, for its
-- notifications.
CREATE INDEX slot_start ON slot (starts_at);
CREATE INDEX app_user_company ON app_user (company_id);

-- A step that has waited far beyond its forecast (half again its 80th percentile) is told once to
-- the dossier's operators: each such step, by the start it had, is written here when told.
CREATE TABLE late_step (
    dossier_id INTEGER NOT NULL REFERENCES dossier (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    started_at TEXT NOT NULL,
    noticed_at TEXT NOT NULL,
    PRIMARY KEY (dossier_id, kind, started_at)
);
-- The steps under way, which the check of late steps reads (a few thousand among millions).
CREATE INDEX step_under_way ON step (started_at) WHERE state IN ('en_cours', 'bloque');

-- Outside addresses an operator company's administrator sends chosen kinds to (their haulier for
-- « contrôle à planifier », so that transport to the post is ordered at once). Each receives
-- nothing before it is confirmed by the link mailed to it (only the hash of the link's token is
-- kept); its mails carry the reference, the post and what happened, nothing else of the dossier.
CREATE TABLE extra_recipient (
    id INTEGER PRIMARY KEY,
    company_id INTEGER NOT NULL REFERENCES company (id),
    email TEXT NOT NULL,
    kinds TEXT NOT NULL,                -- comma-separated kinds of notification_kind
    token_hash TEXT NOT NULL UNIQUE,
    created_by INTEGER REFERENCES app_user (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    confirmed_at TEXT,
    removed_at TEXT
);
CREATE UNIQUE INDEX extra_recipient_once ON extra_recipient (company_id, email) WHERE removed_at IS NULL;

-- Their mails, written with the notifications (an outbox), sent like the others.
CREATE TABLE extra_recipient_mail (
    id INTEGER PRIMARY KEY,
    extra_recipient_id INTEGER NOT NULL REFERENCES extra_recipient (id) ON DELETE CASCADE,
    dossier_id INTEGER NOT NULL REFERENCES dossier (id) ON DELETE CASCADE,
    cause TEXT NOT NULL,
    kind TEXT NOT NULL REFERENCES notification_kind (code),
    subject TEXT NOT NULL,
    text TEXT NOT NULL,
    created_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    leased_until TEXT,
    leased_by TEXT,
    sent_at TEXT,
    given_up_at TEXT,
    last_error TEXT,
    UNIQUE (extra_recipient_id, cause, kind)
);
CREATE INDEX extra_recipient_mail_due ON extra_recipient_mail (next_attempt_at)
    WHERE sent_at IS NULL AND given_up_at IS NULL;
