"""The neutral age gate: the date-of-birth question and the arithmetic behind it.

The gate asks for a date of birth and nothing else. It never hints at a minimum
age, never pre-fills a date, and offers every year from ``MAX_AGE_YEARS`` ago up
to this year. Everything here is pure: the clock comes in as ``today``.

Birthdays on 29 February: in years without one, the person turns a year older on
1 March (the day after 28 February), which is what comparing (month, day) pairs
gives and what most civil-law conventions use.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

MAX_AGE_YEARS = 120
DEFAULT_LOCK_DAYS = 30
# The message every refused sign-up shows, whatever the reason: no age, no hint.
UNAVAILABLE_MESSAGE = "Sign-up isn't available."

_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")  # ASCII digits only (\d also takes other scripts' digits)


class BirthdateError(ValueError):
    """A date of birth that is not a real past date in the offered range."""


class AgeBand(StrEnum):
    UNDER_13 = "under_13"
    TEEN = "13_17"
    ADULT = "18_plus"


@dataclass(frozen=True, slots=True)
class GateForm:
    """What a date-of-birth form shows. Every field starts empty (``None``)."""

    years: tuple[int, ...]  # newest first, this year included
    months: tuple[tuple[int, str], ...]  # (number, English name)
    selected_year: int | None = None
    selected_month: int | None = None
    selected_day: int | None = None


def gate_form(today: date) -> GateForm:
    """The choices of the form on ``today``: no pre-selection, the full range of years."""
    years = tuple(range(today.year, today.year - MAX_AGE_YEARS - 1, -1))
    months = tuple((m, calendar.month_name[m]) for m in range(1, 13))
    return GateForm(years=years, months=months)


def days_in(year: int, month: int) -> tuple[int, ...]:
    """The day choices for ``month`` of ``year`` (29 February only in leap years)."""
    if not 1 <= month <= 12:
        raise BirthdateError(f"month: expected 1-12, found {month}")
    return tuple(range(1, calendar.monthrange(year, month)[1] + 1))


def validate_birthdate(year: int, month: int, day: int, today: date) -> date:
    """The date the form's three choices make, or a ``BirthdateError`` saying what is wrong."""
    earliest = today.year - MAX_AGE_YEARS
    if not earliest <= year <= today.year:
        raise BirthdateError(f"birthdate: expected a year from {earliest} to {today.year}, found {year}")
    if not 1 <= month <= 12:
        raise BirthdateError(f"birthdate: expected a month from 01 to 12, found {month:02d}")
    n_days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= n_days:
        if month == 2 and day == 29:
            raise BirthdateError(f"birthdate: {year} is not a leap year, so February {year} has no 29th")
        raise BirthdateError(
            f"birthdate: {calendar.month_name[month]} {year} has {n_days} days, found day {day}"
        )
    born = date(year, month, day)
    if born > today:
        raise BirthdateError(f"birthdate: expected a date that has passed, found {born.isoformat()} (after today, {today.isoformat()})")
    return born


def parse_birthdate(text: str, today: date) -> date:
    """Parse ``YYYY-MM-DD`` strictly and validate it as the form would."""
    match = _ISO_DATE.fullmatch(text.strip()) if isinstance(text, str) else None
    if match is None:
        raise BirthdateError(f"birthdate: expected a date as YYYY-MM-DD, found {text!r}")
    year, month, day = (int(g) for g in match.groups())
    return validate_birthdate(year, month, day, today)


def age_on(birthdate: date, today: date) -> int:
    """Whole years from ``birthdate`` to ``today`` (a 29 February birthday counts on 1 March in other years)."""
    if today < birthdate:
        raise BirthdateError(f"age_on: today ({today.isoformat()}) is before the birthdate ({birthdate.isoformat()})")
    not_yet = (today.month, today.day) < (birthdate.month, birthdate.day)
    return today.year - birthdate.year - int(not_yet)


def age_band(age_years: int) -> AgeBand:
    if age_years < 13:
        return AgeBand.UNDER_13
    if age_years < 18:
        return AgeBand.TEEN
    return AgeBand.ADULT
