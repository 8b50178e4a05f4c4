"""Signals the courses room sends for other rooms to listen to (it imports none of them)."""

from django.dispatch import Signal

# Some students' counted homework scores may have changed (a submission graded, a regrade applied).
# Sent inside the transaction that stores them, with `assignment_id` and `user_ids`; receivers
# that do work should do it after the commit (transaction.on_commit).
homework_scores_changed = Signal()
