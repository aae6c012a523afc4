-- Registers (sổ văn bản) and the numbers taken in them. A number is taken by incrementing next_number in the
-- same transaction that records it, so numbers are gap-free and never reused; an unused number is cancelled
-- with a reason, never given again.
CREATE TABLE registers (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    unit_id     BIGINT NOT NULL REFERENCES units(id),
    kind        TEXT NOT NULL,
    period      TEXT NOT NULL,
    secret      BOOLEAN NOT NULL DEFAULT FALSE,
    -- '' : one series for every document type; otherwise the type abbreviation that has its own series.
    series      TEXT NOT NULL DEFAULT '',
    name        TEXT NOT NULL,
    next_number BIGINT NOT NULL DEFAULT 1,
    active      BOOLEAN NOT NULL DEFAULT TRUE,
    created_at  BIGINT NOT NULL,
    UNIQUE (unit_id, kind, period, secret, series)
);

CREATE TABLE register_entries (
    register_id  BIGINT NOT NULL REFERENCES registers(id),
    number       BIGINT NOT NULL,
    notation     TEXT,
    status       TEXT NOT NULL,
    reason       TEXT,
    taken_by     BIGINT NOT NULL,
    taken_at     BIGINT NOT NULL,
    cancelled_by BIGINT,
    cancelled_at BIGINT,
    PRIMARY KEY (register_id, number)
);
