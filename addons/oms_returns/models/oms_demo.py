"""Demo data of the whole journey: orders of every demo channel at each stage, and
a portal customer with a delivered order to return. Installed with demo data only
(``demo/oms_returns_demo.xml``); everything goes through the addons' own methods,
without calling any channel or carrier."""

from datetime import timedelta

from odoo import api, fields, models

from odoo.addons.oms_carriers.carrier_clients.models import Tracking, TrackingEvent

CHANNELS = (
    "oms_channels.demo_channel_shopify",
    "oms_channels.demo_channel_woocommerce",
    "oms_channels.demo_channel_amazon",
    "oms_channels.demo_channel_file",
)
PRODUCTS = (
    "oms_channels.demo_product_tshirt_black_m",
    "oms_channels.demo_product_mug",
    "oms_channels.demo_product_hoodie_grey_m",
    "oms_channels.demo_product_socks",
    "oms_channels.demo_product_cap_red",
)
STAGES = ("on_hold", "routed", "shipped", "delivered", "returned")
CUSTOMERS = (
    ("Léa Martin", "lea.martin@example.com", "Rue de Rivoli 12", "Paris", "75001", "base.fr"),
    ("Jonas Weber", "jonas.weber@example.com", "Bahnhofstrasse 5", "Zürich", "8001", "base.ch"),
    ("Emma Janssens", "emma.janssens@example.com", "Meir 40", "Antwerpen", "2000", "base.be"),
    ("Lucas Rossi", "lucas.rossi@example.com", "Via Roma 8", "Milano", "20121", "base.it"),
)


class OmsDemo(models.AbstractModel):
    _name = "oms.demo"
    _description = "OMS demo journey"

    @api.model
    def _oms_populate(self):
        demo = self.with_context(oms_channel_already_told=True)
        demo._oms_populate_all()

    def _oms_populate_all(self):
        env = self.env
        carrier = env.ref("oms_carriers.demo_carrier_own_fleet")
        products = [env.ref(xmlid) for xmlid in PRODUCTS]
        for index, xmlid in enumerate(CHANNELS):
            channel = env.ref(xmlid, raise_if_not_found=False)
            if not channel:
                continue
            customer = self._oms_customer(*CUSTOMERS[index])
            for position, stage in enumerate(STAGES):
                lines = [products[(index + position) % 5], products[(index + position + 2) % 5]]
                order = self._oms_order(channel, customer, lines, f"DEMO-{index}{position}", stage)
                self._oms_advance(order, stage, carrier)
        # The portal customer of the README, with a delivered order to return.
        user = env.ref("oms_returns.demo_portal_customer")
        order = self._oms_order(
            env.ref(CHANNELS[0]), user.partner_id, products[:2], "DEMO-PORTAL", "delivered"
        )
        self._oms_advance(order, "delivered", carrier)

    def _oms_customer(self, name, email, street, city, zip_code, country):
        Partner = self.env["res.partner"]
        return Partner.search([("email", "=", email)], limit=1) or Partner.create(
            {
                "name": name,
                "email": email,
                "street": street,
                "city": city,
                "zip": zip_code,
                "country_id": self.env.ref(country).id,
            }
        )

    def _oms_order(self, channel, customer, products, reference, stage):
        order = self.env["sale.order"].create(
            {
                "partner_id": customer.id,
                "oms_channel_id": channel.id,
                "oms_external_ref": f"{reference}-{channel.id}",
                "client_order_ref": reference,
                "oms_fraud_score": 90 if stage == "on_hold" else 5,
                "order_line": [
                    (0, 0, {"product_id": product.id, "product_uom_qty": 1}) for product in products
                ],
            }
        )
        order.action_confirm()  # held orders wait on their fraud hold
        return order

    def _oms_advance(self, order, stage, carrier):
        if stage in ("on_hold", "routed"):
            return
        for delivery in order.picking_ids.filtered(lambda p: p.picking_type_code == "outgoing"):
            delivery.carrier_id = carrier
            for move in delivery.move_ids:
                move.quantity = move.product_uom_qty
            delivery.move_ids.picked = True
            # Done as the warehouse would, without asking a carrier to check the address.
            delivery.with_context(cancel_backorder=True)._action_done()
        if stage == "shipped":
            return
        moment = fields.Datetime.now() - timedelta(days=2)
        for shipment in order.picking_ids.oms_carrier_shipment_ids:
            self.env["oms.carrier.shipment"]._oms_apply_tracking(
                Tracking(
                    tracking_number=shipment.tracking_number,
                    status="delivered",
                    carrier_status="DELIVERED",
                    events=(
                        TrackingEvent(
                            status="delivered",
                            carrier_status="DELIVERED",
                            description="Delivered to the customer",
                            occurred_at=moment.isoformat() + "Z",
                        ),
                    ),
                )
            )
        if stage == "delivered":
            return
        invoice = order._create_invoices()
        invoice.action_post()
        line = order.order_line.filtered(lambda ln: not ln.display_type)[:1]
        request = self.env["oms.return"].create(
            {
                "partner_id": order.partner_id.id,
                "line_ids": [
                    (
                        0,
                        0,
                        {
                            "sale_line_id": line.id,
                            "quantity": 1,
                            "reason_id": self.env.ref("oms_returns.reason_too_small").id,
                        },
                    )
                ],
            }
        )
        request._oms_submit()
        request.action_receive()
        request.line_ids.write({"condition": "new", "disposition": "restock"})
        request.action_inspect()
        request.action_refund()
