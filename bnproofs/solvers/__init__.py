"""Solvers of the convex programs: Clarabel (through cvxpy) and the batched torch solver."""
