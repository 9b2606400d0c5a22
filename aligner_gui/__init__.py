"""aligner_gui: a desktop CTC forced-alignment editor. Importing this package loads nothing heavy."""

__version__ = "0.1.0"
