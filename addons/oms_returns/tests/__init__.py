from . import test_oms_returns_install
from . import test_oms_return_flow
from . import test_oms_return_portal
from . import test_oms_return_tours
from . import test_oms_return_concurrency
from . import test_oms_return_guest
from . import test_oms_return_money
from . import test_oms_return_migration
