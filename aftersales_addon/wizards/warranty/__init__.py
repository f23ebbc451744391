from . import warranty_override_wizard
