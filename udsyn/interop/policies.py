"""The interop app's permission rules: a table upload is its uploader's."""

from udsyn.core import policy as p
from udsyn.interop.models import TableUpload

# Importing and exporting internal tables are the coordinators' (what an import writes is then checked
# record by record against each record's own rules: udsyn/core/exchange/scope.py).
p.register(TableUpload, p.Policy(view=p.Owner(), add=p.Kinds((p.COORDINATOR,)), change=p.Owner(),
                                 extra={"import": p.Kinds((p.COORDINATOR,))},
                                 summary="Coordinators import; an upload is its uploader's."))
