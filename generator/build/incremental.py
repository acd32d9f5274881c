"""Which pages a rebuild redoes (``workspace.Workspace`` under ``mkdocs serve``): a page depends
on the answers it was given.

While a page renders it sees the briefing through an ``Observer``: a copy of the briefing
whose marked lookups (``briefing.lookup``, ``briefing.query``) and whose ``sheets``, ``paths`` and
``refs`` mappings report every *question* the page asks (the lookup and its arguments) and
keep the answer. A composed page (index, matrix, open questions...) shows a little of
thousands of sheets, so it is handed sheets as read-only views (``SheetView``) that note
each field it reads, and lists that note how much of them it read (their length, the first
few, or all). A sheet's own page is small and there are thousands of them, so it is kept
cheap: it gets the sheets themselves and depends on every sheet in its answers, whole.

On a rebuild (``PageIndex.affected``) a page is redone when

- a sheet in one of its answers changed (a sheet's own page), or a sheet changed in a field
  it read (a composed page); or
- asking one of its questions of the new briefing gives a different answer (compared by a
  key: the ids in it, in order, and its other values; the part the page read).

Which questions are asked again: every ``@query`` (their answer may depend on anything;
there are few of them), and every ``@lookup`` with a changed sheet, or a sheet one reference
away from a changed one, among its arguments or in its answer (their answer depends only on
those: ``briefing``'s docstring). A method with no mark at all runs on the observed copy, so
its reads are questions of their own: nothing needs registering, and nothing about any
class is changed at run time.

Why this design (issue 16): the earlier one swapped descriptors onto the pydantic sheet
classes for the whole process while a composed page rendered, and a wrapper had to list
every Briefing method by hand (an unlisted one failed "may not use Briefing.X untracked").
Answers need neither, and they are what a page shows, so a rebuild redoes no more than the
earlier field-level tracking did. The costs: every question is kept with its answer (about
the size of the earlier id sets); the index that finds pages by sheet and by question is
built at the first rebuild, not during the full build (a one-off ``briefing build`` never
needs it); ``@query`` answers are compared after every edit (a few milliseconds at 10,000
sheets).
"""

from __future__ import annotations

import inspect
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import FunctionType, MethodType
from typing import Any, overload

from generator.content.briefing import Asked, Briefing, Citation
from generator.content.schema import SHEET_TYPES, Node, Reference, Sheet

#: A question: what was asked (a marked lookup, or a read of a mapping) and its arguments.
Question = tuple[Any, ...]
#: What part of a list answer a composed page read: all of it, its length, or the first n.
Part = int | str
ALL = "all"
LENGTH = "length"


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


MISSING = _Missing()  # the answer for an id a mapping does not hold
_SHEET_CLASSES = frozenset(SHEET_TYPES.values())


def _mapping_questions(name: str) -> tuple[Asked, Asked]:
    """The questions a read of ``Briefing.<name>`` (a mapping by id) asks: one item, or all."""

    def item(briefing: Briefing, key: Any) -> Any:
        return getattr(briefing, name).get(key, MISSING)

    def whole(briefing: Briefing) -> Any:
        return getattr(briefing, name)

    return Asked(item, f"{name}[]", local=True), Asked(whole, name, local=False)


_MAPPINGS = {name: _mapping_questions(name) for name in ("sheets", "paths", "refs")}


# --- what one page asked and read -----------------------------------------------------------


@dataclass
class Record:
    """What one page asked while it rendered, and (a composed page) what it read."""

    fine: bool
    asked: set[Question] = field(default_factory=set)  # a sheet's own page: every question
    #: A composed page: every question, with the parts of its answer it read.
    parts: dict[Question, set[Part]] = field(default_factory=dict)
    #: A composed page: sheet id -> the fields of it the page read through a view.
    reads: dict[str, set[str]] = field(default_factory=dict)


