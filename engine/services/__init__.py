"""Use cases. Every change to a case enters through one of these functions."""

from engine.services.calendars import get_year, list_years, load_year, recompute_stale_provisional
from engine.services.cases import complete_task, open_case, send_message
from engine.services.context import SYSTEM, Actor, EngineContext
from engine.services.deploy import deploy_process, list_processes, process_xml, validate_bpmn
from engine.services.queries import (
    diagram,
    find_case_id,
    get_case,
    list_cases,
    task_form,
    tasks_for,
)
from engine.services.timers import fire_due_timers, fire_timer
from engine.services.trail import (
    case_trail,
    export_trail,
    record_settings,
    record_system_event,
    sign_checkpoint,
    system_trail,
    verify_all,
    verify_case,
    verify_system,
)
from engine.services.users import add_user, authenticate, get_actor

__all__ = [
    "SYSTEM",
    "Actor",
    "EngineContext",
    "add_user",
    "authenticate",
    "case_trail",
    "complete_task",
    "deploy_process",
    "diagram",
    "export_trail",
    "find_case_id",
    "fire_due_timers",
    "fire_timer",
    "get_actor",
    "get_case",
    "get_year",
    "list_cases",
    "list_processes",
    "list_years",
    "load_year",
    "open_case",
    "process_xml",
    "recompute_stale_provisional",
    "record_settings",
    "record_system_event",
    "send_message",
    "sign_checkpoint",
    "system_trail",
    "task_form",
    "tasks_for",
    "validate_bpmn",
    "verify_all",
    "verify_case",
    "verify_system",
]

from engine.services.ledger import ledger_csv, ledger_stats
from engine.services.privacy import can_see_case, mask_personal
from engine.services.signin import (
    SessionState,
    SignIn,
    UserView,
    logout,
    refresh,
    session_state,
    sign_in,
    update_user,
)

__all__ += [
    "SessionState",
    "SignIn",
    "UserView",
    "can_see_case",
    "ledger_csv",
    "ledger_stats",
    "logout",
    "mask_personal",
    "refresh",
    "session_state",
    "sign_in",
    "update_user",
]
