from . import oms_order_hold_release
