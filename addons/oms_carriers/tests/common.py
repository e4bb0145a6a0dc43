from odoo.tests import TransactionCase

from tests.odoo_helpers import LocalSimulatorsMixin
from tests.simulators.easypost import EasyPostSimulator


class CarrierCase(LocalSimulatorsMixin, TransactionCase):
    """A delivery of its own (customer, warehouse address, product with weight, stock)
    shipped with a carrier talking to a local simulator over real HTTP."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True, oms_no_mail=True))
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.env.company.id)], limit=1
        )
        cls.warehouse.partner_id.write(
            {
                "street": "1 Warehouse Way",
                "city": "San Francisco",
                "zip": "94107",
                "state_id": cls.env.ref("base.state_us_5").id,
                "country_id": cls.env.ref("base.us").id,
                "phone": "+14155550000",
            }
        )
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "Dr. Steve Brule",
                "street": "179 N Harbor Dr",
                "city": "Redondo Beach",
                "zip": "90277",
                "state_id": cls.env.ref("base.state_us_5").id,
                "country_id": cls.env.ref("base.us").id,
                "phone": "+13105551234",
                "email": "steve@example.com",
            }
        )
        cls.product = cls.env["product.product"].create(
            {"name": "Bottle", "is_storable": True, "weight": 0.75, "default_code": "BOTTLE"}
        )
        cls.env["stock.quant"]._update_available_quantity(
            cls.product, cls.warehouse.lot_stock_id, 100
        )
        cls.delivery_product = cls.env["product.product"].create(
            {"name": "Shipping", "type": "service", "list_price": 7.5}
        )

    def make_carrier(self, delivery_type, **values):
        if (values.get("oms_api_base_url") or "").startswith("http://127.0.0.1"):
            values.setdefault("oms_allow_insecure_http", True)  # the local simulators
        return self.env["delivery.carrier"].create(
            {
                "name": values.pop("name", delivery_type),
                "delivery_type": delivery_type,
                "product_id": self.delivery_product.id,
                **values,
            }
        )

    def start_easypost(self, **values):
        """The EasyPost simulator, started for this test, and a carrier using it."""
        self.sim = EasyPostSimulator().start()
        self.addCleanup(self.sim.stop)
        self.carrier = self.make_carrier(
            "oms_easypost",
            name="EasyPost",
            oms_api_base_url=self.sim.url,
            oms_api_key=self.sim.api_key,
            **values,
        )
        return self.carrier

    def make_delivery(self, carrier, quantity=2, partner=None):
        partner = partner or self.customer
        picking = self.env["stock.picking"].create(
            {
                "picking_type_id": self.warehouse.out_type_id.id,
                "partner_id": partner.id,
                "carrier_id": carrier.id,
                "move_ids": [
                    (
                        0,
                        0,
                        {
                            "name": self.product.name,
                            "product_id": self.product.id,
                            "product_uom_qty": quantity,
                            "location_id": self.warehouse.lot_stock_id.id,
                            "location_dest_id": partner.property_stock_customer.id,
                        },
                    )
                ],
            }
        )
        picking.action_confirm()
        picking.action_assign()
        picking.move_ids.picked = True
        return picking

    def labels(self, picking):
        return self.env["ir.attachment"].search(
            [("res_model", "=", "stock.picking"), ("res_id", "=", picking.id)]
        )
