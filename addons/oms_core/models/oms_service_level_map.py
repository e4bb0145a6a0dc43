import logging

import psycopg2

from odoo import _, api, fields, models

_logger = logging.getLogger(__name__)


class OmsServiceLevelMap(models.Model):
    """A channel's shipping method (Shopify shipping line code, WooCommerce
    ``method_id``, Amazon ``ShipServiceLevel``...) and the OMS service level it
    means. Codes the imports meet are listed here, unmapped, with how often and
    when they were last seen, for a manager to map."""

    _name = "oms.service.level.map"
    _description = "Channel Shipping Method Mapping"
    _order = "channel_id, service_level_id desc, code"
    _rec_name = "code"

    channel_id = fields.Many2one("oms.channel", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="channel_id.company_id", store=True, index=True)
    code = fields.Char(string="Channel Shipping Method", required=True)
    service_level_id = fields.Many2one(
        "oms.service.level",
        ondelete="restrict",
        help="Empty: not mapped yet (the order gets the default level).",
    )
    seen_count = fields.Integer(
        string="Orders Seen",
        compute="_compute_seen",
        help="The channel's orders with this shipping method.",
    )
    last_seen = fields.Datetime(
        compute="_compute_seen", help="Order date of the latest order with this method."
    )

    _sql_constraints = [
        (
            "channel_code_uniq",
            "unique(channel_id, code)",
            "This channel's shipping method is mapped already.",
        ),
    ]

    @api.depends("channel_id", "code")
    def _compute_seen(self):
        """Counted from the orders (one grouped read), not kept on the row: parallel
        imports would otherwise all wait on the same row of a common method."""
        groups = (
            self.env["sale.order"]
            .sudo()
            ._read_group(
                [
                    ("oms_channel_id", "in", self.channel_id.ids),
                    ("oms_shipping_method", "in", [code for code in self.mapped("code") if code]),
                ],
                ["oms_channel_id", "oms_shipping_method"],
                ["__count", "oms_order_date:max"],
            )
        )
        seen = {(channel.id, code): (count, last) for channel, code, count, last in groups}
        for row in self:
            row.seen_count, row.last_seen = seen.get((row.channel_id.id, row.code), (0, False))

    @api.model
    def _oms_resolve(self, channel, codes, is_prime=False):
        """The service level of an order of ``channel`` with the shipping method
        ``codes``: Prime for a Prime order, else the first code mapped (or equal
        to a level's code), else the default level. Each code is counted as seen
        (one statement, safe under parallel imports)."""
        return self._oms_resolve_many(channel, [(codes, is_prime)])[0]

    @api.model
    def _oms_resolve_many(self, channel, requests):
        """``_oms_resolve`` for many orders of ``channel`` at once: ``requests`` is
        a list of ``(codes, is_prime)``; returns their levels in order, with a
        fixed number of queries whatever their number."""
        requests = [(_clean(codes), bool(is_prime)) for codes, is_prime in requests]
        seen = {}
        for codes, _prime in requests:
            for code in dict.fromkeys(codes):
                seen[code] = seen.get(code, 0) + 1
        if channel and seen:
            self._oms_record_seen(channel, seen)
        Level = self.env["oms.service.level"].sudo()
        company = channel.company_id if channel else self.env.company
        of_company = Level._oms_of_company(company)
        levels = Level.search(of_company)
        default = levels.filtered("is_default")[:1] or levels[:1]
        prime = levels.filtered("is_prime")[:1]
        by_code = {}
        if channel and seen:
            maps = self.sudo().search(
                [
                    ("channel_id", "=", channel.id),
                    ("code", "in", list(seen)),
                    ("service_level_id", "!=", False),
                ]
            )
            by_code = {m.code: m.service_level_id for m in maps}
        by_level_code = {level.code.lower(): level for level in levels}
        found = []
        for codes, is_prime in requests:
            level = prime if is_prime else Level
            for code in codes:
                if level:
                    break
                level = by_code.get(code) or by_level_code.get(code.lower(), Level)
            found.append(level or default)
        return found

    @api.model
    def _oms_record_seen(self, channel, counts):
        """List the codes of ``counts`` ({code: orders}) not known yet for
        ``channel``. A known code is only read: parallel imports never write
        the same row (its counts come from the orders)."""
        self.flush_model()
        self.env.cr.execute(
            "SELECT code FROM oms_service_level_map WHERE channel_id = %s AND code = ANY(%s)",
            [channel.id, sorted(counts)],
        )
        new = sorted(set(counts) - {code for (code,) in self.env.cr.fetchall()})
        if not new:
            return
        try:
            with self.env.cr.savepoint(flush=False):
                self._oms_insert_codes(channel, new)
        except psycopg2.errors.SerializationFailure:
            # A parallel import listed the code since this transaction began:
            # the row exists, which is all this wanted.
            _logger.debug("Shipping methods %s of %s listed by another import", new, channel)
        # Rows made here are not in the channels' cached lists yet.
        channel.invalidate_recordset(["service_level_map_ids"])

    @api.model
    def _oms_insert_codes(self, channel, codes):
        self.env.cr.execute(
            """
            INSERT INTO oms_service_level_map
                (channel_id, company_id, code, create_uid, create_date, write_uid, write_date)
            SELECT %(channel)s, %(company)s, code, %(uid)s, %(now)s, %(uid)s, %(now)s
              FROM unnest(%(codes)s::varchar[]) AS code
            ON CONFLICT (channel_id, code) DO NOTHING
            """,
            {
                "channel": channel.id,
                "company": channel.company_id.id,
                "codes": codes,
                "uid": self.env.uid,
                "now": fields.Datetime.now(),
            },
            log_exceptions=False,
        )

    def action_open_orders(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Orders of %s", self.code),
            "res_model": "sale.order",
            "view_mode": "list,form",
            "domain": [
                ("oms_channel_id", "=", self.channel_id.id),
                ("oms_shipping_method", "=", self.code),
            ],
        }


def _clean(codes):
    """The codes as stripped strings, empty ones left out, in order."""
    return [str(code).strip() for code in codes or () if code and str(code).strip()]
