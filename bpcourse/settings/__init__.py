"""Settings modules: base (shared, from the environment), dev (local default), test, prod."""
