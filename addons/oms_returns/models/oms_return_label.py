from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.job import identity_exact

from .oms_return import MANAGER


class OmsReturn(models.Model):
    """The return label: bought by a job after the approval commits, attached to
    the request and mailed; the parcel's tracking then moves the request on."""

    _inherit = "oms.return"

    label_attachment_ids = fields.Many2many(
        "ir.attachment", "oms_return_label_rel", string="Return Labels", readonly=True, copy=False
    )
    can_be_label_sent = fields.Boolean(compute="_compute_can_be_label_sent")

    @api.depends("state", "picking_ids.state")
    def _compute_can_be_label_sent(self):
        for request in self:
            receipts = request.picking_ids.filtered(lambda p: p.state != "cancel")
            request.can_be_label_sent = (
                request.state == "approved"
                and bool(receipts)
                and bool(request.line_ids.policy_id.return_carrier_id[:1])
            )

    def _oms_queue_label(self):
        """Queue the job "Buy return label" of each request that needs one. No
        carrier call here: the job is stored with this transaction and runs once it
        has committed, so a request rolled back and run again (a serialization
        failure) leaves no job and no label behind; its identity key queues nothing
        new while the request's job waits (a second click, a replay)."""
        for request in self.filtered("can_be_label_sent"):
            request.with_delay(
                description=_("Buy return label of %s", request.name),
                identity_key=identity_exact,
            )._oms_buy_labels()

    def action_send_label(self):
        """Send Return Label (after a carrier error, once its job gave up): queue
        the same job as the approval, not a purchase in the user's request. One path
        for every label: one job per request, the carrier's purchase attempts against
        a second label, and nobody waiting on a slow carrier."""
        self._ensure_can_be("label_sent")
        self._oms_queue_label()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "info",
                "message": _(
                    "The return label is being bought: the customer gets it by mail "
                    "as soon as the carrier sends it."
                ),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def _oms_buy_labels(self):
        """The job "Buy return label": the label of each receipt, bought once (a
        retry after a lost answer reuses what the carrier sold, through oms_carriers'
        purchase attempts, keyed on the receipt committed with the approval),
        attached and mailed. A carrier error leaves the request approved with a note
        saying why, and the job is tried again by its retry pattern (data:
        ``queue_job_function_buy_return_labels``); when the last try fails, the
        returns team gets an activity (``queue.job``)."""
        self.ensure_one()
        # One job at a time per request: another one waits here, then finds the
        # labels bought (or runs again once this one has committed).
        self.env.cr.execute(
            SQL("SELECT id FROM oms_return WHERE id = %s FOR NO KEY UPDATE", self.id)
        )
        self.invalidate_recordset()
        if not self.can_be_label_sent:
            return _("Nothing to buy: %(name)s is %(state)s.", name=self.name, state=self.state)
        try:
            self._oms_purchase_labels()
        except UserError as error:
            self._oms_note_apart(
                _(
                    "The return label could not be bought yet (tried again later): %s",
                    error.args[0],
                )
            )
            raise RetryableJobError(error.args[0]) from error
        return _("Labels bought: %s", ", ".join(self.label_attachment_ids.mapped("name")))

    def _oms_note_apart(self, body):
        """A note kept whatever becomes of this transaction (a job that fails is
        rolled back before it is tried again): committed on a cursor of its own.
        It writes messages only, never the request's row the job holds."""
        with self.env.registry.cursor() as cr:
            self.with_env(self.env(cr=cr)).message_post(body=body, subtype_xmlid="mail.mt_note")

    def _oms_label_given_up(self, reason):
        """The label job's last try failed: an activity for the returns team (the
        order's sales team leader, else its salesperson, else an OMS manager)."""
        for request in self:
            order = request.line_ids.order_id[:1]
            user = order.team_id.user_id or order.user_id
            if not user:
                user = self.env["res.users"].search(
                    [
                        ("groups_id", "in", self.env.ref(MANAGER).id),
                        ("company_ids", "in", request.company_id.id),
                        ("share", "=", False),
                    ],
                    limit=1,
                    order="id",
                )
            request.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=_("Return label not bought"),
                note=_(
                    "The carrier did not sell the return label of %(request)s, tried "
                    "several times (%(reason)s). Check the carrier, then click Send "
                    "Return Label.",
                    request=request.name,
                    reason=reason or "-",
                ),
                user_id=user.id or self.env.ref("base.user_root").id,
            )

    def _oms_purchase_labels(self):
        """Buy the return label of each receipt with the policy's carrier (the parcel
        goes from the customer to the warehouse) and mail it to the customer."""
        self.ensure_one()
        request = self
        carrier = request.line_ids.policy_id.return_carrier_id[:1]
        attachments = self.env["ir.attachment"]
        for receipt in request.picking_ids.filtered(lambda p: p.state not in ("done", "cancel")):
            before = self.env["ir.attachment"].search(
                [("res_model", "=", "stock.picking"), ("res_id", "=", receipt.id)]
            )
            receipt.carrier_id = carrier
            result = carrier.send_shipping(receipt)[0]
            receipt.carrier_tracking_ref = result["tracking_number"]
            labels = (
                self.env["ir.attachment"].search(
                    [("res_model", "=", "stock.picking"), ("res_id", "=", receipt.id)]
                )
                - before
            )
            attachments |= labels.copy({"res_model": "oms.return", "res_id": request.id})
        request.write(
            {"state": "label_sent", "label_attachment_ids": [(4, a) for a in attachments.ids]}
        )
        for order in request.line_ids.order_id:
            order._oms_log_event("note", _("Return label sent"), reason=request.name)
        request.message_post(
            body=_("Here is your return label: print it and stick it on the parcel."),
            partner_ids=request.partner_id.ids,
            subtype_xmlid="mail.mt_comment",
            attachment_ids=attachments.ids,
        )

    def _oms_parcel_news(self, status):
        """Tracking of the return parcel: on its way, or arrived at the warehouse."""
        self.ensure_one()
        if status in ("in_transit", "out_for_delivery") and self.state == "label_sent":
            self.state = "in_transit"
            self._oms_log(_("Return %s is on its way to us", self.name))
        elif status == "delivered" and self.state in ("label_sent", "in_transit"):
            # Into the returns location, not sellable stock: inspection decides.
            self._oms_log(_("Return %s arrived at the warehouse", self.name), mail=False)
            try:
                with self.env.cr.savepoint():
                    self.action_receive()
            except UserError as error:
                # The tracking event stands; the warehouse sorts the receipt out.
                self.message_post(body=error.args[0], subtype_xmlid="mail.mt_note")
