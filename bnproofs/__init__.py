"""bnproofs: certified numerical verification of batch-normalisation theorems.

The library (this package) knows nothing about claims: BN (eq. 2), whitening, arrangements,
convex programs and duals, certificates, closed forms, training. Claims live in ``verify``.
"""

__version__ = "0.1.0"
