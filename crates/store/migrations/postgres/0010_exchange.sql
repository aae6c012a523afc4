-- Exchange with other agencies over the interconnection axis (standards.md §3–§5, §7).

-- What this installation sends: one document package per outside recipient (new, revocation, replacement) or one
-- status packet about a document that came over the axis. The package is built once and kept by content hash, so
-- a retry sends the same bytes (the axis recognises them); retried with backoff until the axis accepts it.
CREATE TABLE exchange_outbox (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- edoc or status
    kind          TEXT NOT NULL,
    -- edoc: new, revoke or replace (BussinessDocType 0, 1, 3); status: the code 01–16
    code          TEXT NOT NULL,
    -- edoc: the outgoing document; status: the incoming document the status is about (none when the status
    -- answers a request about a document this installation does not have: then `reference` says what it answers)
    document_id   BIGINT REFERENCES documents(id),
    recipient_id  BIGINT REFERENCES document_recipients(id),
    -- The agency the packet goes to (its identifier code).
    to_code       TEXT NOT NULL,
    -- edoc: our DocumentId; status: the DocumentId of the document the status answers.
    edxml_document_id TEXT NOT NULL,
    -- status: Description; revocation: the reason.
    description   TEXT,
    -- Who acted (status packets: StaffInfo), as JSON.
    staff         TEXT,
    -- A status about no document of ours: the reporting unit and the ResponseFor fields, as JSON.
    reference     TEXT,
    sha256        TEXT,
    -- queued, sending (taken by the worker), sent, failed (refused by the axis: waits for a person), cancelled
    -- (revoked before it left)
    state         TEXT NOT NULL,
    attempts      BIGINT NOT NULL DEFAULT 0,
    next_at       BIGINT NOT NULL,
    last_error    TEXT,
    axis_doc_id   TEXT,
    created_at    BIGINT NOT NULL,
    sent_at       BIGINT
);
CREATE INDEX exchange_outbox_due ON exchange_outbox (state, next_at);
CREATE INDEX exchange_outbox_doc ON exchange_outbox (document_id);
CREATE INDEX exchange_outbox_ref ON exchange_outbox (edxml_document_id, to_code);
CREATE INDEX exchange_outbox_sha ON exchange_outbox (sha256);

-- Every package taken from the axis, stored unchanged (by content hash) for audit, and what became of it.
CREATE TABLE exchange_inbox (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    axis_doc_id   TEXT NOT NULL UNIQUE,
    kind          TEXT NOT NULL,
    from_code     TEXT,
    edxml_document_id TEXT,
    -- edoc: new, revoke, update, replace; status: the code
    code          TEXT,
    sha256        TEXT NOT NULL,
    size          BIGINT NOT NULL,
    -- created, duplicate, also_internal, unaddressed, invalid, status, revoked, not_found, updated, unknown_status
    outcome       TEXT NOT NULL,
    note          TEXT,
    received_at   BIGINT NOT NULL
);
CREATE INDEX exchange_inbox_key ON exchange_inbox (from_code, edxml_document_id);
CREATE INDEX exchange_inbox_sha ON exchange_inbox (sha256);

-- An incoming document that came over the axis: where from, and what its status packets answer.
CREATE TABLE exchange_links (
    document_id   BIGINT PRIMARY KEY REFERENCES documents(id),
    inbox_id      BIGINT NOT NULL REFERENCES exchange_inbox(id),
    unit_id       BIGINT NOT NULL REFERENCES units(id),
    from_code     TEXT NOT NULL,
    edxml_document_id TEXT NOT NULL,
    code          TEXT NOT NULL,
    promulgation_date TEXT NOT NULL
);
CREATE INDEX exchange_links_key ON exchange_links (from_code, edxml_document_id, unit_id);

-- The directory of agencies on the axis (getAgenciesList), kept in step by the exchange worker.
CREATE TABLE exchange_agencies (
    code       TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    pcode      TEXT,
    synced_at  BIGINT NOT NULL
);

-- The axis as the author of what arrives over it (documents, their files, history): no password, inactive, so
-- nobody signs in as it; '@' cannot start a username people choose.
INSERT INTO people (username, full_name, search, active, created_at, updated_at)
VALUES ('@truc', 'Trục liên thông văn bản', '@truc truc lien thong van ban', FALSE, 0, 0);
