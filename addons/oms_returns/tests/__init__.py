from . import test_oms_returns_install
