"""The interop app's permission rules: a table upload is its uploader's."""

from udsyn.core import policy as p
from udsyn.interop.models import TableUpload

p.register(TableUpload, p.Policy(view=p.Owner(), add=p.ANY_STAFF, change=p.Owner(),
                                 summary="Its uploader."))
