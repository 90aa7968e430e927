"""DRF's browsable API under the Content Security Policy: its pages keep DRF's own few inline styles (the
literal ones in its templates and the code-highlighting stylesheet), admitted by hash on its responses only."""

from typing import Any

from rest_framework import renderers
from rest_framework.compat import pygments_css

from udsyn.core.csp import InlineStyles, admit, in_templates


class BrowsableAPIRenderer(renderers.BrowsableAPIRenderer):
    def render(self, data: Any, accepted_media_type: str | None = None,
               renderer_context: dict[str, Any] | None = None) -> Any:
        page = super().render(data, accepted_media_type, renderer_context)
        response = (renderer_context or {}).get("response")
        if response is not None:
            highlighting = pygments_css(self.code_style)
            admit(response, in_templates("rest_framework")
                  | InlineStyles(elements=frozenset([highlighting] if highlighting else [])))
        return page
