"""gunicorn's settings for the board. gunicorn reads ./gunicorn.conf.py when started in
this folder; the README's command names it (``-c gunicorn.conf.py``) all the same.

Its access log (``--access-logfile -``) and error log leave out the keys of password reset
and email verification links, and the other secrets that ride in URLs (projects.logs).
"""

logger_class = "projects.logs.GunicornLogger"
