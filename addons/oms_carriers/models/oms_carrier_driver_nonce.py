from odoo import api, fields, models


class OmsCarrierDriverNonce(models.Model):
    """A driver app's update received: its event id, kept so that the same signed
    request sent again (a replay) is refused."""

    _name = "oms.carrier.driver.nonce"
    _description = "Driver Update Received"

    carrier_id = fields.Many2one("delivery.carrier", required=True, ondelete="cascade")
    # the carrier's (none: shared); administrators only read these
    company_id = fields.Many2one(related="carrier_id.company_id", store=True)
    event_id = fields.Char(required=True)

    _sql_constraints = [
        ("event_uniq", "unique(carrier_id, event_id)", "This driver update was received."),
    ]

    @api.autovacuum
    def _gc_old(self):
        # the signature's window is minutes: a day of them is plenty against replays
        self.search(
            [("create_date", "<", fields.Datetime.subtract(fields.Datetime.now(), days=2))]
        ).unlink()
