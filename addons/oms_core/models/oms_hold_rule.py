import logging

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.osv import expression
from odoo.tools.safe_eval import safe_eval

HOLD_TYPES = [
    ("payment", "Payment"),
    ("fraud", "Fraud"),
    ("address", "Address"),
    ("credit", "Credit"),
    ("stock", "Stock"),
    ("manual_review", "Manual review"),
    ("other", "Other"),
]
_logger = logging.getLogger(__name__)

# The models a hold rule's condition may read: the order, its lines, its customer and
# its products, and the reference data of addresses and catalogues. Nothing that
# holds credentials (channels, carriers, users, companies).
HOLD_RULE_MODELS = frozenset(
    {
        "sale.order",
        "sale.order.line",
        "res.partner",
        "product.product",
        "product.template",
        "product.category",
        "res.country",
        "res.country.state",
    }
)
ID_OPERATORS = ("=", "!=", "in", "not in")


def _is_ids(operator, value):
    """True for a comparison of a relational field with record ids (or False)."""
    if operator not in ID_OPERATORS:
        return False
    values = value if isinstance(value, (list, tuple)) else [value]
    return all(v is False or (isinstance(v, int) and not isinstance(v, bool)) for v in values)


def _check_readable_model(path, model):
    if model._name not in HOLD_RULE_MODELS:
        raise ValueError(
            _(
                "%(path)s reads %(model)s: a condition reads the order, its lines, its "
                "customer and its products only",
                path=path,
                model=model._description,
            )
        )


