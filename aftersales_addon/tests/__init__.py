# Odoo's own runner (--test-enable) runs the test modules imported here;
# pytest-odoo (the test command) collects the same files.
from . import test_access
from . import test_access_table
from . import test_attacks
from . import test_bad_input
from . import test_browser
from . import test_browser_departments
from . import test_browser_mobile
from . import test_concurrency
from . import test_department_ui
from . import test_deposit_receivable
from . import test_i18n
from . import test_i18n_host
from . import test_layout
from . import test_local_dates
from . import test_multi_company
from . import test_operations
from . import test_receivable
from . import test_recovery
from . import test_repair_flow
from . import test_request_solutions
from . import test_reports
from . import test_rpc_attacks
from . import test_server_config
from . import test_warehouses
from . import test_warranty
