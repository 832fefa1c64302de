"""Password rules beyond Django's own validators (AUTH_PASSWORD_VALIDATORS in portal/settings.py)."""
from django.conf import settings
from django.core.exceptions import ValidationError


class NotTheDemoPasswordValidator:
    """Refuses the demo users' well-known password outside demo mode."""

    def validate(self, password, user=None):
        if not settings.DEMO_MODE and password == settings.DEMO_PASSWORD:
            raise ValidationError("This is the demo password, published in the README: choose another.",
                                  code="password_is_demo_password")

    def get_help_text(self):
        return "Your password can't be the demo password."
