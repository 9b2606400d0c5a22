"""Pronunciations: dictionaries, G2P, number expansion, romanisation and phone inventories."""
