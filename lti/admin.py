from django.contrib import admin

from .models import CohortLink


@admin.register(CohortLink)
class CohortLinkAdmin(admin.ModelAdmin):
    list_display = ("context", "cohort", "created_by", "created_at")
    search_fields = ("context__title", "context__id_on_platform", "cohort__name")
    raw_id_fields = ("context", "cohort", "created_by")
