"""The interchanges (files) an EDI trading partner sent, each kept once."""

from odoo import fields, models


class OmsChannelEdiInterchange(models.Model):
    """One interchange received from an EDI channel's partner: its control
    number (a second file with the same one is a redelivery, stored once), the
    file as received, where it was archived, the purchase orders it brought
    (inbox records) and the acknowledgement written back."""

    _name = "oms.channel.edi.interchange"
    _description = "EDI Interchange"
    _order = "id desc"
    _rec_name = "control_number"

    channel_id = fields.Many2one(
        "oms.channel", required=True, index=True, ondelete="restrict", readonly=True
    )
    company_id = fields.Many2one(related="channel_id.company_id", store=True, index=True)
    control_number = fields.Char(
        required=True, readonly=True, help="ISA13 / UNB05: the partner's number of the file."
    )
    sender_id = fields.Char(readonly=True, help="ISA06 / UNB02 as received.")
    receiver_id = fields.Char(readonly=True, help="ISA08 / UNB03 as received.")
    file_name = fields.Char(readonly=True)
    archive_path = fields.Char(readonly=True, help="Where the file was moved once read.")
    raw = fields.Text(string="Interchange", required=True, readonly=True)
    state = fields.Selection(
        [("accepted", "Accepted"), ("rejected", "Rejected")],
        required=True,
        readonly=True,
        index=True,
    )
    error_message = fields.Text(readonly=True)
    inbox_ids = fields.Many2many(
        "oms.channel.inbox",
        "oms_channel_edi_interchange_inbox_rel",
        "interchange_id",
        "inbox_id",
        string="Inbox Records",
        readonly=True,
    )
    ack_file = fields.Char(
        string="Acknowledgement", readonly=True, help="The 997 / CONTRL file written back."
    )
    ack_control_number = fields.Char(readonly=True)
    redeliveries = fields.Integer(
        readonly=True, help="Files received again with this control number (not read again)."
    )

    _sql_constraints = [
        (
            "channel_control_uniq",
            "unique(channel_id, control_number)",
            "This interchange of this partner is already stored.",
        ),
    ]
