from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core: organisations, audit trail, roles"

    def ready(self):
        from core import signals  # noqa: F401  (audit receivers; roles applied after every migrate)
