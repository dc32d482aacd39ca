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

-- How many dossiers each site has in each status, and each company at each site, kept by the
-- trigger below in the transaction that changes a dossier: the counts of the list without a
-- filter, or by site or status only, read a few rows (a company's own, for an operator) instead
-- of counting a million dossiers.
CREATE TABLE dossier_tally (
    site_code TEXT NOT NULL,
    status TEXT NOT NULL,
    dossiers BIGINT NOT NULL,
    PRIMARY KEY (site_code, status)
);
CREATE TABLE company_dossier_tally (
    company_id BIGINT NOT NULL,
    site_code TEXT NOT NULL,
    status TEXT NOT NULL,
    dossiers BIGINT NOT NULL,
    PRIMARY KEY (company_id, site_code, status)
);
INSERT INTO dossier_tally (site_code, status, dossiers)
SELECT site_code, status, COUNT(*) FROM dossier GROUP BY site_code, status;
INSERT INTO company_dossier_tally (company_id, site_code, status, dossiers)
SELECT company_id, site_code, status, COUNT(*) FROM dossier WHERE company_id IS NOT NULL
GROUP BY company_id, site_code, status;

CREATE FUNCTION dossier_tally_add(site TEXT, state TEXT, delta BIGINT) RETURNS void AS $$
    INSERT INTO dossier_tally (site_code, status, dossiers) VALUES (site, state, delta)
    ON CONFLICT (site_code, status)
    DO UPDATE SET dossiers = dossier_tally.dossiers + EXCLUDED.dossiers;
$$ LANGUAGE sql;

CREATE FUNCTION company_dossier_tally_add(company BIGINT, site TEXT, state TEXT, delta BIGINT)
RETURNS void AS $$
    INSERT INTO company_dossier_tally (company_id, site_code, status, dossiers)
    SELECT company, site, state, delta WHERE company IS NOT NULL
    ON CONFLICT (company_id, site_code, status)
    DO UPDATE SET dossiers = company_dossier_tally.dossiers + EXCLUDED.dossiers;
$$ LANGUAGE sql;

-- Rows are changed in a fixed order (the site's, then the company's, each by key), so that two
-- transactions moving dossiers in opposite directions never wait for each other.
CREATE FUNCTION dossier_tally_follow() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM dossier_tally_add(NEW.site_code, NEW.status, 1);
        PERFORM company_dossier_tally_add(NEW.company_id, NEW.site_code, NEW.status, 1);
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM dossier_tally_add(OLD.site_code, OLD.status, -1);
        PERFORM company_dossier_tally_add(OLD.company_id, OLD.site_code, OLD.status, -1);
    ELSE
        IF (OLD.site_code, OLD.status) IS DISTINCT FROM (NEW.site_code, NEW.status) THEN
            IF (OLD.site_code, OLD.status) < (NEW.site_code, NEW.status) THEN
                PERFORM dossier_tally_add(OLD.site_code, OLD.status, -1);
                PERFORM dossier_tally_add(NEW.site_code, NEW.status, 1);
            ELSE
                PERFORM dossier_tally_add(NEW.site_code, NEW.status, 1);
                PERFORM dossier_tally_add(OLD.site_code, OLD.status, -1);
            END IF;
        END IF;
        IF (OLD.company_id, OLD.site_code, OLD.status)
           IS DISTINCT FROM (NEW.company_id, NEW.site_code, NEW.status) THEN
            IF (COALESCE(OLD.company_id, 0), OLD.site_code, OLD.status)
               < (COALESCE(NEW.company_id, 0), NEW.site_code, NEW.status) THEN
                PERFORM company_dossier_tally_add(OLD.company_id, OLD.site_code, OLD.status, -1);
                PERFORM company_dossier_tally_add(NEW.company_id, NEW.site_code, NEW.status, 1);
            ELSE
                PERFORM company_dossier_tally_add(NEW.company_id, NEW.site_code, NEW.status, 1);
                PERFORM company_dossier_tally_add(OLD.company_id, OLD.site_code, OLD.status, -1);
            END IF;
        END IF;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER dossier_tally AFTER INSERT OR DELETE OR UPDATE OF site_code, company_id, status
ON dossier FOR EACH ROW EXECUTE FUNCTION dossier_tally_follow();
