-- The connected systems (installations), the agencies they host, the packages received and their deliveries.
CREATE TABLE systems (
    system_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    -- Needed in clear to verify the HMAC of each request: the database must be protected (file mode 0600).
    secret TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE agencies (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    system_id TEXT NOT NULL REFERENCES systems (system_id),
    pcode TEXT,
    mail TEXT,
    mobile TEXT,
    fax TEXT,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX agencies_by_system ON agencies (system_id);

CREATE TABLE packages (
    doc_id TEXT PRIMARY KEY,
    sender TEXT NOT NULL REFERENCES systems (system_id),
    from_code TEXT NOT NULL,
    message_type TEXT NOT NULL CHECK (message_type IN ('edoc', 'status')),
    sha256 TEXT NOT NULL,
    size BIGINT NOT NULL,
    document_id TEXT NOT NULL,
    subject TEXT,
    notation TEXT,
    status_code TEXT,
    response_for TEXT,
    to_codes TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX packages_by_hash ON packages (sender, sha256, created_at);
CREATE INDEX packages_by_sender ON packages (sender, message_type, created_at);

CREATE TABLE deliveries (
    id BIGSERIAL PRIMARY KEY,
    doc_id TEXT NOT NULL REFERENCES packages (doc_id),
    system_id TEXT NOT NULL REFERENCES systems (system_id),
    message_type TEXT NOT NULL,
    to_codes TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'fetched', 'done', 'fail')),
    status TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    fetched_at BIGINT,
    done_at BIGINT,
    UNIQUE (doc_id, system_id)
);
CREATE INDEX deliveries_queue ON deliveries (system_id, message_type, state, id);
