-- France Sésame, the retention of personal data (SQLite). Keep in step with the other store's 0036.

-- A person's data are kept two years after their last sign-in (terms of use): the day of the
-- last sign-in is kept on the account, since the sessions and sign-in records that also say it
-- go after six months. Accounts that never signed in count from their creation. Thirty days
-- before, the person is told that signing in keeps the account (`retention_warned_at`, cleared
-- by a sign-in). Erased, the account keeps its number and its place in the administrative
-- records (habilitations, mandates, bookings, messages) under a neutral label.
ALTER TABLE app_user ADD COLUMN last_sign_in_at TEXT;
ALTER TABLE app_user ADD COLUMN retention_warned_at TEXT;
ALTER TABLE app_user ADD COLUMN erased_at TEXT;
UPDATE app_user SET last_sign_in_at = COALESCE(
    (SELECT MAX(s.created_at) FROM session s WHERE s.user_id = app_user.id), created_at);
-- A new account counts from its creation until it signs in.
CREATE TRIGGER app_user_first_day AFTER INSERT ON app_user WHEN NEW.last_sign_in_at IS NULL
BEGIN UPDATE app_user SET last_sign_in_at = NEW.created_at WHERE id = NEW.id; END;
CREATE INDEX app_user_last_sign_in ON app_user (last_sign_in_at) WHERE erased_at IS NULL;

-- Connection data (sessions, with their address and browser) go six months after they end.
CREATE INDEX session_expiry ON session (expires_at);

-- An erased account's identity leaves the audit trail at once: the entries it made, those about
-- its account, and those naming its address (invitations, sign-ins refused).
CREATE INDEX audit_entry_identity_object ON audit_entry (object) WHERE identity_salt IS NOT NULL;
CREATE INDEX audit_entry_identity_value ON audit_entry (personal_detail)
    WHERE identity_salt IS NOT NULL AND personal_detail <> '';

-- A record in dispute, held by the rights desk with a reason: an account or a dossier whose
-- personal data are not purged while the hold lasts (the records may serve as evidence).
CREATE TABLE legal_hold (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER REFERENCES app_user (id),
    dossier_id INTEGER REFERENCES dossier (id),
    reason TEXT NOT NULL,
    placed_by INTEGER REFERENCES app_user (id),
    placed_at TEXT NOT NULL,
    lifted_by INTEGER REFERENCES app_user (id),
    lifted_at TEXT,
    CHECK ((user_id IS NULL) <> (dossier_id IS NULL))
);
CREATE INDEX legal_hold_user ON legal_hold (user_id) WHERE lifted_at IS NULL;
CREATE INDEX legal_hold_dossier ON legal_hold (dossier_id) WHERE lifted_at IS NULL;

-- One purge a day across instances: the first to record the day runs it, and says what went.
CREATE TABLE retention_run (
    day TEXT PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    summary TEXT NOT NULL DEFAULT ''
);

-- The person is told a month before their account goes.
INSERT INTO notification_kind (code, audience, label, action_required, title, body, position, about_dossier, sent_outside) VALUES
('suppression_compte', 'operateur', 'Suppression prochaine de votre compte (action requise)', 1,
 'Votre compte sera supprimé le {date}',
 'Vous ne vous êtes pas connecté à France Sésame depuis le {derniere}. Comme le prévoient les conditions générales d''utilisation, votre compte et vos données personnelles seront supprimés le {date}, deux ans après votre dernière connexion. Pour conserver votre compte, il suffit de vous connecter avant cette date. Ce que vous avez écrit dans les dossiers reste attaché au dossier, sous un nom neutre.',
 340, 0, 0),
('suppression_compte_agent', 'agent', 'Suppression prochaine de votre compte (action requise)', 1,
 'Votre compte sera supprimé le {date}',
 'Vous ne vous êtes pas connecté à France Sésame depuis le {derniere}. Comme le prévoient les conditions générales d''utilisation, votre compte et vos données personnelles seront supprimés le {date}, deux ans après votre dernière connexion. Pour conserver votre compte, il suffit de vous connecter avant cette date. Ce que vous avez écrit dans les dossiers reste attaché au dossier, sous un nom neutre.',
 350, 0, 0);
