"""Supervision (监督): complaints, yellow cards and key supervision, warnings, violation cases and assessments.
The services, one module per record kind; ``reviews.services`` is their one door."""
