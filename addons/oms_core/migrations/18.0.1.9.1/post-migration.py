"""The "order total above 5,000" review rule compared the order's total in its own
currency (a 9,818 JPY order, about 65 USD, was held). Databases made before keep
the rule's data (noupdate): its condition moves to the total in the company's
currency, unless a manager changed it."""


def migrate(cr, version):
    cr.execute(
        """
        UPDATE oms_hold_rule r
           SET domain = '[("oms_amount_total_company", ">", 5000)]'
          FROM ir_model_data d
         WHERE d.module = 'oms_core' AND d.name = 'oms_hold_rule_review'
           AND d.model = 'oms.hold.rule' AND d.res_id = r.id
           AND r.domain = '[("amount_total", ">", 5000)]'
        """
    )
