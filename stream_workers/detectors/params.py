"""Constructor argument checks shared by every detector.

Each check raises :class:`~stream_workers.errors.ConfigError` with a message that
names the detector, the argument and the values it accepts, so that a bad line in
the YAML file is fixed from the message alone.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from stream_workers.errors import ConfigError

__all__ = ["check_bool", "check_choice", "check_float", "check_int"]


def _fail(detector: str, arg: str, allowed: str, value: object) -> ConfigError:
    message = f"{detector}: `{arg}` must be {allowed}, got {value!r}."
    return ConfigError(message, field=f"{detector}.{arg}")


def check_int(
    detector: str, arg: str, value: object, *, minimum: int, maximum: int | None = None
) -> int:
    """Return ``value`` if it is an integer in ``[minimum, maximum]``."""
    upper = "" if maximum is None else f" and <= {maximum}"
    allowed = f"an integer >= {minimum}{upper}"
    if isinstance(value, bool) or not isinstance(value, int):
        raise _fail(detector, arg, allowed, value)

    if value < minimum or (maximum is not None and value > maximum):
        raise _fail(detector, arg, allowed, value)
    return value


def check_float(
    detector: str,
    arg: str,
    value: object,
    *,
    low: float = -math.inf,
    high: float = math.inf,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """Return ``value`` as a float if it is a finite number inside the interval."""
    left = "(" if low_open else "["
    right = ")" if high_open else "]"
    allowed = f"a finite number in {left}{low}, {high}{right}"
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _fail(detector, arg, allowed, value)

    number = float(value)
    too_low = number <= low if low_open else number < low
    too_high = number >= high if high_open else number > high
    if not math.isfinite(number) or too_low or too_high:
        raise _fail(detector, arg, allowed, value)
    return number


def check_choice(detector: str, arg: str, value: object, choices: Sequence[str]) -> str:
    """Return ``value`` if it is one of ``choices``."""
    if not isinstance(value, str) or value not in choices:
        allowed = "one of " + ", ".join(repr(c) for c in choices)
        raise _fail(detector, arg, allowed, value)
    return value


def check_bool(detector: str, arg: str, value: object) -> bool:
    """Return ``value`` if it is ``True`` or ``False`` (not 0/1, not a string)."""
    if not isinstance(value, bool):
        raise _fail(detector, arg, "true or false", value)
    return value
