"""Every stored channel payload says where it comes from (issue 19, point 11):
its file is named in its folder's SOURCES.md, with the source and licence."""

from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
STORED = sorted(
    path
    for folder in ("shopify", "woocommerce", "amazon")
    for path in (FIXTURES / folder).glob("*.json")
)


def test_the_corpus_is_there():
    assert len(STORED) >= 30


@pytest.mark.parametrize("path", STORED, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_each_payload_is_named_in_its_sources(path):
    assert f"`{path.name}`" in (path.parent / "SOURCES.md").read_text()
