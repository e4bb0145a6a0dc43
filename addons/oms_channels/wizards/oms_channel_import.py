import base64
import json

from odoo import _, fields, models
from odoo.exceptions import UserError

from ..channel_connectors import kinds_with
from ..channel_mappers import MappingError, read_csv_orders


class OmsChannelImport(models.TransientModel):
    """Upload a CSV file of orders: each order goes into the inbox, once per version."""

    _name = "oms.channel.import"
    _description = "Import Channel Orders from a File"

    channel_id = fields.Many2one(
        "oms.channel",
        required=True,
        domain=lambda self: [("channel_type", "in", kinds_with("takes_files"))],
    )
    file = fields.Binary(string="CSV File", required=True)
    filename = fields.Char()

    def action_import(self):
        self.ensure_one()
        if not self.channel_id._oms_connector().takes_files:
            raise UserError(_("%s does not take files.", self.channel_id.name))
        try:
            orders = read_csv_orders(base64.b64decode(self.file))
        except MappingError as error:
            raise UserError(_("The file cannot be read: %s", error)) from error
        if not orders:
            raise UserError(_("The file has no order rows."))
        Inbox = self.env["oms.channel.inbox"]
        stored = new = Inbox
        for order in orders:
            record, created = Inbox._oms_store(
                self.channel_id, "file", json.dumps(order), topic=self.filename or False
            )
            stored |= record
            if created:
                new |= record
        new._oms_queue_processing()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "oms_channels.oms_channel_inbox_action"
        )
        action["domain"] = [("id", "in", stored.ids)]
        action["context"] = {}
        return action
