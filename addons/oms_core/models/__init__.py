from . import oms_channel
from . import oms_hold_rule
from . import oms_order_event
from . import oms_order_hold
from . import res_partner
from . import sale_order
from . import sale_order_line
from . import stock_picking