class Observer:
    """Notes what the page being rendered asks of the briefing, one page at a time; keeps
    every answer in ``answers`` (shared by the pages of a workspace)."""

    def __init__(self, briefing: Briefing, answers: dict[Question, Any]):
        self._real = briefing
        self._answers = answers
        self._record = Record(fine=False)
        self._views: dict[int, SheetView] = {}
        self.briefing = briefing.observed(
            self, *(_NotingMapping(self, name) for name in ("sheets", "paths", "refs")))

    def page(self, fine: bool) -> Briefing:
        """Start a page (a composed one if ``fine``); returns the briefing it must read."""
        self._record = Record(fine)
        self._views = {}
        return self.briefing

    def done(self) -> Record:
        """What the page begun last asked and read."""
        record, self._record, self._views = self._record, Record(False), {}
        return record

    def ask(self, asked: Asked, args: tuple[Any, ...]) -> Any:
        answer = asked.answer(self._real, *args)
        question = (asked, *args)
        self._answers[question] = answer  # always this build's: never stale
        record = self._record
        if not record.fine:
            record.asked.add(question)
            return answer
        if answer.__class__ is list:
            return _Listed(self, question, answer)
        self.note(question, ALL)
        return self._show(answer)

    def note(self, question: Question, part: Part) -> None:
        parts = self._record.parts.get(question)
        if parts is None:
            parts = self._record.parts[question] = set()
        parts.add(part)

    def _show(self, value: Any) -> Any:
        """``value`` as a composed page sees it: sheets as views, noting what it reads."""
        cls = value.__class__
        if cls is str or value is None:
            return value
        if cls in _SHEET_CLASSES:
            view = self._views.get(id(value))
            if view is None:
                reads = self._record.reads
                fields = reads.get(value.id)
                if fields is None:
                    fields = reads[value.id] = set()
                view = self._views[id(value)] = SheetView(value, fields)
            return view
        if cls is Citation:
            return Citation(self._show(value.sheet), value.fact, value.context,
                            value.relation)
        if cls is tuple:
            return tuple(self._show(item) for item in value)
        if cls is list:
            return [self._show(item) for item in value]
        if isinstance(value, Mapping):
            return _ShownMapping(self, value)
        return value


class _NotingMapping(Mapping[str, Any]):
    """``Briefing.sheets`` (or ``paths``, ``refs``) as the observed copy holds it: a read of
    one id is a question about that id; anything that reads them all asks for them all."""

    def __init__(self, observer: Observer, name: str):
        self._observer = observer
        self._item, self._whole = _MAPPINGS[name]

    def __getitem__(self, key: str) -> Any:
        found = self._observer.ask(self._item, (key,))
        if found is MISSING:
            raise KeyError(key)
        return found

    def get(self, key: str, default: Any = None) -> Any:
        found = self._observer.ask(self._item, (key,))
        return default if found is MISSING else found

    def __contains__(self, key: object) -> bool:
        return self._observer.ask(self._item, (key,)) is not MISSING

    def __iter__(self) -> Iterator[str]:
        return iter(self._observer.ask(self._whole, ()))

    def __len__(self) -> int:
        return len(self._observer.ask(self._whole, ()))

    def keys(self) -> Any:
        return self._observer.ask(self._whole, ()).keys()

    def values(self) -> Any:
        return self._observer.ask(self._whole, ()).values()

    def items(self) -> Any:
        return self._observer.ask(self._whole, ()).items()


class _ShownMapping(Mapping[str, Any]):
    """A whole mapping as a composed page sees it: its values shown as ``Observer._show``."""

    def __init__(self, observer: Observer, mapping: Mapping[str, Any]):
        self._observer = observer
        self._mapping = mapping

    def __getitem__(self, key: str) -> Any:
        return self._observer._show(self._mapping[key])

    def __iter__(self) -> Iterator[str]:
        return iter(self._mapping)

    def __len__(self) -> int:
        return len(self._mapping)


