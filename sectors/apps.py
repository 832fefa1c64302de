from django.apps import AppConfig


class SectorsConfig(AppConfig):
    name = "sectors"
