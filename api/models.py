"""API tokens for machine clients. Only a SHA-256 of the key is stored: the key is shown once, when
it is made, and a copy of the database (a backup, a read replica) holds nothing that authenticates."""
from django.conf import settings
from django.db import models


class ApiToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the key, in hex")
    prefix = models.CharField(max_length=8, help_text="The key's first characters, to tell tokens apart")
    created_at = models.DateTimeField()
    created_by = models.CharField(max_length=150, help_text="Who made it (a username, or (system))")
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"
