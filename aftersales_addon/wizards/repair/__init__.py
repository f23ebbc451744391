from . import repair_return_wizard
