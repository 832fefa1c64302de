from django.apps import AppConfig


class NominalsConfig(AppConfig):
    name = "nominals"
