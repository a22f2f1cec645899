"""Legal guard rules: each returns None (allowed) or a Refusal naming the article that forbids.

A legal "no" is a value, never an exception: the services layer audits it and shows it to the
officer. Exceptions are kept for what is not a legal answer: a programming or configuration error
(ValueError) and a year whose holiday schedule is not loaded (UnknownHolidayYear, never guessed).
Articles use the short forms of PROCEDURE.md (URPL, APL, ACL, ARL, ALL, CPL, LAL).

Time rule: a window has lapsed when the act happens at or after its deadline, i.e. 24:00
Asia/Shanghai of its last day (民法典 Art. 203; `StatutoryCalendar.deadline`). The whole last day
still belongs to the party.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from engine.calendar import DeadlineInfo, StatutoryCalendar, UnknownHolidayYear, parse_instant

LEGAL_BASES = frozenset({"URPL64", "URPL65", "LAL77", "LAL78"})
_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Refusal:
    """A legal "no": the article that forbids, why, and when time alone would cure it."""

    article: str  # short form, e.g. "ACL Art. 44"
    rule: str  # execution | night_holiday | utility_cutoff | segregation_of_duties | ...
    reason: str  # "中文 / English", naming what is missing and until when
    until: datetime | None = None  # when time alone cures the refusal; None if it does not


@dataclass(frozen=True, kw_only=True)
class ExecutionFacts:
    """What the execution guard needs. Keyword-only: a dozen flags must not be swapped silently.

    `demand_period` is the (local) 催告 period, default 10 WD (PROCEDURE §13; ACL Art. 69).
    """

    at: datetime
    decision_served_at: date | None
    remedy_rights_stated: bool
    review_pending: bool
    lawsuit_pending: bool
    demand_served_at: date | None
    public_notice_at: date | None
    safety_appraisal_required: bool
    safety_appraisal_done: bool
    legal_basis: str = "URPL64"
    public_notice_period: str = "10 CD"
    demand_period: str = "10 WD"
    # CPL Art. 85: an application mailed before a period ends is in time; coercion waits this
    # many calendar days after the review and lawsuit windows for one still in the post.
    postal_days: int = 0
    # LAL Art. 83's 15-day lawsuit window is for 责令限期拆除 only (not a confiscation).
    demolition_order: bool = True

    def __post_init__(self) -> None:
        if self.legal_basis not in LEGAL_BASES:
            raise ValueError(f"unknown legal basis {self.legal_basis!r}; one of {LEGAL_BASES}")


def _last(deadline: datetime) -> str:
    """The last day of a period whose deadline is 24:00 of it, for the refusal text."""
    return (deadline - _DAY).date().isoformat()


def review_window_end(
    served: date, cal: StatutoryCalendar, *, remedy_rights_stated: bool = True
) -> datetime:
    """60 CD from service to apply for review (ARL Art. 20(1)).

    If the decision omitted the review rights, the period runs from when the party learns them,
    at most 1 year from learning the decision (ARL Art. 20(3)); the engine cannot know the first,
    so it waits for the longest.
    """
    return cal.deadline(served, "60 CD" if remedy_rights_stated else "1 Y")


def lawsuit_window_end(
    served: date,
    legal_basis: str,
    remedy_rights_stated: bool,
    cal: StatutoryCalendar,
    *,
    demolition_order: bool = True,
) -> datetime:
    """6 M to sue (ALL Art. 46); 15 CD for land-law demolition orders (LAL Art. 83, a special
    rule ALL Art. 46 defers to: it names only 责令限期拆除, so a land-law confiscation keeps the
    6 M); 1 Y when the decision omitted the lawsuit period (SPC interpretation Art. 64),
    counted, like the others, from service."""
    if legal_basis not in LEGAL_BASES:
        raise ValueError(f"unknown legal basis {legal_basis!r}; one of {sorted(LEGAL_BASES)}")
    if not remedy_rights_stated:
        return cal.deadline(served, "1 Y")
    short = legal_basis in ("LAL77", "LAL78") and demolition_order
    return cal.deadline(served, "15 CD" if short else "6 M")


def _no(rule: str, article: str, zh: str, en: str, until: datetime | None = None) -> Refusal:
    return Refusal(article, rule, f"{zh} / {en}", until)


def _refuse(article: str, zh: str, en: str, until: datetime | None = None) -> Refusal:
    return _no("execution", article, zh, en, until)


def execution_guard(f: ExecutionFacts, cal: StatutoryCalendar) -> Refusal | None:
    """Forced demolition only when every condition of ACL Art. 44 and PROCEDURE §3 holds.

    Names the first unmet condition, in procedural order. For land-law cases (LAL77/78) the
    agency applies to the court instead (ACL Art. 53, LAL Art. 83); this guard then gates that
    application. Not modelled: the 15 days to sue after a review decision (ALL Art. 45) - a
    pending review keeps the guard shut and its result must be recorded before it reopens.
    """
    at = parse_instant(f.at)

    def running(article: str, zh: str, en: str, end: datetime) -> Refusal:
        return _refuse(
            article, f"{zh}尚未届满（至 {_last(end)}）", f"{en} runs until {_last(end)}", end
        )

    served = f.decision_served_at
    if served is None or served > at.date():
        return _refuse("APL Art. 61", "处罚决定书尚未送达", "the decision has not been served")
    # ACL Art. 44: "在法定期限内不申请行政复议或者提起行政诉讼": the periods must run out; a
    # written waiver by the party does not shorten them.
    end = review_window_end(served, cal, remedy_rights_stated=f.remedy_rights_stated)
    if at < end:  # with the rights omitted both windows are 1 Y: this branch answers
        return running("ARL Art. 20", "复议申请期限", "the review window", end)
    end = lawsuit_window_end(
        served, f.legal_basis, f.remedy_rights_stated, cal, demolition_order=f.demolition_order
    )
    if at < end:
        article = "LAL Art. 83" if f.legal_basis.startswith("LAL") else "ALL Art. 46"
        return running(article, "起诉期限", "the lawsuit window", end)
    if f.postal_days > 0:
        latest = max(
            end, review_window_end(served, cal, remedy_rights_stated=f.remedy_rights_stated)
        )
        mailed = latest + timedelta(days=f.postal_days)
        if at < mailed:
            zh = f"复议、起诉期满后的在途期间（{f.postal_days}日）尚未届满（至 {_last(mailed)}）"
            en = f"a filing mailed in time may still be in the post until {_last(mailed)}"
            return _refuse("CPL Art. 85", zh, en, mailed)
    if f.review_pending or f.lawsuit_pending:
        zh, en = ("复议", "review") if f.review_pending else ("诉讼", "lawsuit")
        zh = f"当事人已申请{zh}，终结前不得强制拆除"
        return _refuse("ACL Art. 44", zh, f"a {en} is pending; demolition waits for its result")
    if f.demand_served_at is None:
        return _refuse("ACL Art. 35", "催告书尚未送达", "the formal demand has not been served")
    end = cal.deadline(f.demand_served_at, f.demand_period)
    if at < end:
        return running("ACL Art. 37", "催告期限", "the demand period", end)
    if f.public_notice_at is None:
        return _refuse("ACL Art. 44", "强制拆除公告尚未发布", "no public notice has been issued")
    end = cal.deadline(f.public_notice_at, f.public_notice_period)
    if at < end:
        return running("ACL Art. 44", "公告限期自行拆除的期限", "the public-notice period", end)
    if f.safety_appraisal_required and not f.safety_appraisal_done:
        # No national statute requires it; PROCEDURE §3/§8 does, after 浙江 Art. 12(3).
        zh, en = "需安全鉴定而尚未完成", "a required safety appraisal has not been done"
        return _refuse("PROCEDURE §3 / 浙江 Art. 12", zh, en)
    return None


@dataclass(frozen=True)
class PartyDeadline:
    """A deadline of the party's that a coercive step rests on, as computed now."""

    zh: str
    en: str
    article: str
    provisional_years: tuple[int, ...]


