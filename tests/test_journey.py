"""The whole journey, through every addon and the simulators, in one test.

A Shopify order of 3 lines from a risky customer arrives by signed webhook, waits on
a fraud hold, is released by an OMS User, is routed across two warehouses (one line
short in the nearest), has its rates shopped and labels bought from the EasyPost and
UPS simulators, is tracked to delivered (an EasyPost webhook, a UPS poll), and goes
back to Shopify as fulfillments with their tracking numbers. The customer returns one
item through the portal; the return label, the receipt, the inspection (restock) and
the credit note follow, and the item's stock goes back to Shopify. Every step is
asserted on stored records and on what the simulators received; the order's timeline
shows them in order.
The portal step runs in headless Chromium (a tour of oms_returns).
"""

import json
import os
import shutil
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

from odoo.tests import HttpCase, new_test_user

from odoo.addons.oms_carriers.carrier_clients import easypost_signature
from odoo.addons.oms_channels.channel_clients.webhooks import sign
from odoo.addons.oms_channels.channel_edi import x12
from odoo.addons.queue_job.job import Job

from tests.odoo_helpers import LocalSimulatorsMixin
from tests.simulators.easypost import EasyPostSimulator
from tests.simulators.shopify import CATALOGUE, ShopifySimulator, generate_orders
from tests.simulators.ups import UpsSimulator

ITEMS = {sku: item for sku, _title, _variant, _price, item in CATALOGUE}


