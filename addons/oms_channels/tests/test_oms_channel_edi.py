"""EDI channels: interchanges picked up from the drop folder, each stored once,
one order per purchase order, a 997 written back, bad input in error."""

import json
import os
import shutil
import tempfile
from pathlib import Path

from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, new_test_user
from odoo.tools import convert_file, mute_logger

from odoo.addons.oms_channels.channel_edi import edifact
from odoo.addons.oms_channels.channel_edi.outbound import check_digit
from odoo.addons.oms_channels.channel_edi.x12 import read_interchange
from odoo.addons.queue_job.tests.common import trap_jobs

FIXTURES = Path(__file__).parent.parent / "channel_edi" / "tests" / "fixtures" / "x12"


class EdiCase(TransactionCase):
    """An EDI channel with its own folders (removed after) and products."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True, oms_no_mail=True))
        for currency in ("base.USD", "base.EUR"):
            cls.env.ref(currency).active = True
        cls.retailer = cls.env["res.partner"].create(
            {"name": "Acme Retail", "is_company": True, "email": "edi@acme-retail.example.com"}
        )
        cls.tshirt, cls.mug = cls.env["product.product"].create(
            [
                {"name": "T-shirt blue M", "default_code": "OMS-TSHIRT-M", "is_storable": True},
                # Known by its barcode only: the order's UPC matches it.
                {"name": "Mug white", "barcode": "0036000291452", "is_storable": True},
            ]
        )

    def setUp(self):
        super().setUp()
        root = tempfile.mkdtemp(prefix="oms-edi-")
        self.addCleanup(shutil.rmtree, root, True)
        self.drop, self.outbox = os.path.join(root, "in"), os.path.join(root, "out")
        os.makedirs(self.drop)
        self.channel = self.env["oms.channel"].create(
            {
                "name": "Acme Retail EDI",
                "channel_type": "edi",
                "edi_standard": "x12",
                "edi_sender_id": "ACMERETAIL",
                "edi_receiver_id": "OMSWHOLESALE",
                "edi_inbox_path": self.drop,
                "edi_outbox_path": self.outbox,
                "edi_partner_id": self.retailer.id,
            }
        )

    def drop_file(self, fixture, name=None, text=None):
        text = text if text is not None else (FIXTURES / fixture).read_text()
        with open(os.path.join(self.drop, name or fixture), "w", newline="") as handle:
            handle.write(text)

    def pull(self):
        """Pull as the scheduled job does, then run what a commit runs (archive
        the files, write the acknowledgements) and import the orders."""
        with trap_jobs():
            self.channel._oms_pull_orders()
        self.env.cr.postcommit.run()
        received = self.channel.inbox_ids.filtered(lambda r: r.state == "received")
        received._oms_process()
        self.env.cr.postcommit.run()
        return received

    def outbox_files(self, prefix):
        if not os.path.isdir(self.outbox):
            return []
        return [
            Path(self.outbox, name).read_text()
            for name in sorted(os.listdir(self.outbox))
            if name.startswith(prefix + "_")
        ]

    def acks(self):
        return [read_interchange(text) for text in self.outbox_files("997")]

    def orders(self):
        return self.env["sale.order"].search(
            [("oms_channel_id", "=", self.channel.id)], order="oms_external_ref"
        )


class TestEdiChannel(EdiCase):
    def test_two_purchase_orders_become_two_orders_and_a_997(self):
        self.drop_file("850_004010_two_orders.edi")
        self.pull()
        first, second = self.orders()
        self.assertEqual(
            (first.oms_external_ref, second.oms_external_ref), ("PO-4500012", "PO-4500013")
        )
        self.assertEqual(first.partner_id, self.retailer)
        self.assertEqual(first.partner_shipping_id.parent_id, self.retailer)
        self.assertEqual(first.partner_shipping_id.ref, "0042")
        self.assertEqual(first.partner_shipping_id.city, "SAINT PAUL")
        self.assertEqual(second.partner_shipping_id.ref, "0043")
        lines = first.order_line.filtered(lambda line: not line.display_type)
        self.assertEqual(
            sorted((line.product_id.id, line.product_uom_qty, line.price_unit) for line in lines),
            sorted([(self.tshirt.id, 12.0, 4.25), (self.mug.id, 6.0, 11.5)]),
        )
        self.assertEqual(first.oms_payment_state, "none", "wholesale is on terms")
        # The interchange is kept, with its two purchase orders and its file archived.
        interchange = self.channel.edi_interchange_ids
        self.assertEqual(interchange.control_number, "000000101")
        self.assertEqual(interchange.state, "accepted")
        self.assertEqual(interchange.inbox_ids.order_id, first | second)
        self.assertIn("ISA*00*", interchange.raw)
        self.assertFalse(os.path.exists(os.path.join(self.drop, "850_004010_two_orders.edi")))
        self.assertTrue(os.path.isfile(interchange.archive_path))
        # The 997 accepts both, addressed back to the partner.
        [ack] = self.acks()
        self.assertEqual((ack.sender_id, ack.receiver_id), ("OMSWHOLESALE", "ACMERETAIL"))
        rows = [s.elements for s in ack.sets[0].segments]
        self.assertIn(("AK1", "PO", "101"), rows)
        self.assertIn(("AK9", "A", "2", "2", "2"), rows)
        self.assertEqual(interchange.ack_control_number, ack.control)

    def test_the_same_file_twice_is_stored_once(self):
        self.drop_file("850_004010_two_orders.edi")
        self.pull()
        self.drop_file("850_004010_two_orders.edi")
        self.pull()
        self.assertEqual(len(self.orders()), 2)
        self.assertEqual(len(self.channel.inbox_ids), 2)
        self.assertEqual(self.channel.edi_interchange_ids.redeliveries, 1)
        self.assertEqual(len(self.acks()), 1, "a redelivery is not acknowledged again")
        self.assertEqual(os.listdir(self.drop), ["archive"], "the redelivered file is archived")

    def test_same_control_number_in_another_file_is_a_redelivery(self):
        self.drop_file("850_004010_two_orders.edi")
        self.pull()
        changed = (FIXTURES / "850_004010_two_orders.edi").read_text()
        changed = changed.replace("PO1*1*12*EA", "PO1*1*99*EA")
        self.drop_file("again.edi", text=changed)
        self.pull()
        self.assertEqual(len(self.channel.inbox_ids), 2)
        line = self.orders()[0].order_line.filtered(lambda ol: ol.product_id == self.tshirt)
        self.assertEqual(line.product_uom_qty, 12.0)

    def test_same_order_in_a_new_interchange_is_stored_once(self):
        self.drop_file("850_004010_two_orders.edi")
        self.pull()
        text = (FIXTURES / "850_004010_two_orders.edi").read_text()
        self.drop_file("resent.edi", text=text.replace("000000101", "000000102"))
        self.pull()
        self.assertEqual(len(self.channel.edi_interchange_ids), 2)
        self.assertEqual(len(self.channel.inbox_ids), 2, "same orders, same versions")
        self.assertEqual(len(self.orders()), 2)

    def test_a_purchase_order_the_partner_cancels_is_never_work_to_do(self):
        """BEG01 "01": a known order is cancelled, an unknown one is not shipped."""
        text = (FIXTURES / "850_004010_two_orders.edi").read_text()
        # PO-4500012 comes as an original, PO-4500013 only as a cancellation.
        self.drop_file(
            "first.edi",
            text=text.replace("BEG*00*SA*PO-4500013", "BEG*01*SA*PO-4500013"),
        )
        self.pull()
        kept = self.orders().filtered(lambda o: o.state != "cancel")
        self.assertEqual(kept.mapped("oms_external_ref"), ["PO-4500012"])
        self.assertEqual(kept.state, "sale")
        self.assertEqual(len(self.channel.inbox_ids), 2, "the cancellation is kept")
        # The partner then calls PO-4500012 off in a new interchange, an hour later.
        later = text.replace("000000101", "000000102").replace("*0930*", "*1030*")
        self.drop_file(
            "second.edi", text=later.replace("BEG*00*SA*PO-4500012", "BEG*01*SA*PO-4500012")
        )
        self.pull()
        self.assertEqual(kept.state, "cancel")
        self.assertFalse(kept.picking_ids.filtered(lambda p: p.state not in ("done", "cancel")))
        self.assertFalse(self.orders().filtered(lambda o: o.state != "cancel"))

    def test_the_scheduled_pull_reads_edi_folders(self):
        self.drop_file("850_004010_two_orders.edi")
        with trap_jobs() as trap:
            self.env["oms.channel"]._cron_oms_pull_orders()
            pulls = [
                job
                for job in trap.enqueued_jobs
                if job.method_name == "_oms_pull_orders_isolated" and job.recordset == self.channel
            ]
            self.assertEqual(len(pulls), 1)
            pulls[0].perform()
        self.assertEqual(len(self.channel.inbox_ids), 2)

    def test_an_oms_manager_reads_the_drop_folder(self):
        manager = new_test_user(self.env, "edi_manager", groups="oms_core.group_oms_manager")
        self.drop_file("850_004010_two_orders.edi")
        with trap_jobs():
            self.channel.with_user(manager).action_pull_orders()
        self.env.cr.postcommit.run()
        self.assertEqual(len(self.channel.inbox_ids), 2)
        self.assertEqual(len(self.acks()), 1)

    def test_a_user_cannot_read_the_folders(self):
        user = new_test_user(self.env, "edi_user", groups="oms_core.group_oms_user")
        channel = self.channel.with_user(user)
        self.assertEqual(channel.edi_sender_id, "ACMERETAIL")
        with self.assertRaises(AccessError):
            channel.read(["edi_inbox_path"])


class TestEdiBadInput(EdiCase):
    def assert_rejected(self, fixture, words):
        self.drop_file(fixture)
        with mute_logger("odoo.addons.oms_channels.models.oms_channel_inbox"):
            self.pull()
        self.assertFalse(self.orders(), "nothing is half imported")
        [record] = self.channel.inbox_ids
        self.assertEqual(record.state, "error")
        for word in words:
            self.assertIn(word, record.error_message)
        self.assertIn("ISA*00*", record.body, "the interchange is kept as received")
        interchange = self.channel.edi_interchange_ids
        self.assertEqual(interchange.state, "rejected")
        [ack] = self.acks()
        rows = [s.elements for s in ack.sets[0].segments]
        self.assertTrue([row for row in rows if row[:2] == ("AK9", "R")], rows)
        self.assertFalse([row for row in rows if row[:2] == ("AK5", "A")], rows)
        return rows

    def test_wrong_segment_count(self):
        rows = self.assert_rejected("bad_se_count.edi", ["segment SE at position 17", "SE01"])
        self.assertIn(("AK5", "R", "4"), rows)

    def test_unknown_partner(self):
        self.assert_rejected(
            "bad_unknown_partner.edi", ["segment ISA at position 1, element 06", "OTHERBUYER"]
        )

    def test_missing_mandatory_segment(self):
        self.assert_rejected("bad_missing_beg.edi", ["no BEG segment", "message 0001"])

    def test_unknown_product(self):
        rows = self.assert_rejected(
            "bad_unknown_product.edi",
            ["segment PO1 at position 14, element 07", "NO-SUCH-ITEM"],
        )
        self.assertIn(("AK3", "PO1", "12", "", "8"), rows)
        self.assertIn(("AK4", "7", "", "7", "NO-SUCH-ITEM"), rows)

    def test_mixed_separators(self):
        self.assert_rejected("bad_mixed_separators.edi", ["position 8", "separators"])

    def test_a_bad_interchange_among_good_ones_holds_back_no_other(self):
        self.drop_file("bad_unknown_product.edi", name="a.edi")
        self.drop_file("850_004010_two_orders.edi", name="b.edi")
        with mute_logger("odoo.addons.oms_channels.models.oms_channel_inbox"):
            self.pull()
        self.assertEqual(len(self.orders()), 2)
        self.assertEqual(
            sorted(self.channel.edi_interchange_ids.mapped("state")), ["accepted", "rejected"]
        )
        self.assertEqual(len(self.acks()), 2)
        payloads = self.channel.inbox_ids.filtered(lambda r: r.state == "done").mapped("body")
        self.assertTrue(all(json.loads(body)["skus"] for body in payloads))


EDIFACT = FIXTURES.parent / "edifact"


class TestEdifactChannel(EdiCase):
    def setUp(self):
        super().setUp()
        self.channel.write(
            {
                "edi_standard": "edifact",
                "edi_sender_id": "5412345000013",
                "edi_receiver_id": "5400000000007",
            }
        )

    def contrls(self):
        return [edifact.read_interchange(text) for text in self.outbox_files("CONTRL")]

    def test_orders_messages_become_orders_and_a_contrl(self):
        self.drop_file("orders.edi", text=(EDIFACT / "orders_d01b_no_una.edi").read_text())
        self.pull()
        errors = self.channel.inbox_ids.mapped("error_message")
        first, second = self.orders() or errors
        self.assertEqual(
            (first.oms_external_ref, second.oms_external_ref), ("PO-7700002", "PO-7700003")
        )
        self.assertEqual(first.partner_shipping_id.ref, "5412345000020")
        self.assertEqual(first.partner_shipping_id.name, "Store + Co North")
        self.assertEqual(second.order_line.product_id, self.mug)
        self.assertEqual(first.currency_id.name, "EUR")
        [ack] = self.contrls()
        self.assertEqual((ack.sender_id, ack.receiver_id), ("5400000000007", "5412345000013"))
        uci = next(s for s in ack.messages[0].segments if s.tag == "UCI")
        self.assertEqual((uci.get(1), uci.get(4)), ("ORD0002", "7"))

    def test_a_confirmed_order_is_answered_with_an_ordrsp(self):
        self.drop_file("orders.edi", text=(EDIFACT / "orders_d96a_una.edi").read_text())
        self.pull()
        [order] = self.orders()
        self.assertEqual(order.state, "sale", order.oms_hold_ids.mapped("reason"))
        [text] = self.outbox_files("ORDRSP")
        [message] = edifact.read_interchange(text).messages
        rows = [(s.tag, s.elements) for s in message.segments]
        self.assertIn(("BGM", ("231", order.name, "29")), rows)
        self.assertIn(("RFF", (["ON", "PO-7700001"],)), rows)

    def test_wrong_segment_count_is_rejected_with_a_contrl(self):
        self.drop_file("bad.edi", text=(EDIFACT / "bad_unt_count.edi").read_text())
        with mute_logger("odoo.addons.oms_channels.models.oms_channel_inbox"):
            self.pull()
        self.assertFalse(self.orders())
        [record] = self.channel.inbox_ids
        self.assertEqual(record.state, "error")
        self.assertIn("segment UNT at position 22", record.error_message)
        [ack] = self.contrls()
        ucm = next(s for s in ack.messages[0].segments if s.tag == "UCM")
        self.assertEqual((ucm.get(3), ucm.get(4)), ("4", "29"))

    def test_unknown_partner_is_named_in_the_unb(self):
        self.channel.edi_sender_id = "5499999999999"
        self.drop_file("orders.edi", text=(EDIFACT / "orders_d96a_una.edi").read_text())
        with mute_logger("odoo.addons.oms_channels.models.oms_channel_inbox"):
            self.pull()
        self.assertFalse(self.orders())
        self.assertIn("segment UNB at position 1, element 02", self.channel.inbox_ids.error_message)


class TestEdiOutbound(EdiCase):
    """855 on confirmation, 856 with cartons and tracking when the delivery is
    done, 810 when the invoice is posted: written to the outbox, read back."""

    def setUp(self):
        super().setUp()
        self.channel.edi_gs1_prefix = "0614141"
        self.drop_file("850_004010_two_orders.edi")
        self.pull()
        self.order = self.orders()[0]
        self.assertEqual(self.order.state, "sale", self.order.oms_hold_ids.mapped("reason"))

    def sets(self, prefix):
        return [
            [s.elements for s in read_interchange(text).sets[0].segments]
            for text in self.outbox_files(prefix)
        ]

    def test_confirmed_orders_are_acknowledged_with_an_855(self):
        by_po = {}
        for rows in self.sets("855"):
            [bak] = [row for row in rows if row[0] == "BAK"]
            by_po[bak[3]] = (bak, rows)
        self.assertEqual(set(by_po), {"PO-4500012", "PO-4500013"})
        bak, rows = by_po["PO-4500012"]
        self.assertEqual(bak[2], "AD", "accepted as ordered")
        self.assertEqual(bak[8], self.order.name)
        self.assertIn(("ACK", "IA", "12", "EA"), rows)
        self.assertIn(("ACK", "IA", "6", "EA"), rows)

    def test_a_changed_quantity_sends_a_new_855_with_changes(self):
        line = self.order.order_line.filtered(lambda ol: ol.product_id == self.mug)
        line.product_uom_qty = 4
        self.env.cr.postcommit.run()
        acks = [
            rows
            for rows in self.sets("855")
            if ("BAK", "00", "AC", "PO-4500012") in [row[:4] for row in rows]
        ]
        self.assertEqual(len(acks), 1)
        self.assertIn(("ACK", "IQ", "4", "EA"), acks[0])
        self.assertIn(("ACK", "IA", "12", "EA"), acks[0])

    def test_a_done_delivery_sends_an_856_with_sscc_and_tracking(self):
        picking = self.order.picking_ids
        for move in picking.move_ids:
            self.env["stock.quant"]._update_available_quantity(
                move.product_id, picking.location_id, move.product_uom_qty
            )
        picking.action_assign()
        tshirt_move = picking.move_ids.filtered(lambda m: m.product_id == self.tshirt)
        tshirt_move.move_line_ids.picked = True
        package = picking.action_put_in_pack() and tshirt_move.move_line_ids.result_package_id
        self.assertTrue(package)
        picking.carrier_tracking_ref = "1Z999AA10123456784"
        picking.move_ids.picked = True
        picking._action_done()
        self.env.cr.postcommit.run()
        [rows] = self.sets("856")
        self.assertIn(("REF", "CN", "1Z999AA10123456784"), rows)
        self.assertIn(("PRF", "PO-4500012"), rows)
        self.assertIn(("N1", "ST", "ACME STORE 0042", "92", "0042"), rows)
        ssccs = [row[2] for row in rows if row[0] == "MAN"]
        self.assertEqual(len(ssccs), 2, "the package, and the rest of the delivery")
        self.assertIn("00614141" + str(package.id).zfill(9), [code[:-1] for code in ssccs])
        for code in ssccs:
            self.assertEqual(len(code), 18)
            self.assertEqual(code[-1], check_digit(code[:-1]))
        shipped = [row for row in rows if row[0] == "SN1"]
        self.assertEqual(sorted(row[2] for row in shipped), ["12", "6"])

    def test_a_posted_invoice_sends_an_810(self):
        invoice = self.order._create_invoices()
        invoice.action_post()
        self.env.cr.postcommit.run()
        [rows] = self.sets("810")
        self.assertEqual(
            rows[1][:5],
            ("BIG", invoice.invoice_date.strftime("%Y%m%d"), invoice.name, "", "PO-4500012"),
        )
        self.assertIn(("TDS", str(round(invoice.amount_total * 100))), rows)
        items = sorted(row[2] for row in rows if row[0] == "IT1")
        self.assertEqual(items, ["12", "6"])


class TestEdiDemo(TransactionCase):
    def test_the_demo_partner_has_an_850_waiting(self):
        self.env["product.product"].create(
            [
                {"name": "T-shirt black M", "default_code": "TSHIRT-BLK-M", "is_storable": True},
                {"name": "Mug 350", "default_code": "MUG-CER-350", "is_storable": True},
            ]
        )
        convert_file(
            self.env, "oms_channels", "demo/oms_channel_edi_demo.xml", {}, mode="init", kind="demo"
        )
        channel = self.env.ref("oms_channels.demo_channel_edi")
        self.addCleanup(shutil.rmtree, os.path.dirname(channel.edi_inbox_path), True)
        self.assertEqual(os.listdir(channel.edi_inbox_path), ["acme_850.edi"])
        with trap_jobs():
            channel.action_pull_orders()
        [record] = channel.inbox_ids
        record._oms_process()
        self.assertEqual(record.state, "done", record.error_message)
        self.assertEqual(record.order_id.oms_external_ref, "ACME-PO-1001")
        self.assertEqual(record.order_id.partner_id, channel.edi_partner_id)


class TestEdiWithoutOutbox(EdiCase):
    def test_no_outbox_never_stops_an_invoice(self):
        self.drop_file("850_004010_two_orders.edi")
        self.pull()
        order = self.orders()[0]
        self.channel.edi_outbox_path = False
        invoice = order._create_invoices()
        invoice.action_post()
        self.assertEqual(invoice.state, "posted")
        self.assertIn("No EDI document sent to Acme Retail EDI", order.oms_event_ids.mapped("name"))
