"""One small reader per file format; ``quanze.loaders.formats`` picks one by content."""
