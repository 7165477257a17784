"""Hypothesis profiles: ``dev`` (default, fast), ``ci`` (when CI=true), ``thorough`` (long runs).

Select explicitly with ``HYPOTHESIS_PROFILE=thorough``.
"""

import os

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

from verify.executors import pin_threads

# one BLAS and one torch thread, as every `bnproofs` run has: results (the torch solver's
# stalled-or-converged on a hard instance included) depend on the reduction order
pin_threads(1)

settings.register_profile("dev", max_examples=15, deadline=None)
settings.register_profile("ci", max_examples=30, deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("thorough", max_examples=500, deadline=None)
_default = "ci" if os.environ.get("CI", "").lower() in ("1", "true", "yes") else "dev"
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", _default))


def _has_cuda() -> bool:
    try:
        import torch
    except ImportError:
        return False
    return torch.cuda.is_available()


def pytest_collection_modifyitems(config, items):
    if _has_cuda():
        return
    skip = pytest.mark.skip(reason="needs CUDA")
    for item in items:
        if "gpu" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def rng():
    return np.random.default_rng(12345)


@pytest.fixture(scope="session")
def bench_solvers():
    """``benchmarks/solvers.py`` as a module (a script, not a package: loaded from its path, which
    puts nothing on ``sys.path``)."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "benchmarks" / "solvers.py"
    spec = importlib.util.spec_from_file_location("bench_solvers", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