def party_windows(f: ExecutionFacts, cal: StatutoryCalendar) -> list[PartyDeadline]:
    """The party's periods execution waits for (review, lawsuit, demand, public notice), each
    with the years among those deciding it that have no official schedule yet."""
    out: list[PartyDeadline] = []

    def add(zh: str, en: str, article: str, info: DeadlineInfo) -> None:
        out.append(PartyDeadline(zh, en, article, info.provisional_years))

    served = f.decision_served_at
    if served is not None:
        review = "60 CD" if f.remedy_rights_stated else "1 Y"
        add("复议申请期限", "review window", "ARL Art. 20", cal.deadline_detail(served, review))
        if not f.remedy_rights_stated:
            lawsuit, article = "1 Y", "SPC ALL interpretation Art. 64"
        elif f.legal_basis in ("LAL77", "LAL78"):
            lawsuit, article = "15 CD", "LAL Art. 83"
        else:
            lawsuit, article = "6 M", "ALL Art. 46"
        add("起诉期限", "lawsuit window", article, cal.deadline_detail(served, lawsuit))
    if f.demand_served_at is not None:
        info = cal.deadline_detail(f.demand_served_at, f.demand_period)
        add("催告期限", "demand period", "ACL Art. 35", info)
    if f.public_notice_at is not None:
        info = cal.deadline_detail(f.public_notice_at, f.public_notice_period)
        add("公告期限", "public-notice period", "ACL Art. 44", info)
    return out


