"""The rule catalogue: rules as data (YAML) evaluated by a few primitives."""
