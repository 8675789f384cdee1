-- The queue's usual orders and filters walk an index instead of reading every case (the rows
-- carry the centre's JSON, so a full scan reads the whole table).
CREATE INDEX cases_due ON cases(due_date, number);
CREATE INDEX cases_service_due ON cases(service, due_date, number);
