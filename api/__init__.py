"""Every way into govgraph: the HTTP API, the CLI, the viewer and exports. No graph logic."""
