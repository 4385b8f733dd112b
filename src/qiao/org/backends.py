"""Authentication backend that loads the user with role and unit in the same query."""

from django.contrib.auth.backends import ModelBackend

from .models import User


class QiaoBackend(ModelBackend):
    def get_user(self, user_id):
        try:
            user = User._default_manager.select_related("position__role", "unit").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
