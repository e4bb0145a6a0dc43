import contextlib
from unittest.mock import patch

from odoo.addons.oms_fast_intake import intake


@contextlib.contextmanager
def intake_answers():
    """The list of, per request, whether the webhook intake answered it (True)
    or left it to Odoo's route (False), filled while the block runs."""
    answered = []
    answer = intake.answer

    def recording(environ, start_response):
        result = answer(environ, start_response)
        answered.append(result is not None)
        return result

    with patch.object(intake, "answer", recording):
        yield answered
