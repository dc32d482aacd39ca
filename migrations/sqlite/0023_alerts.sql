-- France Sésame, alerts (SQLite). Keep in step with the other store's 0023.

-- Who answers for each step of the journey at each post and for each goods category: the
-- inspection (DGAL/SIVEP) for the DSCE, the sanitary checks, the analyses, the decision and its
-- follow-up; customs (DGDDI) for the declaration and the release; the heads of service of both
-- ('chefs') for the port's own steps (arrival, exit). Alerts go to the administration named
-- here; messaging and dashboards read it too. A head of service may change a row of their post.
-- Every post gets the defaults below when it is created (the trigger at the end).
CREATE TABLE step_responsibility_default (
    step_kind TEXT PRIMARY KEY,
    responsible TEXT NOT NULL CHECK (responsible IN ('dgal', 'dgddi', 'chefs'))
);
INSERT INTO step_responsibility_default (step_kind, responsible) VALUES
('ched_lodged', 'dgal'), ('arrival', 'chefs'), ('documentary_check', 'dgal'),
('identity_check', 'dgal'), ('physical_check', 'dgal'), ('lab_analysis', 'dgal'),
('decision', 'dgal'), ('customs_clearance', 'dgddi'), ('exit', 'chefs'), ('follow_up', 'dgal');

CREATE TABLE step_responsibility (
    post_code TEXT NOT NULL REFERENCES post (code) ON DELETE CASCADE,
    goods_category TEXT NOT NULL CHECK (goods_category IN ('live_animals', 'animal_products', 'plants',
                                        'feed', 'food_non_animal', 'fruit_vegetables', 'organic')),
    step_kind TEXT NOT NULL,
    responsible TEXT NOT NULL CHECK (responsible IN ('dgal', 'dgddi', 'chefs')),
    PRIMARY KEY (post_code, goods_category, step_kind)
);

-- The thresholds of the alerts. `rule` is one of the rules of `app::domain::alert::Rule`;
-- `value` is in its unit (minutes, a number of dossiers, a percentage, or 1/0 for a rule that is
-- on or off). '*' stands for every goods category or every step; the most precise row of a post
-- wins (category and step, then step, then category, then neither). `alert_default` holds the
-- national defaults every post starts with (written in the README).
CREATE TABLE alert_default (
    rule TEXT NOT NULL,
    step_kind TEXT NOT NULL DEFAULT '*',
    value INTEGER NOT NULL CHECK (value >= 0),
    PRIMARY KEY (rule, step_kind)
);
INSERT INTO alert_default (rule, step_kind, value) VALUES
-- A step under way longer than this (minutes): four times its usual duration. The analyses and
-- the follow-up of an unfavourable decision have rules of their own.
('etape_longue', 'ched_lodged', 5760), ('etape_longue', 'arrival', 1440),
('etape_longue', 'documentary_check', 960), ('etape_longue', 'identity_check', 480),
('etape_longue', 'physical_check', 720), ('etape_longue', 'decision', 480),
('etape_longue', 'customs_clearance', 1440), ('etape_longue', 'exit', 2880),
-- … or longer than this percentage of the post's observed 80th percentile for the step.
('etape_longue_p80', '*', 300),
-- More dossiers than this waiting at one step of a post (the steps a post works on).
('engorgement', 'documentary_check', 30), ('engorgement', 'identity_check', 20),
('engorgement', 'physical_check', 20), ('engorgement', 'decision', 30),
('engorgement', 'customs_clearance', 50),
-- Selected for a check, and no appointment booked after this (minutes).
('rendez_vous_non_pris', '*', 1440),
-- A laboratory result awaited longer than this (minutes: five days).
('analyse_en_attente', '*', 7200),
-- An unfavourable decision without its follow-up after this (minutes: ten days).
('suite_defavorable', '*', 14400),
-- Events out of the journey's order (a release before the decision, a check after the exit).
('ordre_anormal', '*', 1),
-- A partner source silent at a site longer than this (minutes), and than three times its usual
-- interval, while a post of the site is open.
('source_silencieuse', '*', 120);

