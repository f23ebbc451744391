from . import repair_return_wizard
from . import warranty_override_wizard
from . import recovery_wizards
