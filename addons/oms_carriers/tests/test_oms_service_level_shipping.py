"""Rate shopping follows the order's service level: the cheapest service that
arrives by its deliver-by date, and never slower than a Prime level allows."""

from datetime import datetime

from freezegun import freeze_time

from .common import CarrierCase

# A Tuesday before the manual channel's cut-off: ship by Wednesday's close.
NOW = "2026-03-03 09:00:00"


@freeze_time(NOW)
class TestServiceLevelShipping(CarrierCase):
    def setUp(self):
        super().setUp()
        self.start_easypost()
        self.env["oms.shipping.policy"].create(
            {"name": "Cheapest", "is_default": True, "carrier_ids": self.carrier.ids}
        )
        self.channel = self.env.ref("oms_core.oms_channel_manual")
        calendar = self.env["resource.calendar"].create(
            {"name": "Week", "tz": "UTC", "company_id": self.env.company.id}
        )
        self.env.company.resource_calendar_id = calendar

    def ship(self, codes=(), **channel_dates):
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "oms_channel_id": self.channel.id,
                "order_line": [(0, 0, {"product_id": self.product.id, "product_uom_qty": 1})],
                **self.env["sale.order"]._oms_service_level_vals(
                    self.channel, codes, **channel_dates
                ),
            }
        )
        order.action_confirm()
        picking = order.picking_ids
        picking.action_oms_shop_rates()
        return order, picking.oms_shipping_quote_ids

    @staticmethod
    def winner(quotes):
        return quotes.filtered(lambda q: q.state == "won")

    def test_express_and_standard_orders_ship_differently(self):
        standard, standard_quotes = self.ship(["standard"])
        express, express_quotes = self.ship(["express"])
        # Standard: ship Wednesday, 5 days in transit: by Monday 9th; express: 2
        # days, by Friday 6th. No delivery date typed on either order.
        self.assertFalse(standard.commitment_date or express.commitment_date)
        self.assertEqual(str(standard.oms_deliver_by.date()), "2026-03-09")
        self.assertEqual(str(express.oms_deliver_by.date()), "2026-03-06")
        self.assertEqual(self.winner(standard_quotes).service, "USPS/GroundAdvantage")
        self.assertEqual(self.winner(express_quotes).service, "USPS/Priority")
        self.assertEqual(self.winner(express_quotes).reason, "cheapest that arrives in time")
        slow = express_quotes.filtered(lambda q: q.service == "USPS/GroundAdvantage")
        self.assertEqual(slow.reason, "arrives after the promised date")
        self.assertEqual(express.picking_ids.oms_carrier_service, "USPS/Priority")
        self.assertEqual(express.picking_ids.priority, "1")
        self.assertEqual(standard.picking_ids.priority, "0")

    def test_channel_promise_is_the_deadline(self):
        _order, quotes = self.ship(["standard"], promised_delivery_date=datetime(2026, 3, 4, 20))
        self.assertEqual(self.winner(quotes).service, "USPS/Express")

    def test_prime_never_gets_a_slower_service(self):
        # The channel promises in ten days: ground would arrive in time, but a
        # Prime order ships no slower than the Prime level's two days.
        order, quotes = self.ship(
            ["Std US D2D Dom"], promised_delivery_date=datetime(2026, 3, 13, 20), is_prime=True
        )
        self.assertEqual(
            order.oms_service_level_id, self.env.ref("oms_core.oms_service_level_prime")
        )
        self.assertEqual(self.winner(quotes).service, "USPS/Priority")
        ground = quotes.filtered(lambda q: q.service == "USPS/GroundAdvantage")
        self.assertEqual(ground.state, "lost")
        self.assertIn("slower than the Prime service level allows", ground.reason)