def provisional_deadline_guard(
    deadlines: Iterable[PartyDeadline], *, at: datetime | None = None, cal: StatutoryCalendar
) -> Refusal | None:
    """No coercion may rest on a provisional deadline (暂定期限): until the State Council's
    schedule for its year is loaded, a 调休 may still lengthen the party's period (CPL Art. 85
    rolls a last day off a rest day), so coercion could come a day early. Refused, naming the
    year to load. The step's own day in a provisional year is refused likewise: whether it is a
    rest day (ACL Art. 43(1)) is not yet known."""
    for d in deadlines:
        if d.provisional_years:
            years = "、".join(str(y) for y in d.provisional_years)
            zh = f"{d.zh}按暂定日历计算（{years}年国务院放假安排尚未载入），载入前不得采取强制措施"
            en = (
                f"the {d.en} rests on a provisional calendar; load the State Council holiday "
                f"schedule for {years} before any coercive step"
            )
            return _no("provisional_calendar", d.article, zh, en)
    if at is not None:
        year = parse_instant(at).year
        if cal.is_provisional(year):
            zh = f"{year}年国务院放假安排尚未载入，无法确定执行日是否为法定节假日"
            en = f"the holiday schedule for {year} is not loaded: the day may be a rest day"
            return _no("provisional_calendar", "ACL Art. 43(1)", zh, en)
    return None


# What a remedy result is, and the period the party still has after it.
RESULT_PERIODS = {
    # ALL Art. 45: sue within 15 days of receiving the review decision.
    "review_decision": ("15 CD", "ALL Art. 45", "复议决定送达后的起诉期限", "the period to sue"),
    # ALL Art. 85: appeal a first-instance judgment within 15 days of its service.
    "first_instance_judgment": ("15 CD", "ALL Art. 85", "一审判决的上诉期限", "the appeal period"),
}
RESULT_KINDS = frozenset({*RESULT_PERIODS, "final_judgment"})


def remedy_result_guard(
    *, kind: str | None, received_on: date | None, at: datetime, cal: StatutoryCalendar
) -> Refusal | None:
    """A review decision or a first-instance judgment is not the end: the party may still sue
    or appeal, and coercion waits for that period (plus nothing else: a new filing makes the
    remedy pending again). A final judgment, or a result that does not say what it is (the
    wave-1 message), ends the wait."""
    if kind not in RESULT_PERIODS or received_on is None:
        return None
    period, article, zh, en = RESULT_PERIODS[kind]
    end = cal.deadline(received_on, period)
    if parse_instant(at) < end:
        return _refuse(
            article, f"{zh}尚未届满（至 {_last(end)}）", f"{en} runs until {_last(end)}", end
        )
    return None


def _night(t: time, start: time, end: time) -> bool:
    return (t >= start or t < end) if start > end else start <= t < end