class _Listed(Sequence[Any]):
    """A list answer as a composed page sees it, noting how much of it the page read: its
    length, the first n items, or all (anything else). Items are shown (``Observer._show``)
    as they are read: a page may read five of thousands."""

    __slots__ = ("_items", "_observer", "_question")

    def __init__(self, observer: Observer, question: Question, items: list[Any]):
        self._observer = observer
        self._question = question
        self._items = items

    def __len__(self) -> int:
        self._observer.note(self._question, LENGTH)
        return len(self._items)

    @overload
    def __getitem__(self, index: int) -> Any: ...
    @overload
    def __getitem__(self, index: slice) -> list[Any]: ...
    def __getitem__(self, index: int | slice) -> Any:
        observer = self._observer
        if isinstance(index, slice):
            first = index.start is None or index.start == 0
            if first and index.step in (None, 1) and index.stop is not None and index.stop >= 0:
                observer.note(self._question, index.stop)
            else:
                observer.note(self._question, ALL)
            return [observer._show(item) for item in self._items[index]]
        observer.note(self._question, index + 1 if index >= 0 else ALL)
        return observer._show(self._items[index])

    def __iter__(self) -> Iterator[Any]:
        self._observer.note(self._question, ALL)
        return map(self._observer._show, self._items)

    def __reversed__(self) -> Iterator[Any]:
        self._observer.note(self._question, ALL)
        return map(self._observer._show, reversed(self._items))

    def __contains__(self, value: object) -> bool:
        self._observer.note(self._question, ALL)
        return any(item == value for item in self)


# --- a sheet as a composed page sees it -------------------------------------------------------


class SheetView:
    """A sheet, noting the name of each field read into ``reads``. Properties and methods of
    the declared model run on the view, so the fields they read are noted too; ``isinstance``
    sees the sheet's class (through ``__class__``, as ``unittest.mock`` does). Read-only in
    effect: it has no ``__dict__``, so setting any field raises AttributeError."""

    __slots__ = ("_reads", "_sheet", "id")

    def __init__(self, sheet: Sheet, reads: set[str]):
        self._sheet = sheet
        self._reads = reads
        self.id = sheet.id  # the id names the sheet: not a read

    @property  # type: ignore[misc]
    def __class__(self) -> type:  # what isinstance() asks
        return type(self._sheet)

    def __getattr__(self, name: str) -> Any:
        sheet = self._sheet
        how, found = _attribute(sheet.__class__, name)
        if how is _FIELD:
            self._reads.add(name)
            return getattr(sheet, name)
        if how is _PROPERTY:
            return found.fget(self)
        if how is _METHOD:
            return MethodType(found, self)
        if how is _CLASS:  # its kind, its label: the answer it came in names its kind
            return getattr(sheet, name)
        self._whole()  # the model's own machinery reads every field
        return getattr(sheet, name)

    def _whole(self) -> None:
        self._reads.update(_fields(type(self._sheet)))

    def __eq__(self, other: object) -> bool:
        self._whole()
        if isinstance(other, SheetView):
            other._whole()
            other = other._sheet
        return self._sheet == other

    def __hash__(self) -> int:
        self._whole()
        return hash(self._sheet)

    def __repr__(self) -> str:
        self._whole()
        return repr(self._sheet)


_FIELDS: dict[type, frozenset[str]] = {}
# What an attribute of a sheet is (see ``_attribute``).
_FIELD, _PROPERTY, _METHOD, _CLASS, _OTHER = "field", "property", "method", "class", "other"
_ATTRIBUTES: dict[type, dict[str, tuple[str, Any]]] = {}


def _fields(cls: type[Sheet]) -> frozenset[str]:
    found = _FIELDS.get(cls)
    if found is None:
        found = _FIELDS[cls] = frozenset(cls.model_fields)
    return found


def _attribute(cls: type[Sheet], name: str) -> tuple[str, Any]:
    """What ``name`` is on sheets of ``cls``: a field, a property or method of the declared
    model, a class attribute of it (its kind, its label), or anything else."""
    table = _ATTRIBUTES.get(cls)
    if table is None:
        table = _ATTRIBUTES[cls] = {name: (_FIELD, None) for name in _fields(cls)}
    found = table.get(name)
    if found is None:
        owner = next((c for c in cls.__mro__ if name in vars(c)), None)
        value = inspect.getattr_static(cls, name, None)
        if owner is None or not issubclass(owner, Node) or owner is Node:
            found = (_OTHER, None)
        elif isinstance(value, property):
            found = (_PROPERTY, value)
        elif isinstance(value, FunctionType):
            found = (_METHOD, value)
        else:
            found = (_CLASS, None)
        table[name] = found
    return found


# --- comparing answers --------------------------------------------------------------------------


def answer_key(answer: Any, part: Part = ALL) -> Any:
    """What a page saw of ``answer``, in a form that compares equal exactly when it would see
    the same: sheets by kind and id (their fields are followed apart), facts by value."""
    if part == LENGTH:
        return len(answer)
    if isinstance(part, int):
        return _key(answer[:part])
    return _key(answer)


