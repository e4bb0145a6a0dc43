"""Taxes (issue 19, point 6): a tax line without a rate gets it from its amounts;
the total-mismatch hold names the channel tax no Odoo tax matched."""

import json
from pathlib import Path

from odoo.tests import TransactionCase

FIXTURES = Path(__file__).parent.parent / "channel_mappers" / "tests" / "fixtures"


def fixture(system, name):
    return json.loads((FIXTURES / system / name).read_text())


class TestChannelTaxes(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True, oms_no_mail=True))
        cls.env.ref("base.USD").active = True
        cls.woo = cls.env["oms.channel"].create({"name": "Woo", "channel_type": "woocommerce"})
        Tax = cls.env["account.tax"]
        # Near rates that would give other amounts to the cent: never taken.
        cls.decoys = Tax.create(
            [
                {
                    "name": f"Sales tax {rate}%",
                    "amount": rate,
                    "type_tax_use": "sale",
                    "price_include_override": "tax_excluded",
                }
                for rate in (7.0, 8.0)
            ]
        )
        cls.state_tax = Tax.create(
            {
                "name": "CA State Tax 7.5%",
                "amount": 7.5,
                "type_tax_use": "sale",
                "price_include_override": "tax_excluded",
            }
        )
        cls.env["product.product"].create(
            [
                {"name": "Woo Single #1", "default_code": "WOO-SINGLE-1"},
                {"name": "Ship Your Idea", "default_code": "Bar3"},
            ]
        )

    def _import(self, payload):
        inbox, _created = self.env["oms.channel.inbox"]._oms_store(
            self.woo, "webhook", json.dumps(payload)
        )
        inbox._oms_process()
        self.assertEqual(inbox.state, "done", inbox.error_message)
        return inbox.order_id

    def _reasons(self, order):
        return order.oms_hold_ids.filtered(lambda h: h.state == "active").mapped("reason")

    def test_woocommerce_tax_without_rate_gets_it_from_its_amounts(self):
        order = self._import(fixture("woocommerce", "order_no_rate_percent.json"))
        goods = order.order_line.filtered(lambda line: not line.is_delivery)
        self.assertEqual(len(goods), 2)
        self.assertEqual(goods.tax_id, self.state_tax)
        self.assertAlmostEqual(order.amount_total, 29.35)
        self.assertFalse([r for r in self._reasons(order) if "mismatch" in r])

    def test_total_mismatch_hold_names_the_tax_it_could_not_map(self):
        self.state_tax.active = False
        order = self._import(fixture("woocommerce", "order_no_rate_percent.json"))
        (reason,) = [r for r in self._reasons(order) if "mismatch" in r]
        self.assertIn("29.35", reason)
        self.assertIn("“State Tax”", reason)

    def test_channel_tax_mapping_comes_before_the_search_by_rate(self):
        mapped = self.env["account.tax"].create(
            {
                "name": "CA State Tax (mapped)",
                "amount": 7.5,
                "type_tax_use": "sale",
                "price_include_override": "tax_excluded",
            }
        )
        self.woo.tax_map_ids = [
            (0, 0, {"name": "us-ca-state tax", "rate": 7.5, "tax_id": mapped.id})
        ]
        order = self._import(fixture("woocommerce", "order_no_rate_percent.json"))
        goods = order.order_line.filtered(lambda line: not line.is_delivery)
        self.assertEqual(goods.tax_id, mapped, "the rate code maps, before the search by rate")

    def test_a_mapping_of_another_rate_is_not_used(self):
        self.woo.tax_map_ids = [
            (0, 0, {"name": "State Tax", "rate": 8.0, "tax_id": self.decoys[1].id})
        ]
        order = self._import(fixture("woocommerce", "order_no_rate_percent.json"))
        goods = order.order_line.filtered(lambda line: not line.is_delivery)
        self.assertEqual(goods.tax_id, self.state_tax)

    def test_channel_option_creates_the_missing_tax_in_channel_taxes(self):
        self.state_tax.active = False
        self.woo.create_missing_taxes = True
        order = self._import(fixture("woocommerce", "order_no_rate_percent.json"))
        goods = order.order_line.filtered(lambda line: not line.is_delivery)
        created = goods.tax_id
        self.assertEqual(len(created), 1)
        self.assertEqual(
            (created.amount, created.tax_group_id.name, created.price_include),
            (7.5, "Channel Taxes", False),
        )
        self.assertAlmostEqual(order.amount_total, 29.35)
        self.assertFalse([r for r in self._reasons(order) if "mismatch" in r])
        again = dict(fixture("woocommerce", "order_no_rate_percent.json"), id=728)
        self.assertEqual(
            self._import(again).order_line.filtered(lambda line: not line.is_delivery).tax_id,
            created,
            "made once, then found by its rate",
        )

    def test_without_the_option_no_tax_is_created(self):
        self.state_tax.active = False
        self._import(fixture("woocommerce", "order_no_rate_percent.json"))
        self.assertFalse(
            self.env["account.tax"].search([("tax_group_id.name", "=", "Channel Taxes")])
        )

    def test_shopify_order_level_tax_without_rate_matches_from_amounts(self):
        """Shopify's documented order with its tax on the order only, no rate and
        untaxed shipping: each line's share finds the 6 % tax from its amounts."""
        shopify = self.env["oms.channel"].create({"name": "Shop", "channel_type": "shopify"})
        six = self.env["account.tax"].create(
            {
                "name": "State Tax 6%",
                "amount": 6.0,
                "type_tax_use": "sale",
                "price_include_override": "tax_excluded",
            }
        )
        self.env["product.product"].create(
            [
                {"name": "iPod green", "default_code": "IPOD2008GREEN"},
                {"name": "iPod red", "default_code": "IPOD2008RED"},
            ]
        )
        payload = fixture("shopify", "order_taxes_excluded.json")
        del payload["risks"]
        for item in payload["line_items"] + payload["shipping_lines"]:
            item["tax_lines"] = []
        payload["tax_lines"] = [{"title": "State Tax", "price": "35.22"}]
        payload.update(total_tax="35.22", total_price="626.22")
        inbox, _created = self.env["oms.channel.inbox"]._oms_store(
            shopify, "webhook", json.dumps(payload)
        )
        inbox._oms_process()
        order = inbox.order_id
        goods = order.order_line.filtered(lambda line: not line.is_delivery)
        self.assertEqual(goods.tax_id, six)
        self.assertAlmostEqual(order.amount_total, 626.22, delta=0.01)  # a cent: same total
        self.assertFalse([r for r in self._reasons(order) if "mismatch" in r])
