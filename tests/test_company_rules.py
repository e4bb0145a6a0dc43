"""Every OMS model keeps each company's records to that company (issue 24 point 5).

Walks the registry instead of listing models, so that a model added tomorrow is
checked too: a model with a stored company must have record rules that hide
another company's records from a user of one company and show that user its
own; a model without a company must be named below with the reason it needs
none (shared configuration, or lines reached only through a record that has
one). Checked on records made in memory (``new``), against the rule domains
Odoo computes for that user, for reading and for writing."""

from odoo.tests import TransactionCase, new_test_user

# Models without a company of their own, and why they need none.
WITHOUT_COMPANY = {
    "oms.health.check": "the dashboard's checks are shared; each counts only the "
    "records its reader may see",
    "oms.return.reason": "reasons are the same words for every company",
    "oms.stock.check": "a technical queue of product ids for the stock-check cron, "
    "read by administrators only; the products it names are checked per source",
}
# Models reached through a parent that has the company: the field to it.
THROUGH_PARENT = {
    "oms.return.line": "return_id",
}

GROUPS = ",".join(
    (
        "base.group_user",
        "oms_core.group_oms_manager",
        "account.group_account_manager",
    )
)


class TestCompanyRules(TransactionCase):
    test_tags = {"standard", "post_install", "oms_company_rules"}
    test_module = "oms_company_rules"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ours = cls.env.company
        cls.theirs = cls.env["res.company"].create({"name": "Another Company (rules)"})
        cls.user = new_test_user(
            cls.env,
            login="oms_rules_one_company",
            groups=GROUPS,
            company_id=cls.ours.id,
            company_ids=[(6, 0, cls.ours.ids)],
        )

    def _oms_models(self):
        return sorted(
            name
            for name, model in self.env.registry.items()
            if name.startswith("oms.") and not model._transient and not model._abstract
        )

    def test_every_oms_model_has_a_company_or_a_reason_not_to(self):
        missing = [
            name
            for name in self._oms_models()
            if "company_id" not in self.env[name]._fields
            and name not in WITHOUT_COMPANY
            and name not in THROUGH_PARENT
        ]
        self.assertFalse(missing, "models without company_id nor a reason in WITHOUT_COMPANY")

    def _record(self, name, company):
        """A record of ``name`` in memory, of ``company`` (or whose parent is)."""
        Model = self.env[name].with_user(self.user)
        if name in THROUGH_PARENT:
            parent_field = Model._fields[THROUGH_PARENT[name]]
            parent = self._record(parent_field.comodel_name, company)
            return Model.new({parent_field.name: parent})
        return Model.new({"company_id": company.id})

    def test_another_companys_records_are_hidden_and_ours_shown(self):
        checked, leaks, blind = [], [], []
        for name in self._oms_models():
            field = self.env[name]._fields.get("company_id")
            if name not in THROUGH_PARENT and not (field and field.store):
                continue
            if (
                not self.env["ir.model.access"]
                .with_user(self.user)
                .check(name, "read", raise_exception=False)
            ):
                continue  # only the superuser reads it
            checked.append(name)
            for mode in ("read", "write"):
                domain = self.env["ir.rule"].with_user(self.user)._compute_domain(name, mode)
                theirs = self._record(name, self.theirs)
                ours = self._record(name, self.ours)
                if not domain or theirs.filtered_domain(domain):
                    leaks.append(f"{name} ({mode})")
                elif not ours.filtered_domain(domain):
                    blind.append(f"{name} ({mode})")
        self.assertGreater(len(checked), 20, checked)
        self.assertIn("oms.return.line", checked)
        self.assertFalse(leaks, "a user of one company would see another's records")
        self.assertFalse(blind, "a user would not see the records of its own company")
