from . import procurement_group
from . import sale_order_line
from . import stock_move
from . import stock_picking
