from . import aftersales_report_access
