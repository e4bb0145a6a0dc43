from odoo import api, fields, models


class OmsStockCheck(models.Model):
    """A product whose stock moved since the last check: stock moves done,
    reserved or cancelled and receipts planned or moved add a row (one insert
    per batch, no lock on anything shared); the cron takes them all, then
    checks stock alerts and backorder dates once per product."""

    _name = "oms.stock.check"
    _description = "Product Stock to Check"
    _log_access = False

    product_id = fields.Many2one("product.product", required=True, ondelete="cascade")

    @api.model
    def _oms_enqueue(self, products):
        ids = sorted(set(products.ids))
        if ids:
            self.env.cr.execute(
                "INSERT INTO oms_stock_check (product_id) SELECT unnest(%s::int[])", [ids]
            )

    @api.model
    def _cron_oms_stock_check(self, chunk=500):
        """Take every queued product (the rows go with this transaction: a failed
        run leaves them for the next one) and check them in chunks."""
        self.env.cr.execute("DELETE FROM oms_stock_check RETURNING product_id")
        ids = sorted({row[0] for row in self.env.cr.fetchall()})
        Product = self.env["product.product"].sudo().with_context(active_test=False)
        for start in range(0, len(ids), chunk):
            products = Product.browse(ids[start : start + chunk]).exists()
            products._oms_update_backorder_dates()
            products._oms_check_stock_alerts()
        return len(ids)
