"""Qt-free numpy behind the views: peak pyramids, pooling, tier geometry, the lazy trellis."""
