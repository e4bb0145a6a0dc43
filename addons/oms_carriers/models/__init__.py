from . import delivery_carrier
from . import oms_carrier_shipment
from . import oms_carrier_tracking
from . import oms_shipping_policy
from . import stock_picking
from . import product_template
from . import stock_picking_customs
from . import oms_carrier_manifest
