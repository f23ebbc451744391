from . import finance_release_wizard
from . import statement_dispute_wizard
from . import receivable_refund_wizard
