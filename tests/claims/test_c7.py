"""C7 (verify/c7.py): BNGD's good learning-rate range is wider than GD's; tail slopes −1, +1."""

from bnproofs import ols
from bnproofs.results import FAIL, PASS
from verify import c7
from verify.claim import Context, run_trial


def test_c7_wide_range_and_tail_slopes():
    trial, _ = run_trial(c7, Context(1, 1))
    assert trial.status == PASS, trial.notes
    v = trial.values
    assert v["bngd_width_decades"] > v["gd_width_decades"]
    assert abs(v["slope_small_eps_bngd"] + 1) <= 0.15 and abs(v["slope_large_eps_bngd"] - 1) <= 0.15
    assert trial.params["inits"] == c7.INITS and trial.params["steps"] == c7.STEPS


def test_c7_inits_is_a_knob():
    trial, _ = run_trial(c7, Context(0, 0), inits=2)
    assert trial.params["inits"] == 2
    assert 0 <= trial.values["starts_not_inflated"] <= 2
    assert trial.notes[0].endswith("/2 starts not inflated at the largest ε")


def test_c7_catches_bngd_without_normalisation(monkeypatch):
    """Mutation: 'BNGD' replaced by plain GD from the same w₀ and ε — its range is GD's and
    it diverges at large ε, so the wider range and the +1 slope must fail."""
    def plain_gd(p, *, a0, w0, eps, eps_a, steps, record_rows=None, **kw):
        r = ols.gd_on(p, w0=w0, eps=eps, steps=steps, **kw)
        r.history["err"] = r.history["err"][record_rows]
        return r

    monkeypatch.setattr(ols, "bngd_on", plain_gd)
    trial, findings = run_trial(c7, Context(1, 1))
    assert trial.status == FAIL
    assert not trial.checks["bngd_range_wider"] and not trial.checks["large_eps_slope_plus_1"]
    assert findings[0].kind == "statement_fails"
