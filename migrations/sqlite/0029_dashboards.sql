-- France Sésame, the dashboards and the DGITM's statistics (SQLite). Keep in step with the
-- other store's 0029.
--
-- Every figure of the dashboards is counted from the steps of the dossiers' timelines, as they
-- stand in the transaction that changes a dossier (see app::domain::dashboard): so that a
-- dashboard and a dossier never disagree, and so that a year at national scale reads summaries
-- instead of a million dossiers.
--
-- dossier_indicator: what each dossier counts for now (one row per measure: the day it counts
-- on, its bucket — the duration's for durations, 0 or 1 for a yes/no measure — and where it
-- counted). The store compares it with the dossier's steps when they change and moves the
-- summaries by the difference.
CREATE TABLE dossier_indicator (
    dossier_id INTEGER NOT NULL REFERENCES dossier (id) ON DELETE CASCADE,
    measure TEXT NOT NULL,
    day TEXT NOT NULL,
    bucket INTEGER NOT NULL,
    site_code TEXT NOT NULL,
    post_code TEXT NOT NULL,
    goods_category TEXT NOT NULL,
    company_id INTEGER NOT NULL,
    PRIMARY KEY (dossier_id, measure)
);

-- indicator_day, indicator_month: how many dossiers count for each measure and bucket, by day
-- (or by month: its first day), site, post ('' without one) and goods category.
CREATE TABLE indicator_day (
    day TEXT NOT NULL,
    site_code TEXT NOT NULL,
    post_code TEXT NOT NULL,
    goods_category TEXT NOT NULL,
    measure TEXT NOT NULL,
    bucket INTEGER NOT NULL,
    dossiers INTEGER NOT NULL,
    PRIMARY KEY (day, site_code, post_code, goods_category, measure, bucket)
);
CREATE TABLE indicator_month (
    month TEXT NOT NULL,
    site_code TEXT NOT NULL,
    post_code TEXT NOT NULL,
    goods_category TEXT NOT NULL,
    measure TEXT NOT NULL,
    bucket INTEGER NOT NULL,
    dossiers INTEGER NOT NULL,
    PRIMARY KEY (month, site_code, post_code, goods_category, measure, bucket)
);
CREATE INDEX indicator_day_site ON indicator_day (site_code, day);
CREATE INDEX indicator_month_site ON indicator_month (site_code, month);

-- indicator_company: how many dossiers of each company count for each figure (a measure, or a
-- yes/no measure and its answer) by month, site and goods category: what the DGITM's statistics
-- need to know whether a figure could single out an operator. Never read by any page as such.
CREATE TABLE indicator_company (
    month TEXT NOT NULL,
    site_code TEXT NOT NULL,
    goods_category TEXT NOT NULL,
    figure TEXT NOT NULL,
    company_id INTEGER NOT NULL,        -- 0 for a dossier without a company
    dossiers INTEGER NOT NULL,
    PRIMARY KEY (month, figure, site_code, goods_category, company_id)
);

-- When an appointment asked for left « demandé » (confirmed or refused), for the time the
-- posts take to validate one.
ALTER TABLE appointment ADD COLUMN decided_at TEXT;

-- The dashboards' other figures read alerts and exchanges by site and opening, and the
-- appointments decided in a period (those of a period's slots through `appointment_slot`).
CREATE INDEX appointment_decided ON appointment (decided_at) WHERE decided_at IS NOT NULL;
CREATE INDEX alert_site_opened ON alert (site_code, opened_at);
CREATE INDEX exchange_site_opened ON exchange (site_code, opened_at);
