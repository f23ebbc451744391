from . import aftersales_dispatch_wizard
from . import aftersales_dispatch_wizard_line
from . import aftersales_loaner_lend_wizard
