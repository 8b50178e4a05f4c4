"""LTI 1.3 Advantage (pylti1p3next): launches from an LMS, deep linking, roster sync and grade
passback. Nothing in grading/, practice/ or courses/ imports this room; it listens to the courses
room's `homework_scores_changed` signal (connected in ExercisesConfig.ready())."""
