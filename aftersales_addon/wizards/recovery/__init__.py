from . import recovery_wizards
