from . import oms_order_hold_release
from . import oms_hold_rule_dry_run
from . import oms_hold_rule_dry_run_line
