-- The requests awaiting an agent's validation, across every post of an agent's sites: a partial
-- index holds only the appointments in state 'demande' (a handful beside the history), so that
-- the planning's list reads them without scanning the appointments of a million dossiers.
CREATE INDEX appointment_pending ON appointment (slot_id) WHERE state = 'demande';
