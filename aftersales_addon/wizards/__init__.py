from . import repair_return_wizard
from . import warranty_override_wizard
from . import recovery_wizards
from . import finance_release_wizard
from . import statement_dispute_wizard
from . import receivable_refund_wizard
