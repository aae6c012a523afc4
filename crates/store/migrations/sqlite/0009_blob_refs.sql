-- The sweep of unreferenced files asks which content hashes documents still refer to.
CREATE INDEX document_files_sha256 ON document_files (sha256);
