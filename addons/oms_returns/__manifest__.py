{
    "name": "OMS Returns",
    "summary": "Returns from the customer portal to receipt, inspection and refund, "
    "exchange or store credit",
    "version": "18.0.2.3.1",
    "category": "Sales/Order Management",
    "license": "LGPL-3",
    "author": "OMS for Odoo contributors",
    "website": "https://github.com/oms-odoo/oms",
    "depends": ["oms_core", "oms_carriers", "sale_loyalty", "account_payment"],
    "data": [
        "security/oms_returns_security.xml",
        "security/ir.model.access.csv",
        "security/oms_returns_rules.xml",
        "data/oms_returns_data.xml",
        "data/queue_job_data.xml",
        "data/mail_template_data.xml",
        "views/oms_return_views.xml",
        "views/oms_refund_attempt_views.xml",
        "report/oms_return_report_views.xml",
        "views/oms_channel_views.xml",
        "views/oms_returns_menus.xml",
        "views/oms_return_portal_templates.xml",
    ],
    "demo": ["demo/oms_returns_demo.xml"],
    "assets": {
        "web.assets_tests": [
            "oms_returns/static/tests/tours/*.js",
        ],
    },
    "installable": True,
}
