from . import test_oms_channel_import
from . import test_oms_channel_pull
from . import test_oms_channel_webhook
from . import test_oms_channels_install
from . import test_oms_channel_push
from . import test_oms_channel_reliability
from . import test_oms_channel_security
from . import test_oms_channel_arrival
