"""The site's views, one concept a module."""
