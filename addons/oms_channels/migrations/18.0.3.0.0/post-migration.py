"""A Shopify channel's single location becomes its first location mapping.

18.0.3.0.0 maps each Shopify location to an Odoo warehouse
(``oms.channel.location``). A channel set up before has one location id
(``shopify_location_id``) sent the stock of its warehouse: it gets one mapping
row of that id and that warehouse, so it pushes as before. A channel without a
warehouse (all the company's warehouses) gets the row unmapped and keeps pushing
through ``shopify_location_id``, which stays the fallback while no row is mapped.
"""


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """
        INSERT INTO oms_channel_location
               (channel_id, company_id, remote_id, name, remote_active, warehouse_id,
                create_uid, create_date, write_uid, write_date)
        SELECT channel.id, channel.company_id, trim(channel.shopify_location_id),
               trim(channel.shopify_location_id), TRUE, channel.warehouse_id,
               1, now() AT TIME ZONE 'UTC', 1, now() AT TIME ZONE 'UTC'
          FROM oms_channel channel
         WHERE channel.channel_type = 'shopify'
           AND coalesce(trim(channel.shopify_location_id), '') != ''
           AND NOT EXISTS (
                   SELECT 1 FROM oms_channel_location mapping
                    WHERE mapping.channel_id = channel.id
                      AND mapping.remote_id = trim(channel.shopify_location_id)
               )
        """
    )
