from . import test_intake
from . import test_intake_reliability
