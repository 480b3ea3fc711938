"""portico.urls plus the floor: what Django itself costs on this machine."""

from django.urls import include, path

from bench import floor_views

urlpatterns = [
    path("bench/floor/trivial/", floor_views.trivial, name="bench-floor-trivial"),
    path("bench/floor/rows/", floor_views.rows, name="bench-floor-rows"),
    path("", include("portico.urls")),
]