def _key(value: Any) -> Any:
    if isinstance(value, Sheet):
        return (value.folder, value.id)
    if isinstance(value, Citation):
        return (value.sheet.folder, value.sheet.id, value.context, value.fact)
    if isinstance(value, list | tuple):
        return tuple(_key(item) for item in value)
    if isinstance(value, Mapping):
        return tuple((key, _key(item)) for key, item in value.items())
    return value


def answer_ids(answer: Any) -> list[str]:
    """The ids of the sheets in an answer (a list: tens of thousands of answers are walked
    when the index is made, most of them a name or one sheet; hence the tests by class)."""
    cls = answer.__class__
    if cls is str or answer is None:
        return []
    if cls in _SHEET_CLASSES:
        return [answer.id]
    if cls is list or cls is tuple:
        found: list[str] = []
        for item in answer:
            if item.__class__ in _SHEET_CLASSES:
                found.append(item.id)
            else:
                found.extend(answer_ids(item))
        return found
    if cls is Citation:
        return [answer.sheet.id]
    if isinstance(answer, Mapping):
        return [i for item in answer.values() for i in answer_ids(item)]
    return []


@dataclass(frozen=True)
class _Raised:
    """The answer of a question that now raises (a sheet gone): never equal to a real one."""

    error: str


def _ask_again(question: Question, briefing: Briefing) -> Any:
    try:
        return question[0].answer(briefing, *question[1:])
    except Exception as exc:  # noqa: BLE001 - any failure is an answer that differs
        return _Raised(type(exc).__name__)


def _differ(old: Sheet | None, new: Sheet | None) -> set[str] | None:
    """The fields that differ between two versions of a sheet; None if it came, went or
    changed kind (then every read of it counts)."""
    if old is None or new is None or type(old) is not type(new):
        return None
    return {name for name in _fields(type(new)) if getattr(old, name) != getattr(new, name)}


def _targets(refs: Iterable[Reference]) -> Iterator[str]:
    return (target for _where, _ref, target in refs)


# --- finding the pages an edit affects ----------------------------------------------------------


class PageIndex:
    """What every page of a workspace asked and read, and the answers it was given; finds the
    pages an edit affects."""

    def __init__(self) -> None:
        self.answers: dict[Question, Any] = {}
        self.records: dict[str, Record] = {}
        self._by: _Questions | None = None  # built at the first rebuild

    def observer(self, briefing: Briefing) -> Observer:
        return Observer(briefing, self.answers)

    def record(self, path: str, record: Record) -> None:
        self.records[path] = record
        if self._by is not None:  # the new questions' answers: found by sheet from now on
            asked = record.parts if record.fine else record.asked
            for question in asked:
                self._by.add(question, self.answers[question])

    def forget(self, path: str) -> None:
        self.records.pop(path, None)

    def affected(self, before: Briefing, after: Briefing, changed: set[str]) -> set[str]:
        """The pages whose answers the change from ``before`` to ``after`` can alter;
        ``changed`` holds every id whose sheet is not the very same object in both."""
        if not changed:
            return set()
        by = self._questions()
        near = set(changed)
        for sheet_id in changed:
            for version in (before, after):
                near.update(_targets(version.refs.get(sheet_id, ())))
            near.update(sheet.id for sheet in after.referrers(sheet_id))
        # Questions whose answer held a changed sheet: a sheet's own page read it whole.
        held: set[Question] = set()
        for sheet_id in changed:
            held.update(by.holding.get(sheet_id, ()))
        again = set(by.everywhere)
        for sheet_id in near:
            again.update(by.named.get(sheet_id, ()))
            again.update(q for q in by.holding.get(sheet_id, ()) if q[0].local)
        answered: dict[Question, tuple[Any, Any]] = {}  # questions whose answer differs now
        for question in again:
            old = self.answers.get(question, MISSING)
            new = _ask_again(question, after)
            # The whole answer first (its key is kept): when it is the same, so is any part
            # of it, and so are the sheets in it.
            if new is not old and by.key(question, ALL, old) != by.key(question, ALL, new):
                answered[question] = (old, new)
                by.remove(question, old)
                by.add(question, new, again=True)
            self.answers[question] = new
        differ = {i: _differ(before.sheets.get(i), after.sheets.get(i)) for i in changed}
        touched = held | answered.keys()
        redo: set[str] = set()
        # Page by page: a set test for each of thousands of pages costs less than keeping an
        # index of pages by question up to date.
        for path, record in self.records.items():
            if not record.fine:
                if not touched.isdisjoint(record.asked):
                    redo.add(path)
            elif _read_changed(record, differ) or self._saw_changed(record, answered):
                redo.add(path)
        return redo

    def _saw_changed(self, record: Record, answered: dict[Question, tuple[Any, Any]]) -> bool:
        """Whether a composed page read a part of an answer that differs now."""
        by = self._by
        assert by is not None
        for question in answered.keys() & record.parts.keys():
            old, new = answered[question]
            for part in record.parts[question]:
                if by.key(question, part, old) != by.key(question, part, new):
                    return True
        return False

    def prepare(self) -> None:
        """Make now what the first rebuild would otherwise make first (the questions by
        sheet): a preview can do it while the editor reads, after its first build."""
        self._questions()

    def _questions(self) -> _Questions:
        """The questions by sheet, made at the first rebuild and made again (leaving out the
        questions no page asks any more) once there are twice as many as then."""
        by = self._by
        if by is None or len(self.answers) > 2 * by.size + 1000:
            asked: set[Question] = set()
            for record in self.records.values():
                asked.update(record.parts if record.fine else record.asked)
            for question in self.answers.keys() - asked:
                del self.answers[question]
            by = self._by = _Questions(self.answers)
        return by


