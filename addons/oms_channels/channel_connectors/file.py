"""File (CSV): orders come in files (Import File); no API, no webhooks."""

from ..channel_mappers import csv_order_version, map_csv_order
from .base import ChannelConnector, register


@register("file")
class FileConnector(ChannelConnector):
    label = "File (CSV)"
    takes_files = True

    def locate(self, payload):
        return payload.get("order_number"), csv_order_version(payload), "order_number"

    def map_order(self, body, **options):
        return map_csv_order(body, **options)
