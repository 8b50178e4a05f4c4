"""Pages of the LTI room: tool endpoints, deep linking, the staff page, dynamic registration."""
