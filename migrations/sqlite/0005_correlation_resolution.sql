-- Who closed a correlation alert, and what they found: agents look at the two dossiers a
-- partner event's references name, and say why the alert can be closed.
ALTER TABLE correlation_alert ADD COLUMN resolved_by INTEGER REFERENCES app_user (id);
ALTER TABLE correlation_alert ADD COLUMN resolution TEXT;
