-- France Sésame, a site's time zone (PostgreSQL). Keep in step with the other store's 0030.
--
-- Sites are opened by the technical administrator (`/administration/sites`), in metropolitan
-- France or overseas: each says its time zone, one of the French territories' (see
-- app::domain::directory::TIME_ZONES). Sites opened before were all in Paris.
ALTER TABLE site ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'Europe/Paris';
