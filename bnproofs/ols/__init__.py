"""Ordinary least squares with and without batch normalisation: problems, objectives, GD, BNGD."""

from .dynamics import Runs, bngd, bngd_on, gd, gd_on
from .grids import on_grid
from .objective import (
    J0,
    J,
    effective_spectrum,
    effective_weight,
    grad_J,
    h_norm,
    h_star,
    hessian_J,
    rel_error,
)
from .problems import (
    OLSProblem,
    draw_case,
    eigen_arrays,
    eps_from_scaled,
    finite_sample,
    geometric_spectrum,
    population,
    random_inits,
    random_orthogonal,
    random_problem,
    random_spectrum,
    stack_eigen,
)
from .rates import (
    RateFit,
    bngd_rate,
    effective_step,
    fit_rate,
    gd_best_rate,
    gd_optimal_step,
    gd_rate,
    gd_threshold,
    loglog_slope,
    rate_exponent,
    same_rate,
)

__all__ = [
    "J", "J0", "OLSProblem", "RateFit", "Runs", "bngd", "bngd_on", "bngd_rate", "draw_case",
    "effective_spectrum", "effective_step", "effective_weight", "eigen_arrays", "eps_from_scaled",
    "finite_sample", "fit_rate", "gd", "gd_best_rate", "gd_on", "gd_optimal_step", "gd_rate",
    "gd_threshold", "rate_exponent", "same_rate", "geometric_spectrum", "grad_J",
    "h_norm", "h_star", "hessian_J", "loglog_slope", "on_grid", "population", "random_inits",
    "random_orthogonal", "random_problem", "random_spectrum", "rel_error", "stack_eigen",
]
