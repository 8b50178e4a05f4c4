"""Services of the LTI room, one module per flow; the package exports nothing: import the module."""
