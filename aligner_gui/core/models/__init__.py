"""The only package that imports torch: model bundles, checkpoints, Hugging Face import, emissions."""
