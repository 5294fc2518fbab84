"""Every word and look of Spoorzoeker: Jinja2 templates per language, labels, the ACT library."""
