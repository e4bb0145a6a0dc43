-- A neutralized copy of the database (odoo-bin neutralize, or a restore with
-- "neutralize") must not talk to the live carriers: the OMS carriers' API keys,
-- client IDs and secrets and webhook secrets are blanked (a label, quote or poll
-- then asks for credentials, a tracking webhook is refused), the carriers are
-- archived (Odoo's delivery does it too for every carrier with an API), and the
-- tracking poll stops.
UPDATE delivery_carrier
   SET oms_api_key = NULL,
       oms_client_id = NULL,
       oms_client_secret = NULL,
       oms_webhook_secret = NULL,
       active = false
 WHERE delivery_type IN ('oms_easypost', 'oms_ups', 'oms_fedex', 'oms_postlogistics', 'oms_own_fleet');
UPDATE ir_cron
   SET active = false
 WHERE id IN (SELECT res_id
                FROM ir_model_data
               WHERE module = 'oms_carriers' AND model = 'ir.cron');
