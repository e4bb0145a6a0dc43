from . import oms_routing_source
from . import oms_routing_strategy
from . import oms_routing_decision
from . import oms_channel
from . import sale_order
from . import sale_order_line
from . import stock_picking
from . import oms_cost_report
