"""Languages spoken in a country, from the CLDR territory data shipped with ``language_data``.

Used by the team proposal to name the host country's main language, and by the synthetic
roster generator to give experts a plausible first language. No table is retyped here.
"""

from functools import lru_cache

from language_data.population_data import LANGUAGE_SPEAKING_POPULATION

# The six official UN languages: the working languages of an electoral assistance mission.
UN_WORKING_LANGUAGES = ("ar", "en", "es", "fr", "ru", "zh")

# A UN working language counts as a host country's main language when at least this share of
# the population speaks it (French in Mali, Niger, Haiti; Arabic in Lebanon).
MAIN_LANGUAGE_MIN_SHARE = 0.10


@lru_cache(maxsize=512)
def territory_languages(country: str) -> tuple[tuple[str, int], ...]:
    """Return ``(language tag, speakers)`` pairs of a country, most spoken first.

    Parameters
    ----------
    country : str
        ISO 3166-1 alpha-2 code, e.g. ``"ML"``.

    Returns
    -------
    tuple of (str, int)
        Bare language tags (script and region dropped), ties broken by tag.
    """
    suffix = "-" + country.upper()
    speakers: dict[str, int] = {}
    for tag, population in LANGUAGE_SPEAKING_POPULATION.items():
        if tag.endswith(suffix):
            language = tag.split("-")[0]
            speakers[language] = max(speakers.get(language, 0), int(population))
    return tuple(sorted(speakers.items(), key=lambda item: (-item[1], item[0])))


@lru_cache(maxsize=512)
def main_languages(country: str) -> tuple[str, ...]:
    """Return the languages in which a mission can work with the host country's people.

    The most spoken language, and the most spoken official UN language when at least 10%
    of the population speaks it (Bambara and French in Mali, Ukrainian and Russian in
    Ukraine). Empty when CLDR has no data for the country.
    """
    languages = territory_languages(country)
    if not languages:
        return ()
    main = [languages[0][0]]
    total = sum(population for _, population in languages) or 1
    for language, population in languages:
        if language in UN_WORKING_LANGUAGES and population / total >= MAIN_LANGUAGE_MIN_SHARE:
            if language not in main:
                main.append(language)
            break
    return tuple(main)
