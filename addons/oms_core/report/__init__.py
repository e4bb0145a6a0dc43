from . import oms_order_report
