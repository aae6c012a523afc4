-- Documents (văn bản đến, đi, nội bộ), their files, handlers, review chains, recipients and comments.
-- Secrecy is stored as a level (0 ordinary, 1 Mật, 2 Tối mật, 3 Tuyệt mật) so that every list and count can
-- filter on the reader's clearance in SQL.
CREATE TABLE documents (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    unit_id       BIGINT NOT NULL REFERENCES units(id),
    direction     TEXT NOT NULL,
    state         TEXT NOT NULL,
    doc_type      TEXT REFERENCES document_types(code),
    subject       TEXT NOT NULL,
    -- Folded (no diacritics, lower case) subject, notation and author, for search.
    search        TEXT NOT NULL,
    notation      TEXT,
    doc_date      TEXT,
    author        TEXT,
    author_code   TEXT,
    -- Folded author and notation without spaces or punctuation: the duplicate check compares these.
    dup_author    TEXT,
    dup_notation  TEXT,
    signer        TEXT,
    pages         BIGINT,
    copies        BIGINT,
    urgency       TEXT NOT NULL DEFAULT 'normal',
    secrecy       BIGINT NOT NULL DEFAULT 0,
    deadline      TEXT,
    channel       TEXT,
    register_id   BIGINT REFERENCES registers(id),
    reg_number    BIGINT,
    registered_at BIGINT,
    received_at   BIGINT,
    issued_at     BIGINT,
    presented_to  BIGINT REFERENCES people(id),
    direction_note TEXT,
    -- The review chain of a draft (JSON: steps of reviewers, each all-of or any-of).
    review_plan   TEXT,
    signer_id     BIGINT REFERENCES people(id),
    review_round  BIGINT NOT NULL DEFAULT 0,
    review_step   BIGINT NOT NULL DEFAULT 0,
    source_id     BIGINT REFERENCES documents(id),
    reply_to_id   BIGINT REFERENCES documents(id),
    replaces_id   BIGINT REFERENCES documents(id),
    reason        TEXT,
    note          TEXT,
    created_by    BIGINT NOT NULL REFERENCES people(id),
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX documents_unit_state ON documents (unit_id, state, id);
CREATE INDEX documents_unit_dir ON documents (unit_id, direction, id);
CREATE INDEX documents_dup ON documents (unit_id, dup_notation, doc_date);
CREATE INDEX documents_creator ON documents (created_by, state, id);
CREATE INDEX documents_presented ON documents (presented_to, state, id);
CREATE INDEX documents_signer ON documents (signer_id, state, id);
CREATE INDEX documents_source ON documents (source_id);
CREATE INDEX documents_register ON documents (register_id, reg_number);

CREATE TABLE document_files (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    document_id BIGINT NOT NULL REFERENCES documents(id),
    kind        TEXT NOT NULL,
    name        TEXT NOT NULL,
    media_type  TEXT NOT NULL,
    size        BIGINT NOT NULL,
    sha256      TEXT NOT NULL,
    -- Drafts keep every version of their files; an issued document's files are frozen.
    version     BIGINT NOT NULL DEFAULT 1,
    frozen      BOOLEAN NOT NULL DEFAULT FALSE,
    uploaded_by BIGINT NOT NULL REFERENCES people(id),
    uploaded_at BIGINT NOT NULL
);
CREATE INDEX document_files_doc ON document_files (document_id, id);

CREATE TABLE document_assignments (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    document_id BIGINT NOT NULL REFERENCES documents(id),
    person_id   BIGINT NOT NULL REFERENCES people(id),
    role        TEXT NOT NULL,
    -- pending, processing, done, forwarded
    state       TEXT NOT NULL,
    deadline    TEXT,
    note        TEXT,
    report      TEXT,
    assigned_by BIGINT NOT NULL REFERENCES people(id),
    assigned_at BIGINT NOT NULL,
    done_at     BIGINT
);
CREATE INDEX document_assignments_person ON document_assignments (person_id, state, document_id);
CREATE INDEX document_assignments_doc ON document_assignments (document_id);

CREATE TABLE document_reviews (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    document_id BIGINT NOT NULL REFERENCES documents(id),
    round       BIGINT NOT NULL,
    step        BIGINT NOT NULL,
    -- all, any, or sign (the last step: the person with authority to sign)
    mode        TEXT NOT NULL,
    person_id   BIGINT NOT NULL REFERENCES people(id),
    -- pending, approved, returned
    decision    TEXT NOT NULL,
    comment     TEXT,
    decided_at  BIGINT
);
CREATE INDEX document_reviews_person ON document_reviews (person_id, decision, document_id);
CREATE INDEX document_reviews_doc ON document_reviews (document_id, round, step);

CREATE TABLE document_recipients (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    document_id BIGINT NOT NULL REFERENCES documents(id),
    -- internal (a unit of this installation), axis (another agency), paper
    channel     TEXT NOT NULL,
    unit_id     BIGINT REFERENCES units(id),
    name        TEXT NOT NULL,
    code        TEXT,
    status      TEXT NOT NULL,
    incoming_id BIGINT REFERENCES documents(id),
    note        TEXT,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX document_recipients_doc ON document_recipients (document_id);
CREATE INDEX document_recipients_incoming ON document_recipients (incoming_id);
CREATE INDEX document_recipients_unit ON document_recipients (unit_id, document_id);

CREATE TABLE document_comments (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    document_id BIGINT NOT NULL REFERENCES documents(id),
    person_id   BIGINT NOT NULL REFERENCES people(id),
    body        TEXT NOT NULL,
    at          BIGINT NOT NULL
);
CREATE INDEX document_comments_doc ON document_comments (document_id, id);

-- A number used by a document points to it.
ALTER TABLE register_entries ADD COLUMN document_id BIGINT REFERENCES documents(id);
