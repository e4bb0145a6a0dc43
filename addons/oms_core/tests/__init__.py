from . import test_oms_channel
from . import test_oms_core_security
from . import test_oms_core_ui
from . import test_queue_job_wiring
from . import test_oms_health_check
from . import test_oms_service_level
from . import test_oms_soft_reservation
