-- Processing flows (luồng xử lý): system templates (unit_id NULL) and each unit's own flows, versioned. A
-- document keeps the version it started with; editing a flow adds a version and changes nothing else.
CREATE TABLE flows (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id         INTEGER REFERENCES units(id),
    kind            TEXT NOT NULL,
    name            TEXT NOT NULL,
    current_version INTEGER NOT NULL DEFAULT 1,
    active          INTEGER NOT NULL DEFAULT 1,
    -- The template it was copied from, if any.
    template_id     INTEGER REFERENCES flows(id),
    created_at      INTEGER NOT NULL
);
CREATE INDEX flows_unit ON flows (unit_id, kind);

CREATE TABLE flow_versions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    flow_id     INTEGER NOT NULL REFERENCES flows(id),
    version     INTEGER NOT NULL,
    -- JSON: the steps, the signer, deadlines (validated by vanthu_domain::flow).
    definition  TEXT NOT NULL,
    created_by  INTEGER,
    created_at  INTEGER NOT NULL,
    UNIQUE (flow_id, version)
);

ALTER TABLE documents ADD COLUMN flow_version_id INTEGER REFERENCES flow_versions(id);

INSERT INTO flows (unit_id, kind, name, current_version, active, created_at) VALUES
    (NULL, 'incoming', 'Văn bản đến theo Nghị định 30/2020 (tiếp nhận, trình, phân công, xử lý)', 1, 1, 0),
    (NULL, 'outgoing', 'Văn bản đi theo Nghị định 30/2020 (soạn thảo, lãnh đạo ký, văn thư ban hành)', 1, 1, 0),
    (NULL, 'outgoing', 'Văn bản đi có thẩm định của lãnh đạo đơn vị trực thuộc trước khi ký', 1, 1, 0),
    (NULL, 'internal', 'Văn bản nội bộ (soạn thảo, lãnh đạo ký, văn thư phát hành)', 1, 1, 0);
INSERT INTO flow_versions (flow_id, version, definition, created_by, created_at) VALUES
    (1, 1, '{"present_to":{"role":"leader"},"deadline_days":7,"steps":[],"signer":null}', NULL, 0),
    (2, 1, '{"present_to":null,"deadline_days":null,"steps":[],"signer":{"role":"leader"}}', NULL, 0),
    (3, 1, '{"present_to":null,"deadline_days":null,"steps":[{"name":"Thẩm định nội dung","assignee":{"role":"leader","below":true},"mode":"any","deadline_days":2}],"signer":{"role":"leader"}}', NULL, 0),
    (4, 1, '{"present_to":null,"deadline_days":null,"steps":[],"signer":{"role":"leader"}}', NULL, 0);
