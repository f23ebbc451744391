from . import aftersales_recovery_receive_wizard
from . import aftersales_recovery_exempt_wizard
from . import aftersales_recovery_inspect_wizard
