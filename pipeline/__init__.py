"""awareness-pipeline: translated CSAM-awareness sites and leaflets, per language and region."""

__version__ = "0.1.0"
