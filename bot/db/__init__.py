"""The project's database: engine factory, tables and migrations."""
