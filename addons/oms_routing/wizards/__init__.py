from . import stock_picking_reject
from . import oms_routing_backtest
from . import oms_routing_backtest_line
