-- France Sésame, the operator's card (PostgreSQL). Keep in step with the other store's 0028.

-- The company's registered address, shown on its card (the customs account provides it when
-- the company joins; none for a company created before).
ALTER TABLE company ADD COLUMN address TEXT;

