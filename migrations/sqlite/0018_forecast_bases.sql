-- What the delay forecasts rest on, kept up to date as steps finish instead of sorted on every
-- view: with a million dossiers, sorting the finished steps of a post on each dossier page cost
-- 300 ms (issue 13).
--
-- observed_duration: the duration of every finished step, with the place (its dossier's post, or
-- its site when it has none) and goods of its dossier. One index reaches the most recent ones of
-- a place, goods category and kind of step.
CREATE TABLE observed_duration (
    dossier_id INTEGER NOT NULL REFERENCES dossier (id) ON DELETE CASCADE,
    place TEXT NOT NULL,               -- 'poste:' || post code, or 'site:' || UN/LOCODE
    goods_category TEXT NOT NULL,
    kind TEXT NOT NULL,
    ended_at TEXT NOT NULL,
    minutes INTEGER NOT NULL,
    PRIMARY KEY (dossier_id, kind)
);
CREATE INDEX observed_duration_recent ON observed_duration (place, goods_category, kind, ended_at);

-- forecast_basis: the median and 80th percentile (nearest rank) of the most recent observed
-- durations of each place, goods category and kind of step, and how many cases they rest on.
-- The store works them out again for the places a transaction changed, and for all at start
-- when the table is empty (after this migration).
CREATE TABLE forecast_basis (
    place TEXT NOT NULL,
    goods_category TEXT NOT NULL,
    kind TEXT NOT NULL,
    median_minutes INTEGER,             -- NULL when there are too few cases to say
    p80_minutes INTEGER,
    cases INTEGER NOT NULL,
    PRIMARY KEY (place, goods_category, kind)
);

INSERT INTO observed_duration (dossier_id, place, goods_category, kind, ended_at, minutes)
SELECT s.dossier_id,
       CASE WHEN d.post_code IS NULL THEN 'site:' || d.site_code ELSE 'poste:' || d.post_code END,
       d.goods_category, s.kind, s.ended_at,
       CAST(ROUND((julianday(s.ended_at) - julianday(s.started_at)) * 86400) AS INTEGER) / 60
FROM step s JOIN dossier d ON d.id = s.dossier_id
WHERE s.state = 'termine' AND s.started_at IS NOT NULL AND s.ended_at IS NOT NULL;
