-- Delegation (ủy quyền): for a period, a person decides in another's place (reviews and signing of drafts);
-- the history says on whose behalf.
CREATE TABLE delegations (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    from_person BIGINT NOT NULL REFERENCES people(id),
    to_person   BIGINT NOT NULL REFERENCES people(id),
    starts_at   BIGINT NOT NULL,
    ends_at     BIGINT NOT NULL,
    reason      TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    revoked_at  BIGINT
);
CREATE INDEX delegations_to ON delegations (to_person, ends_at);
CREATE INDEX delegations_from ON delegations (from_person, ends_at);