class TestJourney(LocalSimulatorsMixin, HttpCase):
    # Outside an addon, Odoo's test metaclass sets none of these.
    test_tags = {"standard", "post_install", "oms_journey"}
    test_module = "oms_journey"
    test_class = "TestJourney"
    test_sequence = 0

    def setUp(self):
        super().setUp()
        self.shopify = ShopifySimulator().start()
        self.easypost = EasyPostSimulator().start()
        self.ups = UpsSimulator().start()
        for sim in (self.shopify, self.easypost, self.ups):
            self.addCleanup(sim.stop)
        env = self.env
        env.ref("base.EUR").active = True
        us = env.ref("base.us")
        self.tax = env["account.tax"].create(
            {
                "name": "VAT 20% included",
                "amount": 20.0,
                "type_tax_use": "sale",
                "price_include_override": "tax_included",
            }
        )
        self.products = env["product.product"].create(
            [
                {
                    "name": f"{title} {variant}".strip(),
                    "default_code": sku,
                    "is_storable": True,
                    "list_price": float(price),
                    "weight": 0.4,
                    "taxes_id": [(6, 0, self.tax.ids)],
                }
                for sku, title, variant, price, _item in CATALOGUE
            ]
        )
        self.by_sku = {p.default_code: p for p in self.products}
        # Two warehouses: the nearest lacks one of the three products.
        self.near = env["stock.warehouse"].search([("company_id", "=", env.company.id)], limit=1)
        self.far = env["stock.warehouse"].create({"name": "Journey Far DC", "code": "JFAR"})
        for warehouse, zip_code in ((self.near, "40202"), (self.far, "89501")):
            warehouse.partner_id.write(
                {"street": "1 Dock St", "city": "Louisville", "zip": zip_code, "country_id": us.id}
            )
        payload = generate_orders(1, seed=8, lines=3)[0]
        self.skus = [item["sku"] for item in payload["line_items"]]
        for sku in self.skus[:2]:
            self._stock(self.near, sku, 20)
        self._stock(self.far, self.skus[2], 20)
        sources = env["oms.routing.source"]
        sources.create(
            {
                "warehouse_id": self.near.id,
                "rank": 1,
                "cost_per_shipment": 2.0,
                "cost_per_line": 0.5,
            }
        )
        sources.create(
            {"warehouse_id": self.far.id, "rank": 2, "cost_per_shipment": 3.0, "cost_per_line": 0.5}
        )
        service = env["product.product"].create({"name": "Shipping", "type": "service"})
        self.easypost_carrier = env["delivery.carrier"].create(
            {
                "name": "EasyPost",
                "delivery_type": "oms_easypost",
                "product_id": service.id,
                "oms_api_base_url": self.easypost.url,
                "oms_allow_insecure_http": True,  # the local simulator
                "oms_api_key": self.easypost.api_key,
                "oms_webhook_secret": self.easypost.webhook_secret,
            }
        )
        self.ups_carrier = env["delivery.carrier"].create(
            {
                "name": "UPS",
                "delivery_type": "oms_ups",
                "product_id": service.id,
                "oms_api_base_url": self.ups.url,
                "oms_allow_insecure_http": True,  # the local simulator
                "oms_client_id": self.ups.client_id,
                "oms_client_secret": self.ups.client_secret,
                "oms_account_number": self.ups.account_number,
            }
        )
        env["oms.shipping.policy"].create(
            {
                "name": "Cheapest",
                "is_default": True,
                "carrier_ids": (self.easypost_carrier | self.ups_carrier).ids,
            }
        )
        for warehouse in (self.near, self.far):
            warehouse.out_type_id.print_label = True
        policy = env.ref("oms_returns.policy_standard")
        policy.return_carrier_id = self.easypost_carrier
        self.oms_user = new_test_user(
            env, login="journey_user", groups="oms_core.group_oms_user,stock.group_stock_user"
        )
        team = env["crm.team"].create({"name": "Web shop team", "member_ids": self.oms_user.ids})
        env.ref("oms_core.oms_hold_rule_fraud").team_id = team  # the team owns fraud holds
        self.channel = env["oms.channel"].create(
            {
                "name": "Shopify journey",
                "team_id": team.id,
                "channel_type": "shopify",
                "api_base_url": self.shopify.url,
                "allow_insecure_http": True,  # the local simulator
                "shopify_access_token": self.shopify.access_token,
                "shopify_location_id": str(self.shopify.location_id),
                "webhook_secret": self.shopify.webhook_secret,
            }
        )
        # A risky customer of the US, with a portal account to return from.
        address = {
            "first_name": "Ray",
            "last_name": "Risky",
            "name": "Ray Risky",
            "address1": "500 Market St",
            "city": "San Francisco",
            "province_code": "CA",
            "zip": "94105",
            "country_code": "US",
            "phone": "+14155550123",
        }
        payload.update(
            email="ray.risky@example.com",
            billing_address=address,
            shipping_address=address,
        )
        self.payload = self.shopify.add_orders([payload])[0]
        # Shopify's assessment of it, read through the Order Risk resource on import.
        self.shopify.set_risks(
            self.payload["id"],
            [{"recommendation": "cancel", "message": "High risk of fraud", "display": True}],
        )

    def _stock(self, warehouse, sku, quantity):
        self.env["stock.quant"]._update_available_quantity(
            self.by_sku[sku], warehouse.lot_stock_id, quantity
        )

    def _run_jobs(self, method=None):
        domain = [("state", "=", "pending")]
        if method:
            domain.append(("method_name", "=", method))
        for job in self.env["queue.job"].search(domain, order="id"):
            Job.load(self.env, job.uuid).perform()
            job.state = "done"

    @staticmethod
    def _customer_mails(record):
        """Subjects of the mails posted to the customer on ``record``, oldest first."""
        messages = record.message_ids.filtered(
            lambda m: m.message_type == "comment" and record.partner_id in m.partner_ids
        )
        return messages.sorted("id").mapped("subject")

    def test_the_whole_journey(self):  # noqa: PLR0915 - one story, told in order
        env = self.env
        # 1. The order arrives by signed webhook and waits on a fraud hold.
        body = json.dumps(self.payload).encode()
        response = self.url_open(
            f"/oms/channels/{self.channel.id}/webhook",
            data=body,
            headers={
                "Content-Type": "application/json",
                "X-Shopify-Topic": "orders/create",
                "X-Shopify-Hmac-Sha256": sign(body, self.shopify.webhook_secret),
            },
        )
        self.assertEqual(response.status_code, 200)
        self._run_jobs("_oms_import_webhooks")
        order = env["sale.order"].search([("oms_channel_id", "=", self.channel.id)])
        self.assertEqual(len(order), 1)
        self.assertEqual(order.oms_stage, "on_hold")
        fraud = order.oms_hold_ids.filtered(lambda h: h.hold_type == "fraud")
        self.assertTrue(fraud)
        # 2. An OMS User releases it; it is routed across the two warehouses.
        order.oms_hold_ids.filtered(lambda h: h.state == "active").with_user(
            self.oms_user
        ).action_release("called the customer")
        self.assertEqual(order.state, "sale")
        deliveries = order.picking_ids.filtered(lambda p: p.picking_type_code == "outgoing")
        self.assertEqual(deliveries.picking_type_id.warehouse_id, self.near | self.far)
        decision = order.oms_routing_decision_ids[:1]
        self.assertTrue(decision.is_split)
        # 3. Rates are shopped; the far parcel goes with UPS by a person's choice.
        near_delivery = deliveries.filtered(lambda p: p.picking_type_id.warehouse_id == self.near)
        far_delivery = deliveries - near_delivery
        far_delivery.action_oms_shop_rates()
        far_delivery.oms_shipping_quote_ids.filtered(lambda q: q.carrier_id == self.ups_carrier)[
            :1
        ].action_use()
        for delivery in (near_delivery, far_delivery):
            delivery.action_assign()
            delivery.move_ids.picked = True
            delivery.button_validate()
            self.assertEqual(delivery.state, "done")
            self.assertTrue(delivery.carrier_tracking_ref, delivery.name)
        self.assertEqual(near_delivery.carrier_id, self.easypost_carrier)
        self.assertEqual(far_delivery.carrier_id, self.ups_carrier)
        self.assertEqual(len(self.easypost.purchases), 1)
        self.assertEqual(len(self.ups.requests_to("POST", r"/ship$")), 1)
        # 4. Shopify hears about both parcels, with their tracking numbers.
        self._run_jobs("_oms_push_shipment")
        numbers = sorted(n for f in self.shopify.fulfillments for n in f["tracking_numbers"])
        self.assertEqual(
            numbers, sorted([near_delivery.carrier_tracking_ref, far_delivery.carrier_tracking_ref])
        )
        # 5. Tracking: an EasyPost webhook, a UPS poll; the order is delivered.
        tracker_id = next(
            tid
            for tid, t in self.easypost.trackers.items()
            if t["tracking_code"] == near_delivery.carrier_tracking_ref
        )
        delivered_at = datetime.now(timezone.utc).replace(microsecond=0)
        event = self.easypost.advance_tracker(
            tracker_id, "out_for_delivery", moment=delivered_at - timedelta(hours=3)
        )
        event = json.dumps(event).encode()
        response = self.url_open(
            f"/oms/carriers/{self.easypost_carrier.id}/webhook",
            data=event,
            headers={
                "Content-Type": "application/json",
                "X-Hmac-Signature": easypost_signature(event, self.easypost.webhook_secret),
            },
        )
        self.assertEqual(response.status_code, 200)
        event = self.easypost.advance_tracker(tracker_id, "delivered", moment=delivered_at)
        event = json.dumps(event).encode()
        response = self.url_open(
            f"/oms/carriers/{self.easypost_carrier.id}/webhook",
            data=event,
            headers={
                "Content-Type": "application/json",
                "X-Hmac-Signature": easypost_signature(event, self.easypost.webhook_secret),
            },
        )
        self.assertEqual(response.status_code, 200)
        self.ups.add_activity(far_delivery.carrier_tracking_ref, "D", "DELIVERED")
        env["oms.carrier.shipment"].with_context(queue_job__no_delay=True)._cron_oms_poll_tracking()
        self.assertEqual(order.oms_stage, "delivered")
        invoice = order._create_invoices()
        invoice.action_post()
        # 6. The customer returns one item through the portal.
        portal_user = new_test_user(env, login="ray", password="ray", groups="base.group_portal")
        portal_user.partner_id = order.partner_id
        returned = order.order_line.filtered(lambda ol: ol.product_id.default_code == self.skus[0])
        self.assertEqual(order.order_line[:1], returned, "the first line of the form")
        # In the browser: the order page, Return items, one unit, a reason, the label.
        self.start_tour(
            f"/my/orders/{order.id}", "oms_returns_portal_return_first_line", login="ray"
        )
        request = env["oms.return"].search([("partner_id", "=", order.partner_id.id)])
        # The label is bought by the job the approval queued, then downloaded.
        self._run_jobs("_oms_buy_labels")
        self.start_tour(request.get_portal_url(), "oms_returns_portal_download_label", login="ray")
        # 7. Label (bought by the approval's job), receipt, inspection (restock),
        # credit note linked to the invoice.
        self.assertEqual(request.state, "label_sent")
        self.assertTrue(request.label_attachment_ids)
        receipt = request.picking_ids
        receipt.move_ids.picked = True
        receipt.button_validate()
        request.action_receive()
        request.line_ids.write({"condition": "new", "disposition": "restock"})
        request.action_inspect()
        request.action_refund()
        note = request.credit_note_ids
        self.assertEqual(note.reversed_entry_id, invoice)
        # The customer heard of each step, once, in order (issue 22).
        self.assertEqual(
            [subject.split(": ", 1)[1] for subject in self._customer_mails(order)],
            [
                f"we received your order {order.oms_external_ref}",
                f"your order {order.oms_external_ref} is on its way",
                f"your order {order.oms_external_ref} arrives today",
                f"your order {order.oms_external_ref} was delivered",
            ],
        )
        self.assertEqual(
            [subject.split(": ", 1)[1] for subject in self._customer_mails(request)],
            [f"we received your return {request.name}", f"your return {request.name} is refunded"],
        )
        shipped = order.message_ids.filtered(lambda m: "is on its way" in (m.subject or ""))
        # sent when the first parcel left (the near one), with its tracking link
        self.assertIn(near_delivery.carrier_tracking_url, str(shipped.body))
        self.assertAlmostEqual(note.amount_total, request.refund_estimate, places=2)
        # 8. The item's stock goes back to Shopify.
        env.cr.precommit.run()
        self._run_jobs("_oms_push_stock")
        item = int(ITEMS[self.skus[0]])
        binding = self.channel.product_binding_ids.filtered(lambda b: b.sku == self.skus[0])
        self.assertEqual(
            self.shopify.inventory_levels[(item, self.shopify.location_id)], binding.qty_pushed
        )
        # 9. Cost to serve, figure by figure from its source records.
        env.flush_all()
        rows = env["oms.cost.report"].search([("order_id", "=", order.id)])
        labels = rows.filtered(lambda r: r.kind == "label")
        self.assertEqual(labels.picking_id, near_delivery | far_delivery)
        for delivery in near_delivery | far_delivery:
            shared = labels.filtered(lambda r, d=delivery: r.picking_id == d)
            self.assertEqual(shared.product_id, delivery.move_ids.product_id, "per product")
            self.assertAlmostEqual(
                sum(shared.mapped("label_cost")), delivery.carrier_price, places=2
            )
        self.assertGreater(sum(labels.mapped("label_cost")), 0)
        self.assertEqual(sum(rows.mapped("extra_shipments")), 1, "split in two: one extra")
        handling = {}
        for row in rows.filtered(lambda r: r.kind == "handling"):
            handling[row.picking_id] = handling.get(row.picking_id, 0.0) + row.handling_cost
        # 2 + 2 lines x 0.50 from the nearest; 3 + 1 line x 0.50 from the other.
        self.assertEqual(handling, {near_delivery: 3.0, far_delivery: 3.5})
        second = max(near_delivery | far_delivery, key=lambda p: p.id)
        source_cost = 2.0 if second == near_delivery else 3.0
        self.assertAlmostEqual(
            sum(rows.mapped("split_cost")), second.carrier_price + source_cost, places=2
        )
        shipping_lines = invoice.invoice_line_ids.filtered(
            lambda il: any(il.sale_line_ids.mapped("is_delivery"))
        )
        self.assertTrue(shipping_lines, "the channel's shipping line is invoiced")
        shipping = rows.filtered(lambda r: r.kind == "shipping")
        self.assertEqual(shipping.move_line_id, shipping_lines)
        self.assertEqual(
            shipping.product_id,
            order.order_line.filtered(lambda ol: not ol.is_delivery).product_id,
            "shared among the order's products",
        )
        self.assertAlmostEqual(
            sum(shipping.mapped("shipping_charged")),
            -sum(shipping_lines.mapped("balance")),
            places=2,
        )
        credit = rows.filtered(lambda r: r.kind == "return_credit")
        self.assertEqual(credit.move_id, note)
        self.assertAlmostEqual(
            sum(credit.mapped("refunded")) - sum(credit.mapped("fee_income")),
            note.amount_untaxed,
            places=2,
        )
        # The timeline tells the story in order.
        names = order.oms_event_ids.sorted("id").mapped("name")
        position = -1
        for step in (
            "Order captured",
            "On hold: Fraud",
            "Hold Overridden",
            "Routed:",
            "ships with UPS",
            "told about",
            "Parcel",
            "Shipped → Delivered",
            "requested",
            "approved",
            "Return label sent",
            "received",
            "inspected",
            "refunded",
        ):
            found = next((i for i in range(position + 1, len(names)) if step in names[i]), None)
            self.assertIsNotNone(found, f"{step!r} not after step {position} in {names}")
            position = found

    def test_the_wholesale_journey(self):  # noqa: PLR0915 - one story, told in order
        """A retailer's X12 850 dropped in its EDI folder: a 997 goes back, the
        order is confirmed (an 855), routed to the warehouse holding its lines,
        shipped with a bought label (an 856 with the carton's SSCC and the
        tracking number) and invoiced (an 810); each file read back."""
        env = self.env
        root = tempfile.mkdtemp(prefix="oms-journey-edi-")
        self.addCleanup(shutil.rmtree, root, True)
        drop, outbox = os.path.join(root, "in"), os.path.join(root, "out")
        os.makedirs(drop)
        retailer = env["res.partner"].create({"name": "Acme Retail", "is_company": True})
        channel = env["oms.channel"].create(
            {
                "name": "Acme Retail EDI",
                "channel_type": "edi",
                "edi_sender_id": "ACMERETAIL",
                "edi_receiver_id": "OMSWHOLESALE",
                "edi_inbox_path": drop,
                "edi_outbox_path": outbox,
                "edi_partner_id": retailer.id,
                "edi_gs1_prefix": "0614141",
            }
        )
        ours = x12.Envelope("ZZ", "ACMERETAIL", "ZZ", "OMSWHOLESALE", "ACMERETAIL", "OMSWHOLESALE")
        body = [
            ["BEG", "00", "SA", "PO-9000001", "", "20261205"],
            ["N1", "ST", "ACME STORE 0094", "92", "0094"],
            ["N3", "500 Market St"],
            ["N4", "San Francisco", "CA", "94105", "US"],
            ["PO1", "1", "2", "EA", "20.00", "", "VN", self.skus[0]],
            ["PO1", "2", "3", "EA", "15.00", "", "VN", self.skus[1]],
            ["CTT", "2"],
        ]
        Path(drop, "po.edi").write_text(x12.write_interchange(ours, "850", "PO", [body], 501))

        def files(prefix):
            names = sorted(n for n in os.listdir(outbox) if n.startswith(prefix + "_"))
            return [
                [
                    s.elements
                    for s in x12.read_interchange(Path(outbox, n).read_text()).sets[0].segments
                ]
                for n in names
            ]

        # 1. The pull stores the order once and acknowledges the interchange.
        channel.action_pull_orders()
        channel.action_pull_orders()  # nothing new: the file is archived at commit
        env.cr.postcommit.run()
        self._run_jobs("_oms_process_batch")
        env.cr.postcommit.run()
        order = env["sale.order"].search([("oms_channel_id", "=", channel.id)])
        self.assertEqual(order.oms_external_ref, "PO-9000001")
        self.assertEqual(order.partner_id, retailer)
        self.assertEqual(order.partner_shipping_id.ref, "0094")
        [ack] = files("997")
        self.assertIn(("AK9", "A", "1", "1", "1"), ack)
        # 2. Confirmed at once (on terms, no hold), acknowledged, routed to the
        # warehouse that holds both lines.
        self.assertEqual(order.state, "sale", order.oms_hold_ids.mapped("reason"))
        [acknowledged] = files("855")
        self.assertIn(("BAK", "00", "AD", "PO-9000001"), [row[:4] for row in acknowledged])
        delivery = order.picking_ids.filtered(lambda p: p.picking_type_code == "outgoing")
        self.assertEqual(delivery.picking_type_id.warehouse_id, self.near)
        self.assertTrue(order.oms_routing_decision_ids)
        # 3. Shipped with a bought label: the 856 names the carton and the tracking.
        delivery.action_assign()
        delivery.move_ids.picked = True
        delivery.button_validate()
        self.assertEqual(delivery.state, "done")
        self.assertTrue(delivery.carrier_tracking_ref)
        env.cr.postcommit.run()
        [notice] = files("856")
        self.assertIn(("REF", "CN", delivery.carrier_tracking_ref), notice)
        [man] = [row for row in notice if row[0] == "MAN"]
        self.assertEqual(man[2][:8], "00614141")
        self.assertEqual(sorted(row[2] for row in notice if row[0] == "SN1"), ["2", "3"])
        # 4. Invoiced: the 810 carries the invoice's total.
        self._run_jobs()
        invoice = order.invoice_ids.filtered(lambda m: m.state == "posted")
        if not invoice:
            invoice = order._create_invoices()
            invoice.action_post()
        env.cr.postcommit.run()
        [billed] = files("810")
        self.assertIn(("TDS", str(round(invoice.amount_total * 100))), billed)
        sent = [name for name in order.oms_event_ids.mapped("name") if "sent to" in name]
        self.assertEqual(len(sent), 3, sent)  # 855, 856, 810 in the timeline
