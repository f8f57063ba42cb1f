"""The OpenAPI schema (drf-spectacular): every operation documents the error bodies it may
return, so a client (and schemathesis) can rely on the contract for failures too."""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema

from .serializers import ErrorSerializer

_ERRORS = {
    "400": "The input is not valid: each field with what is wrong.",
    "401": "Not signed in, or the API token is not valid.",
    "403": "Signed in, but the access policy does not allow this.",
    "404": "No such object, or not visible to you (another agency's draft).",
}
_CONFLICT = "Someone saved the object after you read it: read it again."


class ApiAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        errors = dict(_ERRORS)
        if self.method in ("POST", "PUT", "PATCH"):
            errors["409"] = _CONFLICT
        for code, description in errors.items():
            if code not in responses:
                response = self._get_response_for_code(ErrorSerializer, code)
                response["description"] = description
                responses[code] = response
        return responses
