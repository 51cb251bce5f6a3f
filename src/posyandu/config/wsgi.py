"""WSGI entry point for ``posyandu serve``, gunicorn or waitress-serve.

Refuses to load with the public built-in SECRET_KEY (or a short one) unless
DEBUG is on, so no server runs with forgeable sessions by omission.
"""

import os

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

from posyandu.config.settings import secret_key_problem

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "posyandu.config.settings")
_problem = secret_key_problem(settings.SECRET_KEY, debug=settings.DEBUG)
if _problem:
    raise ImproperlyConfigured(_problem)
application = get_wsgi_application()
