"""Spoorzoeker: application wiring, domain rules, jobs and the command line."""
