-- A saga move records several timeline lines in one SagaStepRecorded (v2): a row is its message's id
-- and its line in that message. Existing rows are line 0 of their message.
ALTER TABLE order_timeline ADD COLUMN line smallint NOT NULL DEFAULT 0;
ALTER TABLE order_timeline DROP CONSTRAINT order_timeline_pkey;
ALTER TABLE order_timeline ADD PRIMARY KEY (message_id, line);
