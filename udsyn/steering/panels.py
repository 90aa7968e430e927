"""What the steering app adds to other apps' pages: an engagement's goal links and review state."""

from udsyn.core import panels
from udsyn.engagements.models import Engagement
from udsyn.steering.views import engagement_steering

panels.register_section(Engagement, panels.Section(
    "steering/_engagement_goals.html", lambda engagement, user: engagement_steering(user, engagement), order=10))
