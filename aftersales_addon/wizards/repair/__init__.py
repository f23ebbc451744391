from . import aftersales_repair_return_wizard
