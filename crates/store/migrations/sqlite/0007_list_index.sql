-- Listings of a unit's documents, newest first, filtered on secrecy: served from the index alone.
CREATE INDEX documents_unit_id ON documents (unit_id, id, secrecy);
