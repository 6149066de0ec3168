"""Template context for every page: whether the header shows "Teach"."""

from django.utils.functional import SimpleLazyObject

from .access import may_teach


def teaching(request):
    # Lazy: the query runs only on pages that render the header for a signed-in user.
    return {"may_teach": SimpleLazyObject(lambda: may_teach(request.user))}
