"""Token authentication for machine clients: ``Authorization: Token <key>``. The key is hashed and
looked up among the live tokens of active users; anything else is 401, the same for a wrong, a
revoked or a disabled account's key."""
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from api.models import ApiToken
from api.services import key_hash


class HashedTokenAuthentication(BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None
        if len(parts) != 2:
            raise AuthenticationFailed("Send 'Authorization: Token <key>'.")
        try:
            key = parts[1].decode()
        except UnicodeError:
            raise AuthenticationFailed("Invalid token.") from None
        token = (ApiToken.objects.select_related("user")
                 .filter(key_hash=key_hash(key), revoked_at__isnull=True, user__is_active=True).first())
        if token is None:
            raise AuthenticationFailed("Invalid token.")
        return token.user, token

    def authenticate_header(self, request) -> str:
        return self.keyword


class HashedTokenScheme(OpenApiAuthenticationExtension):
    """The token in the schema: an API key in the Authorization header, prefixed "Token "."""

    target_class = HashedTokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "Authorization",
                "description": "An administrator's token for a machine client, sent as `Token <key>`."}
