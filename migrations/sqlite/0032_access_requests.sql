-- France Sésame, operators' requests to join their company (SQLite). Keep in step with the
-- other store's 0032.

-- Someone the customs account signed in without saying which company they belong to: the
-- request holds what the provider vouched for (its subject, the verified address, the name),
-- then the SIRET the person declares; the company's administrator accepts it (the account is
-- then opened, tied to the provider's subject) or refuses it with a reason. `token_hash` is the
-- hash of the cookie that lets the requester's browser read where the request stands.
CREATE TABLE access_request (
    id INTEGER PRIMARY KEY,
    provider TEXT NOT NULL,
    subject TEXT NOT NULL,
    email TEXT NOT NULL,
    full_name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    state TEXT NOT NULL CHECK (state IN ('a_completer', 'en_attente', 'acceptee', 'refusee')),
    siret TEXT,
    company_id INTEGER REFERENCES company (id),
    reason TEXT,
    user_id INTEGER REFERENCES app_user (id),
    decided_by INTEGER REFERENCES app_user (id),
    created_at TEXT NOT NULL,
    declared_at TEXT,
    decided_at TEXT,
    CHECK (state = 'a_completer' OR siret IS NOT NULL),
    CHECK ((state IN ('acceptee', 'refusee')) = (decided_at IS NOT NULL)),
    CHECK ((state = 'acceptee') = (user_id IS NOT NULL))
);
-- One open request per person of a provider; the requests a company's administrator decides.
CREATE UNIQUE INDEX access_request_open ON access_request (provider, subject)
    WHERE state IN ('a_completer', 'en_attente');
CREATE INDEX access_request_waiting ON access_request (company_id, declared_at)
    WHERE state = 'en_attente';

-- The company's administrators hear of a request to join it, and of whoever joined it through
-- the customs account that names it (nobody invited them).
INSERT INTO notification_kind (code, audience, label, action_required, title, body, position, about_dossier, sent_outside) VALUES
('demande_acces', 'operateur', 'Demande d''accès à votre entreprise (action requise)', 1,
 'Demande d''accès de {nom}',
 '{nom} ({adresse}) s''est connecté avec son compte douane et demande à rejoindre votre entreprise sur France Sésame. Action requise : acceptez ou refusez sa demande dans « Mon espace », rubrique « Mon entreprise ».',
 160, 0, 0),
('membre_entreprise', 'operateur', 'Nouveau membre de votre entreprise', 0,
 '{nom} a rejoint votre entreprise',
 '{nom} ({adresse}) a rejoint votre entreprise sur France Sésame en se connectant avec son compte douane, qui indique votre entreprise. Si vous ne connaissez pas cette personne, retirez son compte dans « Mon espace », rubrique « Mon entreprise », et prévenez l''assistance de France Sésame.',
 170, 0, 0);
