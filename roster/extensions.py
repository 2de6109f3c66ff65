"""Extension instances, created here and bound to the app in ``create_app``."""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf import CSRFProtect

from roster import ratelimits  # noqa: F401  (registers the sqlite:// limits storage)

login_manager = LoginManager()
csrf = CSRFProtect()
# Per-address limits, stored where RATELIMIT_STORAGE_URI says (sqlite:// or redis://).
limiter = Limiter(key_func=get_remote_address, default_limits=[])
