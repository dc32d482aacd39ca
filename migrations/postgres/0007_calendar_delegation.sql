-- A head of service may let an agent set the calendars of the posts of a site, with the
-- habilitation that opens the site to them.
ALTER TABLE habilitation ADD COLUMN manages_calendars BOOLEAN NOT NULL DEFAULT FALSE;
