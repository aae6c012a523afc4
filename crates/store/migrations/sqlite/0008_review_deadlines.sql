-- When the active step of a draft's review chain is due (ms), from its flow step's days; NULL when it has none.
ALTER TABLE documents ADD COLUMN step_due_at INTEGER;
