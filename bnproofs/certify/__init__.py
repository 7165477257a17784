"""Certified bounds: verified dual points, networks rebuilt from convex solutions, and certified optima."""
