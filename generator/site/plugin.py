"""The MkDocs adapter: the only module that knows MkDocs. The work lives in ``workspace`` (and,
for the preview's error page, ``preview``)."""

from __future__ import annotations

import html
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils.templates import TemplateContext

from generator.build.outputs import (
    MKDOCS_ADVICE,
    SITE_ADVICE,
    OutputRefused,
    project_inputs,
    refuse_overlap,
)
from generator.build.workspace import (
    JSON_NAME,
    Prepared,
    Workspace,
    briefing_json,
    source_date_epoch,
)
from generator.config import edit_address
from generator.content.loader import read_file
from generator.content.yamlparse import compose, decode, syntax_problem
from generator.errors import (
    ERRORS_PAGE,
    ERRORS_SOURCE,
    BriefingError,
    ContentError,
    EnvironmentFault,
    Problem,
    explained_at,
    summary,
)
from generator.escaping import url
from generator.render.renderer import LABELS_CSS, LABELS_CSS_URL, TemplateProblem
from generator.site import preview

log = logging.getLogger("mkdocs.plugins.briefing")

#: The Material feature that shows page.edit_url as an edit button.
EDIT_FEATURE = "content.action.edit"


class BriefingPluginConfig(base.Config):
    root = c.Optional(c.Dir(exists=True))
    """Project folder with briefing.yml, content/ and briefings/ (default: mkdocs.yml's)."""


@dataclass(frozen=True)
class _Broken:
    """Why the last build under ``mkdocs serve`` could not make the site."""

    problems: list[Problem]
    notes: list[str]

    def lines(self, site_url: str | None) -> list[str]:
        """As the CLI prints them: the problems, where their rules are explained, the notes,
        the count."""
        if not self.problems:
            return list(self.notes)
        return [*(p.format() for p in self.problems), explained_at(site_url), *self.notes,
                summary(self.problems, None)]


