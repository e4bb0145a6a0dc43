from odoo import api, models

from .sale_order_line import BATCH_KEY

# The note "This transfer has been created from: <order>" that sale_stock posts
# on each new delivery.
ORIGIN_NOTE = "mail.message_origin_link"


class StockPicking(models.Model):
    _inherit = "stock.picking"

    def message_post_with_source(
        self,
        source_ref,
        render_values=None,
        message_type="notification",
        subtype_xmlid=False,
        subtype_id=False,
        **kwargs,
    ):
        """The deliveries of several orders confirmed together: the note naming
        each one's order is kept for ``_oms_log_origin_notes``, which writes
        them all at once, instead of one message post per delivery."""
        batch = self.env.context.get(BATCH_KEY)
        if (
            batch
            and batch["open"]
            and source_ref == ORIGIN_NOTE
            and render_values
            and not render_values.get("edit")
            and message_type == "notification"
            and subtype_xmlid == "mail.mt_note"
            and not subtype_id
            and not kwargs
        ):
            batch.setdefault("origin_notes", []).append((self, render_values["origin"]))
            return self.env["mail.message"]
        return super().message_post_with_source(
            source_ref,
            render_values=render_values,
            message_type=message_type,
            subtype_xmlid=subtype_xmlid,
            subtype_id=subtype_id,
            **kwargs,
        )

    @api.model
    def _oms_log_origin_notes(self, notes):
        """Write the notes kept by ``message_post_with_source``: the same text,
        author and subtype (an internal note, which notifies nobody), in one
        create per round of distinct deliveries posted by the same user."""
        by_poster = {}
        for pickings, origin in notes:
            bodies = pickings.env["mail.render.mixin"]._render_template_qweb_view(
                ORIGIN_NOTE,
                pickings._name,
                pickings.ids,
                add_context={"self": pickings, "origin": origin},
            )
            _env, rounds = by_poster.setdefault(
                (pickings.env.uid, pickings.env.su), (pickings.env, [])
            )
            for picking_id, body in bodies.items():
                free = next((r for r in rounds if picking_id not in r), None)
                if free is None:
                    free = {}
                    rounds.append(free)
                free[picking_id] = body
        for env, rounds in by_poster.values():
            for bodies in rounds:
                env[self._name].browse(list(bodies))._message_log_batch(bodies=bodies)

    def action_confirm(self):
        deferred = self.env.context.get(BATCH_KEY)
        if deferred and deferred["open"]:
            # Confirmed with the other orders' deliveries (sale.order.line).
            deferred["ids"].extend(self.ids)
            return True
        return super().action_confirm()
