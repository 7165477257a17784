"""Which exact checks (``bnproofs.exact``) attach to which claim, and running them.

``EXACT`` maps a claim id to functions ``seed -> [ExactItem]``. The runner calls :func:`run`
once per claim run, not per trial: the symbolic proofs are instance-free (and cached per
process); the rational certificates build their own small rational instance from the run's
seed. Nothing here imports a claim module, so ids of claims that live on other branches (T2.4,
TG.2, T5.1, …) work as soon as those claims are registered.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable, Sequence

from bnproofs.exact import UNDECIDED, ExactItem
from bnproofs.exact import rational as R
from bnproofs.exact import symbolic as S
from bnproofs.exact import symbolic_ols as SO

Check = Callable[[int], Sequence[ExactItem]]


def _sym(fn, *args) -> Check:
    def check(seed: int):
        return fn(*args)

    check.__name__ = f"{fn.__name__}{args if args else ''}"
    return check


def _bn_norm(seed: int):
    return [i for i in S.bn_identities() if i.name == "BN output norm"]


def _t2_1_closed(seed: int):
    return [R.certificate_t2_1_closed_form(seed, beta_rule=("below", "between", "above")[seed % 3])]


def _t2_1_solver(seed: int):
    return [R.certificate_convex_program(seed, 3, 4, ("below", "between", "above")[seed % 3],
                                         "T2.1 via (8)/(24): exact bracket")]


def _t2_2_solver(seed: int):
    return [R.certificate_convex_program(seed, 5, 2, ("below", "between", "above")[seed % 3],
                                         "T2.2 via (8)/(24): exact bracket")]


def _g_2_certificate(seed: int):
    return [R.certificate_g_2(seed, above=bool(seed % 2))]


EXACT: dict[str, list[Check]] = {
    "L1.1": [_bn_norm, _sym(S.rescaling_identities, 1)],
    "L2.1": [_bn_norm, _sym(S.rescaling_identities, 2)],
    "T2.1": [_sym(S.bn_identities), _sym(S.theorem_2_1_cases), _t2_1_closed, _t2_1_solver],
    "T2.2": [_bn_norm, _t2_2_solver],
    "T2.4": [_sym(S.bn_identities), _sym(S.theorem_2_4_cases)],
    "T4.1": [_sym(S.bn_identities), _sym(S.theorem_2_1_cases), _sym(S.theorem_4_1_value)],
    "T4.2": [_sym(S.bn_identities), _sym(S.theorem_2_4_cases)],
    "TG.2": [_sym(S.bn_identities), _sym(S.theorem_g_2_cases), _g_2_certificate],
    "L5.1": [_sym(S.lemma_5_1_identity)],
    "T5.1": [_sym(S.lemma_5_1_identity), _sym(S.theorem_5_1_identities)],
    "C1": [_sym(SO.ols_identities, "C1"), _sym(SO.gd_rate_identities)],
    "C2": [_sym(SO.ols_identities, "C2")],
    "C3": [_sym(SO.ols_identities, "C3")],
    "C4": [_sym(SO.ols_identities, "C4")],
    # convergence for any ε rests on the norm growth and on |a_k| ≤ max(|a₀|, ‖u‖_H)
    "C5": [_sym(SO.ols_identities, "C4"), _sym(SO.bngd_a_bound_identities)],
    "C6": [_sym(SO.ols_identities, "C6")],
    "C8": [_sym(SO.isotropic_step_identities)],  # where the a₀ regimes part, on H = λI
}


def run(claim_id: str, seed: int) -> list[dict]:
    """The exact items of ``claim_id`` as JSON dicts (empty when none apply). A check that
    raises is recorded as an ``undecided`` item naming the error, never lost silently."""
    out = []
    for check in EXACT.get(claim_id, []):
        t0 = time.perf_counter()
        try:
            items = list(check(seed))
        except Exception:  # recorded, not hidden
            err = traceback.format_exc(limit=2).strip().splitlines()[-1]
            items = [ExactItem(check.__name__, "symbolic", "step", UNDECIDED,
                               f"{check.__name__} raised", difference=err,
                               time_s=time.perf_counter() - t0)]
        out.extend(i.to_json() for i in items)
    return out
