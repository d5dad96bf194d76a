"""pytest-benchmark settings shared by the bench/ suites: the machine's load.

A second busy process halves a 2-core figure, so every run records the load
average in its machine info (``--benchmark-json``) and every benchmark its
1-minute load when it started (``extra_info["loadavg_1min"]``).
"""
import os

import pytest


def _loadavg():
    try:
        return os.getloadavg()
    except (AttributeError, OSError):
        return None


def pytest_benchmark_update_machine_info(config, machine_info):
    machine_info["loadavg"] = _loadavg()


@pytest.fixture(autouse=True)
def _record_load(request):
    if "benchmark" in request.fixturenames:
        load = _loadavg()
        if load is not None:
            request.getfixturevalue("benchmark").extra_info["loadavg_1min"] = round(load[0], 2)
    yield
