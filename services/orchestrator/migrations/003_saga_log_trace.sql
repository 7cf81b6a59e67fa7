-- Issue 20: the console shows each step's trace id beside its message id. The trace of the span
-- that moved the saga (the consumed message's, continued; an operator's request); NULL where
-- nothing traces (tracing off) or the clock moved it (a deadline has no trace of its own).
ALTER TABLE saga_log ADD COLUMN trace_id text;
