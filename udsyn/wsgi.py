"""The WSGI application a server such as gunicorn serves: `udsyn.wsgi:application`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "udsyn.settings")
application = get_wsgi_application()