def night_holiday_guard(
    at: datetime,
    cal: StatutoryCalendar,
    *,
    night_start: str = "22:00",
    night_end: str = "06:00",
    emergency: bool = False,
    emergency_reason: str | None = None,
    emergency_approved: bool | None = None,
) -> Refusal | None:
    """No coercive execution at night or on statutory holidays unless urgent (ACL Art. 43(1)).

    Rest days are every non-working day: the SPC reply (2016)最高法行他81号 puts weekends off
    limits too, while a make-up Saturday (调休) is a working day. Shanghai local time decides.
    An emergency with a recorded reason overrides; an unknown holiday year raises.
    """
    start, end = time.fromisoformat(night_start), time.fromisoformat(night_end)
    if start == end:
        raise ValueError(f"empty night window {night_start}-{night_end}")
    if emergency and emergency_reason and emergency_reason.strip():
        if emergency_approved is False:
            zh = "紧急情况须经行政机关负责人批准（注明批准人）"
            en = "an emergency needs the approval of the head of the agency (name the approver)"
            return _no("night_holiday", "ACL Art. 43(1)", zh, en)
        return None
    local = parse_instant(at)

    def allowed(moment: datetime) -> bool:
        return cal.is_working_day(moment.date()) and not _night(moment.time(), start, end)

    if allowed(local):
        return None
    if emergency:
        return _no(
            "night_holiday", "ACL Art. 43(1)", "紧急情况须记录理由", "an emergency needs a reason"
        )
    day = local.date()
    if cal.is_working_day(day):
        zh, en = f"夜间（{night_start}–{night_end}）", f"it is night ({night_start}-{night_end})"
    else:
        name = cal.holiday_name(day)
        zh = f"{day.isoformat()} 为{name or '休息日'}"
        en = f"{day.isoformat()} is {'a statutory holiday' if name else 'a rest day'}"
    until = _next_allowed(local, end, allowed)
    nxt = until.isoformat(timespec="minutes") if until else None
    zh += f"，不得实施强制执行（最早 {nxt or '未知'}）"
    en += f"; no coercive execution before {nxt or 'an unknown date (schedule not loaded)'}"
    return _no("night_holiday", "ACL Art. 43(1)", zh, en, until)


def _next_allowed(
    local: datetime, night_end: time, allowed: Callable[[datetime], bool]
) -> datetime | None:
    """First permitted instant: a day's start or the night's end. None if a year is unknown."""
    try:
        for i in range(31):  # the longest holiday run is 9 days
            day = local.date() + i * _DAY
            for t in sorted({time(0), night_end}):
                moment = datetime.combine(day, t, tzinfo=local.tzinfo)
                if moment > local and allowed(moment):
                    return moment
    except UnknownHolidayYear:
        return None
    return None


_PRODUCTION = frozenset({"business", "production"})
_NON_RESIDENTIAL = _PRODUCTION | {"construction_site", "other"}  # "residential", "mixed": homes
# Which law lets which supply be stopped, for which use (ACL Art. 13: coercion only as a law
# provides it). 北京 Art. 65: no 施工用水、用电 for a project built without a permit, and supply
# already given is corrected (para. 2): water and power of a construction site. 浙江 Art. 23
# only forbids handling new supply applications and is no basis. 安全生产法 Art. 70: power
# only, for a production unit that refused a 停产停业 decision. A local regulation that only
# forbids connecting new supply authorises no cutoff.
_BASIS_USES = {
    "construction_site_supply": frozenset({"construction_site"}),
    "safety_law_70": _PRODUCTION,
}
_BASIS_UTILITIES = {
    "construction_site_supply": frozenset({"water", "power"}),
    "safety_law_70": frozenset({"power"}),
}
_BASIS_ARTICLE = {
    "construction_site_supply": "北京 Art. 65",
    "safety_law_70": "安全生产法 Art. 70",
}


