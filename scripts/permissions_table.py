"""Write the registered permission policy's table into docs/permissions.md (between its markers)."""

import os
import sys
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "udsyn.settings")
django.setup()

from udsyn.core.policy import table  # noqa: E402

doc = ROOT / "docs" / "permissions.md"
text = doc.read_text(encoding="utf-8")
head, rest = text.split("<!-- policy-table -->\n", 1)
tail = rest.split("<!-- /policy-table -->", 1)[1]
doc.write_text(head + "<!-- policy-table -->\n" + table() + "<!-- /policy-table -->" + tail, encoding="utf-8")
