from odoo.tests import TransactionCase, new_test_user


class OmsCoreCase(TransactionCase):
    """Base of the OMS tests: its own users and data, no demo data, no tracking."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.env.company
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.company.id)], limit=1
        )
        cls.team = cls.env["crm.team"].create({"name": "Order desk"})
        cls.oms_user = new_test_user(
            cls.env, login="oms_user", groups="oms_core.group_oms_user", name="OMS User"
        )
        cls.oms_manager = new_test_user(
            cls.env, login="oms_manager", groups="oms_core.group_oms_manager", name="OMS Manager"
        )
        cls.channel = cls.env["oms.channel"].create(
            {"name": "Web shop", "warehouse_id": cls.warehouse.id, "team_id": cls.team.id}
        )
        cls.country = cls.env.ref("base.be")
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "Ada Customer",
                "email": "ada@example.com",
                "street": "Rue de la Loi 16",
                "city": "Brussels",
                "zip": "1000",
                "country_id": cls.country.id,
            }
        )
        cls.product = cls.env["product.product"].create(
            {
                "name": "Blue mug",
                "default_code": "MUG-BLUE",
                "is_storable": True,
                "list_price": 12.0,
                "taxes_id": [(5, 0, 0)],
            }
        )
        cls.env["stock.quant"]._update_available_quantity(
            cls.product, cls.warehouse.lot_stock_id, 100
        )

    @classmethod
    def _order(cls, qty=2, price=None, partner=None, **values):
        """A quotation of ``qty`` mugs on the test channel."""
        line = {"product_id": cls.product.id, "product_uom_qty": qty}
        if price is not None:
            line["price_unit"] = price
        return cls.env["sale.order"].create(
            {
                "partner_id": (partner or cls.customer).id,
                "oms_channel_id": cls.channel.id,
                "order_line": [(0, 0, line)],
                **values,
            }
        )

    @staticmethod
    def _ship(order, qty=None):
        """Validate the order's open outgoing delivery, for ``qty`` units or all."""
        picking = order.picking_ids.filtered(
            lambda p: p.picking_type_code == "outgoing" and p.state not in ("done", "cancel")
        )
        picking.action_assign()
        for move in picking.move_ids:
            move.quantity = qty if qty is not None else move.product_uom_qty
            move.picked = True
        result = picking.with_context(skip_backorder=qty is None).button_validate()
        if isinstance(result, dict) and result.get("res_model") == "stock.backorder.confirmation":
            wizard = (
                picking.env["stock.backorder.confirmation"]
                .with_context(**result["context"])
                .create({})
            )
            wizard.process()
        return picking

    @staticmethod
    def _stages(order):
        """The stage changes of the order's timeline, oldest first."""
        events = order.oms_event_ids.filtered("stage_to").sorted("id")
        return [e.stage_to for e in events]
