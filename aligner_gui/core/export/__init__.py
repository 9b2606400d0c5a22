"""Turning an alignment into files: TextGrid, JSON, CSV."""
