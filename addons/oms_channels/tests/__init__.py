from . import test_oms_channels_install
