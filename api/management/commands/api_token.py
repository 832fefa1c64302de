from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from api.services import token_create, tokens_revoke_all


class Command(BaseCommand):
    help = ("Make an API token for a user (the key is printed once and never stored), or revoke every "
            "token of a user. Both are audited.")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["create", "revoke"])
        parser.add_argument("username")

    def handle(self, *args, **opts):
        try:
            user = get_user_model().objects.get(username=opts["username"])
        except get_user_model().DoesNotExist:
            raise CommandError(f"No user {opts['username']!r}") from None
        if opts["action"] == "create":
            _, key = token_create(user=user)
            self.stdout.write(key)
        else:
            self.stdout.write(f"Revoked {tokens_revoke_all(user=user)} token(s) of {user.get_username()}")
