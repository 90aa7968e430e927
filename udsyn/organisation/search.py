"""The organisation app's records in global search (``udsyn.core.search``)."""

from udsyn.core import search
from udsyn.organisation.models import Committee, Department, Municipality, Person, Unit

search.register(Municipality)
search.register(Department)
search.register(Unit, select=("department",))
search.register(Person, select=("department",))
search.register(Committee, select=("department",))