def utility_cutoff_guard(
    *,
    use_type: str | None,
    cutoff_basis: str | None,
    head_approved: bool | None = None,
    utilities: Iterable[str] | None = None,
    halt_decision_refused: bool | None = None,
) -> Refusal | None:
    """Cutting water, power, heat or gas is a coercive means that needs a legal basis.

    For residents' living it is forbidden outright (ACL Art. 43(2), 61(5)), whatever the basis;
    a use type that is unknown or mixed cannot exclude residents, so it is refused too. Otherwise
    the cutoff needs a basis that covers that use and those supplies (ACL Art. 13; the table
    above). 安全生产法 Art. 70 also needs the refused 停产停业 decision and the head's approval;
    for the other bases PROCEDURE §3 requires it, so an explicit False refuses and None is left
    to the workflow.
    """
    use = (use_type or "").strip().lower()
    basis = (cutoff_basis or "").strip()
    rule = "utility_cutoff"
    if use not in _NON_RESIDENTIAL:
        zh = f"不得对居民生活停止供水、供电、供热、供燃气（用途：{use or '未知'}）"
        en = f"cutting utilities for residents' living is forbidden (use: {use or 'unknown'})"
        return _no(rule, "ACL Art. 43(2)", zh, en)
    if basis == "local_regulation":
        zh = "地方性法规仅禁止为违法建设办理新的供应手续，不能作为停止供应的依据"
        en = "a local regulation that forbids connecting new supply authorises no cutoff"
        return _no(rule, "ACL Art. 13", zh, en)
    if use not in _BASIS_USES.get(basis, frozenset()):
        zh = f"停止供应缺少适用于该用途的法律依据（依据：{basis or '无'}）"
        en = f"no legal basis for a cutoff covers use {use!r} (basis: {basis or 'none'})"
        return _no(rule, "ACL Art. 13", zh, en)
    wanted = {str(u).strip().lower() for u in (utilities or ())}
    extra = sorted(wanted - _BASIS_UTILITIES[basis])
    if extra:
        allowed = "、".join(sorted(_BASIS_UTILITIES[basis]))
        zh = f"该依据只允许停止 {allowed}，不含 {'、'.join(extra)}"
        en = f"this basis allows stopping only {allowed}, not {', '.join(extra)}"
        return _no(rule, _BASIS_ARTICLE[basis], zh, en)
    if basis == "safety_law_70" and halt_decision_refused is not True:
        zh = "须先作出停产停业决定且生产经营单位拒不执行"
        en = "a 停产停业 decision must have been made and refused first"
        return _no(rule, "安全生产法 Art. 70", zh, en)
    if head_approved is False or (basis == "safety_law_70" and head_approved is not True):
        article = "安全生产法 Art. 70" if basis == "safety_law_70" else "PROCEDURE §3"
        return _no(rule, article, "停止供应须经负责人批准", "a cutoff needs the head's approval")
    return None


_DUTIES = {
    "legal_review": ("APL Art. 58", "法制审核", "legal review"),
    "hearing_chair": ("APL Art. 64", "主持听证", "chair the hearing"),
    "decision_approval": ("APL Art. 58", "审批决定", "approve the decision"),
}


def segregation_guard(*, actor: str, investigators: Iterable[str], duty: str) -> Refusal | None:
    """The investigator may not judge the own case: hearing chair APL Art. 64(4) (literal);
    legal review and decision approval APL Art. 58 as PROCEDURE §1 reads it (the 法制审核
    system keeps review apart from investigation). A blank actor cannot be checked: refused."""
    if duty not in _DUTIES:
        raise ValueError(f"unknown duty {duty!r}; one of {sorted(_DUTIES)}")
    article, zh, en = _DUTIES[duty]
    who = actor.strip()
    if who and who not in {i.strip() for i in investigators}:
        return None
    zh = f"本案调查人员（{who or '未指明'}）不得{zh}"
    return _no("segregation_of_duties", article, zh, f"an investigator ({who or '?'}) may not {en}")


def no_heavier_penalty_guard(
    *, intended_fine_amount: float | None, fine_amount: float | None, statement_made: bool
) -> Refusal | None:
    """The decided fine may not exceed the fine in the latest advance notice served.

    After a statement or defence an increase is forbidden (APL Art. 45 - the guard presumes the
    increase follows the statement, as it cannot see causes). Without one, a heavier fine was
    never noticed, so it needs a new advance notice first (APL Art. 44, 62). A fine the notice
    did not announce at all counts as heavier. Amounts compare to the cent.
    """
    if fine_amount is None:
        return None
    for amount in (fine_amount, intended_fine_amount):
        if amount is not None and not amount >= 0:
            raise ValueError(f"a fine must be a non-negative number, not {amount!r}")
    if intended_fine_amount is not None and round(fine_amount, 2) <= round(intended_fine_amount, 2):
        return None
    was = "none" if intended_fine_amount is None else f"{intended_fine_amount:.2f}"
    amounts = f"（告知 {was}，拟罚 {fine_amount:.2f}）"
    en = f"the fine {fine_amount:.2f} exceeds the noticed {was}"
    if statement_made:
        zh = f"不得因当事人陈述、申辩给予更重的处罚{amounts}"
        return _no("no_heavier_penalty", "APL Art. 45", zh, en + " after the party's statement")
    zh = f"罚款超出事先告知的内容{amounts}，须重新告知"
    return _no("no_heavier_penalty", "APL Art. 62", zh, en + "; a new advance notice is needed")


