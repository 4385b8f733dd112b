from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from qiao.api import api
from qiao.core.views import health
from qiao.org import views as org_views

# No URL maps MEDIA_ROOT, in any settings: stored files (customer attachments, work-order stage
# files, promotion signatures) are served only by their views, which check scope and clearance.
urlpatterns = [
    path("", org_views.home, name="home"),
    path("login/", org_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("language/", org_views.set_language, name="set_language"),
    path("health/", health, name="health"),
    path("customers/", include("qiao.customers.urls")),
    path("reports/", include("qiao.reports.urls")),
    path("audit/", include("qiao.audit.urls")),
    path("approvals/", include("qiao.approvals.urls")),
    path("", include("qiao.visits.urls")),
    path("workorders/", include("qiao.workorders.urls")),
    path("account/", include("qiao.org.urls")),
    path("inbox/", include("qiao.notify.inbox.urls")),
    path("promotions/", include("qiao.promotions.urls")),
    path("import/", include("qiao.dataio.urls")),
    path("tickets/", include("qiao.tickets.urls")),
    path("sales/", include("qiao.sales.urls")),
    path("appraisal/", include("qiao.appraisal.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]

admin.site.site_header = "桥 Qiao"
admin.site.site_title = "Qiao"
