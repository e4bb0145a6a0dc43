from odoo import _, fields, models
from odoo.exceptions import UserError

from .product_template import LITHIUM_TYPES


class DeliveryCarrier(models.Model):
    """The dangerous goods a carrier's service takes, checked before any call."""

    _inherit = "delivery.carrier"

    oms_hazmat_lithium = fields.Selection(
        [
            ("none", "No lithium batteries"),
            ("in_equipment", "Only contained in equipment"),
            ("with_equipment", "Contained in or packed with equipment"),
            ("all", "All, batteries alone too"),
        ],
        string="Lithium Batteries Accepted",
        default="in_equipment",
    )
    oms_hazmat_limited_quantity = fields.Boolean(string="Limited Quantities Accepted", default=True)
    oms_hazmat_classes = fields.Char(
        string="Hazard Classes Accepted",
        help="Comma-separated classes of fully regulated dangerous goods this service "
        "takes (e.g. 3,8,9); none when empty.",
    )

    def _oms_check_hazmat(self, picking):
        """Refuse, before any call to the carrier, dangerous goods its service does
        not take; the message names the product and the rule."""
        lithium_rank = {
            "none": set(),
            "in_equipment": {"ion_in_equipment", "metal_in_equipment"},
            "with_equipment": {
                "ion_in_equipment",
                "metal_in_equipment",
                "ion_with_equipment",
                "metal_with_equipment",
            },
        }
        classes = {c.strip() for c in (self.oms_hazmat_classes or "").split(",") if c.strip()}
        for product in picking.move_ids.product_id.filtered("oms_is_hazmat"):
            battery = product.oms_lithium_battery
            accepted = self.oms_hazmat_lithium or "none"
            if battery and accepted != "all" and battery not in lithium_rank[accepted]:
                raise UserError(
                    _(
                        "%(carrier)s does not take %(product)s: its lithium batteries "
                        "(%(battery)s) are not among what it accepts (%(accepted)s).",
                        carrier=self.name,
                        product=product.display_name,
                        battery=dict(LITHIUM_TYPES)[battery],
                        accepted=dict(self._fields["oms_hazmat_lithium"].selection)[accepted],
                    )
                )
            if product.oms_limited_quantity and not self.oms_hazmat_limited_quantity:
                raise UserError(
                    _(
                        "%(carrier)s does not take %(product)s: it ships no limited quantities "
                        "of dangerous goods.",
                        carrier=self.name,
                        product=product.display_name,
                    )
                )
            if (
                product.oms_un_number
                and not product.oms_limited_quantity
                and not battery
                and (product.oms_hazard_class or "?") not in classes
            ):
                raise UserError(
                    _(
                        "%(carrier)s does not take %(product)s: %(un)s, class %(klass)s, is not "
                        "among the hazard classes it accepts (%(classes)s).",
                        carrier=self.name,
                        product=product.display_name,
                        un=product.oms_un_number,
                        klass=product.oms_hazard_class or "?",
                        classes=", ".join(sorted(classes)) or _("none"),
                    )
                )
