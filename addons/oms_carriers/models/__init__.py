from . import delivery_carrier
from . import oms_carrier_shipment