def _same_text(a: object, b: object) -> bool:
    """Equal once whitespace and full/half-width punctuation are set aside."""
    norm = str.maketrans({"，": ",", "。": ".", "；": ";", "：": ":", "（": "(", "）": ")"})

    def clean(value: object) -> str:
        return "".join(str(value or "").translate(norm).split())

    return clean(a) == clean(b)


def same_act_guard(
    *, revoked: object, facts: object, basis_text: object, penalty: object
) -> Refusal | None:
    """ALL Art. 71 (and ARL Art. 64 for a review body's order): after a revocation with an order
    to decide anew, the agency may not decide on the same facts and reasons an act that is
    basically the same. "Basically the same" is read as: the same facts and evidence, the same
    legal basis and the same penalty. Any of the three changed lets the new decision through."""
    if not isinstance(revoked, dict) or facts is None:
        return None
    if not revoked.get("facts_and_evidence"):
        return None
    if (
        _same_text(revoked.get("facts_and_evidence"), facts)
        and _same_text(revoked.get("legal_basis_text"), basis_text)
        and _same_text(revoked.get("penalty"), penalty)
    ):
        return _no(
            "same_act",
            "ALL Art. 71",
            "原决定已被撤销并责令重新作出，不得以同一事实和理由作出基本相同的决定",
            "the decision was revoked with a new one ordered: a new decision on the same facts "
            "and reasons that is basically the same is forbidden",
        )
    return None


def limitation_guard(
    *, discovered_on: date | None, ended_on: date | None, continuing: object, life_safety: object
) -> Refusal | None:
    """APL Art. 36: no penalty for a violation not discovered within two years (five where it
    endangers life or health with harmful consequences), counted from its end; a continuing
    violation has not ended. Nothing is refused on missing facts: the officer records the end
    date and whether the violation continues in the investigation report."""
    if discovered_on is None or ended_on is None or continuing is not False:
        return None
    years = 5 if life_safety is True else 2
    try:
        limit = ended_on.replace(year=ended_on.year + years)
    except ValueError:  # 29 February
        limit = ended_on.replace(year=ended_on.year + years, day=28)
    if discovered_on <= limit:
        return None
    return _no(
        "limitation",
        "APL Art. 36",
        f"违法行为于 {ended_on.isoformat()} 终了，{years} 年内（至 {limit.isoformat()}）未被发现，"
        f"{discovered_on.isoformat()} 才发现，不再给予行政处罚",
        f"the violation ended {ended_on.isoformat()} and was not discovered within {years} years "
        f"(by {limit.isoformat()}; found {discovered_on.isoformat()}): no penalty may be imposed",
    )


def housing_guarantee_guard(*, required: bool, hardship: object, secured: object) -> Refusal | None:
    """浙江 Art. 20: a party eligible for housing support who would be left without a home (or
    below the local housing-hardship standard) by the demolition is brought into the housing
    guarantee; until that or a transitional arrangement is in place, demolition is deferred.
    `required` is the deployment's setting (on where the Zhejiang rules apply)."""
    if not required or hardship is not True or secured is True:
        return None
    return _no(
        "housing_guarantee",
        "浙江 Art. 20",
        "当事人符合住房保障条件且拆除后无房居住，未获保障或未落实过渡措施前应暂缓拆除",
        "the party qualifies for housing support and would be left without a home: demolition "
        "waits until housing or a transitional arrangement is in place",
    )


def surcharge_pause(intervals: Iterable[tuple[date, date | None]], *, due: date, paid: date) -> int:
    """Days d with due < d <= paid that fall in a review or litigation period (filed < d <=
    result, or after the filing while still pending): the surcharge does not run on them
    (APL Art. 73(3)). Overlapping periods count once."""
    paused: set[date] = set()
    for start, end in intervals:
        first = max(start, due) + _DAY
        last = min(end or paid, paid)
        day = first
        while day <= last:
            paused.add(day)
            day += _DAY
    return len(paused)