CREATE TABLE alert_threshold (
    post_code TEXT NOT NULL REFERENCES post (code) ON DELETE CASCADE,
    rule TEXT NOT NULL,
    goods_category TEXT NOT NULL DEFAULT '*',
    step_kind TEXT NOT NULL DEFAULT '*',
    value INTEGER NOT NULL CHECK (value >= 0),
    updated_at TEXT,
    updated_by INTEGER REFERENCES app_user (id) ON DELETE SET NULL,
    PRIMARY KEY (post_code, rule, goods_category, step_kind)
);

INSERT INTO step_responsibility (post_code, goods_category, step_kind, responsible)
SELECT p.code, g.code, r.step_kind, r.responsible
FROM post p
CROSS JOIN (SELECT 'live_animals' AS code UNION ALL SELECT 'animal_products' UNION ALL SELECT 'plants'
            UNION ALL SELECT 'feed' UNION ALL SELECT 'food_non_animal' UNION ALL SELECT 'fruit_vegetables'
            UNION ALL SELECT 'organic') AS g
CROSS JOIN step_responsibility_default r;
INSERT INTO alert_threshold (post_code, rule, goods_category, step_kind, value)
SELECT p.code, d.rule, '*', d.step_kind, d.value FROM post p CROSS JOIN alert_default d;

-- Every post created later gets the same, however it is created.
CREATE TRIGGER post_alert_defaults AFTER INSERT ON post
BEGIN
    INSERT INTO step_responsibility (post_code, goods_category, step_kind, responsible)
    SELECT NEW.code, g.code, r.step_kind, r.responsible
    FROM (SELECT 'live_animals' AS code UNION ALL SELECT 'animal_products' UNION ALL SELECT 'plants'
          UNION ALL SELECT 'feed' UNION ALL SELECT 'food_non_animal' UNION ALL SELECT 'fruit_vegetables'
          UNION ALL SELECT 'organic') AS g
    CROSS JOIN step_responsibility_default r;
    INSERT INTO alert_threshold (post_code, rule, goods_category, step_kind, value)
    SELECT NEW.code, d.rule, '*', d.step_kind, d.value FROM alert_default d;
END;

-- One alert per condition (`condition_key`: the rule and what it is about), for as long as the
-- platform knows it: it opens when the condition first holds, may be taken by an agent, and is
-- closed by an agent with a note or automatically once the condition has cleared (`cleared_at`)
-- for a while, or by a margin (see the rules). When the condition returns, the same alert opens
-- again (`openings` counts how often). An alert closed by an agent while its condition still
-- holds stays closed until the condition has cleared once.
CREATE TABLE alert (
    id INTEGER PRIMARY KEY,
    rule TEXT NOT NULL,
    condition_key TEXT NOT NULL UNIQUE,
    site_code TEXT NOT NULL REFERENCES site (code),
    post_code TEXT REFERENCES post (code),
    dossier_id INTEGER REFERENCES dossier (id) ON DELETE CASCADE,
    goods_category TEXT,
    step_kind TEXT,
    source TEXT,
    responsible TEXT NOT NULL CHECK (responsible IN ('dgal', 'dgddi', 'chefs')),
    title TEXT NOT NULL,                -- what it is about, in French
    detail TEXT NOT NULL,               -- what holds, in French, as last evaluated
    state TEXT NOT NULL CHECK (state IN ('ouverte', 'prise', 'close')),
    opened_at TEXT NOT NULL,
    cleared_at TEXT,
    taken_by INTEGER REFERENCES app_user (id) ON DELETE SET NULL,
    taken_at TEXT,
    closed_at TEXT,
    closed_by INTEGER REFERENCES app_user (id) ON DELETE SET NULL,
    closing_note TEXT,
    openings INTEGER NOT NULL DEFAULT 1
);
-- The alerts an evaluation compares with what holds: not closed, or closed by an agent while
-- their condition holds. Every closed one whose condition cleared stays out of it, however many.
CREATE INDEX alert_watched ON alert (rule) WHERE state <> 'close' OR cleared_at IS NULL;
-- The desk: a site's alerts, the newest first; a dossier's.
CREATE INDEX alert_site ON alert (site_code, opened_at, id);
CREATE INDEX alert_site_open ON alert (site_code, opened_at, id) WHERE state <> 'close';
CREATE INDEX alert_dossier ON alert (dossier_id);

