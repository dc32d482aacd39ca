-- France Sésame, the digital import file (SQLite). Keep in step with the other store's 0026.

-- The documents of a dossier: sent by a partner system, or added by a person of the operator
-- company or an agent of the site. The bytes are kept apart (a folder, or object storage) under
-- `storage_key`, named by their SHA-256; a corrected document names the one it `supersedes`,
-- which stays listed. Nobody downloads a document before the antivirus found it clean
-- (`scan`). Generated documents (convocations, the summary) are made again at each download and
-- have no row.
CREATE TABLE document (
    id INTEGER PRIMARY KEY,
    dossier_id INTEGER NOT NULL REFERENCES dossier (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('ched_part_1', 'ched_part_2', 'ched_part_3', 'customs_declaration',
                                       'lab_report', 'release_note', 'commercial_invoice', 'certificate',
                                       'packing_list', 'inspection_report', 'other')),
    title TEXT NOT NULL,
    file_name TEXT NOT NULL,
    media_type TEXT NOT NULL CHECK (media_type IN ('application/pdf', 'image/jpeg', 'image/png',
                                                   'application/xml')),
    size BIGINT NOT NULL CHECK (size > 0),
    sha256 TEXT NOT NULL,
    storage_key TEXT NOT NULL,
    author TEXT NOT NULL CHECK (author IN ('partner', 'operator', 'agent')),
    author_label TEXT NOT NULL,
    author_user_id INTEGER REFERENCES app_user (id) ON DELETE SET NULL,
    -- Partner documents: the key and the partner's id, for idempotency; the source.
    partner_key_id INTEGER REFERENCES partner_key (id),
    partner_document_id TEXT,
    source TEXT,
    internal INTEGER NOT NULL DEFAULT 0 CHECK (internal IN (0, 1)),
    supersedes INTEGER REFERENCES document (id),
    scan TEXT NOT NULL CHECK (scan IN ('en_attente', 'sain', 'infecte', 'non_analyse')),
    scan_detail TEXT,
    scanned_at TEXT,
    added_at TEXT NOT NULL,
    CHECK (internal = 0 OR author = 'agent'),
    CHECK ((partner_key_id IS NULL) = (author <> 'partner'))
);
CREATE INDEX document_dossier ON document (dossier_id, added_at);
CREATE UNIQUE INDEX document_partner_id ON document (partner_key_id, partner_document_id);
-- A document is corrected once: the correction of a correction names the latter.
CREATE UNIQUE INDEX document_supersedes ON document (supersedes);
-- What the antivirus has still to look at: small, since documents leave it within seconds.
CREATE INDEX document_scan_pending ON document (id) WHERE scan = 'en_attente';
CREATE INDEX document_sha256 ON document (dossier_id, sha256);
