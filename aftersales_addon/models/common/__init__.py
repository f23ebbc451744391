from . import aftersales_control_mixin
from . import aftersales_activity_mixin
from . import mail_activity
from . import res_company
from . import res_users
from . import ir_ui_menu
from . import ir_attachment
from . import res_config_settings
