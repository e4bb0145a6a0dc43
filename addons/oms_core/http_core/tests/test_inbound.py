"""What a webhook route is refused with before its body is read."""

from ..inbound import refusal


def test_an_unknown_sender_is_refused_before_its_length_is_looked_at():
    assert refusal(False, None, 10, "carrier") == (404, "unknown carrier")
    assert refusal(False, 99, 10, "channel") == (404, "unknown channel")


def test_a_missing_length_is_refused_only_where_one_is_required():
    assert refusal(True, None, 10) == (411, "length required")
    assert refusal(True, None, 10, length_required=False) is None


def test_a_declared_length_over_the_limit_is_refused():
    assert refusal(True, 11, 10) == (413, "payload too large")
    assert refusal(True, 10, 10) is None
    assert refusal(True, 0, 10) is None
