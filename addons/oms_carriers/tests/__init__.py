from . import test_oms_carriers_install
