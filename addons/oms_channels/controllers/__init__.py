from . import intake, webhook
