"""Logging in, locking out, and the permission matrix walked through the domain."""

import datetime as dt

import pytest

from models import accounts, assets, audit
from models.accounts import PERMISSIONS, SYSTEM, NewUser
from models.errors import AuthenticationError, PermissionDenied, ValidationError
from models.schema import Asset, AuditEvent, User, utcnow
from tests.conftest import PASSWORD


def test_right_password_logs_in_and_is_logged(users):
    user = accounts.login("storekeeper", PASSWORD)
    assert user.role == "storekeeper"
    assert AuditEvent.select().where((AuditEvent.action == "user.login")
                                     & (AuditEvent.entity_id == "storekeeper")).count() == 1


def test_wrong_password_and_unknown_user_say_the_same(users):
    with pytest.raises(AuthenticationError, match="Wrong username or password"):
        accounts.login("storekeeper", "nope")
    with pytest.raises(AuthenticationError, match="Wrong username or password"):
        accounts.login("nobody", PASSWORD)


def test_five_failures_lock_the_account_even_for_the_right_password(users):
    for _ in range(accounts.MAX_FAILED_LOGINS - 1):
        with pytest.raises(AuthenticationError, match="Wrong"):
            accounts.login("staff", "bad")
    with pytest.raises(AuthenticationError, match="now locked"):
        accounts.login("staff", "bad")
    with pytest.raises(AuthenticationError, match="locked"):
        accounts.login("staff", PASSWORD)
    later = utcnow() + accounts.LOCKOUT + dt.timedelta(seconds=1)
    assert accounts.login("staff", PASSWORD, now=later).username == "staff"


def test_admin_unlocks_a_locked_account(users):
    for _ in range(accounts.MAX_FAILED_LOGINS):
        with pytest.raises(AuthenticationError):
            accounts.login("staff", "bad")
    accounts.unlock(users["admin"], "staff")
    assert accounts.login("staff", PASSWORD).username == "staff"


def test_deactivated_user_cannot_log_in_nor_act(users, sample_asset):
    accounts.set_active(users["admin"], "storekeeper", False)
    with pytest.raises(AuthenticationError, match="deactivated"):
        accounts.login("storekeeper", PASSWORD)
    stale = User.get(User.username == "storekeeper")
    with pytest.raises(PermissionDenied, match="deactivated"):
        assets.register_asset(stale, sample_asset)
    assert Asset.select().count() == 0


def test_passwords_are_stored_as_argon2_hashes(users):
    stored = User.get(User.username == "admin").password_hash
    assert stored.startswith("$argon2") and PASSWORD not in stored


def test_nobody_but_an_admin_creates_accounts(users):
    with pytest.raises(PermissionDenied, match="only: administrator"):
        accounts.create_user(users["storekeeper"], NewUser("x1", "secret", "staff", "x"))
    assert not User.select().where(User.username == "x1").exists()


def test_duplicate_username_is_refused(users):
    with pytest.raises(ValidationError, match="already taken") as err:
        accounts.create_user(users["admin"], NewUser("staff", "secret", "staff", "อีกคน"))
    assert err.value.field == "username"


def test_an_admin_cannot_deactivate_themself(users):
    with pytest.raises(ValidationError, match="your own account"):
        accounts.set_active(users["admin"], "admin", False)


def _attempt(action, actor, sample_asset):
    """Perform ``action`` through the domain as ``actor``."""
    from models import org

    if action == "asset.register":
        return assets.register_asset(actor, sample_asset)
    if action in ("asset.edit", "asset.move"):
        asset = assets.register_asset(SYSTEM, sample_asset)
        if action == "asset.edit":
            return assets.update_asset(actor, asset.asset_no, {"brand": "Dell"})
        return assets.move_asset(actor, asset.asset_no, department="04")
    if action == "asset.import":
        return assets.import_assets(actor, [(2, sample_asset)])
    if action == "org.manage":
        return org.add_location(actor, "R-1", "ห้องทดสอบ")
    if action == "user.manage":
        return accounts.create_user(actor, NewUser("newbie", "secret", "staff", "ใหม่"))
    return None


WRITE_ACTIONS = ["asset.register", "asset.edit", "asset.move", "asset.import", "org.manage",
                 "user.manage"]


@pytest.mark.parametrize("action", WRITE_ACTIONS)
@pytest.mark.parametrize("role", ["admin", "storekeeper", "dept_head", "agency_head", "auditor", "staff"])
def test_permission_matrix_holds_for_every_write(users, sample_asset, role, action):
    allowed = role in PERMISSIONS[action]
    before = AuditEvent.select().count()
    if allowed:
        _attempt(action, users[role], sample_asset)
        assert AuditEvent.select().count() > before
    else:
        with pytest.raises(PermissionDenied, match="may not"):
            _attempt(action, users[role], sample_asset)
        # Only the set-up write (made by the system) may have happened.
        actors = {e.actor for e in AuditEvent.select().where(AuditEvent.seq > before)}
        assert actors <= {audit.SYSTEM_ACTOR}


def test_auditor_may_read_but_never_write(users):
    auditor = users["auditor"]
    assert accounts.can(auditor, "asset.read") and accounts.can(auditor, "audit.read")
    assert not any(accounts.can(auditor, a) for a in WRITE_ACTIONS)
