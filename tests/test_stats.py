"""signin_lite.evidence.stats against hand computations and scipy, and its reading rule."""

from __future__ import annotations

import math

import pytest
from scipy import stats as st

from signin_lite.evidence import stats


def test_paired_interval_by_hand():
    t, b = [61.0, 60.0, 59.0], [60.0, 59.5, 57.5]          # differences 1.0, 0.5, 1.5: mean 1, sd 0.5
    d = stats.paired(t, b)
    half = st.t.ppf(0.975, 2) * 0.5 / math.sqrt(3)
    assert d.kind == stats.PAIRED and d.estimate == pytest.approx(1.0)
    assert (d.low, d.high) == pytest.approx((1.0 - half, 1.0 + half))
    assert d.df == 2


def test_welch_interval_by_hand():
    d = stats.welch([90.0, 92.0], [91.0, 93.0, 92.0])
    va, vb = 2.0 / 2, 1.0 / 3
    df = (va + vb) ** 2 / (va ** 2 / 1 + vb ** 2 / 2)
    half = st.t.ppf(0.975, df) * math.sqrt(va + vb)
    assert d.kind == stats.WELCH
    assert (d.estimate, d.low, d.high, d.df) == pytest.approx((-1.0, -1.0 - half, -1.0 + half, df))


def test_compare_pairs_only_when_the_seeds_match():
    assert stats.compare({0: 1.0, 1: 2.0, 2: 4.0}, {0: 0.5, 1: 1.0, 2: 2.5}).kind == stats.PAIRED
    assert stats.compare({0: 1.0, 1: 2.0, 2: 4.0}, {0: 0.5, 1: 1.0, 3: 2.5}).kind == stats.WELCH


def test_pairing_cancels_shared_seed_noise():
    seed_effect = [5.0, -3.0, 1.0, -2.0]
    t = [70 + e + 1.0 for e in seed_effect]
    b = [70 + e + x for e, x in zip(seed_effect, [0.1, -0.1, 0.0, 0.05], strict=True)]
    paired, welch = stats.paired(t, b), stats.welch(t, b)
    assert paired.low > 0 > welch.low            # the same numbers: paired sees the gain, unpaired cannot
    assert paired.high - paired.low < welch.high - welch.low


def test_one_run_gives_no_interval_not_a_zero_width_one():
    d = stats.compare({0: 60.0}, {0: 59.0})
    assert not d.available and d.low is None and d.reading() == "unavailable"
    assert "interval unavailable" in stats.describe(d)


def test_holm_adjustment_matches_the_textbook():
    assert stats.holm([0.01, 0.04, 0.03, None]) == pytest.approx([0.03, 0.06, 0.06, None], nan_ok=True)


def test_reading_rule_clear_borderline_and_null():
    clear = stats.Difference(1.0, 0.5, 1.5, 0.001, 5, stats.PAIRED, 6, 6, p_adjusted=0.009)
    borderline = stats.Difference(1.5, 0.003, 3.0, 0.049, 2, stats.PAIRED, 3, 3, p_adjusted=0.22)
    null = stats.Difference(0.2, -1.0, 1.4, 0.6, 2, stats.PAIRED, 3, 3, p_adjusted=1.0)
    loss = stats.Difference(-1.0, -1.5, -0.5, 0.001, 5, stats.PAIRED, 6, 6, p_adjusted=0.004)
    assert [x.reading() for x in (clear, borderline, null, loss)] == ["gain", "borderline", "no clear difference",
                                                                     "loss"]


def test_adjust_sets_the_family_p_values():
    family = [stats.paired([2.0, 2.1, 1.9], [1.0, 1.0, 1.0]), stats.paired([1.2, 0.9, 1.0], [1.0, 1.0, 1.0])]
    adjusted = stats.adjust(family)
    assert adjusted[0].p_adjusted == pytest.approx(min(1.0, 2 * min(f.p for f in family)))
    assert all(a.p_adjusted >= a.p for a in adjusted)
