"""The last units sold once under four parallel imports (issue 20, point 6).

One product has N units left in one fulfilment source. Four channels (a Shopify
shop each, on its own local simulator) deliver an order for it at the same
moment; each import runs in its own thread and transaction, as four job workers
would, and is retried whole when it fails to serialize with another (as
queue_job does). Afterwards no more than N units are reserved, every other unit
waits as a backorder, nothing is oversold, and each channel is sent 0.

Real transactions: this test commits what it does and removes it afterwards
(BaseCase and its own cursors, as test_oms_channel_reliability.py).
"""

import json
import logging
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import psycopg2

from odoo.modules.registry import Registry
from odoo.tests.common import BaseCase, get_db_name, tagged
from odoo.tools import float_compare, mute_logger

from odoo.addons.queue_job.exception import RetryableJobError

from tests.odoo_helpers import CommittedEnvMixin, LocalSimulatorsMixin
from tests.simulators.shopify import CATALOGUE, ShopifySimulator, generate_orders

_logger = logging.getLogger(__name__)

CHANNELS = 4
UNITS_LEFT = 3
SKU, _TITLE, _VARIANT, PRICE, ITEM_ID = CATALOGUE[3]


def last_unit_orders(run):
    """One order per channel for the same SKU only (quantities 1 to 3, more in
    all than UNITS_LEFT), paid, each with its own id."""
    found = []
    for order in generate_orders(400, seed=20, lines=1, start_id=run):
        if order["line_items"][0]["sku"] == SKU:
            found.append(dict(order, financial_status="paid"))
        if len(found) == CHANNELS:
            break
    assert sum(o["line_items"][0]["quantity"] for o in found) > UNITS_LEFT
    return found


