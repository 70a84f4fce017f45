"""govgraph's graph layer: vocabulary, model, stores, queries and analytics."""

__version__ = "0.1.0"
