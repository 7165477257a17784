"""The convex programs of [E]: hyperplane arrangements, losses and the cone-constrained group-lasso family (8), (15), (46)."""
