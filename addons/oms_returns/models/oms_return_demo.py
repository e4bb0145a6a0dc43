"""The demo journey: orders of each sales channel at each stage, and a portal
customer with a delivered order to return. Called by the demo data only
(``demo/oms_returns_demo.xml``), no model of its own; everything goes through the
addons' own methods, without calling any channel or carrier.

It uses only what oms_returns depends on: its own demo products, oms_carriers' demo
carrier, and the channels it finds (oms_channels' demo channels, when that addon
and its demo data are installed; else the portal customer's order alone, on the
default channel)."""

from datetime import timedelta

from odoo import api, fields, models

from odoo.addons.oms_carriers.carrier_clients.models import Tracking, TrackingEvent

PRODUCTS = (
    "oms_returns.demo_product_linen_shirt",
    "oms_returns.demo_product_wool_scarf",
    "oms_returns.demo_product_leather_belt",
)
STAGES = ("on_hold", "routed", "shipped", "delivered", "returned")
CUSTOMERS = (
    ("Léa Martin", "lea.martin@example.com", "Rue de Rivoli 12", "Paris", "75001", "base.fr"),
    ("Jonas Weber", "jonas.weber@example.com", "Bahnhofstrasse 5", "Zürich", "8001", "base.ch"),
    ("Emma Janssens", "emma.janssens@example.com", "Meir 40", "Antwerpen", "2000", "base.be"),
    ("Lucas Rossi", "lucas.rossi@example.com", "Via Roma 8", "Milano", "20121", "base.it"),
)


class OmsReturn(models.Model):
    _inherit = "oms.return"

    @api.model
    def _oms_demo_journey(self):
        """Called by the demo data (``demo/oms_returns_demo.xml``) only."""
        env = self.env(context=dict(self.env.context, oms_channel_already_told=True))
        carrier = env.ref("oms_carriers.demo_carrier_own_fleet")
        products = [env.ref(xmlid) for xmlid in PRODUCTS]
        # The sales channels but the default one (Manual / Backend): oms_channels'
        # demo channels when they are there, in the order they were made.
        channels = env["oms.channel"].search(
            [("channel_type", "!=", "manual")], order="id", limit=len(CUSTOMERS)
        )
        for index, channel in enumerate(channels):
            customer = _customer(env, *CUSTOMERS[index])
            for position, stage in enumerate(STAGES):
                lines = [
                    products[(index + position) % len(products)],
                    products[(index + position + 2) % len(products)],
                ]
                order = _order(env, channel, customer, lines, f"DEMO-{index}{position}", stage)
                _advance(env, order, stage, carrier)
        # The portal customer of the README, with a delivered order to return.
        user = env.ref("oms_returns.demo_portal_customer")
        order = _order(env, channels[:1], user.partner_id, products[:2], "DEMO-PORTAL", "delivered")
        _advance(env, order, "delivered", carrier)


def _customer(env, name, email, street, city, zip_code, country):
    Partner = env["res.partner"]
    return Partner.search([("email", "=", email)], limit=1) or Partner.create(
        {
            "name": name,
            "email": email,
            "street": street,
            "city": city,
            "zip": zip_code,
            "country_id": env.ref(country).id,
        }
    )


def _order(env, channel, customer, products, reference, stage):
    vals = {"oms_channel_id": channel.id} if channel else {}
    order = env["sale.order"].create(
        {
            **vals,
            "partner_id": customer.id,
            "oms_external_ref": f"{reference}-{channel.id or 0}",
            "client_order_ref": reference,
            "oms_fraud_score": 90 if stage == "on_hold" else 5,
            "order_line": [
                (0, 0, {"product_id": product.id, "product_uom_qty": 1}) for product in products
            ],
        }
    )
    order.action_confirm()  # held orders wait on their fraud hold
    return order


def _advance(env, order, stage, carrier):
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
        env["oms.carrier.shipment"]._oms_apply_tracking(
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
    request = env["oms.return"].create(
        {
            "partner_id": order.partner_id.id,
            "line_ids": [
                (
                    0,
                    0,
                    {
                        "sale_line_id": line.id,
                        "quantity": 1,
                        "reason_id": env.ref("oms_returns.reason_too_small").id,
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
