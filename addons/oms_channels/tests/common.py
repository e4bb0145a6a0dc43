import json
from pathlib import Path

from odoo.tests import TransactionCase

from tests.odoo_helpers import LocalSimulatorsMixin
from tests.simulators.shopify import CATALOGUE


class ChannelSimulatorCase(LocalSimulatorsMixin, TransactionCase):
    """A channel test talking to a local simulator over real HTTP, with its own
    catalogue, taxes and stock (never demo data)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True, oms_no_mail=True))
        for currency in ("base.EUR", "base.USD"):
            cls.env.ref(currency).active = True
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.env.company.id)], limit=1
        )
        Tax = cls.env["account.tax"]
        cls.vat_included = Tax.create(
            {
                "name": "VAT 20% included",
                "amount": 20.0,
                "type_tax_use": "sale",
                "price_include_override": "tax_included",
            }
        )
        cls.sales_tax = Tax.create(
            {
                "name": "Sales tax 8.25%",
                "amount": 8.25,
                "type_tax_use": "sale",
                "price_include_override": "tax_excluded",
            }
        )
        cls.products = cls.env["product.product"].create(
            [
                {
                    "name": f"{title} {variant}".strip(),
                    "default_code": sku,
                    "is_storable": True,
                    "list_price": float(price),
                }
                for sku, title, variant, price, _item in CATALOGUE
            ]
        )
        cls.by_sku = {product.default_code: product for product in cls.products}

    def set_stock(self, sku, quantity):
        self.env["stock.quant"]._update_available_quantity(
            self.by_sku[sku], self.warehouse.lot_stock_id, quantity
        )

    def stock_everything(self, quantity=50):
        for sku in self.by_sku:
            self.set_stock(sku, quantity)


FIXTURES = Path(__file__).parent.parent / "channel_mappers" / "tests" / "fixtures"


def fixture(system, name):
    """A documented payload kept in the mappers' fixtures (see their SOURCES.md)."""
    return json.loads((FIXTURES / system / name).read_text())


class FixtureChannelsCase(TransactionCase):
    """A Shopify, a WooCommerce and an Amazon channel, with the taxes, products and
    stock the documented payloads of the fixtures need (no API calls)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True, oms_no_mail=True))
        for currency in ("base.EUR", "base.USD"):
            cls.env.ref(currency).active = True
        Channel = cls.env["oms.channel"]
        cls.shopify = Channel.create({"name": "Shop", "channel_type": "shopify"})
        cls.woo = Channel.create({"name": "Woo", "channel_type": "woocommerce"})
        cls.amazon = Channel.create({"name": "Amazon US", "channel_type": "amazon"})
        # The fixtures' tax rates (Shopify 6 %, WooCommerce 7.5 %, Amazon US 10.1 %).
        cls.env["account.tax"].create(
            [
                {
                    "name": f"Sales tax {rate}%",
                    "amount": rate,
                    "type_tax_use": "sale",
                    "price_include_override": "tax_excluded",
                }
                for rate in (6.0, 7.5, 10.1)
            ]
        )
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.env.company.id)], limit=1
        )
        cls.products = cls.env["product.product"].create(
            [
                {"name": name, "default_code": sku, "is_storable": True}
                for sku, name in (
                    ("IPOD2008GREEN", "iPod green"),
                    ("IPOD2008RED", "iPod red"),
                    ("MUG-CER-350", "Mug"),
                    ("Bar3", "Ship Your Idea"),
                    ("NABetaASINB00551Q3CS", "Card Book"),
                )
            ]
        )
        for product in cls.products:
            cls.env["stock.quant"]._update_available_quantity(
                product, cls.warehouse.lot_stock_id, 100
            )
