-- France Sésame, the correlation alerts join the alerts desk (PostgreSQL). Keep in step with the
-- other store's 0024.

-- A partner event whose references name several dossiers, or that sends goods to a post not
-- approved for them, is an alert of the desk (`alert`, rules `rapprochement` and
-- `poste_non_agree`): one per site whose dossiers it names, telling that site's agents of their
-- dossiers only, taken and closed with a note like every alert. `correlation_alert` stays the
-- record of the event and of every dossier it named. `alerted`: its alerts are written; those
-- recorded before this migration get theirs once, when the platform starts (see
-- `Store::settle_correlation_alerts`), closed with their resolution if they had one
-- (`resolved_at`, `resolved_by` and `resolution` are read then, and no longer written).
ALTER TABLE correlation_alert ADD COLUMN alerted BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX correlation_alert_pending ON correlation_alert (id) WHERE NOT alerted;
-- The former page listed the unresolved ones; nothing reads `resolved_at` that way any more.
DROP INDEX correlation_alert_open;

-- What these alerts tell the agents (see 0021, 0023).
INSERT INTO notification_kind (code, audience, label, action_required, title, body, position, about_dossier) VALUES
('alerte_rapprochement', 'agent', 'Alerte : références de plusieurs dossiers', FALSE,
 'Alerte {site} : {objet}', '{constat} Voyez le bureau des alertes pour la prendre en charge.', 270, FALSE),
('alerte_poste_non_agree', 'agent', 'Alerte : poste non agréé pour la marchandise', FALSE,
 'Alerte {site} : {objet}', '{constat} Voyez le bureau des alertes pour la prendre en charge.', 280, FALSE);
