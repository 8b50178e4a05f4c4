"""Fixtures of the LTI tests: a simulated platform served over HTTP, registered with the tool."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # homework_support
pytest.register_assert_rewrite("homework_support")

from platform_sim import Platform  # noqa: E402

from exercises.lti.services.registration import platform_register  # noqa: E402


@pytest.fixture
def platform(live_server) -> Iterator[Platform]:
    """A simulated LMS, registered with the tool served by live_server."""
    sim = Platform()
    sim.tool_base = live_server.url
    sim.start()
    platform_register(**sim.registration())
    yield sim
    sim.stop()
