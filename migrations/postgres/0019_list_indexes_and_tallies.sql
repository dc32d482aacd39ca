-- The dossier list at national scale (issue 13).
--
-- Its pages are read through an index in the list's order, the id last as in the ORDER BY, for
-- everyone (supervisors), for a site (agents; several sites are read one by one and merged) and
-- for a company (operators), in each order the list offers.
DROP INDEX dossier_updated;
DROP INDEX dossier_site_updated;
DROP INDEX dossier_company_updated;
CREATE INDEX dossier_updated ON dossier (updated_at, id);
CREATE INDEX dossier_site_updated ON dossier (site_code, updated_at, id);
CREATE INDEX dossier_company_updated ON dossier (company_id, updated_at, id);
CREATE INDEX dossier_opened ON dossier (opened_at, id);
CREATE INDEX dossier_site_opened ON dossier (site_code, opened_at, id);
CREATE INDEX dossier_company_opened ON dossier (company_id, opened_at, id);

-- How many dossiers each site, company and status has, kept by the trigger below in the
-- transaction that changes a dossier: the counts of the list without a filter, or by site or
-- status only, read a few rows instead of counting a million.
CREATE TABLE dossier_tally (
    site_code TEXT NOT NULL,
    company_id BIGINT NOT NULL,        -- 0 for a dossier without a company
    status TEXT NOT NULL,
    dossiers BIGINT NOT NULL,
    PRIMARY KEY (site_code, company_id, status)
);
INSERT INTO dossier_tally (site_code, company_id, status, dossiers)
SELECT site_code, COALESCE(company_id, 0), status, COUNT(*) FROM dossier
GROUP BY site_code, COALESCE(company_id, 0), status;

CREATE FUNCTION dossier_tally_add(site TEXT, company BIGINT, state TEXT, delta BIGINT)
RETURNS void AS $$
    INSERT INTO dossier_tally (site_code, company_id, status, dossiers)
    VALUES (site, COALESCE(company, 0), state, delta)
    ON CONFLICT (site_code, company_id, status)
    DO UPDATE SET dossiers = dossier_tally.dossiers + EXCLUDED.dossiers;
$$ LANGUAGE sql;

CREATE FUNCTION dossier_tally_follow() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM dossier_tally_add(NEW.site_code, NEW.company_id, NEW.status, 1);
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM dossier_tally_add(OLD.site_code, OLD.company_id, OLD.status, -1);
    ELSIF (OLD.site_code, COALESCE(OLD.company_id, 0), OLD.status)
          IS DISTINCT FROM (NEW.site_code, COALESCE(NEW.company_id, 0), NEW.status) THEN
        -- Rows in a fixed order, so that two transactions moving dossiers in opposite
        -- directions never wait for each other.
        IF (OLD.site_code, COALESCE(OLD.company_id, 0), OLD.status)
           < (NEW.site_code, COALESCE(NEW.company_id, 0), NEW.status) THEN
            PERFORM dossier_tally_add(OLD.site_code, OLD.company_id, OLD.status, -1);
            PERFORM dossier_tally_add(NEW.site_code, NEW.company_id, NEW.status, 1);
        ELSE
            PERFORM dossier_tally_add(NEW.site_code, NEW.company_id, NEW.status, 1);
            PERFORM dossier_tally_add(OLD.site_code, OLD.company_id, OLD.status, -1);
        END IF;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER dossier_tally AFTER INSERT OR DELETE OR UPDATE OF site_code, company_id, status
ON dossier FOR EACH ROW EXECUTE FUNCTION dossier_tally_follow();
