"""Reading one file's bytes: its format, its text's layout, the template's tables and cells."""