@tagged("post_install", "-at_install")
class TestNoOversellUnderParallelImports(CommittedEnvMixin, LocalSimulatorsMixin, BaseCase):
    def setUp(self):
        super().setUp()
        self.registry = Registry(get_db_name())
        self.sims = [ShopifySimulator().start() for _index in range(CHANNELS)]
        for sim in self.sims:
            self.addCleanup(sim.stop)
        self.ids = {}
        self.addCleanup(self._remove_data)
        run = uuid.uuid4().hex[:4].upper()
        with self._env() as env:
            if "oms.routing.source" not in env:
                self.skipTest("routing (oms_routing) decides where the units go")
            # Committed, so put back after: the currency and the sources.
            self.ids["eur_active"] = env.ref("base.EUR").active
            env.ref("base.EUR").active = True
            # The company's warehouse is the one source (a new product: its only
            # units are this test's); the other sources stay out of it.
            warehouse = env["stock.warehouse"].search(
                [("company_id", "=", env.company.id)], limit=1
            )
            Source = env["oms.routing.source"].with_context(active_test=False)
            source = Source.search([("warehouse_id", "=", warehouse.id)])
            if source:
                self.ids["source_was_active"] = (source.id, source.active)
                source.active = True
            else:
                source = Source.create({"warehouse_id": warehouse.id})
                self.ids["source"] = source.id
            others = env["oms.routing.source"].search([("id", "!=", source.id)])
            others.active = False
            self.ids["other_sources"] = others.ids
            tax = env["account.tax"].create(
                {
                    "name": f"VAT 20% included ({run})",
                    "amount": 20.0,
                    "type_tax_use": "sale",
                    "price_include_override": "tax_included",
                }
            )
            self.ids["tax"] = tax.id
            product = env["product.product"].create(
                {
                    "name": f"Last units {run}",
                    "default_code": SKU,
                    "is_storable": True,
                    "list_price": float(PRICE),
                    "taxes_id": [(6, 0, tax.ids)],
                }
            )
            self.ids["product"] = product.id
            env["stock.quant"]._update_available_quantity(
                product, warehouse.lot_stock_id, UNITS_LEFT
            )
            channels = env["oms.channel"].create(
                [
                    {
                        "name": f"Shop {index} ({run})",
                        "channel_type": "shopify",
                        "allow_insecure_http": True,  # the local simulators
                        "api_base_url": sim.url,
                        "shopify_access_token": sim.access_token,
                        "shopify_location_id": str(sim.location_id),
                        "warehouse_id": warehouse.id,
                        "stock_buffer": 0,
                    }
                    for index, sim in enumerate(self.sims)
                ]
            )
            self.ids["channels"] = channels.ids
        self.payloads = last_unit_orders(int(uuid.uuid4().int % 10**9) + 10**9)

    def _remove_data(self):
        ids = self.ids
        with self._env() as env:
            channels = env["oms.channel"].browse(ids.get("channels", [])).exists()
            orders = env["sale.order"].search([("oms_channel_id", "in", channels.ids)])
            partners = orders.partner_id | orders.partner_shipping_id | orders.partner_invoice_id
            payments = env["account.payment"].search([("oms_channel_id", "in", channels.ids)])
            moves = orders.invoice_ids | env["account.move"].search(
                [("oms_channel_id", "in", channels.ids)]
            )
            (moves | payments.move_id).line_ids.remove_move_reconcile()
            payments.action_draft()
            payments.unlink()
            moves.filtered(lambda m: m.state == "posted").button_draft()
            moves.with_context(force_delete=True).unlink()
            journals = channels.payment_journal_id
            orders.filtered(lambda o: o.state != "cancel").with_context(
                oms_channel_cancelled=True
            )._action_cancel()
            pickings = orders.picking_ids
            pickings.move_ids.move_line_ids.unlink()
            pickings.move_ids.unlink()
            pickings.unlink()
            orders.unlink()
            ours = {
                "oms.channel": set(channels.ids),
                "oms.channel.inbox": set(channels.inbox_ids.ids),
                "sale.order": set(orders.ids),
            }
            env["queue.job"].search([("model_name", "in", list(ours))]).filtered(
                lambda job: set(job.records.ids) & ours[job.model_name]
            ).unlink()
            channels.inbox_ids.unlink()
            channels.product_binding_ids.unlink()
            partners.exists().filtered(lambda p: not p.sale_order_ids).unlink()
            locations = channels.fulfilled_location_id
            operations = channels.fulfilled_picking_type_id
            channels.unlink()
            operations.unlink()
            locations.unlink()
            journals.unlink()
            if ids.get("product"):
                env["stock.quant"].search([("product_id", "=", ids["product"])]).unlink()
                env["product.product"].browse(ids["product"]).unlink()
            if ids.get("tax"):
                env["account.tax"].browse(ids["tax"]).unlink()
            if "eur_active" in ids:
                env.ref("base.EUR").active = ids["eur_active"]
            if "oms.routing.source" not in env:
                return
            if ids.get("source"):
                env["oms.routing.source"].browse(ids["source"]).unlink()
            if ids.get("source_was_active"):
                source_id, active = ids["source_was_active"]
                env["oms.routing.source"].browse(source_id).active = active
            env["oms.routing.source"].browse(ids.get("other_sources", [])).active = True

    def _import(self, index, barrier):
        """Channel ``index``'s order, imported (and released, as an operator would
        when a hold stopped it) in one transaction; tried again when it fails to
        serialize with another. Returns the number of attempts."""
        threading.current_thread().testing = True
        for attempt in range(20):
            try:
                with self._env() as env:
                    channel = env["oms.channel"].browse(self.ids["channels"][index])
                    if not attempt:
                        barrier.wait(timeout=60)
                    inbox = env["oms.channel.inbox"]._oms_store(
                        channel, "webhook", json.dumps(self.payloads[index])
                    )[0]
                    inbox._oms_process()
                    order = inbox.order_id
                    order.oms_hold_ids.filtered(lambda h: h.state == "active").action_release(
                        "checked"
                    )
                    if order.state != "sale":
                        order.action_confirm()
                    env.flush_all()
                return attempt + 1
            except (psycopg2.OperationalError, RetryableJobError):
                continue
        return None

    @mute_logger("odoo.sql_db", "odoo.addons.oms_channels.models.oms_channel_inbox")
    def test_four_channels_selling_the_last_units_at_once_oversell_nothing(self):
        barrier = threading.Barrier(CHANNELS)
        with ThreadPoolExecutor(max_workers=CHANNELS) as pool:
            attempts = list(pool.map(lambda i: self._import(i, barrier), range(CHANNELS)))
        self.assertNotIn(None, attempts, "every import ends")
        with self._env() as env:
            product = env["product.product"].browse(self.ids["product"])
            channels = env["oms.channel"].browse(self.ids["channels"])
            orders = env["sale.order"].search([("oms_channel_id", "in", channels.ids)])
            self.assertEqual(len(orders), CHANNELS, "one order per channel")
            self.assertEqual(set(orders.mapped("state")), {"sale"})
            demand = sum(
                orders.order_line.filtered(lambda ol: ol.product_id == product).mapped(
                    "product_uom_qty"
                )
            )
            deliveries = orders.picking_ids.filtered(lambda p: p.picking_type_code == "outgoing")
            moves = deliveries.move_ids.filtered(lambda m: m.product_id == product)
            reserved = sum(moves.mapped("quantity"))
            quants = env["stock.quant"].search([("product_id", "=", product.id)])
            on_hand = sum(quants.mapped("quantity"))
            self.assertEqual(on_hand, UNITS_LEFT)
            self.assertEqual(sum(quants.mapped("reserved_quantity")), reserved)
            # Allocated: no more than there is, and all of it (nothing is left unsold).
            self.assertEqual(reserved, UNITS_LEFT, "units reserved")
            self.assertEqual(float_compare(reserved, on_hand, 2), 0, "0 oversold")
            waiting = orders.order_line.mapped("oms_backorder_qty")
            self.assertEqual(sum(waiting), demand - UNITS_LEFT, "the rest waits as backorders")
            for order in orders:
                line = order.order_line.filtered(lambda ol: ol.product_id == product)
                line_reserved = sum(
                    moves.filtered(lambda m, ol=line: m.sale_line_id == ol).mapped("quantity")
                )
                self.assertEqual(
                    line_reserved + line.oms_backorder_qty,
                    line.product_uom_qty,
                    f"{order.name}: each unit reserved or waiting",
                )
            for channel in channels:
                channel._oms_push_stock()
            self.report = {
                "attempts": attempts,
                "demand": demand,
                "reserved": reserved,
                "backordered": sum(waiting),
            }
        for sim in self.sims:
            self.assertEqual(
                sim.inventory_levels.get((ITEM_ID, sim.location_id)),
                0,
                "each channel is sent 0",
            )
        _logger.info("oversell under %s parallel imports: %s", CHANNELS, self.report)
