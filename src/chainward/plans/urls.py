from chainward.core.register import get_register

from . import models

app_name = "plans"
urlpatterns = []
for model in (models.SecurityObjective, models.Measurement):
    urlpatterns += get_register(model).get_urls()
