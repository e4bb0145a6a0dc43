from collections import defaultdict

from odoo import _, fields, models
from odoo.tools import float_compare, float_is_zero, float_round

DEMAND_STATES = ("waiting", "confirmed", "partially_available")


class ProductProduct(models.Model):
    _inherit = "product.product"

    # --- stock alerts --------------------------------------------------------------------
    def _oms_stock_alert_thresholds(self, warehouses):
        """``{product id: threshold}``: the minimum of the reordering rules of
        ``warehouses`` summed (where the product has one: automatic rules, or manual
        ones with a minimum), else the product's *Stock Alert Below*, else its
        category's. Products without any are left out."""
        thresholds = {}
        for product, minimum in (
            self.env["stock.warehouse.orderpoint"]
            .sudo()
            ._read_group(
                [
                    ("product_id", "in", self.ids),
                    ("warehouse_id", "in", warehouses.ids),
                    "|",
                    ("trigger", "=", "auto"),
                    ("product_min_qty", ">", 0),
                ],
                ["product_id"],
                ["product_min_qty:sum"],
            )
        ):
            thresholds[product.id] = minimum
        for product in self:
            if product.id not in thresholds:
                own = product.oms_stock_alert_qty or product.categ_id.oms_stock_alert_qty
                if own > 0:
                    thresholds[product.id] = own
        return thresholds

    def _oms_check_stock_alerts(self):
        """A To-Do for purchasing (the company's *Stock Alerts To*) on each of
        these products whose free stock across the company's sources (as routing
        counts it: on hand - reserved - held, sellable locations only) is below its
        threshold; one open To-Do per product, however often it is checked."""
        products = self.filtered("is_storable")
        if not products:
            return self.env["mail.activity"]
        sources = self.env["oms.routing.source"].sudo().search([("kind", "!=", "dropship")])
        created = self.env["mail.activity"]
        for company in sources.company_id:
            user = company._oms_stock_alert_user()
            if not user:
                continue
            company_sources = sources.filtered(lambda s, c=company: s.company_id == c)
            thresholds = products._oms_stock_alert_thresholds(company_sources.warehouse_id)
            if not thresholds:
                continue
            watched = products.filtered(lambda p, t=thresholds: p.id in t)
            free = defaultdict(float)
            for per_product in company_sources._oms_free_stock(watched, lock=False).values():
                for product_id, quantity in per_product.items():
                    free[product_id] += quantity
            low = watched.filtered(
                lambda p, t=thresholds, f=free: float_compare(
                    f[p.id], t[p.id], precision_rounding=p.uom_id.rounding
                )
                < 0
            )
            if not low:
                continue
            open_alerts = low.sudo().activity_search(["mail.mail_activity_data_todo"])
            alerted = set(open_alerts.mapped("res_id"))
            for product in low.filtered(lambda p, a=alerted: p.id not in a):
                quantity = float_round(free[product.id], precision_rounding=product.uom_id.rounding)
                created |= product.sudo().activity_schedule(
                    "mail.mail_activity_data_todo",
                    date_deadline=fields.Date.context_today(self),
                    summary=_("Low stock: reorder %s", product.display_name),
                    note=_(
                        "Free stock across the fulfilment sources: %(free)s %(uom)s, "
                        "below %(threshold)s.",
                        free=quantity,
                        uom=product.uom_id.name,
                        threshold=thresholds[product.id],
                    ),
                    user_id=user.id,
                )
        return created

    # --- backorder dates -----------------------------------------------------------------
    def _oms_update_backorder_dates(self):
        """Store on each order line of these products that waits for stock at a
        fulfilment source how much waits (``oms_backorder_qty``) and the date the
        receipts planned there cover it (``oms_backorder_date``; empty: no date
        yet), first come first served: the waiting deliveries in the order Odoo
        reserves them when stock arrives (priority, date, id), the free stock now
        first, then the incoming moves by date. Lines no longer waiting are
        cleared."""
        products = self.filtered("is_storable")
        if not products:
            return
        Line = self.env["sale.order.line"].sudo()
        sources = self.env["oms.routing.source"].sudo().search([("kind", "!=", "dropship")])
        warehouses = sources.warehouse_id
        found = {}
        if warehouses:
            found = products._oms_backorder_dates(sources)
        previous = Line.search([("product_id", "in", products.ids), ("oms_backorder_qty", "!=", 0)])
        for line in previous | Line.browse(list(found)):
            quantity, date = found.get(line.id, (0.0, False))
            if (
                float_compare(
                    quantity, line.oms_backorder_qty, precision_rounding=line.product_uom.rounding
                )
                or (date or False) != line.oms_backorder_date
            ):
                line.write({"oms_backorder_qty": quantity, "oms_backorder_date": date or False})

    def _oms_backorder_dates(self, sources):
        """``{sale line id: (quantity waiting in the line's unit, date or None)}``
        for the deliveries of these products waiting at ``sources``' warehouses."""
        Move = self.env["stock.move"].sudo()
        warehouses = sources.warehouse_id
        demand = Move.search(
            [
                ("product_id", "in", self.ids),
                ("state", "in", DEMAND_STATES),
                ("sale_line_id", "!=", False),
                ("picking_type_id.code", "=", "outgoing"),
                ("location_id.warehouse_id", "in", warehouses.ids),
            ],
            order="priority desc, date asc, id asc",
        )
        if not demand:
            return {}
        incoming = Move.search(
            [
                ("product_id", "in", demand.product_id.ids),
                ("state", "not in", ("draft", "done", "cancel")),
                ("location_id.usage", "in", ("supplier", "production")),
                ("location_dest_id.usage", "=", "internal"),
                ("location_dest_id.warehouse_id", "in", warehouses.ids),
            ],
            order="date asc, id asc",
        )
        supply = defaultdict(list)  # (warehouse id, product id): [(date, quantity)]
        for move in incoming:
            supply[(move.location_dest_id.warehouse_id.id, move.product_id.id)].append(
                (move.date.date(), move.product_qty)
            )
        source_of = {source.warehouse_id.id: source for source in sources}
        free = sources._oms_free_stock(demand.product_id, lock=False)
        today = fields.Date.context_today(self)
        state = {}  # (warehouse id, product id): [covered, claimed, next receipt index, date]
        result = {}
        for move in demand:
            product = move.product_id
            rounding = product.uom_id.rounding
            reserved = move.product_uom._compute_quantity(move.quantity, product.uom_id)
            missing = move.product_qty - reserved
            if float_is_zero(missing, precision_rounding=rounding) or missing < 0:
                continue
            key = (move.location_id.warehouse_id.id, product.id)
            if key not in state:
                now = free.get(source_of[key[0]].id, {}).get(product.id, 0.0)
                # Negative when orders on hold keep more than there is: they come first.
                state[key] = [now, 0.0, 0, today]
            covered, claimed, index, date = state[key]
            claimed += missing
            receipts = supply[key]
            while float_compare(covered, claimed, precision_rounding=rounding) < 0 and index < len(
                receipts
            ):
                date, quantity = receipts[index]
                covered += quantity
                index += 1
            state[key] = [covered, claimed, index, date]
            enough = float_compare(covered, claimed, precision_rounding=rounding) >= 0
            line = move.sale_line_id
            waiting = product.uom_id._compute_quantity(missing, line.product_uom)
            quantity, line_date = result.get(line.id, (0.0, today))
            if line_date is not None:
                line_date = max(line_date, date) if enough else None
            result[line.id] = (quantity + waiting, line_date)
        return result
