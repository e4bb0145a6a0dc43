from . import test_oms_return_store_credit
from . import test_oms_returns_loyalty_migration
