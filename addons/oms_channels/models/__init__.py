from . import oms_channel
from . import oms_channel_inbox
from . import oms_channel_order
