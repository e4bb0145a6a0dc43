import io

from PIL import Image

from odoo import _, fields, models
from odoo.exceptions import UserError
from odoo.tools.pdf import merge_pdf

# Deliveries validated per background job.
SHIP_BATCH = 100


class StockPicking(models.Model):
    _inherit = "stock.picking"

    oms_shipping_quote_ids = fields.One2many(
        "oms.shipping.quote", "picking_id", string="Shipping Quotes", readonly=True
    )
    oms_carrier_service = fields.Char(
        string="Carrier Service",
        copy=False,
        help="The service chosen by rate shopping (or by a person) for this delivery.",
    )

    def _oms_arrive_by(self):
        order = self.sale_id
        if order.commitment_date:
            return order.commitment_date.date()
        return False

    def _oms_label_attachments(self):
        """The labels of this delivery's parcels (every carrier, every package),
        voided ones left out. Labels are named ``LabelShipping-<type>-<tracking>``."""
        self.ensure_one()
        numbers = self._oms_active_shipments().mapped("tracking_number")
        labels = self.env["ir.attachment"].search(
            [
                ("res_model", "=", "stock.picking"),
                ("res_id", "=", self.id),
                ("name", "=like", "LabelShipping-%"),
            ],
            order="id",
        )
        return labels.filtered(
            lambda a: any(f"-{n}." in a.name or f"-{n}-zpl." in a.name for n in numbers if n)
        )

    def action_oms_print_labels(self):
        """One PDF of all the delivery's labels, to print (a ZPL label prints from
        its PDF copy; the ZPL files stay in the chatter for label printers)."""
        self.ensure_one()
        pages = []
        for label in self._oms_label_attachments():
            if label.name.endswith(".pdf"):
                pages.append(label.raw)
            elif label.name.rsplit(".", 1)[-1] in ("gif", "png"):
                pages.append(_image_as_pdf(label.raw))  # UPS's GIF labels
        if not pages:
            raise UserError(_("%s has no label yet.", self.name))
        name = f"Labels-{self.name.replace('/', '-')}.pdf"
        content = merge_pdf(pages) if len(pages) > 1 else pages[0]
        Attachment = self.env["ir.attachment"]
        printable = Attachment.search(
            [("res_model", "=", self._name), ("res_id", "=", self.id), ("name", "=", name)],
            limit=1,
        )
        if printable:
            printable.raw = content
        else:
            printable = Attachment.create(
                {
                    "name": name,
                    "raw": content,
                    "mimetype": "application/pdf",
                    "res_model": self._name,
                    "res_id": self.id,
                }
            )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{printable.id}?download=true",
            "target": "new",
        }

    def action_oms_ship_in_background(self):
        """Validate the selected deliveries in background jobs of 100: each buys its
        labels (rates shopped when it has no carrier). A delivery that cannot ship
        says why in its chatter; the others go on."""
        ready = self.filtered(lambda p: p.picking_type_code == "outgoing" and p.state == "assigned")
        for start in range(0, len(ready), SHIP_BATCH):
            batch = ready[start : start + SHIP_BATCH]
            batch.with_delay(description=_("Ship %s deliveries", len(batch)))._oms_ship_batch()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "info",
                "message": _(
                    "%(count)s deliveries are shipped in the background (%(skipped)s not ready).",
                    count=len(ready),
                    skipped=len(self - ready),
                ),
            },
        }

    def _oms_ship_batch(self):
        """The job: each delivery validated with what is reserved, in its own
        savepoint, so that one carrier refusal does not undo the others' labels."""
        for picking in self.filtered(lambda p: p.state == "assigned"):
            try:
                with self.env.cr.savepoint():
                    for move in picking.move_ids.filtered(lambda m: m.state != "cancel"):
                        move.picked = True
                    answer = picking.with_context(
                        skip_backorder=True,
                        picking_ids_not_to_backorder=picking.ids,
                        skip_sms=True,  # nobody to answer the SMS question
                    ).button_validate()
            except UserError as error:
                picking.message_post(body=_("Not shipped in the background: %s", error))
                continue
            if picking.state != "done" and isinstance(answer, dict) and answer.get("name"):
                picking.message_post(body=_("Not shipped in the background: %s", answer["name"]))
        return True

    def action_oms_shop_rates(self):
        """Ask every carrier of the shipping policy, keep every quote, choose one."""
        policy = self.env["oms.shipping.policy"].search(
            [("is_default", "=", True), ("company_id", "in", (self.company_id.id, False))],
            limit=1,
        )
        if not policy:
            raise UserError(_("Set a default shipping policy first."))
        for picking in self:
            picking._oms_shop_rates(policy)
        return True

    def _oms_shop_rates(self, policy):
        self.ensure_one()
        if self._oms_active_shipments():
            raise UserError(_("%s has its labels already: void them to shop again.", self.name))
        self.oms_shipping_quote_ids.unlink()
        Quote = self.env["oms.shipping.quote"]
        quotes = Quote
        for carrier in policy._oms_carriers(self.company_id):
            try:
                offers = carrier._oms_quotes_for_picking(self)
            except UserError as error:
                quotes |= Quote.create(
                    {
                        "picking_id": self.id,
                        "carrier_id": carrier.id,
                        "state": "failed",
                        "reason": str(error),
                    }
                )
                continue
            quotes |= Quote.create([{"picking_id": self.id, **offer} for offer in offers])
        winner = policy._oms_choose(quotes, self._oms_arrive_by())
        if not winner:
            raise UserError(_("No carrier can ship %s under the shipping policy.", self.name))
        self._oms_use_quote(winner)
        return winner

    def _oms_use_quote(self, quote):
        self.write({"carrier_id": quote.carrier_id.id, "oms_carrier_service": quote.service})
        if self.sale_id:
            self.sale_id._oms_log_event(
                "note",
                _(
                    "%(picking)s ships with %(carrier)s %(service)s (%(price).2f %(currency)s)",
                    picking=self.name,
                    carrier=quote.carrier_id.name,
                    service=quote.service_name or quote.service or "",
                    price=quote.price,
                    currency=quote.currency_id.name or "",
                ),
                reason=quote.reason,
            )

    def _oms_address_checker(self):
        """The carrier that verifies this delivery's address (its own, else the
        default policy's first that does: EasyPost), if any."""
        self.ensure_one()
        carrier = self.carrier_id
        if carrier and carrier._oms_verifies_addresses():
            return carrier
        policy = self.env["oms.shipping.policy"].search(
            [("is_default", "=", True), ("company_id", "in", (self.company_id.id, False))],
            limit=1,
        )
        return policy._oms_carriers(self.company_id).filtered(
            lambda c: c._oms_verifies_addresses()
        )[:1]

    def button_validate(self):
        """Check the delivery address with the carrier first: an undeliverable one
        puts the order on an address hold and the delivery waits; a corrected one
        is suggested on the delivery."""
        held = self.browse()
        for picking in self.filtered(
            lambda p: p.picking_type_code == "outgoing"
            and p.state not in ("done", "cancel")
            and p.partner_id
            and not p._oms_active_shipments()
        ):
            checker = picking._oms_address_checker()
            if not checker:
                continue
            try:
                check = checker._oms_verify_address(picking)
            except UserError as error:
                # The carrier's check being down does not stop the warehouse.
                picking.message_post(body=_("The address could not be verified: %s", error))
                continue
            if not check.deliverable:
                picking._oms_address_undeliverable(check)
                held |= picking
            else:
                picking._oms_suggest_address(check)
        if held:
            return {
                "type": "ir.actions.client",
                "tag": "display_notification",
                "params": {
                    "type": "warning",
                    "title": _("Address to check"),
                    "message": _(
                        "The carrier cannot deliver to the address of %s: the order is on "
                        "an address hold.",
                        ", ".join(held.mapped("name")),
                    ),
                    "sticky": True,
                },
            }
        return super().button_validate()

    def _oms_address_undeliverable(self, check):
        reason = _(
            "The carrier cannot deliver to %(address)s: %(why)s. Correct the address, then "
            "release.",
            address=self.partner_id.contact_address.replace("\n", ", ").strip(", "),
            why="; ".join(check.messages) or _("address not found"),
        )
        if self.sale_id:
            self.env["oms.order.hold"].sudo().create(
                {"order_id": self.sale_id.id, "hold_type": "address", "reason": reason}
            )
        self.message_post(body=reason)

    def _oms_suggest_address(self, check):
        partner = self.partner_id
        suggested = check.address
        differences = [
            f"{label}: {current or '-'} → {new}"
            for label, current, new in (
                (_("street"), partner.street, suggested.street1),
                (_("city"), partner.city, suggested.city),
                (_("postcode"), partner.zip, suggested.zip),
            )
            if new and (current or "").strip().upper() != new.strip().upper()
        ]
        if differences:
            self.message_post(
                body=_("The carrier suggests this address: %s", "; ".join(differences))
            )

    def _action_done(self):
        # Choose the carrier before the label is bought (stock_delivery buys it
        # right after the delivery is done), unless a person chose already.
        policy = self.env["oms.shipping.policy"].search(
            [("is_default", "=", True), ("company_id", "in", [*self.company_id.ids, False])],
            limit=1,
        )
        if policy:
            for picking in self.filtered(
                lambda p: p.picking_type_code == "outgoing"
                and not p.oms_carrier_service
                and not p._oms_active_shipments()
                and not p.carrier_id  # a carrier a person set is kept
            ):
                try:
                    picking._oms_shop_rates(policy)
                except UserError as error:
                    # The goods leave anyway: a person chooses the carrier afterwards.
                    picking.message_post(body=_("No carrier chosen automatically: %s", error))
        return super()._action_done()


def _image_as_pdf(content):
    """A label image (GIF, PNG) as one 4x6 inch PDF page."""
    image = Image.open(io.BytesIO(content)).convert("RGB")
    output = io.BytesIO()
    dpi = max(image.width / 4.0, image.height / 6.0, 1.0)
    image.save(output, format="PDF", resolution=dpi)
    return output.getvalue()
