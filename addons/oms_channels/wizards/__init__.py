from . import oms_channel_import
from . import oms_channel_product_map
