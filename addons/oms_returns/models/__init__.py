from . import oms_return_reason
from . import oms_return_policy
from . import oms_return
from . import oms_return_line
from . import oms_return_lookup
from . import sale_order
from . import oms_cost_report
from . import oms_demo
