from . import stock_picking_reject
