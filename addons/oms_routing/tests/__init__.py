from . import test_oms_routing_install
