"""Property tests: whatever a channel sends, a mapper returns a whole draft or a MappingError.

Golden payloads get one leaf replaced by an arbitrary JSON value (or a key
removed); the mapper must never fail with anything but a MappingError.
"""

import copy
import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .. import MappingError, map_amazon_order, map_shopify_order, map_woocommerce_order
from ..draft import OrderDraft

FIXTURES = Path(__file__).parent / "fixtures"
CASES = [
    (map_shopify_order, FIXTURES / "shopify" / "order_taxes_excluded.json"),
    (map_shopify_order, FIXTURES / "shopify" / "order_cancelled_taxes_included.json"),
    (map_woocommerce_order, FIXTURES / "woocommerce" / "order_docs_example.json"),
    (map_woocommerce_order, FIXTURES / "woocommerce" / "order_tax_included_cancelled.json"),
    (map_amazon_order, FIXTURES / "amazon" / "order_us_docs_example.json"),
    (map_amazon_order, FIXTURES / "amazon" / "order_uk_tax_included.json"),
]
PAYLOADS = [(mapper, json.loads(path.read_text())) for mapper, path in CASES]

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**15), max_value=10**15)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20)
    | st.sampled_from(["", "0", "-1", "1e400", "NaN", "EUR", "2025-13-45T99:00:00Z", "1.5"]),
    lambda children: st.lists(children, max_size=3)
    | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=5,
)


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _paths(child, (*prefix, index))


def _mutate(payload, path, replacement, delete):
    payload = copy.deepcopy(payload)
    if not path:
        return replacement
    target = payload
    for key in path[:-1]:
        target = target[key]
    if delete and isinstance(target, dict):
        del target[path[-1]]
    else:
        target[path[-1]] = replacement
    return payload


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    case=st.integers(min_value=0, max_value=len(PAYLOADS) - 1),
    pick=st.integers(min_value=0),
    replacement=JSON,
    delete=st.booleans(),
)
def test_any_mutation_gives_a_draft_or_a_mapping_error(case, pick, replacement, delete):
    mapper, payload = PAYLOADS[case]
    paths = list(_paths(payload))
    mutated = _mutate(payload, paths[pick % len(paths)], replacement, delete)
    try:
        draft = mapper(mutated)
    except MappingError as error:
        assert str(error)
        return
    assert isinstance(draft, OrderDraft)
    assert draft.lines or draft.cancelled
    assert all(line.quantity >= 1 for line in draft.lines)
