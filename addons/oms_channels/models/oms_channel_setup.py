"""What a channel gets when created: its payment journal, its fee products and
its "fulfilled by channel" location and operation."""

from odoo import Command, _, models

# The view location the channels' "fulfilled by channel" locations are under.
FULFILLED_PARENT_NAME = "Fulfilled by Channels"
# A fee line's kind (channel_mappers.draft.FEE_KINDS) → the channel's field of its
# service product and the product's name. A channel gets those its connector
# names (``fee_kinds``: Amazon's) when created.
FEE_PRODUCT_FIELDS = {
    "gift_wrap": ("gift_wrap_product_id", "Gift Wrap"),
    "cod_fee": ("cod_fee_product_id", "Cash on Delivery Fee"),
}


def _journal_code(channel_id):
    """A short journal code of the channel (journal codes are 5 characters at
    most): "C" and its id in base 36."""
    digits, number = "", channel_id
    while True:
        number, rest = divmod(number, 36)
        digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"[rest] + digits
        if not number:
            return f"C{digits}"


class OmsChannel(models.Model):
    _inherit = "oms.channel"

    def _oms_payment_journal_setup(self):
        """The channel's payment journal (a bank journal named after it), created
        when missing; skipped while the company has no chart of accounts."""
        Journal = self.env["account.journal"].sudo()
        for channel in self.sudo():
            company = channel.company_id
            if not company.chart_template:
                continue
            code = _journal_code(channel.id)
            if Journal.with_context(active_test=False).search_count(
                [("company_id", "=", company.id), ("code", "=", code)], limit=1
            ):
                code = Journal.get_next_bank_cash_default_code("bank", company)
            channel.payment_journal_id = Journal.create(
                {
                    "name": _("%s Payments", channel.name),
                    "type": "bank",
                    "code": code,
                    "company_id": company.id,
                }
            )
        return True

    def _oms_fee_product(self, kind):
        """The channel's service product of a fee kind (``gift_wrap``,
        ``cod_fee``), created when missing; the generic *Channel charge* for a fee
        of no particular kind."""
        self.ensure_one()
        if kind not in FEE_PRODUCT_FIELDS:
            return self.env.ref("oms_channels.product_channel_charge").product_variant_id
        name, label = FEE_PRODUCT_FIELDS[kind]
        channel = self.sudo()
        if not channel[name]:
            channel[name] = (
                self.env["product.product"]
                .sudo()
                .create(
                    {
                        "name": f"{label} ({channel.name})",
                        "type": "service",
                        "sale_ok": True,
                        "purchase_ok": False,
                        "list_price": 0.0,
                        "invoice_policy": "order",
                        "taxes_id": [Command.clear()],
                        "company_id": channel.company_id.id,
                    }
                )
            )
        return channel[name]

    def _oms_charge_products(self):
        """Every service product the channel's orders carry besides goods: the
        *Channel charge* (shipping, fees, discounts) and the channel's fee products."""
        products = self.env.ref("oms_channels.product_channel_charge").product_variant_id
        for channel in self.sudo():
            for name, _label in FEE_PRODUCT_FIELDS.values():
                products |= channel[name]
        return products.with_env(self.env)

    def _oms_fulfilled_by_channel_setup(self):
        """The channel's "fulfilled by channel" location (under the company's view
        location *Fulfilled by Channels*) and the delivery operation from it,
        created when missing."""
        Location = self.env["stock.location"].sudo()
        customers = self.env.ref("stock.stock_location_customers")
        for channel in self.sudo():
            company = channel.company_id
            if not channel.fulfilled_location_id:
                parent = Location.search(
                    [
                        ("name", "=", FULFILLED_PARENT_NAME),
                        ("usage", "=", "view"),
                        ("location_id", "=", False),
                        ("company_id", "=", company.id),
                    ],
                    limit=1,
                ) or Location.create(
                    {"name": FULFILLED_PARENT_NAME, "usage": "view", "company_id": company.id}
                )
                channel.fulfilled_location_id = Location.create(
                    {
                        "name": channel.name,
                        "usage": "internal",
                        "location_id": parent.id,
                        "company_id": company.id,
                    }
                )
            if not channel.fulfilled_picking_type_id:
                warehouse = channel.warehouse_id or self.env["stock.warehouse"].sudo().search(
                    [("company_id", "=", company.id)], limit=1
                )
                channel.fulfilled_picking_type_id = (
                    self.env["stock.picking.type"]
                    .sudo()
                    .create(
                        {
                            "name": _("Fulfilled by %s", channel.name),
                            "code": "outgoing",
                            # Its own numbers: channels sharing one prefix, each
                            # with its own sequence, would name two deliveries alike.
                            "sequence_code": f"FBC{channel.id}",
                            "company_id": company.id,
                            "warehouse_id": warehouse.id,
                            "default_location_src_id": channel.fulfilled_location_id.id,
                            "default_location_dest_id": customers.id,
                        }
                    )
                )
            elif channel.fulfilled_picking_type_id.sequence_code == "FBC":
                # Made before each channel had its own prefix: its next number may
                # be another channel's delivery's already.
                channel.fulfilled_picking_type_id.sequence_code = f"FBC{channel.id}"
        return True
