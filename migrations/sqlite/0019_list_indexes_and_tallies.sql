-- The dossier list at national scale (issue 13; see the PostgreSQL migration). SQLite ends
-- every index with the rowid, which is the id: the list's order is the index's.
CREATE INDEX dossier_opened ON dossier (opened_at);
CREATE INDEX dossier_site_opened ON dossier (site_code, opened_at);
CREATE INDEX dossier_company_opened ON dossier (company_id, opened_at);

-- How many dossiers each site has in each status, and each company at each site, kept by the
-- triggers below (see the PostgreSQL migration).
CREATE TABLE dossier_tally (
    site_code TEXT NOT NULL,
    status TEXT NOT NULL,
    dossiers INTEGER NOT NULL,
    PRIMARY KEY (site_code, status)
);
CREATE TABLE company_dossier_tally (
    company_id INTEGER NOT NULL,
    site_code TEXT NOT NULL,
    status TEXT NOT NULL,
    dossiers INTEGER NOT NULL,
    PRIMARY KEY (company_id, site_code, status)
);
INSERT INTO dossier_tally (site_code, status, dossiers)
SELECT site_code, status, COUNT(*) FROM dossier GROUP BY site_code, status;
INSERT INTO company_dossier_tally (company_id, site_code, status, dossiers)
SELECT company_id, site_code, status, COUNT(*) FROM dossier WHERE company_id IS NOT NULL
GROUP BY company_id, site_code, status;

CREATE TRIGGER dossier_tally_insert AFTER INSERT ON dossier
BEGIN
    INSERT INTO dossier_tally (site_code, status, dossiers) VALUES (NEW.site_code, NEW.status, 1)
    ON CONFLICT (site_code, status) DO UPDATE SET dossiers = dossiers + 1;
    INSERT INTO company_dossier_tally (company_id, site_code, status, dossiers)
    SELECT NEW.company_id, NEW.site_code, NEW.status, 1 WHERE NEW.company_id IS NOT NULL
    ON CONFLICT (company_id, site_code, status) DO UPDATE SET dossiers = dossiers + 1;
END;

CREATE TRIGGER dossier_tally_delete AFTER DELETE ON dossier
BEGIN
    UPDATE dossier_tally SET dossiers = dossiers - 1
    WHERE site_code = OLD.site_code AND status = OLD.status;
    UPDATE company_dossier_tally SET dossiers = dossiers - 1
    WHERE company_id = OLD.company_id AND site_code = OLD.site_code AND status = OLD.status;
END;

CREATE TRIGGER dossier_tally_update AFTER UPDATE OF site_code, company_id, status ON dossier
WHEN OLD.site_code IS NOT NEW.site_code OR OLD.company_id IS NOT NEW.company_id
     OR OLD.status IS NOT NEW.status
BEGIN
    UPDATE dossier_tally SET dossiers = dossiers - 1
    WHERE site_code = OLD.site_code AND status = OLD.status;
    INSERT INTO dossier_tally (site_code, status, dossiers) VALUES (NEW.site_code, NEW.status, 1)
    ON CONFLICT (site_code, status) DO UPDATE SET dossiers = dossiers + 1;
    UPDATE company_dossier_tally SET dossiers = dossiers - 1
    WHERE company_id = OLD.company_id AND site_code = OLD.site_code AND status = OLD.status;
    INSERT INTO company_dossier_tally (company_id, site_code, status, dossiers)
    SELECT NEW.company_id, NEW.site_code, NEW.status, 1 WHERE NEW.company_id IS NOT NULL
    ON CONFLICT (company_id, site_code, status) DO UPDATE SET dossiers = dossiers + 1;
END;
