-- France Sésame, the representative a partner event names (PostgreSQL). Keep in step with the other store's 0035.

-- The registered customs representative or forwarder a partner event names beside the operator
-- (partner interface 1.3), as sent (a SIRET, or an EORI beginning with FR): shown on the dossier,
-- with its company's name once it is registered. It grants nothing: only a mandate the importer
-- gives lets a representative's people see the dossier.
ALTER TABLE dossier ADD COLUMN representative TEXT;

-- The sites where a representative acts, revoked mandates included (the operator's card and
-- its search reach a representative through the mandates it received).
CREATE INDEX mandate_received ON mandate (representative_id);
