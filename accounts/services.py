from django.db import transaction
from rest_framework.authtoken.models import Token


def user_token_get(*, user) -> Token:
    token, _ = Token.objects.get_or_create(user=user)
    return token


def user_token_regenerate(*, user) -> Token:
    """The old token stops working at once, for every script that used it."""
    with transaction.atomic():
        Token.objects.filter(user=user).delete()
        return Token.objects.create(user=user)
