-- France Sésame, what every dossier page looks up (SQLite). Keep in step with the other store's 0020.

-- Whether a person's reading is already in the trail is asked on every page an agent opens: it
-- is looked up by person, action and object, so that it reads one entry or two however many
-- dossiers the person opened in the last minutes (issue 13: a busy reader's ten minutes held
-- thousands of entries to sift). A person's failed gate codes, counted by person and action,
-- use the same index.
DROP INDEX audit_entry_actor_action;
CREATE INDEX audit_entry_consultation ON audit_entry (actor_id, action, object, at);

-- A dossier's appointments (its page) and a company's (its operators' appointments page): only
-- the active ones had an index (one per dossier and check), so the others were found by reading
-- every appointment of the platform.
CREATE INDEX appointment_dossier ON appointment (dossier_id);
CREATE INDEX appointment_company ON appointment (company_id);
