from . import tracking_webhook
