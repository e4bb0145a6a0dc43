from odoo import _, fields, models

from .sale_order import RELEASED_STAGES, SHIPPED_STAGES

# Customer mails: kind → (stages that send it, channel switch, template)
STAGE_MAILS = {
    "received": (RELEASED_STAGES, "mail_order_received", "oms_core.mail_template_order_received"),
    "shipped": (SHIPPED_STAGES, "mail_shipped", "oms_core.mail_template_order_shipped"),
    "delivered": (("delivered",), "mail_delivered", "oms_core.mail_template_order_delivered"),
    "cancelled": (("cancelled",), "mail_cancelled", "oms_core.mail_template_order_cancelled"),
}


def post_customer_mail(record, template):
    """Post ``template`` on ``record`` as a comment to its customer, in the light
    layout, queued rather than sent in the transaction."""
    return record.with_context(mail_notify_force_send=False).message_post_with_source(
        template,
        message_type="comment",
        email_layout_xmlid="mail.mail_notification_light",
        subtype_xmlid="mail.mt_comment",
    )


class SaleOrder(models.Model):
    """The customer mails the order's stage sends."""

    _inherit = "sale.order"

    oms_mails_sent = fields.Char(
        copy=False, readonly=True, help="Kinds of customer mail already sent, comma-separated."
    )

    def _oms_mail_customer(self, template, **context):
        """Mail ``template`` to the order's customer (see ``post_customer_mail``),
        posted with ``context`` added, and note it on the order's timeline."""
        self.ensure_one()
        post_customer_mail(self.with_context(**context), template)
        self._oms_log_event("note", _("Mail sent: %s", template.name))

    def _oms_tracking_links(self):
        """Tracking of the order's parcels for the customer: a list of dicts with
        ``carrier``, ``number`` and ``url``. Carrier addons fill it."""
        self.ensure_one()
        return []

    def _oms_send_stage_mails(self):
        """Mail the customer what the order's stage tells, once per kind of mail,
        when its channel allows it and the customer has an email address:

        - received: the order is released for fulfilment for the first time
          (confirmed with no active hold; a held order gets it when released);
        - shipped: its first parcel ships (partially shipped or shipped);
        - delivered: tracking set its delivered date;
        - cancelled: it is cancelled after it was confirmed, or while it waited
          on hold for its confirmation (a cancelled quotation mails nobody).

        Mails are posted in the chatter and queued, not sent in the transaction;
        the kinds sent are kept in ``oms_mails_sent``, so a stage going back and
        forth mails once. A context key ``oms_no_mail`` silences them (imports,
        data fixes)."""
        if self.env.context.get("oms_no_mail"):
            return
        for order in self:
            sent = set(filter(None, (order.oms_mails_sent or "").split(",")))
            to_send = []
            for kind, (stages, switch, template_xmlid) in STAGE_MAILS.items():
                if order.oms_stage not in stages or kind in sent:
                    continue
                if kind == "cancelled" and not (
                    order.oms_released_date or order.oms_confirm_requested
                ):
                    continue  # a quotation nobody placed or confirmed: nothing to tell
                channel = order.oms_channel_id
                if not (channel and channel[switch] and order.partner_id.email):
                    continue
                template = self.env.ref(template_xmlid, raise_if_not_found=False)
                if template:
                    to_send.append(template)
                    sent.add(kind)
            if not to_send:
                continue
            # Recorded first: posting writes the order, which comes back here.
            quiet = order.with_context(oms_defer_stage=True, mail_notify_force_send=False)
            quiet.oms_mails_sent = ",".join(sorted(sent))
            for template in to_send:
                order._oms_mail_customer(template, oms_defer_stage=True)