def fine_surcharge(fine_amount: float, due: date, paid_or_now: date) -> float:
    """APL Art. 72(1) (and ACL Art. 45): 3 % of the fine per day after `due`, the last day to pay
    (e.g. `cal.last_day(served, "15 CD")`, APL Art. 67), never more than the fine itself."""
    if not fine_amount >= 0:
        raise ValueError(f"a fine must be a non-negative number, not {fine_amount!r}")
    days = max((paid_or_now - due).days, 0)
    fine = Decimal(str(fine_amount))
    return float(min(fine * 3 * days / 100, fine).quantize(Decimal("0.01")))


def public_notice_guard(
    *,
    notice_at: date | None,
    demolition_date: date | None,
    belongings_deadline: date | None,
    period: str,
    cal: StatutoryCalendar,
) -> Refusal | None:
    """The public notice gives the party a period to demolish it themselves (ACL Art. 44:
    "予以公告，限期当事人自行拆除"): the planned demolition must come after that period ends,
    and the deadline to remove belongings after the notice day and not after the demolition."""
    rule = "public_notice"
    if notice_at is None:
        return None
    last = cal.last_day(notice_at, period)
    if demolition_date is not None and demolition_date <= last:
        zh = (
            f"拟拆除日期 {demolition_date.isoformat()} "
            f"须在公告限期（{period}，至 {last.isoformat()}）届满之后"
        )
        en = f"the demolition date must follow the notice period ({period}, to {last.isoformat()})"
        return _no(rule, "ACL Art. 44", zh, en)
    if belongings_deadline is not None and belongings_deadline <= notice_at:
        zh = (
            f"清理物品期限 {belongings_deadline.isoformat()} 须晚于公告日期 {notice_at.isoformat()}"
        )
        en = "the deadline to remove belongings must follow the notice day"
        return _no(rule, "ACL Art. 44", zh, en)
    if (
        belongings_deadline is not None
        and demolition_date is not None
        and belongings_deadline > demolition_date
    ):
        zh = "清理物品期限不得晚于拟拆除日期"
        en = "the deadline to remove belongings may not follow the demolition date"
        return _no(rule, "ACL Art. 44", zh, en)
    return None


def enforcement_decision_guard(*, remedies_stated: object, defer: object) -> Refusal | None:
    """ACL Art. 37(2)(4): the written enforcement decision states the way and period to apply
    for review or to sue. A proposal to defer (中止执行) issues no decision."""
    if defer is True or remedies_stated is True:
        return None
    zh = "强制执行决定书须载明申请行政复议或者提起行政诉讼的途径和期限"
    en = "the enforcement decision must state the way and period to seek review or sue"
    return _no("enforcement_decision", "ACL Art. 37", zh, en)


def fine_guard(
    *,
    legal_basis: str,
    classification: str | None,
    fine_amount: float,
    construction_cost: float | None,
    area_m2: float | None,
) -> Refusal | None:
    """The fine the statute allows for this basis and classification (APL Art. 4: a penalty
    only as the law provides it). URPL Art. 64: 5-10 % of the construction cost when
    correctable; none with a demolition order; at most 10 % with confiscation. URPL Art. 65 and
    LAL Art. 78: no fine. LAL Art. 77 with 实施条例 Art. 57: 100-1,000 yuan per m² occupied.
    Unknown classification or basis: not judged here."""
    if not fine_amount > 0:
        return None
    rule = "fine_amount"
    amount = f"{fine_amount:.2f}"

    def no(article: str, zh: str, en: str) -> Refusal:
        return _no(rule, article, f"{zh}（拟罚 {amount} 元）", f"{en} (fine {amount})")

    if legal_basis in ("URPL65", "LAL78"):
        article = "URPL Art. 65" if legal_basis == "URPL65" else "LAL Art. 78"
        return no(article, "该违法行为法律未规定罚款", "the law sets no fine for this act")
    if legal_basis == "LAL77":
        if area_m2 is None or not area_m2 > 0:
            return no("LAL Art. 77", "须载明非法占用土地面积", "the occupied area is missing")
        low, high = 100 * area_m2, 1000 * area_m2
        if not low <= fine_amount <= high:
            zh = f"罚款须为每平方米100元至1000元（{low:.2f}–{high:.2f} 元）"
            return no("土地管理法实施条例 Art. 57", zh, f"the fine must be {low:.2f}-{high:.2f}")
        return None
    if legal_basis != "URPL64" or classification is None:
        return None
    if classification == "not_correctable":
        zh = "限期拆除不并处罚款"
        return no("URPL Art. 64", zh, "a demolition order carries no fine")
    if classification not in ("correctable", "cannot_demolish"):
        return None
    if construction_cost is None or not construction_cost > 0:
        zh = "罚款按建设工程造价计算，须载明工程造价"
        return no("URPL Art. 64", zh, "the construction cost is missing")
    low = 0.05 * construction_cost if classification == "correctable" else 0.0
    high = 0.10 * construction_cost
    if not low - 0.005 <= fine_amount <= high + 0.005:
        what = "百分之五以上百分之十以下" if classification == "correctable" else "百分之十以下"
        zh = f"罚款须为建设工程造价的{what}（{low:.2f}–{high:.2f} 元）"
        return no("URPL Art. 64", zh, f"the fine must be {low:.2f}-{high:.2f}")
    return None


