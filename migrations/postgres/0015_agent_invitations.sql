-- France Sésame, heads of service invite agents (PostgreSQL). Keep in step with
-- ../sqlite/0015_agent_invitations.sql.

-- An invitation now brings a person into an operator company (an operator, invited by its
-- administrator) or into an administration (an agent, invited by one of its heads of service):
-- exactly one of the two.
ALTER TABLE invitation ALTER COLUMN company_id DROP NOT NULL;
ALTER TABLE invitation ADD COLUMN administration TEXT CHECK (administration IN ('dgddi', 'dgal'));
ALTER TABLE invitation ADD CONSTRAINT invitation_one_holder
    CHECK ((company_id IS NULL) <> (administration IS NULL));

-- One pending invitation per administration and address: inviting again refreshes it.
CREATE UNIQUE INDEX invitation_pending_administration ON invitation (administration, email)
    WHERE accepted_at IS NULL AND withdrawn_at IS NULL;
