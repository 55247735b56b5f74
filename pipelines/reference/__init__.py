"""Reference tables the pipeline reads but does not extract: built from maintained sources, committed as seeds."""
