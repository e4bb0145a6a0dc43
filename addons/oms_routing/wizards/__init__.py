from . import stock_picking_reject
from . import oms_routing_backtest
