CREATE TABLE units (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    key         TEXT NOT NULL UNIQUE,
    code        TEXT UNIQUE,
    code_format TEXT NOT NULL DEFAULT 'axis',
    old_code    TEXT UNIQUE,
    name        TEXT NOT NULL,
    short_name  TEXT,
    kind        TEXT NOT NULL,
    side        TEXT NOT NULL,
    parent_id   INTEGER REFERENCES units(id),
    active      INTEGER NOT NULL DEFAULT 1,
    valid_from  TEXT,
    valid_to    TEXT,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX units_parent ON units(parent_id);

CREATE TABLE people (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    username             TEXT NOT NULL UNIQUE,
    full_name            TEXT NOT NULL,
    -- Username and name folded to lowercase ASCII without diacritics, for search.
    search               TEXT NOT NULL DEFAULT '',
    email                TEXT,
    phone                TEXT,
    clearance            TEXT NOT NULL DEFAULT 'none',
    system_admin         INTEGER NOT NULL DEFAULT 0,
    active               INTEGER NOT NULL DEFAULT 1,
    password_hash        TEXT,
    must_change_password INTEGER NOT NULL DEFAULT 0,
    failed_logins        INTEGER NOT NULL DEFAULT 0,
    locked_until         INTEGER NOT NULL DEFAULT 0,
    created_at           INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL
);

CREATE TABLE memberships (
    person_id  INTEGER NOT NULL REFERENCES people(id),
    unit_id    INTEGER NOT NULL REFERENCES units(id),
    position   TEXT,
    roles      TEXT NOT NULL DEFAULT '',
    is_primary INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (person_id, unit_id)
);
CREATE INDEX memberships_unit ON memberships(unit_id);

CREATE TABLE tokens (
    token_hash   TEXT PRIMARY KEY,
    person_id    INTEGER NOT NULL REFERENCES people(id),
    kind         TEXT NOT NULL,
    csrf         TEXT,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    revoked_at   INTEGER
);
CREATE INDEX tokens_person ON tokens(person_id);

CREATE TABLE login_events (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    at        INTEGER NOT NULL,
    username  TEXT NOT NULL,
    person_id INTEGER,
    unit_id   INTEGER,
    success   INTEGER NOT NULL,
    reason    TEXT NOT NULL,
    channel   TEXT NOT NULL,
    ip        TEXT
);
CREATE INDEX login_events_at ON login_events(at);

CREATE TABLE events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    at         INTEGER NOT NULL,
    actor_id   INTEGER,
    action     TEXT NOT NULL,
    entity     TEXT NOT NULL,
    entity_id  INTEGER NOT NULL,
    summary    TEXT NOT NULL,
    details    TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX events_entity ON events(entity, entity_id, id);
