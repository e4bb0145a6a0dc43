from . import oms_channel
from . import oms_channel_inbox
from . import oms_channel_order
from . import oms_channel_product
from . import oms_channel_tax
from . import sale_order_line
from . import stock_picking
from . import stock_quant
