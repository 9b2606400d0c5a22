"""The Qt-free alignment engine: audio, transcripts, models, emissions, Viterbi, segments, TextGrids."""
