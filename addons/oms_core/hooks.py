def post_init_hook(env):
    """Orders that exist before the install keep their real order date, and
    their ship-by date counts from it (the column default is the install time)."""
    env.cr.execute("UPDATE sale_order SET oms_order_date = date_order")
    orders = env["sale.order"].with_context(active_test=False).search([])
    orders.invalidate_recordset(["oms_order_date"])
    env.add_to_compute(orders._fields["oms_promised_date"], orders)
    orders._recompute_recordset(["oms_promised_date"])
