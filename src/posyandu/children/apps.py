from django.apps import AppConfig


class ChildrenConfig(AppConfig):
    name = "posyandu.children"
    label = "children"
