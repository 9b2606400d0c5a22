"""A corpus: recordings with transcripts, aligned in a batch and reviewed worst first."""
