"""nbgrader configuration of the course.

The repository root is the course root: the nbgrader source notebooks live in
``solutions/<assignment>/``; everything nbgrader generates (release, submitted,
autograded and feedback folders, the gradebook) goes under ``autograder/``, which git
ignores. The root's ``nbgrader_config.py`` loads this file, so every ``nbgrader …``
command works from the repository root.
"""

from pathlib import Path

c = get_config()  # noqa: F821 (injected by traitlets when it loads this file)

_here = Path(__file__).resolve().parent
_root = _here.parent

c.CourseDirectory.root = str(_root)
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "autograder/release"
c.CourseDirectory.submitted_directory = "autograder/submitted"
c.CourseDirectory.autograded_directory = "autograder/autograded"
c.CourseDirectory.feedback_directory = "autograder/feedback"
c.CourseDirectory.solution_directory = "autograder/solution"
c.CourseDirectory.db_url = f"sqlite:///{_here / 'gradebook.db'}"

# A student who deletes a locked test cell still gets that cell's tests run.
c.OverwriteCells.add_missing_cells = True

# Feedback shows students their results, never the hidden tests.
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
    "nbgrader.preprocessors.ClearHiddenTests",
]

# Each chapter's notebook runs in a few seconds; a cell stuck for 60 s is an endless loop.
c.Execute.timeout = 60
