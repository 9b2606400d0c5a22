"""File formats: audio (read, resample), transcripts, TextGrids, atomic writes. No torch, no Qt."""
