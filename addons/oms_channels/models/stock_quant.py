from odoo import models


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
        """Tell the channels selling ``product`` that its stock moved."""
        channels = (
            self.env["oms.channel.product"]
            .sudo()
            .search([("product_id", "=", product.id)])
            .channel_id
        )
        if channels:
            channels._oms_queue_stock_push()