def _read_changed(record: Record, differ: dict[str, set[str] | None]) -> bool:
    """Whether a composed page read a field that changed (any, of a sheet that came, went or
    changed kind)."""
    for sheet_id, fields in differ.items():
        read = record.reads.get(sheet_id)
        if read and (fields is None or not read.isdisjoint(fields)):
            return True
    return False


class _Questions:
    """The questions asked so far, found by sheet: by the sheets in their answer, by the ids
    they were asked about (``@lookup``), and every ``@query``."""

    def __init__(self, answers: dict[Question, Any]):
        self.holding: defaultdict[str, set[Question]] = defaultdict(set)  # id -> questions
        self.named: defaultdict[str, set[Question]] = defaultdict(set)  # id -> @lookups on it
        self.everywhere: set[Question] = set()  # @query questions
        self._keys: dict[Question, tuple[Any, Any]] = {}  # (last answer, its key)
        self._known: set[Question] = set(answers)
        # Made once, at the first rebuild, for every question of every page: written out.
        holding, named = self.holding, self.named
        for question, answer in answers.items():
            if question[0].local:
                for arg in question[1:]:
                    if arg.__class__ is str:
                        named[arg].add(question)
            else:
                self.everywhere.add(question)
            if answer.__class__ is not str:
                for sheet_id in answer_ids(answer):
                    holding[sheet_id].add(question)
        self.size = len(answers)

    def add(self, question: Question, answer: Any, again: bool = False) -> None:
        """Index a question; one known already only if ``again`` (its answer changed)."""
        if question in self._known and not again:
            return
        self._known.add(question)
        if question[0].local:
            for arg in question[1:]:
                if isinstance(arg, str):
                    self.named[arg].add(question)
        else:
            self.everywhere.add(question)
        for sheet_id in answer_ids(answer):
            self.holding[sheet_id].add(question)

    def remove(self, question: Question, answer: Any) -> None:
        """Forget where ``answer`` (an answer ``question`` no longer has) held sheets."""
        for sheet_id in answer_ids(answer):
            found = self.holding.get(sheet_id)
            if found is not None:
                found.discard(question)

    def key(self, question: Question, part: Part, answer: Any) -> Any:
        """``answer_key``; the whole answer's is kept for the last answer of each question
        (the big ones, such as every open question, are compared after every edit)."""
        if part != ALL:
            return answer_key(answer, part)
        known = self._keys.get(question)
        if known is not None and known[0] is answer:
            return known[1]
        found = answer_key(answer)
        self._keys[question] = (answer, found)
        return found
