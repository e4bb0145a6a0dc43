"""Listings may now be to map (no product) and several may be one product.

18.0.2.0.0 makes ``oms.channel.product`` a listing of the channel, unique by the
channel's variant or product id (``channel_key``), with ``product_id`` optional.
Odoo adds the new unique constraint and drops the NOT NULL of ``product_id`` and
``sku`` by itself, but never drops a constraint the code no longer declares: the
former ``unique(channel_id, product_id)`` would refuse to map two listings (two
Amazon seller SKUs, two variants) to one product. Existing rows become
"mapped" listings when the new ``state`` is computed by the update.
"""


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        "ALTER TABLE oms_channel_product "
        "DROP CONSTRAINT IF EXISTS oms_channel_product_channel_product_uniq"
    )
    cr.execute(
        "DELETE FROM ir_model_constraint WHERE name = 'oms_channel_product_channel_product_uniq'"
    )
