from odoo import _, api, fields, models


class OmsServiceLevelMap(models.Model):
    """A channel's shipping method (Shopify shipping line code, WooCommerce
    ``method_id``, Amazon ``ShipServiceLevel``...) and the OMS service level it
    means. Codes the imports meet are listed here, unmapped, with how often and
    when they were last seen, for a manager to map."""

    _name = "oms.service.level.map"
    _description = "Channel Shipping Method Mapping"
    _order = "channel_id, service_level_id desc, seen_count desc, code"
    _rec_name = "code"

    channel_id = fields.Many2one("oms.channel", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="channel_id.company_id", store=True, index=True)
    code = fields.Char(string="Channel Shipping Method", required=True)
    service_level_id = fields.Many2one(
        "oms.service.level",
        string="Service Level",
        ondelete="restrict",
        help="Empty: not mapped yet (the order gets the default level).",
    )
    seen_count = fields.Integer(string="Orders Seen", readonly=True, default=0)
    last_seen = fields.Datetime(readonly=True)

    _sql_constraints = [
        (
            "channel_code_uniq",
            "unique(channel_id, code)",
            "This channel's shipping method is mapped already.",
        ),
    ]

    @api.model
    def _oms_resolve(self, channel, codes, is_prime=False):
        """The service level of an order of ``channel`` with the shipping method
        ``codes``: Prime for a Prime order, else the first code mapped (or equal
        to a level's code), else the default level. Each code is counted as seen
        (one statement each, safe under parallel imports)."""
        codes = [str(code).strip() for code in codes or () if code and str(code).strip()]
        if channel and codes:
            self._oms_record_seen(channel, codes)
        Level = self.env["oms.service.level"].sudo()
        company = channel.company_id if channel else self.env.company
        of_company = Level._oms_of_company(company)
        if is_prime:
            prime = Level.search([*of_company, ("is_prime", "=", True)], limit=1)
            if prime:
                return prime
        if channel and codes:
            maps = self.sudo().search(
                [
                    ("channel_id", "=", channel.id),
                    ("code", "in", codes),
                    ("service_level_id", "!=", False),
                ]
            )
            by_code = {m.code: m.service_level_id for m in maps}
            levels = {level.code.lower(): level for level in Level.search(of_company)}
            for code in codes:
                level = by_code.get(code) or levels.get(code.lower())
                if level:
                    return level
        return Level._oms_default(company)

    @api.model
    def _oms_record_seen(self, channel, codes):
        self.flush_model()
        self.env.cr.execute(
            """
            INSERT INTO oms_service_level_map
                (channel_id, company_id, code, seen_count, last_seen, create_uid,
                 create_date, write_uid, write_date)
            SELECT %(channel)s, %(company)s, code, 1, %(now)s, %(uid)s, %(now)s, %(uid)s,
                   %(now)s
              FROM unnest(%(codes)s::varchar[]) AS code
            ON CONFLICT (channel_id, code) DO UPDATE
               SET seen_count = oms_service_level_map.seen_count + 1,
                   last_seen = EXCLUDED.last_seen
            """,
            {
                "channel": channel.id,
                "company": channel.company_id.id,
                "codes": sorted(set(codes)),
                "uid": self.env.uid,
                "now": fields.Datetime.now(),
            },
        )
        self.invalidate_model(["seen_count", "last_seen", "company_id"])

    def action_open_orders(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Orders of %s", self.code),
            "res_model": "sale.order",
            "view_mode": "list,form",
            "domain": [
                ("oms_channel_id", "=", self.channel_id.id),
                ("oms_shipping_method", "ilike", self.code),
            ],
        }
