"""A synthetic but realistic demo roster: experts, their histories, and past missions.

``generate_demo(n, seed=..., today=...)`` makes it (the same seed and day, the same
demo), ``roster.demo.operations.load_demo`` writes it. The parts, each in its module:

- ``people``: who the experts are (interchange records from the reference data);
- ``lifecycle``: when they registered, were vetted, confirmed their profile or went
  stale and were reminded, and the status history that led to their roster status;
- ``duplicates``: people who registered twice, under another spelling of their name;
- ``missions`` and ``decisions``: past needs assessments, shortlisted by the matcher on
  the roster as it stood, and what happened to every candidate.
"""

from roster.demo.generate import DemoExpert, DemoRoster, generate_demo, generate_experts
from roster.demo.reference import (
    DATA_FILE,
    HISTORY_FILE,
    demo_regions,
    history_data,
    reference_data,
    taxonomy,
)

__all__ = [
    "DATA_FILE",
    "HISTORY_FILE",
    "DemoExpert",
    "DemoRoster",
    "demo_regions",
    "generate_demo",
    "generate_experts",
    "history_data",
    "reference_data",
    "taxonomy",
]
