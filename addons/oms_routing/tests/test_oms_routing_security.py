"""Routing records by company: a user of one company sees none of another's."""

from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, new_test_user


class TestRoutingCompanies(TransactionCase):
    def _records_of(self, company):
        env = self.env(context=dict(self.env.context, allowed_company_ids=company.ids))
        warehouse = env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1)
        source = env["oms.routing.source"].create(
            {
                "name": f"Source {company.name}",
                "company_id": company.id,
                "warehouse_id": warehouse.id,
            }
        )
        product = env["product.product"].create({"name": f"Thing {company.name}"})
        order = env["sale.order"].create(
            {
                "partner_id": env["res.partner"].create({"name": "Buyer"}).id,
                "company_id": company.id,
                "order_line": [(0, 0, {"product_id": product.id, "product_uom_qty": 1})],
            }
        )
        decision = env["oms.routing.decision"].create({"order_id": order.id, "summary": "here"})
        return {
            "oms.routing.source": source,
            "oms.routing.rate": env["oms.routing.rate"].create(
                {"source_id": source.id, "max_km": 100, "base": 5}
            ),
            "oms.routing.strategy": env["oms.routing.strategy"].create(
                {"name": f"Strategy {company.name}", "company_id": company.id}
            ),
            "oms.routing.decision": decision,
            "oms.routing.candidate": env["oms.routing.candidate"].create(
                {"decision_id": decision.id, "source_id": source.id, "chosen": True}
            ),
            "oms.routing.allocation": env["oms.routing.allocation"].create(
                {
                    "decision_id": decision.id,
                    "line_id": order.order_line.id,
                    "source_id": source.id,
                    "quantity": 1,
                }
            ),
        }

    def test_a_user_of_one_company_cannot_read_another_companys_records(self):
        company_a = self.env.company
        company_b = self.env["res.company"].create({"name": "Company B"})
        ours = self._records_of(company_a)
        theirs = self._records_of(company_b)
        user = new_test_user(
            self.env,
            login="rt_user_a",
            groups="oms_core.group_oms_manager",
            company_id=company_a.id,
            company_ids=[(6, 0, company_a.ids)],
        )
        for model, record in theirs.items():
            with self.subTest(model=model):
                self.assertEqual(record.company_id, company_b)
                as_user = self.env[model].with_user(user)
                self.assertFalse(as_user.search([("id", "in", record.ids)]), f"{model} of B")
                with self.assertRaises(AccessError):
                    record.with_user(user).read(["id"])
                mine = ours[model]
                self.assertEqual(as_user.search([("id", "in", mine.ids)]), mine)
