CREATE TABLE units (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    key         TEXT NOT NULL UNIQUE,
    code        TEXT UNIQUE,
    code_format TEXT NOT NULL DEFAULT 'axis',
    old_code    TEXT UNIQUE,
    name        TEXT NOT NULL,
    short_name  TEXT,
    kind        TEXT NOT NULL,
    side        TEXT NOT NULL,
    parent_id   BIGINT REFERENCES units(id),
    active      BOOLEAN NOT NULL DEFAULT TRUE,
    valid_from  TEXT,
    valid_to    TEXT,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX units_parent ON units(parent_id);

CREATE TABLE people (
    id                   BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username             TEXT NOT NULL UNIQUE,
    full_name            TEXT NOT NULL,
    -- Username and name folded to lowercase ASCII without diacritics, for search.
    search               TEXT NOT NULL DEFAULT '',
    email                TEXT,
    phone                TEXT,
    clearance            TEXT NOT NULL DEFAULT 'none',
    system_admin BOOLEAN NOT NULL DEFAULT FALSE,
    active               BOOLEAN NOT NULL DEFAULT TRUE,
    password_hash        TEXT,
    must_change_password BOOLEAN NOT NULL DEFAULT FALSE,
    failed_logins        BIGINT NOT NULL DEFAULT 0,
    locked_until         BIGINT NOT NULL DEFAULT 0,
    created_at           BIGINT NOT NULL,
    updated_at           BIGINT NOT NULL
);

CREATE TABLE memberships (
    person_id  BIGINT NOT NULL REFERENCES people(id),
    unit_id    BIGINT NOT NULL REFERENCES units(id),
    position   TEXT,
    roles      TEXT NOT NULL DEFAULT '',
    is_primary BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (person_id, unit_id)
);
CREATE INDEX memberships_unit ON memberships(unit_id);

CREATE TABLE tokens (
    token_hash   TEXT PRIMARY KEY,
    person_id    BIGINT NOT NULL REFERENCES people(id),
    kind         TEXT NOT NULL,
    csrf         TEXT,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    revoked_at   BIGINT
);
CREATE INDEX tokens_person ON tokens(person_id);

CREATE TABLE login_events (
    id        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at        BIGINT NOT NULL,
    username  TEXT NOT NULL,
    person_id BIGINT,
    unit_id   BIGINT,
    success   BOOLEAN NOT NULL,
    reason    TEXT NOT NULL,
    channel   TEXT NOT NULL,
    ip        TEXT
);
CREATE INDEX login_events_at ON login_events(at);

CREATE TABLE events (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at         BIGINT NOT NULL,
    actor_id   BIGINT,
    action     TEXT NOT NULL,
    entity     TEXT NOT NULL,
    entity_id  BIGINT NOT NULL,
    summary    TEXT NOT NULL,
    details    TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX events_entity ON events(entity, entity_id, id);
