from odoo import api, fields, models

LITHIUM_TYPES = [
    ("ion_in_equipment", "Lithium ion, contained in equipment (UN3481)"),
    ("ion_with_equipment", "Lithium ion, packed with equipment (UN3481)"),
    ("ion_alone", "Lithium ion, batteries alone (UN3480)"),
    ("metal_in_equipment", "Lithium metal, contained in equipment (UN3091)"),
    ("metal_with_equipment", "Lithium metal, packed with equipment (UN3091)"),
    ("metal_alone", "Lithium metal, batteries alone (UN3090)"),
]
LITHIUM_MARKS = {
    "ion_in_equipment": "UN3481 LITHIUM ION BATTERIES CONTAINED IN EQUIPMENT",
    "ion_with_equipment": "UN3481 LITHIUM ION BATTERIES PACKED WITH EQUIPMENT",
    "ion_alone": "UN3480 LITHIUM ION BATTERIES",
    "metal_in_equipment": "UN3091 LITHIUM METAL BATTERIES CONTAINED IN EQUIPMENT",
    "metal_with_equipment": "UN3091 LITHIUM METAL BATTERIES PACKED WITH EQUIPMENT",
    "metal_alone": "UN3090 LITHIUM METAL BATTERIES",
}


class ProductTemplate(models.Model):
    _inherit = "product.template"

    oms_customs_description = fields.Char(
        string="Customs Description",
        help="What the goods are, in the words customs expect (defaults to the name).",
    )
    oms_un_number = fields.Char(string="UN Number", help="e.g. UN1263 for paint.")
    oms_hazard_class = fields.Char(string="Hazard Class", help="e.g. 3, 8, 9, 2.2.")
    oms_packing_group = fields.Selection(
        [("I", "I"), ("II", "II"), ("III", "III")], string="Packing Group"
    )
    oms_proper_shipping_name = fields.Char(string="Proper Shipping Name")
    oms_limited_quantity = fields.Boolean(string="Limited Quantity")
    oms_lithium_battery = fields.Selection(LITHIUM_TYPES, string="Lithium Battery")
    oms_hazmat_net_quantity = fields.Float(
        string="Net Quantity", help="Of dangerous goods per unit (kg or l)."
    )
    oms_is_hazmat = fields.Boolean(compute="_compute_oms_is_hazmat", store=True)

    @api.depends("oms_un_number", "oms_limited_quantity", "oms_lithium_battery")
    def _compute_oms_is_hazmat(self):
        for product in self:
            product.oms_is_hazmat = bool(
                product.oms_un_number or product.oms_limited_quantity or product.oms_lithium_battery
            )

    def _oms_hazmat_marks(self):
        """The text marks our own labels carry for this product."""
        self.ensure_one()
        marks = []
        if self.oms_lithium_battery:
            marks.append(LITHIUM_MARKS[self.oms_lithium_battery])
        if self.oms_un_number and not self.oms_lithium_battery:
            marks.append(
                " ".join(
                    part
                    for part in (
                        self.oms_un_number.upper(),
                        (self.oms_proper_shipping_name or "").upper(),
                        f"CLASS {self.oms_hazard_class}" if self.oms_hazard_class else "",
                        f"PG {self.oms_packing_group}" if self.oms_packing_group else "",
                    )
                    if part
                )
            )
        if self.oms_limited_quantity:
            marks.append("LIMITED QUANTITY")
        return marks
