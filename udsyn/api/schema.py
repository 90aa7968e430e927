"""The API's OpenAPI schema: besides each operation's success, the errors it can answer with.

drf-spectacular documents only the success response; clients (and schemathesis) need the errors too:

- 400 with the fields named, when a body (or a list's filter) does not validate;
- 401 without valid credentials (an unknown token, or none where reading needs signing in);
- 403 when the user's role does not allow the write;
- 404 for an unknown id, or a page past the end of a list;
- 409 when a record cannot be deleted because others refer to it;
- 412 when a change or deletion is based on an older version of the record than the one saved;
- 415 for a body in a media type the operation does not take;
- 428 when a change or deletion does not say which version it is based on (If-Match, or ``version``).

Reading one record answers its version as ETag, which changes and deletions send back in If-Match.
"""

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What went wrong, in the caller's language.")


class StaleVersionSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="Who changed what since, and how to go on, in the caller's language.")
    version = serializers.IntegerField(help_text="The record's version now (its ETag).")


VERSIONED = ("update", "partial_update", "destroy")
IF_MATCH = OpenApiParameter(
    "If-Match", str, OpenApiParameter.HEADER,
    description="The ETag of the record as read (its version, e.g. \"3\"): the change is made only if the record "
                "is still at that version (else 412). Required unless the body gives the `version`; a change that "
                "names no version answers 428.")
ETAG = OpenApiParameter("ETag", str, OpenApiParameter.HEADER, response=[200],
                        description="The record's version; send it in If-Match to change or delete it.")

VALIDATION_ERROR = {
    "type": "object",
    "description": "A list of messages per field name; `non_field_errors` for the record as a whole, `detail` "
                   "when the request body cannot be read.",
    "additionalProperties": {},
}


class RegistrySchema(AutoSchema):
    def get_override_parameters(self) -> list[Any]:
        parameters: list[Any] = list(super().get_override_parameters())
        action = getattr(self.view, "action", None)
        if action in VERSIONED:
            parameters.append(IF_MATCH)
        if action in ("retrieve", "update", "partial_update"):
            parameters.append(ETAG)
        return parameters

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        action = getattr(self.view, "action", None)
        listing = self.method == "GET" and self._is_list_view()
        filtered = bool(getattr(self.view, "filterset_class", None) or getattr(self.view, "filterset_fields", None))
        errors: dict[str, tuple[Any, str]] = {}
        if self.method in ("POST", "PUT", "PATCH") or (listing and filtered):
            errors["400"] = (VALIDATION_ERROR, "The request does not validate.")
        errors["401"] = (ErrorSerializer, "No valid credentials: an unknown token, or none where signing in is "
                                          "needed.")
        if self.method not in SAFE_METHODS:
            errors["403"] = (ErrorSerializer, "The user's role does not allow this.")
        if listing:
            errors["404"] = (ErrorSerializer, "No such page.")
        elif action in ("retrieve", "update", "partial_update", "destroy") or getattr(
                getattr(self.view, action or "", None), "detail", False):  # a detail action: figures
            errors["404"] = (ErrorSerializer, "No such record (or none the caller may see).")
        if self.method in ("POST", "PUT", "PATCH"):
            errors["415"] = (ErrorSerializer, "The body's media type is none of those documented.")
        if self.method == "DELETE":
            errors["409"] = (ErrorSerializer, "Other records refer to this one; change or delete them first.")
        if action in VERSIONED:
            errors["412"] = (StaleVersionSerializer, "The record was changed since the version the request is "
                                                     "based on; nothing is changed.")
            errors["428"] = (ErrorSerializer, "The request does not say which version of the record it is based "
                                              "on (If-Match header, or `version` in the body).")
        errors["429"] = (ErrorSerializer, "Too many requests from this caller (or, for the token, too many "
                                          "failed passwords: locked out); Retry-After says when to try again.")
        for code, (schema, description) in errors.items():
            responses.setdefault(code, self._get_response_for_code(
                OpenApiResponse(response=schema, description=description), code, direction=direction))
        return responses
