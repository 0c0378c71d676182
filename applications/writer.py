"""Writing the sections of an application: the facts, the prompt, and the offline template writer.

A ``SectionContext`` is a plain snapshot (no ORM objects), so sections can be written in threads.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from applications import llm
from applications.models import OFFLINE_MODEL_NAME
from profiles.selectors import RankedPassage

SECTION_MAX_TOKENS = 900


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    purpose: str  # words that steer retrieval towards passages that serve this section
    instructions: str
    words: int


SECTIONS: list[Section] = [
    Section(
        "executive_summary",
        "Executive summary",
        "summary mission organisation request goals outcomes overview",
        "Summarise who the applicant is, what they ask for and what the grant will achieve.",
        200,
    ),
    Section(
        "needs_statement",
        "Needs statement",
        "need problem gap community challenge data evidence barriers lack",
        "Describe the need or problem the project addresses, with the evidence the applicant has.",
        300,
    ),
    Section(
        "project_description",
        "Project description",
        "project programme activities services plan deliver timeline approach",
        "Describe the project: its activities, who delivers them, for whom and on what timeline.",
        400,
    ),
    Section(
        "budget_narrative",
        "Budget narrative",
        "budget cost funding staff equipment expenses revenue match",
        "Explain how the requested funds will be spent and why each cost is needed.",
        250,
    ),
    Section(
        "organizational_capacity",
        "Organisational capacity",
        "team staff experience years track record partners achievements capacity",
        "Show that the applicant can deliver: experience, team, track record and partners.",
        250,
    ),
    Section(
        "impact_statement",
        "Impact statement",
        "impact outcomes results measure served people lives evaluation",
        "State the expected results, who benefits, and how the results will be measured.",
        250,
    ),
]
SECTIONS_BY_KEY = {section.key: section for section in SECTIONS}
SECTION_KEYS = [section.key for section in SECTIONS]

SYSTEM_PROMPT = (
    "You are an experienced grant writer helping a small organisation apply for funding. "
    "Write one section of their application. Use only the facts given to you: where a figure, "
    "name or date is missing, write [to be completed] instead of inventing one. Write plain "
    "prose in the applicant's voice (we, our), without a heading."
)


@dataclass(frozen=True)
class SectionContext:
    section: Section
    profile: dict[str, str]  # labelled facts, in display order; empty values left out
    grant: dict[str, str]
    passages: list[RankedPassage] = field(default_factory=list)

    def fact(self, group: str, name: str, default: str = "") -> str:
        return getattr(self, group).get(name) or default


@dataclass(frozen=True)
class SectionDraft:
    key: str
    text: str
    model: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    tokens_estimated: bool = False  # the service sent no usage: counted from the text
    incomplete: bool = False  # cut off at the model's length limit even after a continuation


def build_prompt(context: SectionContext) -> str:
    lines = ["GRANT"]
    lines += [f"{label}: {value}" for label, value in context.grant.items()]
    lines += ["", "APPLICANT"]
    lines += [f"{label}: {value}" for label, value in context.profile.items()]
    lines += ["", "RELEVANT PASSAGES FROM THE APPLICANT'S PROFILE AND DOCUMENTS"]
    if context.passages:
        lines += [f"[{n}] ({p.source_label}) {p.text}" for n, p in enumerate(context.passages, start=1)]
    else:
        lines.append("(none)")
    section = context.section
    lines += [
        "",
        "TASK",
        f"Write the {section.title.lower()} section. {section.instructions} "
        f"At most {section.words} words. Draw on the passages where they fit.",
    ]
    return "\n".join(lines)


CONTEXT_TOO_LONG_MESSAGE = (
    "The profile passages and documents chosen for the {section} are longer than the writing model "
    "can read at once, even after leaving half of them out. Shorten the longest documents or the "
    "profile narrative, or ask your administrator for a model with a larger context, then try again."
)


def llm_write(context: SectionContext, *, client) -> SectionDraft:
    """The section from the model; when the prompt is too long, once more with half the passages."""
    try:
        completion = _complete(context, client=client)
    except llm.ContextTooLong:
        fewer = replace(context, passages=context.passages[: len(context.passages) // 2])
        try:
            completion = _complete(fewer, client=client)
        except llm.ContextTooLong:
            raise llm.LLMError(CONTEXT_TOO_LONG_MESSAGE.format(section=context.section.title.lower())) from None
    return SectionDraft(
        key=context.section.key,
        text=completion.text,
        model=completion.model,
        prompt_tokens=completion.prompt_tokens,
        completion_tokens=completion.completion_tokens,
        tokens_estimated=completion.usage_estimated,
        incomplete=completion.incomplete,
    )


def _complete(context: SectionContext, *, client) -> llm.Completion:
    return llm.complete(
        client=client, system=SYSTEM_PROMPT, prompt=build_prompt(context), max_tokens=SECTION_MAX_TOKENS
    )


# The offline writer: deterministic sentences from the facts, with [brackets] where the user must add.


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    return text if not text or text[-1] in ".!?" else text + "."


def _quote(context: SectionContext) -> str:
    if not context.passages:
        return ""
    best = context.passages[0]
    return f"As our records put it: “{best.text}”"


def _join(*parts: str) -> str:
    return " ".join(part for part in parts if part)


def _offline_executive_summary(c: SectionContext) -> str:
    name = c.fact("profile", "Name", "Our organisation")
    org = c.fact("profile", "Type")
    where = c.fact("profile", "Geographic focus")
    years = c.fact("profile", "Years in operation")
    who = _join(name, f"({org})" if org else "", f"based in {where}" if where else "")
    who += f", has worked for {years} years" if years else ""
    ask = (
        f"We request {c.fact('grant', 'Funding', '[amount to be completed]')} from "
        f"{c.fact('grant', 'Funder', 'the funder')} through “{c.fact('grant', 'Title')}”."
    )
    mission = c.fact("profile", "Mission")
    return _join(
        _sentence(who),
        ask,
        _sentence(f"Our mission: {mission}") if mission else "",
        _quote(c),
    )


def _offline_needs_statement(c: SectionContext) -> str:
    description = c.fact("grant", "Description")
    focus = c.fact("grant", "Categories") or c.fact("profile", "Target sectors", "our field")
    where = c.fact("profile", "Geographic focus", "the communities we serve")
    return _join(
        _sentence(f"“{c.fact('grant', 'Title')}” exists because of a real need in {focus}"),
        _sentence(f"The funder describes it this way: {description}") if description else "",
        _sentence(f"In {where}, {c.fact('profile', 'Name', 'our organisation')} sees this need first-hand"),
        _quote(c),
        "[Add local data that shows the size of the need.]",
    )


def _offline_project_description(c: SectionContext) -> str:
    services = c.fact("profile", "Services")
    return _join(
        _sentence(
            f"With support from {c.fact('grant', 'Funder', 'the funder')}, "
            f"{c.fact('profile', 'Name', 'we')} will build on what we already do"
        ),
        _sentence(f"Our services: {services}") if services else "",
        _quote(c),
        "[Describe the activities, who delivers them and the timeline.]",
        _sentence(f"The work will be complete before {c.fact('grant', 'Deadline')}")
        if c.fact("grant", "Deadline")
        else "",
    )


def _offline_budget_narrative(c: SectionContext) -> str:
    team = c.fact("profile", "Team size")
    revenue = c.fact("profile", "Annual revenue")
    return _join(
        _sentence(
            f"We request {c.fact('grant', 'Funding', '[amount to be completed]')} for “{c.fact('grant', 'Title')}”"
        ),
        _sentence(f"The budget pays for the time of our team of {team} and the direct costs of the project")
        if team
        else "",
        _sentence(f"Our annual revenue is {revenue}, so this grant scales work we can sustain") if revenue else "",
        _quote(c),
        "[List each budget line with its cost and why it is needed.]",
    )


def _offline_organizational_capacity(c: SectionContext) -> str:
    name = c.fact("profile", "Name", "Our organisation")
    years = c.fact("profile", "Years in operation")
    team = c.fact("profile", "Team size")
    narrative = c.fact("profile", "Narrative")
    return _join(
        _sentence(f"{name} has operated for {years} years") if years else "",
        _sentence(f"Our team of {team} people delivers the work") if team else "",
        _sentence(narrative) if narrative else "",
        _quote(c),
        "[Name key staff, partners and past grants.]",
    )


def _offline_impact_statement(c: SectionContext) -> str:
    mission = c.fact("profile", "Mission")
    where = c.fact("profile", "Geographic focus", "our community")
    return _join(
        _sentence(f"This grant will advance our mission: {mission}") if mission else "",
        _sentence(f"The people of {where} will benefit directly"),
        _quote(c),
        "[State measurable targets, such as people served, and how you will report them.]",
    )


_OFFLINE = {
    "executive_summary": _offline_executive_summary,
    "needs_statement": _offline_needs_statement,
    "project_description": _offline_project_description,
    "budget_narrative": _offline_budget_narrative,
    "organizational_capacity": _offline_organizational_capacity,
    "impact_statement": _offline_impact_statement,
}


def offline_write(context: SectionContext) -> SectionDraft:
    """A template draft: the same input always gives the same text; no tokens, no cost."""
    return SectionDraft(key=context.section.key, text=_OFFLINE[context.section.key](context), model=OFFLINE_MODEL_NAME)