class OmsHoldRule(models.Model):
    """A condition that puts an order on hold, and the condition that releases it.

    A rule holds every open order that matches ``domain``. Its hold is released
    automatically once the order matches ``release_domain`` or, when no release
    domain is set, once the order no longer matches ``domain``.
    """

    _name = "oms.hold.rule"
    _description = "Order Hold Rule"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company",
        help="Leave empty to apply the rule in every company.",
        index=True,
    )
    hold_type = fields.Selection(HOLD_TYPES, required=True, default="other")
    domain = fields.Char(
        string="Hold Orders Matching",
        required=True,
        default="[]",
        help="Open orders matching this condition are put on hold.",
    )
    release_domain = fields.Char(
        string="Release When",
        help="The hold is released automatically once the order matches this condition. "
        "Leave empty to release it once the order no longer matches the hold condition.",
    )
    reason = fields.Text(
        translate=True,
        help="What the people working the hold read: what is wrong and what to do.",
    )
    team_id = fields.Many2one("crm.team", string="Owner Team")
    user_id = fields.Many2one("res.users", string="Owner")
    sla_hours = fields.Float(
        string="SLA (hours)", default=24.0, help="Time allowed to work the hold."
    )
    hold_ids = fields.One2many("oms.order.hold", "rule_id", string="Holds")
    active_hold_count = fields.Integer(compute="_compute_active_hold_count")

    _sql_constraints = [
        ("sla_hours_positive", "CHECK(sla_hours >= 0)", "The SLA cannot be negative."),
    ]

    @api.depends("hold_ids.state")
    def _compute_active_hold_count(self):
        counts = dict(
            self.env["oms.order.hold"]._read_group(
                [("rule_id", "in", self.ids), ("state", "=", "active")],
                ["rule_id"],
                ["__count"],
            )
        )
        for rule in self:
            rule.active_hold_count = counts.get(rule, 0)

    @api.constrains("domain", "release_domain")
    def _check_domains(self):
        for rule in self:
            for domain in (rule.domain, rule.release_domain):
                if domain:
                    rule._check_domain(domain)

    def _check_domain(self, domain):
        """A condition must be a list of (field path, operator, value) terms joined
        by '&', '|' and '!', whose paths stay among the order, its lines, its
        customer and its products (see ``HOLD_RULE_MODELS``) on fields no group
        restricts. Rules are evaluated for every order whoever the user is: a path
        into a channel or a carrier would let the rule's author probe their
        secrets by which orders get held."""
        try:
            terms = self._parse_domain(domain)
            if not isinstance(terms, list):
                raise ValueError(_("a condition is a list of terms"))
            self._check_domain_terms(terms, self.env["sale.order"])
        except Exception as error:
            raise ValidationError(
                _(
                    "The condition of rule “%(rule)s” is not valid: %(error)s",
                    rule=self.name,
                    error=error,
                )
            ) from error

    def _check_domain_terms(self, terms, model):
        for term in terms:
            if term in (expression.AND_OPERATOR, expression.OR_OPERATOR, expression.NOT_OPERATOR):
                continue
            if not (isinstance(term, (list, tuple)) and len(term) == 3):
                raise ValueError(_("%r is not a (field, operator, value) term", term))
            path, operator, value = term
            if operator not in expression.TERM_OPERATORS:
                raise ValueError(_("unknown operator %r", operator))
            field, target = self._check_domain_path(path, model)
            if not field.relational:
                continue
            if operator in ("any", "not any"):
                _check_readable_model(path, target)
                if not isinstance(value, list):
                    raise ValueError(
                        _("%(path)s %(op)s needs a list of terms", path=path, op=operator)
                    )
                self._check_domain_terms(value, target)
            elif target._name not in HOLD_RULE_MODELS and not _is_ids(operator, value):
                # Anything but ids would search the other record by its name.
                raise ValueError(
                    _("%(path)s is compared by id only (=, !=, in, not in with ids)", path=path)
                )

    def _check_domain_path(self, path, model):
        """The last field of ``path`` from ``model`` and the model it leads to; every
        step must be a field no group restricts, of a model a condition may read."""
        if not isinstance(path, str):
            raise ValueError(_("%r is not a field path", path))
        current, field = model, None
        for name in path.split("."):
            if field and not field.relational:
                raise ValueError(
                    _("%(path)s: %(field)s has no fields", path=path, field=field.name)
                )
            _check_readable_model(path, current)
            field = current._fields.get(name)
            if not field:
                raise ValueError(_("orders have no field %r", path))
            if field.groups:
                raise ValueError(_("%s is a restricted field: a condition cannot read it", path))
            if field.relational:
                current = self.env[field.comodel_name]
        return field, current

    def _parse_domain(self, domain):
        return safe_eval(domain or "[]", {"context": self.env.context, "uid": self.env.uid})

    def _hold_domain(self):
        self.ensure_one()
        return self._parse_domain(self.domain)

    def _applies_to_company(self, company):
        self.ensure_one()
        return not self.company_id or self.company_id == company

    def _conditions_allowed(self):
        """Whether the rule's conditions pass the check of ``_check_domain`` now: a
        condition stored before that check (or around it) is not evaluated, so that
        it tells nothing about the records it reads."""
        self.ensure_one()
        try:
            for domain in (self.domain, self.release_domain):
                if domain:
                    self._check_domain_terms(self._parse_domain(domain), self.env["sale.order"])
        except (ValueError, TypeError) as error:
            _logger.warning("Hold rule %s is not evaluated: %s", self.id, error)
            return False
        return True

    def _matching(self, orders):
        """The orders among ``orders`` that this rule holds (none when its conditions
        are not allowed)."""
        self.ensure_one()
        if not self._conditions_allowed():
            return orders.browse()
        return orders.filtered(self._applies_to_company_of).filtered_domain(self._hold_domain())

    def _released(self, orders):
        """The orders among ``orders`` whose hold by this rule may be released (none
        automatically when its conditions are not allowed: a person releases them)."""
        self.ensure_one()
        if not self._conditions_allowed():
            return orders.browse()
        if self.release_domain:
            return orders.filtered_domain(self._parse_domain(self.release_domain))
        return orders - orders.filtered_domain(self._hold_domain())

    def _applies_to_company_of(self, order):
        return self._applies_to_company(order.company_id)

    def _dependent_fields(self):
        """Names of the order fields the rules' conditions read (first segment of each path)."""
        names = set()
        for rule in self:
            for domain in (rule.domain, rule.release_domain):
                for leaf in rule._parse_domain(domain) if domain else []:
                    if isinstance(leaf, (list, tuple)) and len(leaf) == 3:
                        names.add(leaf[0].split(".", 1)[0])
        return names

    def action_view_holds(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("oms_core.oms_order_hold_action")
        action["domain"] = [("rule_id", "=", self.id)]
        action["context"] = {"search_default_active": 1}
        return action
