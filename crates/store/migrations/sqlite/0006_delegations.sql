-- Delegation (ủy quyền): for a period, a person decides in another's place (reviews and signing of drafts);
-- the history says on whose behalf.
CREATE TABLE delegations (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    from_person INTEGER NOT NULL REFERENCES people(id),
    to_person   INTEGER NOT NULL REFERENCES people(id),
    starts_at   INTEGER NOT NULL,
    ends_at     INTEGER NOT NULL,
    reason      TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    revoked_at  INTEGER
);
CREATE INDEX delegations_to ON delegations (to_person, ends_at);
CREATE INDEX delegations_from ON delegations (from_person, ends_at);
