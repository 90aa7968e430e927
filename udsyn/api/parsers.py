"""The API's JSON parser: DRF's, refusing with 400 a body nested deeper than the import's limit.

Python's json module raises RecursionError on a body nested some thousands deep, which DRF's parser does
not catch (a 500); and a body a few hundred deep that parses would still recurse through the serializers.
"""

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

from udsyn.core.exchange import limits


class JSONParser(parsers.JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(_("JSON parse error - {problem}").format(problem=limits.too_deep())) from None
        if limits.depth_of(data) > limits.MAX_DEPTH:
            raise ParseError(_("JSON parse error - {problem}").format(problem=limits.too_deep()))
        return data
