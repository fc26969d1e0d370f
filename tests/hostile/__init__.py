"""Hostile submissions of the graded notebooks: what a student might try against the grader."""
