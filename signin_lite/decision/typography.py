"""The one typography rule of the report, the worksheet and the executive summaries (both languages).

1. **Minus sign.** A negative number or difference is written with the minus sign U+2212 (−2.8), never the ASCII
   hyphen (-2.8); a positive difference carries its plus sign (+0.5).
2. **Number and unit, Japanese.** No space between a number and its unit or counter: 90%, 1.35倍, 1,285,589円,
   43時間, −2.8ポイント, 3シード, 15人日. Between a number and a Latin name or a Japanese word that is not its unit,
   one space, as in 「スパース率 90%」.
3. **Number and unit, English.** One space before a unit word or symbol (43 h, −2.8 pp, 8.1 ms, 120 MiB, 600 JPY);
   none before % and the ratio sign × (90%, ×1.35).

:func:`signed`, :func:`ratio` and :func:`money` write numbers that way; :data:`JA_UNIT_SPACE` and
:data:`ASCII_MINUS` find what breaks the rule (``tests/test_japanese_text.py`` reads every Japanese page with them).
"""

from __future__ import annotations

import re

MINUS = "\u2212"
JA_UNITS = ("%", "倍", "円", "ドル", "ユーロ", "時間", "ポイント", "件", "回", "人日", "週間", "ミリ秒", "ステップ",
            "シード", "エポック", "枚", "か月", "ワット", "バイト", "本", "群")
JA_UNIT_SPACE = re.compile(r"\d[ \u00a0\u3000]+(?:" + "|".join(map(re.escape, JA_UNITS)) + ")")
ASCII_MINUS = re.compile(r"(?<![\w.\-])-(?=\d)")


def minus(text: str) -> str:
    """``text`` with every hyphen that stands for a minus sign (before a digit, not inside a word) as U+2212."""
    return ASCII_MINUS.sub(MINUS, text)


def signed(x: float | None, digits: int = 1, none: str = "\u2014") -> str:
    """+0.5, −2.8 (U+2212), or a dash for a missing value."""
    if x is None:
        return none
    text = f"{x:+.{digits}f}"
    if float(text) == 0:  # -0.0 reads as "−0.0": a zero carries no sign but +
        text = "+" + text[1:]
    return text.replace("-", MINUS)


def signed_parts(d, scale: float = 1.0) -> dict[str, str]:
    """Estimate, low and high of a difference ``d`` (``.estimate``, ``.low``, ``.high``) as signed strings with
    :func:`interval_digits` decimals, keyed ``""``, ``"_low"``, ``"_high"`` (``scale``: e.g. 100 for pp)."""
    xs = [None if x is None else scale * x for x in (d.estimate, d.low, d.high)]
    n = interval_digits(xs[1], xs[2])
    return dict(zip(("", "_low", "_high"), (signed(x, n) for x in xs), strict=True))


def estimate_interval(estimate: float, low: float | None, high: float | None, digits: int = 2, unit: str = "",
                      missing: str = "(no interval)") -> str:
    """'+0.50 pp [+0.00, +0.99]': a signed estimate, its unit if any, and its interval; ``missing`` instead of the
    interval when there is none."""
    est = signed(estimate, digits) + (f" {unit}" if unit else "")
    if low is None or high is None:
        return f"{est} {missing}"
    return f"{est} [{signed(low, digits)}, {signed(high, digits)}]"


def interval_digits(*bounds: float | None, digits: int = 1, most: int = 3) -> int:
    """Decimals that show every nonzero bound as nonzero (+0.001 beside "excludes zero", not +0.0): ``digits``, or
    more, up to ``most``."""
    while digits < most and any(b is not None and b != 0 and round(abs(b), digits) == 0 for b in bounds):
        digits += 1
    return digits


def number(x: float, digits: int = 0) -> str:
    """1,285,589 or −1,234.5 (thousands separators, U+2212)."""
    return f"{x:,.{digits}f}".replace("-", MINUS)


def ratio(x: float | None, lang: str, digits: int = 2, none: str = "\u2014") -> str:
    """A ratio against dense: ×1.35 in English, 1.35倍 in Japanese."""
    if x is None:
        return none
    return f"{x:.{digits}f}倍" if lang == "ja" else f"\u00d7{x:.{digits}f}"


def money(x: float | None, lang: str, currency: str, currencies: dict[str, str], none: str = "\u2014") -> str:
    """1,285,589円 (Japanese, no space) or 1,285,589 JPY (English)."""
    if x is None:
        return none
    cur = currencies.get(currency, currency)
    return f"{number(x)}{cur}" if lang == "ja" else f"{number(x)} {cur}"
