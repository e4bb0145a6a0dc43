"""EDI channels: a trading partner's identifiers, its folders, and the pick-up
of its interchanges (each stored once, one inbox record per purchase order,
acknowledged with a 997 / CONTRL, archived)."""

import hashlib
import json
import logging
import os
import shutil
from datetime import datetime, timezone
from typing import NamedTuple

from psycopg2 import errors

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import config, mute_logger

from ..channel_edi import (
    STANDARDS,
    EdiError,
    UnknownPartner,
    UnknownProduct,
    acknowledgement,
    edifact,
    skeleton,
)
from ..channel_edi.documents import (
    BARCODE_QUALIFIERS,
    BUYER_QUALIFIERS,
    VENDOR_QUALIFIERS,
    content_version,
)
from ..channel_edi.outbound import write_document
from ..channel_edi.x12 import Envelope

_logger = logging.getLogger(__name__)


class OmsChannel(models.Model):
    _inherit = "oms.channel"

    edi_standard = fields.Selection(STANDARDS, string="EDI Standard", default="x12")
    edi_sender_id = fields.Char(
        string="Partner's Interchange ID",
        help="The trading partner's id: ISA06 (X12) or the UNB sender (EDIFACT). An "
        "interchange from another id is rejected.",
    )
    edi_sender_qualifier = fields.Char(
        string="Partner's ID Qualifier", default="ZZ", help="ISA05 (01 DUNS, 12 phone, ZZ mutual)."
    )
    edi_receiver_id = fields.Char(
        string="Our Interchange ID",
        help="Our id at the partner: ISA08 (X12) or the UNB recipient (EDIFACT).",
    )
    edi_receiver_qualifier = fields.Char(string="Our ID Qualifier", default="ZZ")
    edi_group_sender_id = fields.Char(
        string="Partner's Group ID", help="GS02 of the partner's groups (empty: as the ISA)."
    )
    edi_group_receiver_id = fields.Char(
        string="Our Group ID", help="GS03 of the partner's groups (empty: as the ISA)."
    )
    edi_inbox_path = fields.Char(
        string="Drop Folder",
        groups="base.group_system",
        help="The folder the partner's interchanges are dropped in (read by the pull).",
    )
    edi_outbox_path = fields.Char(
        string="Outbox Folder",
        groups="base.group_system",
        help="The folder acknowledgements and notices for the partner are written to.",
    )
    edi_archive_path = fields.Char(
        string="Archive Folder",
        groups="base.group_system",
        help="Where read interchanges are moved (empty: an 'archive' folder in the drop folder).",
    )
    edi_partner_id = fields.Many2one(
        "res.partner",
        string="Trading Partner",
        help="The customer of the partner's orders; its delivery addresses carry the "
        "partner's location codes (GLN, store number) as their reference.",
    )
    edi_gs1_prefix = fields.Char(
        string="GS1 Company Prefix",
        help="Our GS1 company prefix (6 to 12 digits): the cartons' SSCC-18 of the ship "
        "notices are made of it, the package (or delivery) number and a check digit.",
    )
    edi_control_number = fields.Integer(
        string="Last Control Number Sent",
        copy=False,
        readonly=True,
        help="Our interchange control number of the last file written to the partner.",
    )
    edi_interchange_ids = fields.One2many(
        "oms.channel.edi.interchange", "channel_id", string="Interchanges"
    )

    @api.constrains("channel_type", "edi_sender_id", "edi_receiver_id")
    def _check_edi_ids(self):
        for channel in self.filtered(lambda c: c.channel_type == "edi"):
            for value in (channel.edi_sender_id, channel.edi_receiver_id):
                if value and len(value) > 35:
                    raise ValidationError(_("An interchange id has at most 35 characters."))

    def _oms_edi_demo_setup(self):
        """Demo: folders under Odoo's data directory, the sample 850 in the drop folder."""
        sample = os.path.join(os.path.dirname(__file__), "..", "demo", "edi", "acme_850.edi")
        for channel in self.sudo():
            root = os.path.join(
                config["data_dir"], "oms_edi_demo", self.env.cr.dbname, str(channel.id)
            )
            inbox, outbox = os.path.join(root, "in"), os.path.join(root, "out")
            os.makedirs(inbox, exist_ok=True)
            os.makedirs(outbox, exist_ok=True)
            shutil.copyfile(sample, os.path.join(inbox, "acme_850.edi"))
            channel.write({"edi_inbox_path": inbox, "edi_outbox_path": outbox})

    # Pick-up ------------------------------------------------------------------------

    def _oms_pull_orders(self):
        if not getattr(self._oms_connector(), "reads_folder", False):
            return super()._oms_pull_orders()
        return self._oms_edi_pull()

    def _oms_edi_folders(self):
        """(drop, archive, outbox) folders; UserError when the drop folder is missing."""
        self.ensure_one()
        secrets = self.sudo()
        inbox = secrets.edi_inbox_path
        if not inbox or not os.path.isdir(inbox):
            raise UserError(
                _(
                    "The drop folder of %(channel)s does not exist: %(folder)s",
                    channel=self.name,
                    folder=inbox or "-",
                )
            )
        archive = secrets.edi_archive_path or os.path.join(inbox, "archive")
        return inbox, archive, secrets.edi_outbox_path

    def _oms_edi_pull(self):
        """Read every file of the drop folder: each interchange stored once (its
        control number), one inbox record per purchase order, processed as the
        other kinds' orders are. The files are archived and the acknowledgements
        written when the transaction commits: a pull rolled back leaves the files
        where they were, to be read again."""
        self.ensure_one()
        inbox, _archive, _outbox = self._oms_edi_folders()
        Inbox = self.env["oms.channel.inbox"]
        new = Inbox
        for name in sorted(os.listdir(inbox)):
            path = os.path.join(inbox, name)
            if name.startswith(".") or not os.path.isfile(path):
                continue
            with open(path, "rb") as handle:
                data = handle.read()
            new |= self._oms_edi_receive(name, data).filtered(lambda r: r.state == "received")
        self.sudo().write({"last_pull_date": fields.Datetime.now(), "last_pull_error": False})
        new._oms_queue_processing()
        return len(new)

    def _oms_edi_receive(self, name, data):
        """Store the interchange of one file; the new inbox records."""
        text = data.decode("utf-8-sig", errors="replace")
        connector = self._oms_connector()
        try:
            with self.env.cr.savepoint():
                interchange, orders = connector.read_interchange(text)
                self._oms_edi_check_partner(interchange)
                skus = self._oms_edi_match_products(orders)
                stored = self._oms_edi_store_interchange(name, text, interchange)
                if stored is None:
                    return self.env["oms.channel.inbox"]
                records = self._oms_edi_store_orders(orders, skus)
                stored.inbox_ids = records
                self._oms_edi_acknowledge(stored, interchange)
                return records
        except EdiError as error:
            return self._oms_edi_reject(name, text, error)

    def _oms_edi_check_partner(self, interchange):
        """UnknownPartner naming the header element when the interchange is not
        from the channel's partner to us (ISA06 / ISA08, UNB02 / UNB03)."""
        expected = (self.edi_sender_id or "", self.edi_receiver_id or "")
        tag, elements = ("ISA", (6, 8)) if self.edi_standard != "edifact" else ("UNB", (2, 3))
        for element, found, wanted in (
            (elements[0], interchange.sender_id, expected[0]),
            (elements[1], interchange.receiver_id, expected[1]),
        ):
            if found != wanted:
                raise UnknownPartner(
                    f"the interchange is from {interchange.sender_id!r} to "
                    f"{interchange.receiver_id!r}; {self.name} trades from {expected[0]!r} "
                    f"to {expected[1]!r}",
                    tag=tag,
                    position=1,
                    element=element,
                    code="23",
                    value=found,
                    level="interchange",
                )

    def _oms_edi_match_products(self, orders):
        """``{po number: {line no: sku}}``: each line's product by the vendor's
        article number (internal reference), its barcode, or a listing of the
        buyer's part number; UnknownProduct naming the first line matching none."""
        Product = self.env["product.product"].with_company(self.company_id).sudo()
        codes, barcodes, buyer = set(), set(), set()
        for order in orders:
            for line in order.lines:
                codes |= {line.ids[q] for q in VENDOR_QUALIFIERS if line.ids.get(q)}
                for qualifier in BARCODE_QUALIFIERS:
                    value = line.ids.get(qualifier)
                    if value:
                        barcodes |= {value, value.zfill(13), value.zfill(14), value.lstrip("0")}
                buyer |= {line.ids[q] for q in BUYER_QUALIFIERS if line.ids.get(q)}
        by_code = {p.default_code: p for p in Product.search([("default_code", "in", list(codes))])}
        by_barcode = {p.barcode: p for p in Product.search([("barcode", "in", list(barcodes))])}
        by_buyer = {}
        if buyer:
            for listing in (
                self.env["oms.channel.product"]
                .sudo()
                .search(
                    [
                        ("channel_id", "=", self.id),
                        ("sku", "in", list(buyer)),
                        ("product_id", "!=", False),
                    ]
                )
            ):
                by_buyer[listing.sku] = listing.product_id
        result = {}
        for order in orders:
            chosen = result.setdefault(order.number, {})
            for line in order.lines:
                product = self._oms_edi_line_product(line, by_code, by_barcode, by_buyer)
                if not product:
                    named = ", ".join(f"{q} {v}" for q, v in line.ids.items())
                    raise UnknownProduct(
                        f"line {line.line_no} of purchase order {order.number} names no "
                        f"known product ({named})",
                        tag=line.tag,
                        position=line.position,
                        element=7,
                        code="7",
                        set_control=order.control,
                        set_position=line.set_position,
                        value=next(iter(line.ids.values()), ""),
                    )
                chosen[line.line_no] = product.default_code or product.barcode
        return result

    @staticmethod
    def _oms_edi_line_product(line, by_code, by_barcode, by_buyer):
        for qualifier in VENDOR_QUALIFIERS:
            if line.ids.get(qualifier) in by_code:
                return by_code[line.ids[qualifier]]
        for qualifier in BARCODE_QUALIFIERS:
            value = line.ids.get(qualifier)
            if value:
                for candidate in (value, value.zfill(13), value.zfill(14), value.lstrip("0")):
                    if candidate in by_barcode:
                        return by_barcode[candidate]
        for qualifier in BUYER_QUALIFIERS:
            if line.ids.get(qualifier) in by_buyer:
                return by_buyer[line.ids[qualifier]]
        return None

    def _oms_edi_store_interchange(self, name, text, envelope, state="accepted", error=None):
        """The new interchange record, or None when one with this control
        number is stored already (a redelivery: counted, its file archived)."""
        Interchange = self.env["oms.channel.edi.interchange"].sudo()
        control = envelope.control
        values = {
            "channel_id": self.id,
            "control_number": control,
            "sender_id": envelope.sender_id,
            "receiver_id": envelope.receiver_id,
            "file_name": name,
            "raw": text,
            "state": state,
            "error_message": error,
        }
        try:
            with self.env.cr.savepoint(), mute_logger("odoo.sql_db"):
                record = Interchange.create(values)
        except errors.UniqueViolation:
            known = Interchange.search(
                [("channel_id", "=", self.id), ("control_number", "=", control)], limit=1
            )
            known.redeliveries += 1
            _logger.info("Channel %s: interchange %s received again (%s)", self.id, control, name)
            self._oms_edi_archive_on_commit(known, name, redelivery=True)
            return None
        self._oms_edi_archive_on_commit(record, name)
        return record

    def _oms_edi_store_orders(self, orders, skus):
        Inbox = self.env["oms.channel.inbox"]
        records = Inbox
        for order in orders:
            payload = order.as_payload()
            # The inbox keeps the order and which product each line matched.
            body = _with(payload, skus=skus.get(order.number, {}))
            record, _created = Inbox._oms_store(self, "file", body, topic=order.standard)
            records |= record
        return records

    def _oms_edi_reject(self, name, text, error):
        """An interchange in error: kept in the inbox with the segment and
        position named, a negative acknowledgement written; nothing imported."""
        digest = "sha256:" + hashlib.sha256(text.encode()).hexdigest()
        faulty = self._oms_edi_skeleton(text)
        control = faulty.control if faulty and faulty.control else digest
        message = _(
            "Interchange %(control)s (%(file)s) rejected: %(error)s",
            control=control,
            file=name,
            error=str(error),
        )
        envelope = Unread(
            control, faulty.sender_id if faulty else "", faulty.receiver_id if faulty else ""
        )
        stored = self._oms_edi_store_interchange(name, text, envelope, "rejected", message)
        Inbox = self.env["oms.channel.inbox"]
        if stored is None:
            return Inbox
        record, _created = Inbox._oms_store(self, "file", text, topic="interchange")
        record.sudo().write(
            {
                "external_id": f"interchange:{control}",
                "state": "error",
                "error_message": message,
            }
        )
        stored.inbox_ids = record
        if faulty:
            self._oms_edi_acknowledge(stored, faulty, error)
        return Inbox

    def _oms_edi_skeleton(self, text):
        return skeleton(self.edi_standard or "x12", text)

    # Outbound -----------------------------------------------------------------------

    def _oms_edi_next_control(self):
        """Our next interchange control number (one UPDATE: two pulls never share one)."""
        self.ensure_one()
        self.flush_recordset(["edi_control_number"])
        self.env.cr.execute(
            "UPDATE oms_channel SET edi_control_number = COALESCE(edi_control_number, 0) + 1 "
            "WHERE id = %s RETURNING edi_control_number",
            [self.id],
        )
        number = self.env.cr.fetchone()[0]
        self.invalidate_recordset(["edi_control_number"])
        return number

    def _oms_edi_envelope(self):
        """Our envelope of the documents we send the partner."""
        if self.edi_standard == "edifact":
            return edifact.Envelope(
                sender_id=self.edi_receiver_id or "",
                sender_qualifier=self.edi_receiver_qualifier or "14",
                receiver_id=self.edi_sender_id or "",
                receiver_qualifier=self.edi_sender_qualifier or "14",
            )
        return Envelope(
            sender_qualifier=self.edi_receiver_qualifier or "ZZ",
            sender_id=self.edi_receiver_id or "",
            receiver_qualifier=self.edi_sender_qualifier or "ZZ",
            receiver_id=self.edi_sender_id or "",
            group_sender=self.edi_group_receiver_id or self.edi_receiver_id or "",
            group_receiver=self.edi_group_sender_id or self.edi_sender_id or "",
        )

    def _oms_edi_send(self, kind, document, order):
        """Write ``document`` (channel_edi.outbound) to the outbox when the
        transaction commits; the order's timeline names the file."""
        self.ensure_one()
        if not self.sudo().edi_outbox_path:
            # Never in the way of a confirmation, a delivery or an invoice.
            order._oms_log_event(
                "note",
                _("No EDI document sent to %s", self.name),
                reason=_("Set the outbox folder of %s.", self.name),
            )
            return False
        control = self._oms_edi_next_control()
        stem, text = write_document(
            self.edi_standard or "x12",
            kind,
            document,
            self._oms_edi_envelope(),
            control,
            datetime.now(timezone.utc),
        )
        reference = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in document.number)
        name = f"{stem}_{reference}_{control:09d}.edi"
        self._oms_edi_write_on_commit(name, text)
        order._oms_log_event(
            "note",
            _("%(document)s sent to %(channel)s", document=stem, channel=self.name),
            reason=name,
        )
        return name

    def _oms_edi_acknowledge(self, stored, interchange, error=None):
        """Write the 997 / CONTRL answering ``interchange`` (rejecting it with
        ``error``), addressed back to its sender."""
        control = self._oms_edi_next_control()
        kind, text = acknowledgement(self.edi_standard or "x12", interchange, control, error)
        name = f"{kind}_{interchange.control or 'unknown'}_{control:09d}.edi"
        stored.write({"ack_file": name, "ack_control_number": str(control).zfill(9)})
        self._oms_edi_write_on_commit(name, text)

    def _oms_edi_write_on_commit(self, name, text):
        """Write an outbound file to the outbox once the transaction commits."""
        outbox = self.sudo().edi_outbox_path
        if not outbox:
            raise UserError(_("Set the outbox folder of %s first.", self.name))

        def write():
            os.makedirs(outbox, exist_ok=True)
            temporary = os.path.join(outbox, f".{name}.part")
            with open(temporary, "w", encoding="utf-8", newline="") as handle:
                handle.write(text)
            os.replace(temporary, os.path.join(outbox, name))

        self.env.cr.postcommit.add(write)

    def _oms_edi_archive_on_commit(self, record, name, redelivery=False):
        """Move the read file to the archive once the transaction commits."""
        inbox, archive, _outbox = self._oms_edi_folders()
        source = os.path.join(inbox, name)
        stamp = datetime.now(timezone.utc).strftime("%Y%m%d%H%M%S%f")
        target = os.path.join(archive, f"{stamp}_{'redelivered_' if redelivery else ''}{name}")
        if not redelivery:
            record.archive_path = target

        def move():
            os.makedirs(archive, exist_ok=True)
            try:
                os.replace(source, target)
            except FileNotFoundError:
                _logger.info("%s was archived by another pull", source)

        self.env.cr.postcommit.add(move)


class Unread(NamedTuple):
    """The envelope of an interchange that could not be read whole."""

    control: str
    sender_id: str
    receiver_id: str


def _with(payload, **values):
    """A payload (JSON text) with more keys; its version is its content."""
    data = json.loads(payload)
    data.update(values)
    data["version"] = content_version(data)
    return json.dumps(data, sort_keys=True)
