from . import tracking_webhook
from . import parcel_tracking
