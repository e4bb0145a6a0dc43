{
    "name": "OMS Returns: Store Credit",
    "summary": "Returns settled as store credit on the customer's eWallet (Odoo's loyalty)",
    "version": "18.0.1.0.0",
    "category": "Sales/Order Management",
    "license": "LGPL-3",
    "author": "OMS for Odoo contributors",
    "website": "https://github.com/oms-odoo/oms",
    "depends": ["oms_returns", "sale_loyalty"],
    "data": [
        "views/oms_return_views.xml",
    ],
    "auto_install": True,
    "installable": True,
}
