from chainward.core.register import get_register

from . import models

app_name = "documents"
urlpatterns = get_register(models.Evidence).get_urls()
