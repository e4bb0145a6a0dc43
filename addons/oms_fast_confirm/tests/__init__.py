from . import test_fast_confirm
