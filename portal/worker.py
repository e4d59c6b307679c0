"""The worker face: `huey_consumer portal.worker.huey` runs the jobs of every service module.

Importing the tasks modules here registers their jobs with the queue, so portal.jobs (which the
services import) never imports a service; the worker builds its app with create_app.
"""

from __future__ import annotations

from portal import create_app
from portal.auth import tasks as auth_tasks
from portal.billing import tasks as billing_tasks
from portal.delivery import tasks as delivery_tasks
from portal.documents import tasks as documents_tasks
from portal.jobs import huey, use_app_factory

TASK_MODULES = (billing_tasks, delivery_tasks, documents_tasks, auth_tasks)

use_app_factory(create_app)

__all__ = ["TASK_MODULES", "huey"]
