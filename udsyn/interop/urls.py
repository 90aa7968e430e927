from django.urls import path

from udsyn.interop import views

app_name = "interop"

urlpatterns = [
    path("", views.import_registry_view, name="import"),
]
