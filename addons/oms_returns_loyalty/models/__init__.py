from . import oms_return
from . import oms_return_policy
