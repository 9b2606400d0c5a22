"""Alignment maths: Viterbi (exact, bounded, long), anchors, segments, refinement, doubtful regions, pipeline."""
