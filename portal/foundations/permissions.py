"""Who may do what: the actor of a service call and the expert-level table (docs/security.md "Permissions")."""

from __future__ import annotations

from dataclasses import dataclass

from portal.foundations.errors import PermissionDenied

# Minimum admin expert level per action. Level 1 reads everything.
ACTION_LEVELS: dict[str, int] = {
    "invoice.read": 1,
    "invoice.create": 2,
    "invoice.fill": 2,
    "invoice.refill": 2,
    "invoice.update": 2,
    "invoice.approve": 3,
    "invoice.email": 3,
    "invoice.recreate": 3,
    "invoice.download_link": 3,
    "invoice.payment": 3,
    "invoice.mark_delivered": 3,
    "invoice.xero_link": 3,
    "invoice.xero_relink": 5,
    "invoice.delete": 4,
    "invoice.credit": 4,
    "billing_run.start": 4,
    "customer.write": 4,
    "account.write": 4,
    "customer_user.write": 4,
    "template.write": 4,
    "admin_user.write": 5,
    "api_key.write": 5,
}


@dataclass(frozen=True)
class Actor:
    """Whoever calls a service: an admin user, an API key, a customer user, or the system (CLI, jobs)."""

    label: str
    kind: str = "system"  # system | admin | api | customer
    level: int = 5
    id: int | None = None
    customer_id: int | None = None

    def can(self, action: str) -> bool:
        if self.kind == "customer":
            return action in {"invoice.read", "invoice.download_link"}
        return self.level >= ACTION_LEVELS[action]


SYSTEM = Actor("system")


def require(actor: Actor, action: str) -> None:
    """Raise PermissionDenied unless `actor` may perform `action`."""
    if not actor.can(action):
        level = ACTION_LEVELS[action]
        raise PermissionDenied(
            f"Permission denied: {action.replace('_', ' ').replace('.', ' ')} needs expert level {level}.",
            action,
            level,
        )


def admin_actor(user) -> Actor:
    return Actor(label=user.email, kind="admin", level=user.level, id=user.id)


def customer_actor(user) -> Actor:
    return Actor(label=user.email, kind="customer", level=0, id=user.id, customer_id=user.customer_id)


def actor_for(user) -> Actor:
    """The actor of a signed-in admin or customer user."""
    return admin_actor(user) if user.kind == "admin" else customer_actor(user)
