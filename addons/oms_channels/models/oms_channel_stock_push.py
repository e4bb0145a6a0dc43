"""What a channel is told it may sell: its stock, pushed."""

import logging

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.job import identity_exact

from ..channel_clients import ChannelError
from ..channel_connectors import MissingSetting, StockLine, api_kinds
from .oms_channel_product import TRANSIENT_ERRORS

_logger = logging.getLogger(__name__)

# Seconds a push on change waits, so that a burst of moves makes one push.
PUSH_DELAY = 30


class OmsChannel(models.Model):
    _inherit = "oms.channel"

    def _oms_stock_locations(self):
        """The stock locations whose quantities the channel sells."""
        self.ensure_one()
        if self.warehouse_id:
            return self.warehouse_id.lot_stock_id
        warehouses = self.env["stock.warehouse"].search([("company_id", "=", self.company_id.id)])
        return warehouses.lot_stock_id

    def _oms_stock_breakdown(self, products, warehouses=None):
        """``{product id: (on hand, reserved)}`` in ``warehouses`` (the channel's by
        default): what their sellable locations hold (never quarantine, scrap,
        returns, nor a location marked *Not Free Stock*) and what is reserved there,
        deliveries' reservations and the units orders on hold keep alike."""
        self.ensure_one()
        if warehouses is None:
            warehouses = self._oms_stock_locations().warehouse_id
        locations = self.env["stock.location"].sudo()._oms_sellable_locations(warehouses)
        groups = (
            self.env["stock.quant"]
            .sudo()
            ._read_group(
                [("product_id", "in", products.ids), ("location_id", "in", locations.ids)],
                ["product_id"],
                ["quantity:sum", "reserved_quantity:sum"],
            )
        )
        held = products.sudo()._oms_soft_reserved_qty(warehouses)
        return {
            product.id: (quantity, reserved + held.get(product.id, 0.0))
            for product, quantity, reserved in groups
        }

    def action_push_stock(self):
        for channel in self:
            channel._oms_push_stock()
            if channel.last_push_error:
                raise UserError(channel.last_push_error)
        return True

    def _oms_push_stock(self, bindings=None, only_changed=False):
        """Send each listed product's sellable quantity to the channel, with its
        breakdown kept on the listing. ``only_changed`` sends just the figures
        that differ from the last ones sent (pushes on change)."""
        self.ensure_one()
        if not self._oms_connector().has_api:
            return False
        # Only listings that are an Odoo product: one to map or ignored has no stock.
        bindings = (
            (bindings or self.product_binding_ids)
            .filtered(lambda b: b.active and b.state == "mapped")
            .sudo()
        )
        if not bindings:
            return False
        # Where the figures go: Shopify's mapped locations, each from its own
        # warehouse; else one target (key None) from the channel's warehouses.
        try:
            targets = self._oms_stock_targets()
        except UserError as error:
            return self._oms_stock_push_failed(bindings, error)
        figures = self._oms_stock_figures(bindings, targets)
        # What each listing is sent: every target's figure, or (on change) the
        # figures that differ from the last ones sent.
        send = {
            b: b._oms_push_changed(figures[b]) if only_changed else set(figures[b])
            for b in bindings
        }
        bindings = bindings.filtered(lambda b: send[b])
        if not bindings:
            return True
        try:
            client = self._oms_get_channel_client()
            result = self._oms_send_stock(client, bindings, send, figures)
        except TRANSIENT_ERRORS as error:
            if self.env.context.get("job_uuid"):
                raise RetryableJobError(str(error)) from error
            self.sudo().last_push_error = _("Stock push failed: %s", error)
            return False
        except MissingSetting as error:
            return self._oms_stock_push_failed(
                bindings,
                UserError(
                    _(
                        "Set the %(setting)s of %(channel)s first.",
                        setting=error.setting,
                        channel=self.name,
                    )
                ),
            )
        except (ChannelError, UserError) as error:
            return self._oms_stock_push_failed(bindings, error)
        pushed = bindings.browse(result.pushed)
        refused = {bindings.browse(key): message for key, message in result.refused.items()}
        levels = {bindings.browse(key): level for key, level in (result.levels or {}).items()}
        reference = result.reference
        now = fields.Datetime.now()
        names = {key: name for key, name, _warehouses in targets}
        for binding in bindings:
            if binding not in pushed and binding not in refused:
                continue
            vals = binding._prepare_stock_push_vals(
                figures[binding], levels.get(binding, {}), names, refused.get(binding)
            )
            if binding not in refused:
                vals.update({"push_date": now, "push_reference": reference or False})
            binding.write(vals)
        self.sudo().write(
            {
                "last_push_date": now,
                "last_push_error": _("%s products refused: see their listings.", len(refused))
                if refused
                else False,
            }
        )
        return True

    def _oms_send_stock(self, client, bindings, send, figures):
        """The listings' figures to send, through the channel's connector: the
        channel's ids of the listings that have none are looked up by SKU and kept
        first, then the figures are sent; the connector's ``StockPush``."""
        connector = self._oms_connector()
        lines = [
            StockLine(
                binding.id,
                binding.sku,
                binding.remote_id or None,
                binding.remote_parent_id or None,
                {key: figures[binding][key][2] for key in send[binding]},
            )
            for binding in bindings
        ]
        found = connector.find_remote_ids(client, lines)
        for binding in bindings:
            if binding.id in found:
                binding.write(found[binding.id])
        lines = [
            line._replace(
                remote_id=found[line.key]["remote_id"] or None,
                remote_parent_id=found[line.key].get("remote_parent_id", line.remote_parent_id)
                or None,
            )
            if line.key in found
            else line
            for line in lines
        ]
        return connector.push_stock(client, lines)

    def _oms_stock_figures(self, bindings, targets):
        """``{listing: {target key: (on hand, reserved, quantity)}}``, the quantity
        being on hand - reserved - buffer in the target's warehouses, never below 0."""
        figures = {binding: {} for binding in bindings}
        for key, _name, warehouses in targets:
            breakdown = self._oms_stock_breakdown(bindings.product_id, warehouses)
            for binding in bindings:
                on_hand, reserved = breakdown.get(binding.product_id.id, (0.0, 0.0))
                quantity = max(0, int(on_hand - reserved - self.stock_buffer))
                figures[binding][key] = (on_hand, reserved, quantity)
        return figures

    def _oms_stock_push_failed(self, bindings, error):
        self.sudo().write({"last_push_error": _("Stock push failed: %s", error)})
        bindings.write({"push_state": "error", "push_error": str(error)})
        return False

    def _oms_stock_targets(self):
        """``[(key, name, warehouses)]``: where the channel's figures go and whose
        stock each is. Shopify: each location mapped to a warehouse (key: its
        Shopify id); while none is, the channel's Shopify location with the
        channel's stock. Other channels: one figure (key None) of the channel's
        warehouses."""
        self.ensure_one()
        if not self._oms_connector().stock_by_location:
            return [(None, None, self._oms_stock_locations().warehouse_id)]
        mapped = self.sudo().shopify_location_ids.filtered("warehouse_id")
        if mapped:
            return [(m.remote_id, m.name or m.remote_id, m.warehouse_id) for m in mapped]
        if not self.shopify_location_id:
            raise UserError(
                _(
                    "Set the Shopify location of %s first (or map its Shopify locations "
                    "to warehouses).",
                    self.name,
                )
            )
        return [
            (
                self.shopify_location_id,
                self.shopify_location_id,
                self._oms_stock_locations().warehouse_id,
            )
        ]

    def _oms_queue_stock_push(self):
        """Push soon the stock of the channels' products that moved: one pending
        job per channel however many moves happen meanwhile."""
        for channel in self.filtered("stock_push_on_change"):
            channel.with_delay(
                eta=PUSH_DELAY,
                identity_key=identity_exact,
                description=_("Push stock to %s", channel.name),
            )._oms_push_stock(only_changed=True)

    @api.model
    def _cron_oms_push_stock(self):
        """Queue a push of every API channel's stock, one job each (root.oms.push;
        one still waiting is not queued again): a slow channel holds back no
        other."""
        for channel in self.search([("channel_type", "in", api_kinds())]):
            if not (channel.sudo().api_base_url and channel.product_binding_ids):
                continue
            channel.sudo().with_delay(
                identity_key=identity_exact,
                description=_("Push the stock of %s", channel.name),
            )._oms_push_stock_isolated()

    def _oms_push_stock_isolated(self):
        """Push the channel's stock in a savepoint: a push that fails in an
        unexpected way (an answer nothing expected, a bug) is rolled back, with
        the error on the channel."""
        self.ensure_one()
        try:
            with self.env.cr.savepoint():
                self._oms_push_stock()
        except RetryableJobError:
            raise  # the channel did not answer: the job tries again by its pattern
        except Exception as error:
            _logger.exception("Channel %s: the scheduled stock push failed", self.id)
            self.sudo().last_push_error = _("Stock push failed: %s", error)
