from . import delivery_carrier
from . import oms_carrier_shipment
from . import oms_carrier_tracking
