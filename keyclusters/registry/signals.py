"""Signals of the registry.

``rows_written`` is sent (``sender`` the model class) after writes that bypass the models'
``save()`` and ``delete()`` (the bulk imports), inside their transaction; other apps that keep
copies of registry data listen to it as well as to ``post_save`` and ``post_delete``.
"""

from django.dispatch import Signal

rows_written = Signal()
