-- A neutralized copy of the database (odoo-bin neutralize, or a restore with
-- "neutralize") must not talk to the live shops: the channels' API credentials
-- and webhook secrets are blanked (a pull, push or webhook then fails with a
-- message, nothing is sent), an EDI partner's folders are forgotten (no
-- production interchange is taken, no document is written for the partner),
-- stock is no longer pushed on change, and the scheduled pulls and pushes stop.
UPDATE oms_channel
   SET shopify_access_token = NULL,
       woocommerce_consumer_key = NULL,
       woocommerce_consumer_secret = NULL,
       amazon_client_secret = NULL,
       amazon_refresh_token = NULL,
       ebay_client_secret = NULL,
       ebay_refresh_token = NULL,
       edi_inbox_path = NULL,
       edi_outbox_path = NULL,
       edi_archive_path = NULL,
       webhook_secret = NULL,
       stock_push_on_change = false;
UPDATE ir_cron
   SET active = false
 WHERE id IN (SELECT res_id
                FROM ir_model_data
               WHERE module = 'oms_channels' AND model = 'ir.cron');
