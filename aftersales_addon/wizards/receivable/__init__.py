from . import aftersales_finance_release_wizard
from . import aftersales_statement_dispute_wizard
from . import aftersales_receivable_refund_wizard
