"""The tests' copy of the built-in phone model's labels is the demo's inventory, blank first."""

from __future__ import annotations

from aligner_gui.demo.phones import INVENTORY

from tiny_models import DEMO_PHONE_LABELS, DEMO_PHONES


def test_the_tests_demo_phone_labels_are_the_demo_inventory() -> None:
    assert DEMO_PHONES == INVENTORY
    assert DEMO_PHONE_LABELS.labels[0] == "-" and DEMO_PHONE_LABELS.blank == 0
    assert DEMO_PHONE_LABELS.word_delimiter is None and DEMO_PHONE_LABELS.star is None
