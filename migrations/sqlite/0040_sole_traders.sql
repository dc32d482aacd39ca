-- France Sésame, sole traders (SQLite). Keep in step with the other store's 0040.

-- A company that is a person (an entreprise individuelle: its name is the person's, its address
-- often their home): marked by the agent who verifies its registry extract. Two years after its
-- last person's account went and its last dossier moved, its name and address give way to a
-- neutral label (its SIRET and EORI, public identifiers of the customs records, stay).
ALTER TABLE company ADD COLUMN sole_trader INTEGER NOT NULL DEFAULT 0 CHECK (sole_trader IN (0, 1));
ALTER TABLE company ADD COLUMN erased_at TEXT;
CREATE INDEX company_sole_trader ON company (id) WHERE sole_trader = 1 AND erased_at IS NULL;
