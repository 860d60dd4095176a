"""A rule is its module and one line in the registry: nothing else to keep in step."""

from __future__ import annotations

import importlib
import pkgutil

from app.alerts import registry, rules
from app.alerts.base import AlertRule
from storage.models import Alert


def test_every_rule_module_is_registered_once_under_its_own_name() -> None:
    modules = [m.name for m in pkgutil.iter_modules(rules.__path__)]
    assert modules, "no rule modules found"
    for name in modules:
        module = importlib.import_module(f"{rules.__name__}.{name}")
        rule = getattr(module, "RULE", None)
        assert isinstance(rule, AlertRule), f"app/alerts/rules/{name}.py exports no RULE"
        assert rule.name == getattr(module, "NAME", rule.name)
        assert registry.RULES.count(rule) == 1, f"rule module {name} is not in the registry"
    assert len(registry.RULES) == len(modules)
    assert len(registry.BY_NAME) == len(registry.RULES), "two rules share a name"
    stored = Alert.__table__.c.rule.type.length  # what alerts.rule holds
    assert all(len(rule.name) <= stored for rule in registry.RULES), "a name too long to store"


def test_what_the_registry_derives_follows_the_rules() -> None:
    assert {member.value for member in registry.RuleName} == set(registry.BY_NAME)
    assert registry.RuleName["OVERDUE"] == "overdue"
    assert [r.order for r in registry.RULES] == sorted(r.order for r in registry.RULES)
    assert {r.name for r in registry.FOLLOW_NEW_RECIPIENTS} == {"overdue", "deadline"}
    assert {r.name for r in registry.CORRECTABLE} == {"rank", "drop", "overdue_count", "roadmap"}
    assert registry.DATA_RULES and all(r in registry.ALL_RULES for r in registry.DATA_RULES)