class BriefingPlugin(BasePlugin[BriefingPluginConfig]):
    def __init__(self) -> None:
        self.prepared: Prepared | None = None
        self._sources: dict[str, str] = {}
        self._jsonld: dict[str, str] = {}
        self._workspace: Workspace | None = None
        self._serving = False
        #: Under ``mkdocs serve``, the errors every page shows instead of the site.
        self._broken: _Broken | None = None

    def on_startup(self, *, command: str, dirty: bool) -> None:
        """Defined so that MkDocs keeps this plugin between `mkdocs serve` rebuilds, and with
        it the workspace, which then redoes only what an edit changed; and to know whether
        the builds are a preview's (errors shown on the pages) or not (errors stop them)."""
        self._serving = command == "serve"

    def on_serve(self, server: Any, *, config: MkDocsConfig, builder: Any) -> Any:
        # `mkdocs serve --clean` starts as a build; from here on it serves all the same.
        self._serving = True
        root = self._root(config)
        for watched in (root / "content", root / "briefings", root / "briefing.yml"):
            if watched.exists():
                server.watch(str(watched))
        return server

    def _root(self, config: MkDocsConfig) -> Path:
        if self.config.root:
            return Path(self.config.root)
        return Path(config.config_file_path or ".").resolve().parent

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        root = self._root(config)
        _refuse_overlap(root, config)
        os.environ.setdefault("SOURCE_DATE_EPOCH", source_date_epoch(root))
        if self._workspace is None or self._workspace.root != root:
            self._workspace = Workspace(root)
        self.prepared, self._broken = None, None
        self._sources, self._jsonld = {}, {}
        try:
            self.prepared = self._workspace.build()
        except (ContentError, TemplateProblem, EnvironmentFault) as exc:
            broken = _broken(exc)
            # Under `mkdocs serve`, site_url is the preview's own address.
            lines = broken.lines(config.site_url)
            if not self._serving:
                raise PluginError("\n".join(lines)) from None
            # A failed build leaves the preview waiting for a good one, and every request
            # with it: the build goes on, and every page shows the errors instead.
            self._broken = broken
            _plain_theme(config)
            log.info("the briefing has errors; every page of the preview lists them:")
            for line in lines:
                log.info(line)
            return config
        # Warnings inform: logged below MkDocs' WARNING level, which strict mode (mkdocs.yml)
        # counts to abort the build. `briefing build --strict` makes them fatal instead.
        for problem in self.prepared.warnings:
            log.info(problem.format())
        self._sources = {p.path: p.source for p in self.prepared.pages if p.source}
        self._jsonld = {p.path: p.jsonld for p in self.prepared.pages if p.jsonld}
        settings = self.prepared.project.settings
        if settings.site_url and not config.site_url:
            config.site_url = settings.site_url.rstrip("/") + "/"  # as MkDocs' own is kept
        if settings.repo_url and config.theme.name == "material":
            # Material shows page.edit_url only with this feature; repo_url is the one switch.
            # (MkDocs' own repo_url stays unset: it would give hand-written pages edit links
            # of MkDocs' making, and a header that asks the repository host for its counts.)
            features = list(config.theme.get("features") or [])
            if EDIT_FEATURE not in features:
                config.theme["features"] = [*features, EDIT_FEATURE]
        return config

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        if self._broken is not None:
            return self._error_files(files, config)
        assert self.prepared is not None
        for path in [*(page.path for page in self.prepared.pages), ERRORS_PAGE]:
            if files.get_file_from_path(path) is not None:
                raise PluginError(
                    f"docs/{path} is hand-written but the briefing generates that page; "
                    "rename or remove it"
                )
        for page in self.prepared.pages:
            files.append(File.generated(config, page.path, content=page.markdown))
        self._add_errors_page(files, config)
        files.append(
            File.generated(
                config,
                JSON_NAME,
                content=briefing_json(self.prepared.project, self.prepared.briefing),
            )
        )
        self._add_labels(files, config, self.prepared.project.templates_dir)
        return files

    def _add_errors_page(self, files: Files, config: MkDocsConfig) -> None:
        """The generator's own page for editors that explains every rule (each its anchor),
        in every project's site: out of the navigation here, out of search and the sitemap by
        its front matter, as the review page is."""
        files.append(File.generated(config, ERRORS_PAGE, abs_src_path=str(ERRORS_SOURCE),
                                    inclusion=InclusionLevel.NOT_IN_NAV))

    def _add_labels(self, files: Files, config: MkDocsConfig, templates: Path) -> None:
        labels = templates / LABELS_CSS
        if labels.is_file():
            files.append(File.generated(config, LABELS_CSS_URL, abs_src_path=str(labels)))

    def _error_files(self, files: Files, config: MkDocsConfig) -> Files:
        """Every page the site would have (each shows the errors, see on_page_markdown), and
        the errors page, which the errors link to."""
        root = self._root(config)
        for path in preview.page_paths(root):
            if files.get_file_from_path(path) is None:
                files.append(File.generated(config, path, content=""))
        if files.get_file_from_path(ERRORS_PAGE) is None:
            self._add_errors_page(files, config)
        self._add_labels(files, config, root / "briefings")
        return files

    def on_page_markdown(
        self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str:
        if self._broken is None:
            return markdown
        # Plain pages while the content is broken, the errors page's explanations too: a
        # broken build renders no page of the theme's, which is most of a build's time,
        page.meta["template"] = preview.TEMPLATE
        page.meta["search"] = {"exclude": True}  # nor their index (Material's front matter)
        if page.file.src_uri == ERRORS_PAGE:
            return markdown
        return preview.error_page(self._broken.problems, self._broken.notes, page.file.src_uri)

    def on_page_context(
        self, context: TemplateContext, *, page: Page, config: MkDocsConfig, nav: Navigation
    ) -> TemplateContext:
        source = self._sources.get(page.file.src_uri)
        settings = self.prepared.project.settings if self.prepared else None
        if source and settings and settings.repo_url:
            page.edit_url = edit_url(settings.repo_url, settings.edit_uri, source)
        elif page.file.generated_by or self._broken is not None:
            page.edit_url = None  # no file under docs/ to edit (the error page: none at all)
        return context

    def on_template_context(
        self, context: TemplateContext, *, template_name: str, config: MkDocsConfig
    ) -> TemplateContext:
        if template_name == "sitemap.xml":
            # Pages kept out of search are editors' pages (the review page): not for search
            # engines either.
            context["pages"] = [f for f in context["pages"] if not _unsearched(f.page)]
        return context

    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        jsonld = self._jsonld.get(page.file.src_uri)
        if jsonld:
            tag = f'<script type="application/ld+json">{jsonld}</script>\n'
            output = output.replace("</head>", tag + "</head>", 1)
        return output


def _broken(exc: ContentError | TemplateProblem | EnvironmentFault) -> _Broken:
    if isinstance(exc, ContentError):
        return _Broken(exc.problems, [])
    if isinstance(exc, TemplateProblem):
        return _Broken([], [f"template error: {exc}"])
    return _Broken([], [str(exc)])


def _plain_theme(config: MkDocsConfig) -> None:
    """Make a broken build render in a moment: the error page's own template (``preview``)
    found beside the theme's, and no 404 page (every address has the error page). Each build
    loads the theme afresh, so the good build after it has the theme whole."""
    config.theme.dirs.append(str(preview.TEMPLATES))
    config.theme.static_templates.discard("404.html")


def _unsearched(page: Page | None) -> bool:
    """Whether a page's front matter keeps it out of search (``search: exclude: true``)."""
    search = page.meta.get("search") if page is not None else None
    return isinstance(search, dict) and bool(search.get("exclude"))


def _refuse_overlap(root: Path, config: MkDocsConfig) -> None:
    """A PluginError if site_dir would hold or replace an input of the project: MkDocs
    empties site_dir before it builds, and guards only its docs_dir."""
    try:
        refuse_overlap(Path(config.site_dir), project_inputs(root, Path(config.docs_dir)),
                       named=f"site_dir {config.site_dir}", advice=MKDOCS_ADVICE)
    except OutputRefused as exc:
        raise PluginError(str(exc)) from None


def edit_url(repo_url: str, edit_uri: str, source: str) -> str:
    """The address that edits ``source`` in the repository, ready for an HTML attribute.

    Material writes ``page.edit_url`` into ``href="..."`` as it is, without escaping: so it is
    percent-encoded and then HTML-escaped here, and no address (the settings are checked, but
    this is where they land) can end the attribute, add markup or become another address
    through a character reference such as ``&quot;``."""
    address = url(edit_address(repo_url, edit_uri, source))
    return html.escape(str(address), quote=True)


def build_site(
    root: Path,
    site_dir: Path,
    *,
    strict: bool = True,
    workspace: Workspace | None = None,
    publish_to: Path | None = None,
) -> None:
    """Run ``mkdocs build`` for the project at ``root`` into ``site_dir``; with ``workspace``
    (one that has just built), the plugin reuses its work instead of doing it again. With
    ``publish_to`` (where ``site_dir`` will be swapped in), OutputRefused if that would hold or
    replace mkdocs.yml's docs_dir."""
    # MkDocs' build and its errors are loaded when a site is built, not when the plugin is.
    from mkdocs.commands.build import build  # noqa: PLC0415
    from mkdocs.exceptions import Abort  # noqa: PLC0415

    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    config = _load_config(root, site_dir, strict)
    if publish_to is not None:
        refuse_overlap(publish_to, project_inputs(root, Path(config.docs_dir)),
                       named=f"--site-dir {publish_to}", advice=SITE_ADVICE)
    plugin = config.plugins.get("briefing")
    if workspace is not None and isinstance(plugin, BriefingPlugin):
        plugin._workspace = workspace
    try:
        build(config)
    except PluginError as exc:
        raise BuildFailed(str(exc)) from None
    except Abort as exc:
        raise BuildFailed(str(exc)) from None


CONFIG_FILE = "mkdocs.yml"


def _load_config(root: Path, site_dir: Path, strict: bool) -> MkDocsConfig:
    """MkDocs' configuration of the project, or a ContentError that says in one line what is
    wrong with ``mkdocs.yml`` (missing, not YAML, without this plugin) and where."""
    from mkdocs.config import load_config  # noqa: PLC0415 - as build_site's imports
    from mkdocs.exceptions import Abort, ConfigurationError  # noqa: PLC0415

    path = root / CONFIG_FILE
    data, problems = read_file(path, CONFIG_FILE)
    text = None
    if data is not None:
        text, problems = decode(data, CONFIG_FILE)
    if text is None:
        if not path.exists():
            problems = [Problem(CONFIG_FILE, 0, 0, f"{CONFIG_FILE} not found in {root}", "io")]
        raise ContentError(problems)
    try:
        # Composed only, never constructed: MkDocs' own tags (!ENV, !!python/name) stay as
        # written, and a syntax error gets a line and column, as a fact sheet's does.
        node = compose(text)
    except yaml.MarkedYAMLError as exc:
        raise ContentError([syntax_problem(exc, CONFIG_FILE, text)]) from None
    except yaml.YAMLError as exc:
        raise ContentError([Problem(CONFIG_FILE, 0, 0, f"YAML error: {exc}", "yaml-syntax")]
                           ) from None
    try:
        config = load_config(config_file=str(path), site_dir=str(site_dir), strict=strict)
    except (ConfigurationError, Abort) as exc:  # MkDocs has logged what each option lacks
        raise BuildFailed(f"{CONFIG_FILE}: {exc}") from None
    if not any(isinstance(plugin, BriefingPlugin) for plugin in config.plugins.values()):
        raise ContentError([_without_plugin(node)])
    return config


def _without_plugin(node: yaml.Node | None) -> Problem:
    """Where ``mkdocs.yml`` should name this plugin, and the line that does."""
    plugins = None
    if isinstance(node, yaml.MappingNode):
        plugins = next((key for key, _ in node.value
                        if isinstance(key, yaml.ScalarNode) and key.value == "plugins"), None)
    consequence = "so no fact sheet would be published"
    if plugins is None:
        return Problem(CONFIG_FILE, 0, 0, f"the briefing plugin is not enabled, {consequence}; "
                       "add the line 'plugins: [search, briefing]'", "plugin")
    mark = plugins.start_mark
    return Problem(CONFIG_FILE, mark.line + 1, mark.column + 1,
                   f"'plugins' does not list briefing, {consequence}; add it, as in "
                   "'plugins: [search, briefing]'", "plugin")


class BuildFailed(BriefingError):
    """The site build stopped; the message says why."""
