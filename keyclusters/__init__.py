"""keyclusters: software for a national key-cluster programme."""

__version__ = "0.1.0"
