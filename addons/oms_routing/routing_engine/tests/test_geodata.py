"""Placing addresses from the offline datasets: postcode, city, country, nothing."""

from ..geo import great_circle_km
from ..geodata import place


def test_a_us_zip_code_is_placed_at_its_centroid():
    found = place("US", "10001-2345", "whatever")
    assert found.precision == "postcode"
    assert great_circle_km(found.latitude, found.longitude, 40.75, -74.0) < 5


def test_a_city_is_placed_whatever_its_accents_and_case():
    found = place("FR", "69001", "LYON")
    assert found.precision == "city"
    assert great_circle_km(found.latitude, found.longitude, 45.76, 4.84) < 10
    zurich = place("CH", "", "zurich")
    assert zurich.precision == "city"
    assert great_circle_km(zurich.latitude, zurich.longitude, 47.37, 8.54) < 10


def test_an_unknown_city_falls_back_to_its_country():
    found = place("BE", "9999", "Nowhere-sur-Rien")
    assert found.precision == "country"
    # Belgium's population-weighted centre lies inside Belgium.
    assert great_circle_km(found.latitude, found.longitude, 50.64, 4.67) < 80


def test_a_bad_zip_code_falls_back_to_the_city():
    assert place("US", "ABCDE", "Chicago").precision == "city"


def test_nothing_known_is_nothing():
    assert place("", "", "") is None
    assert place("XX", "1", "Atlantis") is None
