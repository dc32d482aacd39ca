-- France Sésame, the messaging (SQLite). Keep in step with the other store's 0027.

-- An exchange between an operator company and the administrations of a site, about one of the
-- company's dossiers or about the site in general. `administration` is the one that answers;
-- none while the operator did not know whom to address (« je ne sais pas »): it is then in both
-- inboxes of the site until an agent takes it. `answer_due` is the day by which an agent's
-- request for further information (« demande de compléments ») awaits the operator's answer.
-- `operator_last_at` and `administration_last_at` are the last message of each side: the waiting
-- time and the inboxes' order come from them.
CREATE TABLE exchange (
    id INTEGER PRIMARY KEY,
    site_code TEXT NOT NULL REFERENCES site (code),
    company_id INTEGER NOT NULL REFERENCES company (id),
    dossier_id INTEGER REFERENCES dossier (id),
    administration TEXT CHECK (administration IN ('dgddi', 'dgal')),
    subject TEXT NOT NULL CHECK (subject IN ('rendez_vous', 'documents', 'decision', 'mainlevee', 'autre')),
    title TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('nouvelle', 'en_cours', 'attente_operateur', 'close')),
    assigned_user_id INTEGER REFERENCES app_user (id) ON DELETE SET NULL,
    opened_by TEXT NOT NULL CHECK (opened_by IN ('operateur', 'administration')),
    opened_by_user_id INTEGER REFERENCES app_user (id) ON DELETE SET NULL,
    answer_due TEXT,
    operator_last_at TEXT,
    administration_last_at TEXT,
    opened_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
-- The inboxes: a site's exchanges for one administration (or still to orient), by status, the
-- most recently moved first; a company's exchanges; a dossier's; a person's budget of new ones.
CREATE INDEX exchange_inbox ON exchange (site_code, administration, status, updated_at);
CREATE INDEX exchange_site ON exchange (site_code, updated_at);
CREATE INDEX exchange_company ON exchange (company_id, updated_at);
CREATE INDEX exchange_dossier ON exchange (dossier_id) WHERE dossier_id IS NOT NULL;
CREATE INDEX exchange_opener ON exchange (opened_by_user_id, opened_at);

-- What was said and done in an exchange, in order: messages (read by both sides), the agents'
-- internal notes (never shown to the operator), and the changes of status, assignment and
-- administration told in French. A record: nothing here is changed or deleted, except the
-- author's name, which the retention of personal data replaces by a neutral label.
CREATE TABLE exchange_entry (
    id INTEGER PRIMARY KEY,
    exchange_id INTEGER NOT NULL REFERENCES exchange (id),
    kind TEXT NOT NULL CHECK (kind IN ('message', 'note', 'changement')),
    side TEXT NOT NULL CHECK (side IN ('operateur', 'administration')),
    author_user_id INTEGER REFERENCES app_user (id) ON DELETE SET NULL,
    author_label TEXT NOT NULL,
    text TEXT NOT NULL,
    at TEXT NOT NULL,
    CHECK (side = 'administration' OR kind = 'message')
);
CREATE INDEX exchange_entry_exchange ON exchange_entry (exchange_id, id);
CREATE TRIGGER exchange_entry_no_update BEFORE UPDATE ON exchange_entry
WHEN NEW.id <> OLD.id OR NEW.exchange_id <> OLD.exchange_id OR NEW.kind <> OLD.kind
     OR NEW.side <> OLD.side OR NEW.text <> OLD.text OR NEW.at <> OLD.at
     OR (NEW.author_user_id IS NOT NULL AND NEW.author_user_id IS NOT OLD.author_user_id)
BEGIN SELECT RAISE(ABORT, 'un message de la messagerie ne se modifie pas'); END;
CREATE TRIGGER exchange_entry_no_delete BEFORE DELETE ON exchange_entry
BEGIN SELECT RAISE(ABORT, 'un message de la messagerie ne se supprime pas'); END;

-- The documents a message carries: documents of the exchange's dossier, added with it (an
-- internal note's are internal documents).
CREATE TABLE exchange_attachment (
    entry_id INTEGER NOT NULL REFERENCES exchange_entry (id),
    document_id INTEGER NOT NULL REFERENCES document (id),
    PRIMARY KEY (entry_id, document_id)
);
CREATE INDEX exchange_attachment_document ON exchange_attachment (document_id);

-- Which kinds an operator company may send outside (its extra recipients, its webhooks): not
-- the messaging's, whose exchanges stay between the company's people and the administrations.
ALTER TABLE notification_kind ADD COLUMN sent_outside INTEGER NOT NULL DEFAULT 1 CHECK (sent_outside IN (0, 1));

INSERT INTO notification_kind (code, audience, label, action_required, title, body, position, about_dossier, sent_outside) VALUES
('messagerie_reponse', 'operateur', 'Messagerie : réponse de l''administration', 0,
 'Réponse à votre demande « {objet} »',
 '{administration} vous a répondu au sujet de « {objet} » ({site}). Lisez la réponse dans la messagerie de France Sésame.',
 300, 1, 0),
('messagerie_complements', 'operateur', 'Messagerie : demande de compléments (action requise)', 1,
 'Demande de compléments : {objet}',
 '{administration} ({site}) vous demande des compléments au sujet de « {objet} », avec une réponse attendue au plus tard le {echeance}. Action requise : répondez dans la messagerie de France Sésame.',
 310, 1, 0),
('messagerie_demande', 'agent', 'Messagerie : nouvelle demande d''un opérateur', 0,
 'Nouvelle demande à {site} : {objet}',
 'Un opérateur a écrit à {destinataire} à {site} au sujet de « {objet} ». La demande attend dans la boîte de réception de votre site.',
 320, 1, 0),
('messagerie_message', 'agent', 'Messagerie : nouveau message d''un opérateur', 0,
 'Nouveau message : {objet}',
 'L''opérateur a écrit de nouveau au sujet de « {objet} » ({site}). Le message attend dans la boîte de réception de votre site.',
 330, 1, 0);
