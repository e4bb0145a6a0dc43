from odoo import models

PENDING_KEY = "oms_channels.stock_moved"


class StockQuant(models.Model):
    _inherit = "stock.quant"

    def _update_available_quantity(self, product_id, location_id, *args, **kwargs):
        result = super()._update_available_quantity(product_id, location_id, *args, **kwargs)
        self._oms_stock_moved(product_id)
        return result

    def _update_reserved_quantity(self, product_id, location_id, *args, **kwargs):
        result = super()._update_reserved_quantity(product_id, location_id, *args, **kwargs)
        self._oms_stock_moved(product_id)
        return result

    def _oms_stock_moved(self, product):
        """Remember that ``product`` moved; the channels that sell it and push on
        change get one push job each when the transaction commits."""
        channel_ids = self.env["oms.channel.product"]._oms_push_channels_of(product.id)
        if not channel_ids:
            return
        precommit = self.env.cr.precommit
        pending = precommit.data.get(PENDING_KEY)
        if pending is None:
            pending = precommit.data[PENDING_KEY] = set()
            precommit.add(self._oms_queue_stock_pushes)
        pending.update(channel_ids)

    def _oms_queue_stock_pushes(self):
        channel_ids = self.env.cr.precommit.data.pop(PENDING_KEY, set())
        self.env["oms.channel"].sudo().browse(sorted(channel_ids)).exists()._oms_queue_stock_push()
