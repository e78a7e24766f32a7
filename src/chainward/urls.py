"""URL map: pages, registers per app, the API with its schema and docs."""

from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from chainward.access.login import LoginView
from chainward.core import lookups, pages
from chainward.core.api import viewset_for
from chainward.core.registry import all_registers
from chainward.fieldchecks import offline

router = DefaultRouter()
for register in all_registers():
    router.register(f"{register.app_label}/{register.url_prefix}", viewset_for(register.model),
                    basename=f"{register.app_label}-{register.model_name}")

urlpatterns = [
    path("", pages.home, name="home"),
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("search/", pages.search, name="search"),
    path("lookup/<str:label>/<str:name>/", lookups.lookup, name="lookup"),
    path("organisation/", pages.switch_organisation, name="switch_organisation"),
    path("healthz", pages.healthz, name="healthz"),
    # The offline field checks' service worker (its scope must cover /fieldchecks/offline/)
    # and the web app manifest, at the site root.
    path("sw.js", offline.service_worker, name="service_worker"),
    path("manifest.webmanifest", offline.manifest, name="manifest"),
    path("jobs/", include("chainward.jobs.urls")),
    path("supplychain/", include("chainward.supplychain.urls")),
    path("compliance/", include("chainward.compliance.urls")),
    path("documents/", include("chainward.documents.urls")),
    path("risk/", include("chainward.risk.urls")),
    path("plans/", include("chainward.plans.urls")),
    path("audits/", include("chainward.audits.urls")),
    path("certification/", include("chainward.certification.urls")),
    path("incidents/", include("chainward.incidents.urls")),
    path("fieldchecks/", include("chainward.fieldchecks.urls")),
    path("context/", include("chainward.context.urls")),
    path("people/", include("chainward.people.urls")),
    path("notifications/", include("chainward.notifications.urls")),
    path("partners/", include("chainward.partners.urls")),
    path("library/", include("chainward.library.urls")),
    path("account/", include("chainward.access.urls")),
    path("sso/", include("chainward.access.sso.urls")),
    path("api/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
]
