"""OLS problems ``J₀(w) = ½c − wᵀg + ½wᵀHw``: the population problem and finite samples, the
random draws of the claims' instances, initial points, and a problem in its eigenbasis.

A problem is an :class:`OLSProblem` ``(H, g, c)``: the population problem built from a chosen
spectrum and ``u`` (:func:`population`), or a finite sample ``H = XᵀX/n, g = Xᵀy/n, c = yᵀy/n``
with centred ``X`` (:func:`finite_sample`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import scipy.linalg


@dataclass(frozen=True)
class OLSProblem:
    """``J₀(w) = ½c − wᵀg + ½wᵀHw`` with ``H`` SPD; ``source`` says how it was made."""

    H: np.ndarray
    g: np.ndarray
    c: float
    source: str = "population"

    @property
    def d(self) -> int:
        return self.g.shape[0]

    @property
    def u(self) -> np.ndarray:
        """The OLS solution ``H⁻¹g`` (Cholesky solve)."""
        return scipy.linalg.cho_solve(scipy.linalg.cho_factor(self.H), self.g)

    @property
    def uHu(self) -> float:
        u = self.u
        return float(u @ self.H @ u)

    @property
    def J_star(self) -> float:
        """``½(c − uᵀHu)``, the closed form of ``min J₀``."""
        return 0.5 * (self.c - self.uHu)

    def eig(self) -> tuple[np.ndarray, np.ndarray]:
        """Eigenvalues (ascending) and orthonormal eigenvectors of ``H``."""
        lam, Q = np.linalg.eigh(self.H)
        return lam, Q

    @property
    def kappa(self) -> float:
        lam = np.linalg.eigvalsh(self.H)
        return float(lam[-1] / lam[0])


def random_orthogonal(rng: np.random.Generator, d: int) -> np.ndarray:
    """A Haar-distributed orthogonal matrix (QR of a Gaussian with the sign fix)."""
    Z = rng.standard_normal((d, d))
    Q, R = np.linalg.qr(Z)
    return Q * np.sign(np.diag(R))


def geometric_spectrum(d: int, kappa: float, top: float = 1.0) -> np.ndarray:
    """``d`` log-spaced eigenvalues from ``top/κ`` to ``top`` (condition number exactly κ)."""
    if d == 1:
        return np.array([float(top)])
    return top * np.logspace(-np.log10(kappa), 0.0, d)


def random_spectrum(rng: np.random.Generator, d: int, kappa: float, top: float = 1.0):
    """Log-uniform eigenvalues in ``[top/κ, top]`` with both ends attained (κ by construction)."""
    if d == 1:
        return np.array([float(top)])
    inner = rng.uniform(-np.log10(kappa), 0.0, size=d - 2)
    return top * np.sort(10.0 ** np.concatenate([[-np.log10(kappa)], inner, [0.0]]))


def population(lam, u, noise: float = 0.0, Q: np.ndarray | None = None) -> OLSProblem:
    """``H = Q diag(λ) Qᵀ`` (``Q = I`` if omitted), ``g = H u``, ``c = uᵀHu + noise²``."""
    lam = np.asarray(lam, dtype=float)
    u = np.asarray(u, dtype=float)
    if np.any(lam <= 0):
        raise ValueError("H must be positive definite")
    Q = np.eye(lam.size) if Q is None else Q
    H = (Q * lam) @ Q.T
    H = 0.5 * (H + H.T)
    g = H @ u
    return OLSProblem(H, g, float(u @ g + noise**2), "population")


def finite_sample(rng: np.random.Generator, n: int, lam, w_star, noise: float = 0.1,
                  Q: np.ndarray | None = None) -> OLSProblem:
    """``n`` samples ``x = Q diag(√λ) z`` (``z`` standard normal), centred, ``y = xᵀw* + noise·ξ``.

    ``H = XᵀX/n``, ``g = Xᵀy/n``, ``c = yᵀy/n`` with the centred ``X`` (so ``E_n[x] = 0`` as the
    model assumes). ``n ≥ d + 1`` keeps ``H`` positive definite almost surely.
    """
    lam = np.asarray(lam, dtype=float)
    d = lam.size
    Q = np.eye(d) if Q is None else Q
    X = (rng.standard_normal((n, d)) * np.sqrt(lam)) @ Q.T
    X = X - X.mean(axis=0)
    y = X @ np.asarray(w_star, dtype=float) + noise * rng.standard_normal(n)
    H = X.T @ X / n
    return OLSProblem(0.5 * (H + H.T), X.T @ y / n, float(y @ y / n), f"sample(n={n})")


def random_problem(rng: np.random.Generator, d: int, kappa: float, source: str = "population",
                   noise: float = 0.5, n: int | None = None) -> OLSProblem:
    """A problem with a log-uniform spectrum of condition ``κ`` (both ends attained), a Haar
    eigenbasis and ``u ~ N(0, I)``: the population problem, or a finite sample of ``n`` points
    (default ``4d + 8``; its ``H = XᵀX/n`` then has its own condition number)."""
    lam = random_spectrum(rng, d, kappa)
    Q = random_orthogonal(rng, d)
    u = rng.standard_normal(d)
    if source == "population":
        return population(lam, u, noise, Q)
    return finite_sample(rng, n or 4 * d + 8, lam, u, noise, Q)


def draw_case(rng: np.random.Generator, max_d: int,
              max_log_kappa: float) -> tuple[int, float, str]:
    """A random ``(d, κ, source)`` for the trials after a claim's documented cases: ``d`` uniform
    in ``[1, max_d]``, ``κ`` log-uniform in ``[1, 10^max_log_kappa]`` (1 when ``d = 1``), and the
    population or a finite-sample problem."""
    d = int(rng.integers(1, max_d + 1))
    kappa = 1.0 if d == 1 else float(10 ** rng.uniform(0, max_log_kappa))
    source = str(rng.choice(["population", "sample"]))
    return d, kappa, source


def random_inits(rng: np.random.Generator, p: OLSProblem, n: int,
                 log_scale: tuple[float, float] = (0.0, 0.0)) -> tuple[np.ndarray, np.ndarray]:
    """``n`` initial points: ``w₀`` uniform in direction with ``‖w₀‖ = ‖u‖·10^U(log_scale)``,
    ``a₀ ~ N(0, uᵀHu)``."""
    w0 = rng.standard_normal((n, p.d))
    w0 /= np.linalg.norm(w0, axis=1, keepdims=True)
    w0 *= np.linalg.norm(p.u) * 10.0 ** rng.uniform(*log_scale, size=(n, 1))
    return rng.standard_normal(n) * math.sqrt(p.uHu), w0


def eps_from_scaled(p: OLSProblem, w0, eps_scaled) -> np.ndarray:
    """The ε with ``ε λ_max ‖u‖²/‖w₀‖² = eps_scaled`` for each run.

    ``ε λ_max ‖u‖²/‖w₀‖²`` is the dimensionless learning rate: unchanged by both scaling
    properties (``H → μH, u → u/√μ``; ``w₀ → γw₀, u → γu``), and for small ε it is the
    effective ``ε̂ λ_max`` because ``‖w‖`` hardly grows. With ``‖w₀‖ = ‖u‖`` it is ``ε λ_max``,
    GD's own scale.
    """
    w0 = np.atleast_2d(w0)
    lam_max = np.linalg.eigvalsh(p.H)[-1]
    return np.asarray(eps_scaled) * np.einsum("bi,bi->b", w0, w0) / (lam_max * (p.u @ p.u))


def eigen_arrays(p: OLSProblem, d_pad: int | None = None) -> dict:
    """The problem in its eigenbasis: ``lam, g, u`` (zero-padded to ``d_pad``) and ``Q``.

    A state ``w`` maps to ``Qᵀw``; the dynamics commute with this rotation (scaling property
    (i) with μ = γ = 1), and padded coordinates (λ = 0, g = u = 0, w = 0) never move.
    """
    lam, Q = p.eig()
    d_pad = d_pad or p.d
    out = {k: np.zeros(d_pad) for k in ("lam", "g", "u")}
    out["lam"][: p.d], out["g"][: p.d], out["u"][: p.d] = lam, Q.T @ p.g, Q.T @ p.u
    out["Q"] = Q
    return out


def stack_eigen(problems: list[OLSProblem], index) -> dict:
    """Per-run eigen arrays ``lam, g, u``, shape ``(B, d_max)``, for runs on ``problems[index]``."""
    d_max = max(p.d for p in problems)
    parts = [eigen_arrays(p, d_max) for p in problems]
    index = np.asarray(index)
    return {k: np.stack([parts[i][k] for i in index]) for k in ("lam", "g", "u")}
