from . import test_oms_routing_install
from . import test_oms_routing
from . import test_oms_routing_concurrency
from . import test_oms_routing_security
from . import test_oms_routing_promise
from . import test_oms_stock_alerts
from . import test_oms_routing_layout
