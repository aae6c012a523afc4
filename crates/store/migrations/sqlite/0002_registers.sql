-- Registers (sổ văn bản) and the numbers taken in them. A number is taken by incrementing next_number in the
-- same transaction that records it, so numbers are gap-free and never reused; an unused number is cancelled
-- with a reason, never given again.
CREATE TABLE registers (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id     INTEGER NOT NULL REFERENCES units(id),
    kind        TEXT NOT NULL,
    period      TEXT NOT NULL,
    secret      INTEGER NOT NULL DEFAULT 0,
    -- '' : one series for every document type; otherwise the type abbreviation that has its own series.
    series      TEXT NOT NULL DEFAULT '',
    name        TEXT NOT NULL,
    next_number INTEGER NOT NULL DEFAULT 1,
    active      INTEGER NOT NULL DEFAULT 1,
    created_at  INTEGER NOT NULL,
    UNIQUE (unit_id, kind, period, secret, series)
);

CREATE TABLE register_entries (
    register_id  INTEGER NOT NULL REFERENCES registers(id),
    number       INTEGER NOT NULL,
    notation     TEXT,
    status       TEXT NOT NULL,
    reason       TEXT,
    taken_by     INTEGER NOT NULL,
    taken_at     INTEGER NOT NULL,
    cancelled_by INTEGER,
    cancelled_at INTEGER,
    PRIMARY KEY (register_id, number)
);
