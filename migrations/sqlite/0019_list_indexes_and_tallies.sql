-- The dossier list at national scale (issue 13; see the PostgreSQL migration). SQLite ends
-- every index with the rowid, which is the id: the list's order is the index's.
CREATE INDEX dossier_opened ON dossier (opened_at);
CREATE INDEX dossier_site_opened ON dossier (site_code, opened_at);
CREATE INDEX dossier_company_opened ON dossier (company_id, opened_at);

-- How many dossiers each site, company and status has, kept by the triggers below.
CREATE TABLE dossier_tally (
    site_code TEXT NOT NULL,
    company_id INTEGER NOT NULL,       -- 0 for a dossier without a company
    status TEXT NOT NULL,
    dossiers INTEGER NOT NULL,
    PRIMARY KEY (site_code, company_id, status)
);
INSERT INTO dossier_tally (site_code, company_id, status, dossiers)
SELECT site_code, COALESCE(company_id, 0), status, COUNT(*) FROM dossier
GROUP BY site_code, COALESCE(company_id, 0), status;

CREATE TRIGGER dossier_tally_insert AFTER INSERT ON dossier
BEGIN
    INSERT INTO dossier_tally (site_code, company_id, status, dossiers)
    VALUES (NEW.site_code, COALESCE(NEW.company_id, 0), NEW.status, 1)
    ON CONFLICT (site_code, company_id, status) DO UPDATE SET dossiers = dossiers + 1;
END;

CREATE TRIGGER dossier_tally_delete AFTER DELETE ON dossier
BEGIN
    UPDATE dossier_tally SET dossiers = dossiers - 1
    WHERE site_code = OLD.site_code AND company_id = COALESCE(OLD.company_id, 0)
      AND status = OLD.status;
END;

CREATE TRIGGER dossier_tally_update AFTER UPDATE OF site_code, company_id, status ON dossier
WHEN OLD.site_code IS NOT NEW.site_code OR OLD.company_id IS NOT NEW.company_id
     OR OLD.status IS NOT NEW.status
BEGIN
    UPDATE dossier_tally SET dossiers = dossiers - 1
    WHERE site_code = OLD.site_code AND company_id = COALESCE(OLD.company_id, 0)
      AND status = OLD.status;
    INSERT INTO dossier_tally (site_code, company_id, status, dossiers)
    VALUES (NEW.site_code, COALESCE(NEW.company_id, 0), NEW.status, 1)
    ON CONFLICT (site_code, company_id, status) DO UPDATE SET dossiers = dossiers + 1;
END;
