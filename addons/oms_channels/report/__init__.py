from . import oms_channel_money_report
