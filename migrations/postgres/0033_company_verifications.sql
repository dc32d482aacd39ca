-- France Sésame, the inscription of a new company by its first person (PostgreSQL). Keep in step
-- with the other store's 0033.

-- Someone the customs account signed in without naming their company may declare a company
-- not yet registered: its SIRET, its name, the sites where it works, and the extract of the
-- company registry (a Kbis, or the INSEE notice) proving it. The request then waits for an agent
-- of one of those sites, who checks the SIRET and the name against the extract and records what
-- they checked (`verification`); accepting it creates the company, its first member becoming its
-- administrator. The extract's bytes are kept as documents' are, by their SHA-256, once the
-- antivirus found them clean (`extract_scan`: 'sain', or 'non_analyse' on a development
-- deployment without antivirus).
ALTER TABLE access_request ADD COLUMN new_company_name TEXT;
ALTER TABLE access_request ADD COLUMN extract_sha256 TEXT;
ALTER TABLE access_request ADD COLUMN extract_name TEXT;
ALTER TABLE access_request ADD COLUMN extract_media TEXT;
ALTER TABLE access_request ADD COLUMN extract_size BIGINT;
ALTER TABLE access_request ADD COLUMN extract_scan TEXT;
ALTER TABLE access_request ADD COLUMN verification TEXT;

-- Whether a file is still needed (before an infected one is destroyed) asks the extracts too.
CREATE INDEX access_request_extract ON access_request (extract_sha256)
    WHERE extract_sha256 IS NOT NULL;

-- The sites a new company declares: the agents of any of them verify it.
CREATE TABLE access_request_site (
    request_id BIGINT NOT NULL REFERENCES access_request (id),
    site_code TEXT NOT NULL REFERENCES site (code),
    PRIMARY KEY (site_code, request_id)
);
CREATE INDEX access_request_site_request ON access_request_site (request_id);

-- The agents of those sites hear of a company to verify.
INSERT INTO notification_kind (code, audience, label, action_required, title, body, position, about_dossier, sent_outside) VALUES
('entreprise_a_verifier', 'agent', 'Nouvelle entreprise à vérifier (action requise)', TRUE,
 'Entreprise à vérifier : {entreprise}',
 '{nom} demande l''inscription de l''entreprise {entreprise} (SIRET {siret}) sur France Sésame, pour {sites}. Action requise : vérifiez le SIRET et la raison sociale sur l''extrait du registre joint, puis acceptez ou refusez l''inscription dans « Entreprises à vérifier ».',
 180, FALSE, FALSE);
