"""Shared test set-up: a headless matplotlib backend and seeded generators."""

import os

os.environ.setdefault("MPLBACKEND", "Agg")

import numpy as np
import pytest


@pytest.fixture
def rng():
    """A fresh, seeded generator for each test."""
    return np.random.default_rng(1234)
