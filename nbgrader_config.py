"""Lets `nbgrader …` run from the repository root: the course's config is in autograder/."""

load_subconfig("autograder/nbgrader_config.py")  # noqa: F821 (injected by traitlets)
