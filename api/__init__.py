"""The interfaces: the quanze command line (and the web service)."""