-- What happened to each alert, in order: opened, taken, closed (by whom, with the note),
-- cleared, closed automatically, opened again.
CREATE TABLE alert_history (
    id INTEGER PRIMARY KEY,
    alert_id INTEGER NOT NULL REFERENCES alert (id) ON DELETE CASCADE,
    at TEXT NOT NULL,
    what TEXT NOT NULL CHECK (what IN ('ouverte', 'prise', 'close', 'levee', 'revenue', 'resolue', 'rouverte')),
    user_id INTEGER REFERENCES app_user (id) ON DELETE SET NULL,
    note TEXT
);
CREATE INDEX alert_history_alert ON alert_history (alert_id, id);

-- When each partner source last sent an event for a site, and its usual interval between two
-- (a running average of the intervals shorter than twelve hours): a source is watched once it
-- has sent twice after this migration.
CREATE TABLE source_activity (
    site_code TEXT NOT NULL REFERENCES site (code),
    source TEXT NOT NULL,
    last_received_at TEXT NOT NULL,
    usual_gap_seconds INTEGER,
    PRIMARY KEY (site_code, source)
);

-- Work one instance does at a time (the alerts' evaluation on the clock): held until
-- `leased_until`, renewed by its holder, taken by another once it lapses.
CREATE TABLE job_lease (
    name TEXT PRIMARY KEY,
    leased_by TEXT NOT NULL,
    leased_until TEXT NOT NULL
);

-- The dossiers waiting at each step of each post (bottlenecks), and the checks selected and not
-- done yet (appointments not booked), without reading the settled ones.
CREATE INDEX dossier_waiting ON dossier (post_code, current_step) WHERE status IN ('en_cours', 'bloque');
CREATE INDEX step_check_awaited ON step (dossier_id)
    WHERE state = 'a_venir' AND kind IN ('identity_check', 'physical_check');

-- What the alerts tell the agents (see 0021): their kinds, for agents.
INSERT INTO notification_kind (code, audience, label, action_required, title, body, position, about_dossier) VALUES
('alerte_etape_longue', 'agent', 'Alerte : étape trop longue', 0,
 'Alerte {site} : {objet}', '{constat} Voyez le bureau des alertes pour la prendre en charge.', 200, 0),
('alerte_engorgement', 'agent', 'Alerte : engorgement d''une étape', 0,
 'Alerte {site} : {objet}', '{constat} Voyez le bureau des alertes pour la prendre en charge.', 210, 0),
('alerte_rendez_vous_non_pris', 'agent', 'Alerte : contrôle sans rendez-vous', 0,
 'Alerte {site} : {objet}', '{constat} Voyez le bureau des alertes pour la prendre en charge.', 220, 0),
('alerte_analyse_en_attente', 'agent', 'Alerte : résultat d''analyse attendu', 0,
 'Alerte {site} : {objet}', '{constat} Voyez le bureau des alertes pour la prendre en charge.', 230, 0),
('alerte_suite_defavorable', 'agent', 'Alerte : décision défavorable sans suite', 0,
 'Alerte {site} : {objet}', '{constat} Voyez le bureau des alertes pour la prendre en charge.', 240, 0),
('alerte_ordre_anormal', 'agent', 'Alerte : événements hors de l''ordre du parcours', 0,
 'Alerte {site} : {objet}', '{constat} Voyez le bureau des alertes pour la prendre en charge.', 250, 0),
('alerte_source_silencieuse', 'agent', 'Alerte : système partenaire silencieux', 0,
 'Alerte {site} : {objet}', '{constat} Voyez le bureau des alertes pour la prendre en charge.', 260, 0);
