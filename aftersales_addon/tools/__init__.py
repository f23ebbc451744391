# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Helpers without a model of their own."""
from . import early_lock
from . import actions
