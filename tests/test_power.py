"""signin_lite.evidence.power against a simulation and the limiting cases."""

import numpy as np
import pytest
from scipy import stats as st

from signin_lite.evidence import power


def test_power_matches_a_simulated_paired_t_test():
    rng = np.random.default_rng(0)
    diffs = rng.normal(1.0, 0.86, size=(20000, 12))
    found = st.ttest_1samp(diffs, 0.0, axis=1).pvalue < 0.05
    assert power.paired_power(1.0, 0.86, 12) == pytest.approx(found.mean(), abs=0.01)


def test_limits_and_seeds_needed():
    assert power.paired_power(0.0, 1.0, 12) == pytest.approx(0.05)  # no effect: the false-positive rate
    assert power.paired_power(5.0, 0.5, 40) == 1.0  # far in the tail, where scipy's noncentral t gives nan
    assert power.paired_power(1.0, 0.86, 12, alpha=0.05 / 3) < power.paired_power(1.0, 0.86, 12)
    n = power.seeds_needed(1.0, 0.86, 0.8, 0.05 / 3)
    assert power.paired_power(1.0, 0.86, n, 0.05 / 3) >= 0.8 > power.paired_power(1.0, 0.86, n - 1, 0.05 / 3)
    assert power.paired_sd({0: 1.0, 1: 3.0}) == pytest.approx(2 ** 0.5)
    with pytest.raises(ValueError, match="n >= 2"):
        power.paired_power(1.0, 1.0, 1)
