from . import oms_channel_import
