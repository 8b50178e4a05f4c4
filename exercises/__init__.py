"""The exercises app: practice variants, submissions and their grading."""
