from . import test_oms_carriers_install
from . import test_oms_carrier_labels
from . import test_oms_carrier_tracking
from . import test_oms_rate_shopping
from . import test_oms_hazmat_customs
from . import test_oms_carrier_manifest
from . import test_oms_carrier_tour
from . import test_oms_ship_batch
