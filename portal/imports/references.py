"""Looking up what import rows refer to (accounts, countries, networks, services), cached per import."""

from __future__ import annotations

from sqlalchemy import select

from portal.extensions import db
from portal.models import Account, Country, Network, Service


class AccountIds:
    """Known account ids, fetched in one query per chunk for ids not seen before."""

    def __init__(self):
        self.known: set[int] = set()
        self.missing: set[int] = set()

    def check(self, ids: set[int]) -> set[int]:
        """The ids among `ids` that are not accounts."""
        new = ids - self.known - self.missing
        if new:
            found = set(db.session.scalars(select(Account.id).where(Account.id.in_(new))))
            self.known |= found
            self.missing |= new - found
        return ids & self.missing


class Catalog:
    """Countries by ISO code and networks by id and name (small tables, read once)."""

    def __init__(self):
        self.countries = {iso.upper(): cid for cid, iso in db.session.execute(select(Country.id, Country.iso2))}
        self.network_ids: set[int] = set()
        self.networks_by_name: dict[str, list[tuple[int, int | None]]] = {}
        for nid, name, country_id in db.session.execute(select(Network.id, Network.name, Network.country_id)):
            self.network_ids.add(nid)
            self.networks_by_name.setdefault(name.strip().lower(), []).append((nid, country_id))

    def country_id(self, code: str) -> int | None:
        return self.countries.get(code.upper())

    def network_id(self, value: str, country_id: int | None) -> tuple[int | None, str | None]:
        """(network id, None) or (None, reason)."""
        if value.isdigit():
            nid = int(value)
            return (nid, None) if nid in self.network_ids else (None, f"network {value} is not a known network id")
        candidates = self.networks_by_name.get(value.lower(), [])
        if country_id is not None:
            candidates = [c for c in candidates if c[1] == country_id] or candidates
        if not candidates:
            return None, f"network {value!r} is not a known network"
        if len({c[0] for c in candidates}) > 1:
            return None, f"network {value!r} is ambiguous: give the country or the network id"
        return candidates[0][0], None


class Services:
    """Services by id and by (account, name); global services (no account) match any account."""

    def __init__(self):
        self.by_id: dict[int, int | None] = {}
        self.by_name: dict[tuple[int | None, str], int] = {}
        for sid, account_id, name in db.session.execute(
            select(Service.id, Service.account_id, Service.name).order_by(Service.id)
        ):
            self.by_id[sid] = account_id
            self.by_name.setdefault((account_id, name.strip().lower()), sid)

    def resolve(self, value: str, account_id: int) -> tuple[int | None, str | None]:
        if value.isdigit():
            sid = int(value)
            if sid not in self.by_id:
                return None, f"service {value} is not a known service id"
            owner = self.by_id[sid]
            if owner is not None and owner != account_id:
                return None, f"service {value} belongs to another account"
            return sid, None
        key = value.strip().lower()
        sid = self.by_name.get((account_id, key)) or self.by_name.get((None, key))
        if sid is None:
            return None, f"service {value!r} is not a service of account {account_id}"
        return sid, None