CONFISCATION_OBJECTS = frozenset({"property", "income"})


def confiscation_object_guard(
    *,
    classification: object,
    confiscation_object: object,
    illegal_income_amount: object,
) -> Refusal | None:
    """URPL Art. 64: "不能拆除的，没收实物或者违法收入". The decision says which: the building
    (`property`, the default) or the income it brought (`income`: sold or let), and then how much
    in yuan. A decision must state the penalty it imposes (APL Arts. 38, 59): income confiscated
    without an amount above zero is refused, and so is an amount on the property route (it
    would state a second penalty no route collects). Neither applies to a building that can be
    demolished or corrected: those are not confiscated."""
    rule = "confiscation"
    amount = illegal_income_amount
    has_amount = amount is not None and amount != 0
    if classification != "cannot_demolish":
        if confiscation_object not in (None, "") or has_amount:
            zh = "只有不能拆除的违法建设才没收实物或者违法收入"
            en = "only a building that cannot be demolished is confiscated (property or income)"
            return _no(rule, "URPL Art. 64", zh, en)
        return None
    route = confiscation_object if confiscation_object not in (None, "") else "property"
    if route not in CONFISCATION_OBJECTS:
        zh = f"没收对象须为实物（property）或违法收入（income），而非「{route}」"
        en = f"the confiscation is of the property or the income, not {route!r}"
        return _no(rule, "URPL Art. 64", zh, en)
    if route == "income":
        if not (
            isinstance(amount, int | float)
            and not isinstance(amount, bool)
            and math.isfinite(amount)
            and amount > 0
        ):
            zh = "没收违法收入须载明违法收入金额（大于零）"
            en = "confiscating the illegal income requires its amount in yuan (above zero)"
            return _no(rule, "URPL Art. 64; APL Art. 59", zh, en)
        return None
    if has_amount:
        zh = "没收实物时不得载明违法收入金额：决定只能没收其一"
        en = "a confiscation of the building states no illegal income amount"
        return _no(rule, "URPL Art. 64; APL Art. 59", zh, en)
    return None


def demolition_record_guard(
    *, demolition_at: datetime, now: datetime, max_delay_hours: int
) -> Refusal | None:
    """The demolition record is made on the spot (ACL Art. 18(7) 当场制作现场笔录, applied to
    execution by PROCEDURE §3): its stated time may differ from the clock time of the step that
    records it by at most `max_delay_hours`, so a night or holiday demolition cannot be
    recorded as a daytime one the next morning."""
    at, clock = parse_instant(demolition_at), parse_instant(now)
    if abs(clock - at) <= timedelta(hours=max_delay_hours):
        return None
    zh = (
        f"拆除时间 {at.isoformat(timespec='minutes')} 与记录时间 "
        f"{clock.isoformat(timespec='minutes')} 相差超过 {max_delay_hours} 小时：现场笔录须当场制作"
    )
    en = (
        f"the stated demolition time differs from the recording time by more than "
        f"{max_delay_hours} h; the record is made on the spot"
    )
    return _no("demolition_record", "ACL Art. 18(7)", zh, en)
