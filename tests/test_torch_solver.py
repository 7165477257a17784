"""The batched torch solver of (8) against Clarabel, with certified brackets and mutations."""

import numpy as np
import pytest

from bnproofs.arrangements import enumerate_arrangements
from bnproofs.convex import program_8, solve_program
from bnproofs.data import whiten
from bnproofs.torch_solver import solve_torch

TOL = 1e-6


def _batch(seed, n, d, B):
    """B random instances of one (n, d), exact arrangements; the last one keeps only part of
    its arrangement list so that the batch is padded."""
    rng = np.random.default_rng(seed)
    Ups, ys, Ds, betas = [], [], [], []
    for b in range(B):
        Up = whiten(rng.standard_normal((n, d))).Uprime
        D = enumerate_arrangements(Up)
        if b == B - 1:
            D = D[: max(2, len(D) - 5)]
        Ups.append(Up)
        ys.append(rng.standard_normal(n))
        Ds.append(D)
        betas.append(float(rng.uniform(0.05, 1.5)))
    return Ups, ys, Ds, np.array(betas)


@pytest.fixture(scope="module")
def solved():
    out = []
    for seed, n, d, B in [(1, 6, 1, 3), (2, 8, 2, 3), (3, 10, 2, 2)]:
        Ups, ys, Ds, betas = _batch(seed, n, d, B)
        sols = solve_torch(Ups, ys, betas, Ds, device="cpu", tol=TOL, max_iter=20000)
        ref = [solve_program(program_8(U, D, y, b)) for U, y, D, b in zip(Ups, ys, Ds, betas, strict=True)]
        out.append((Ups, ys, Ds, betas, sols, ref))
    return out


def test_certified_and_agrees_with_clarabel(solved):
    for Ups, ys, Ds, betas, sols, ref in solved:
        for U, y, D, b, s, r in zip(Ups, ys, Ds, betas, sols, ref, strict=True):
            assert r.status == "optimal"
            assert s.status == "certified"
            assert s.gap <= TOL
            scale = max(1.0, abs(r.value))
            assert abs(s.upper - r.value) <= TOL * scale
            # the bracket contains Clarabel's value (up to Clarabel's own accuracy)
            assert s.lower - TOL * scale <= r.value <= s.upper + TOL * scale
            # the reported upper bound is the recomputed objective of a feasible point
            assert s.upper == pytest.approx(program_8(U, D, y, b).objective(s.S, s.Sp), rel=1e-14)
            assert s.violation == program_8(U, D, y, b).violation(s.S, s.Sp) <= 1e-12
            assert s.S.shape == (len(D), U.shape[1])


def test_batched_equals_single():
    Ups, ys, Ds, betas = _batch(4, 7, 2, 3)
    batch = solve_torch(Ups, ys, betas, Ds, device="cpu")
    for i in range(3):
        one = solve_torch(Ups[i:i + 1], ys[i:i + 1], betas[i], Ds[i:i + 1], device="cpu")[0]
        assert abs(one.upper - batch[i].upper) <= 2 * TOL * max(1.0, abs(one.upper))


@pytest.mark.parametrize("mutation", ["sign", "noreg"])
def test_mutation_does_not_certify(mutation):
    Ups, ys, Ds, betas = _batch(2, 8, 2, 2)
    sols = solve_torch(Ups, ys, betas, Ds, device="cpu", max_iter=3000, _mutate=mutation)
    ref = [solve_program(program_8(U, D, y, b)).value for U, y, D, b in zip(Ups, ys, Ds, betas, strict=True)]
    for s, r in zip(sols, ref, strict=True):
        assert s.status == "max_iter"
        assert s.gap > 1e-3
        # the certificate stays honest: the bracket still contains the optimum
        assert s.lower - 1e-6 <= r <= s.upper + 1e-6


@pytest.mark.gpu
def test_cpu_and_cuda_agree():
    Ups, ys, Ds, betas = _batch(5, 9, 2, 4)
    cpu = solve_torch(Ups, ys, betas, Ds, device="cpu")
    gpu = solve_torch(Ups, ys, betas, Ds, device="cuda")
    for a, b in zip(cpu, gpu, strict=True):
        assert a.iterations == b.iterations
        assert abs(a.upper - b.upper) <= 1e-8 * max(1.0, abs(a.upper))
        assert abs(a.lower - b.lower) <= 1e-8 * max(1.0, abs(a.lower))
        assert np.allclose(a.S, b.S, atol=1e-8) and np.allclose(a.Sp, b.Sp, atol=1e-8)
