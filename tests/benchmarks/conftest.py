"""Benchmarks measure under ``make bench`` only.

In ``make test`` (pytest's default ``--benchmark-disable``) each benchmark runs once, as a check
that what it measures still works, and nothing is asserted about time: a speed target belongs to
``make bench``, where the figures are printed as ratios to a baseline measured in the same run.
"""

from __future__ import annotations

import pytest


@pytest.fixture
def measuring(request: pytest.FixtureRequest) -> bool:
    """True under ``make bench`` (``--benchmark-enable``): time, print and check targets."""
    config = request.config
    return bool(config.getoption("benchmark_enable")) or not config.getoption("benchmark_disable")
