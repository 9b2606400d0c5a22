"""Foundations every layer shares: errors, progress and cancellation, the time base, label sets."""
