"""The MkDocs adapter: the only module that knows MkDocs. The work lives in ``pipeline``."""

from __future__ import annotations

import html
import logging
import os
from pathlib import Path
from typing import Any

import yaml
from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils.templates import TemplateContext

from generator.escaping import url
from generator.loader import read_file
from generator.pipeline import Prepared, Workspace, briefing_json, source_date_epoch
from generator.problems import ContentError, EnvironmentFault, Problem, summary
from generator.render import LABELS_CSS, LABELS_CSS_URL, TemplateProblem
from generator.yamlparse import compose, decode, syntax_problem

log = logging.getLogger("mkdocs.plugins.briefing")


class BriefingPluginConfig(base.Config):
    root = c.Optional(c.Dir(exists=True))
    """Project folder with briefing.yml, content/ and briefings/ (default: mkdocs.yml's)."""


class BriefingPlugin(BasePlugin[BriefingPluginConfig]):
    def __init__(self) -> None:
        self.prepared: Prepared | None = None
        self._sources: dict[str, str] = {}
        self._jsonld: dict[str, str] = {}
        self._workspace: Workspace | None = None

    def on_startup(self, *, command: str, dirty: bool) -> None:
        """Defined so that MkDocs keeps this plugin between `mkdocs serve` rebuilds, and with
        it the workspace, which then redoes only what an edit changed."""

    def _root(self, config: MkDocsConfig) -> Path:
        if self.config.root:
            return Path(self.config.root)
        return Path(config.config_file_path or ".").resolve().parent

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        root = self._root(config)
        os.environ.setdefault("SOURCE_DATE_EPOCH", source_date_epoch(root))
        if self._workspace is None or self._workspace.root != root:
            self._workspace = Workspace(root)
        try:
            self.prepared = self._workspace.build()
        except ContentError as exc:
            lines = [p.format() for p in exc.problems]
            raise PluginError(
                "\n".join([*lines, summary(exc.problems, None)])
            ) from None
        except TemplateProblem as exc:
            raise PluginError(f"template error: {exc}") from None
        except EnvironmentFault as exc:
            raise PluginError(str(exc)) from None
        for problem in self.prepared.warnings:
            log.warning(problem.format())
        self._sources = {p.path: p.source for p in self.prepared.pages if p.source}
        self._jsonld = {p.path: p.jsonld for p in self.prepared.pages if p.jsonld}
        return config

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        assert self.prepared is not None
        for page in self.prepared.pages:
            existing = files.get_file_from_path(page.path)
            if existing is not None:
                raise PluginError(
                    f"docs/{page.path} is hand-written but the briefing generates that page; "
                    "rename or remove it"
                )
            files.append(File.generated(config, page.path, content=page.markdown))
        files.append(
            File.generated(
                config,
                "briefing.json",
                content=briefing_json(self.prepared.project, self.prepared.briefing),
            )
        )
        labels = self.prepared.project.templates_dir / LABELS_CSS
        files.append(File.generated(config, LABELS_CSS_URL, abs_src_path=str(labels)))
        return files

    def on_page_context(
        self, context: TemplateContext, *, page: Page, config: MkDocsConfig, nav: Navigation
    ) -> TemplateContext:
        source = self._sources.get(page.file.src_uri)
        settings = self.prepared.project.settings if self.prepared else None
        if source and settings and settings.repo_url:
            page.edit_url = edit_url(settings.repo_url, settings.edit_uri, source)
        elif page.file.generated_by:
            page.edit_url = None  # generated pages have no file under docs/ to edit
        return context

    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        jsonld = self._jsonld.get(page.file.src_uri)
        if jsonld:
            tag = f'<script type="application/ld+json">{jsonld}</script>\n'
            output = output.replace("</head>", tag + "</head>", 1)
        return output

    def on_serve(self, server: Any, *, config: MkDocsConfig, builder: Any) -> Any:
        root = self._root(config)
        for watched in (root / "content", root / "briefings", root / "briefing.yml"):
            if watched.exists():
                server.watch(str(watched))
        return server


def edit_url(repo_url: str, edit_uri: str, source: str) -> str:
    """The address that edits ``source`` in the repository, ready for an HTML attribute.

    Material writes ``page.edit_url`` into ``href="..."`` as it is, without escaping: so it is
    percent-encoded and then HTML-escaped here, and no address (the settings are checked, but
    this is where they land) can end the attribute, add markup or become another address
    through a character reference such as ``&quot;``."""
    address = url(f"{repo_url.rstrip('/')}/{edit_uri.strip('/')}/{source}")
    return html.escape(str(address), quote=True)


def build_site(
    root: Path, site_dir: Path, *, strict: bool = True, workspace: Workspace | None = None
) -> None:
    """Run ``mkdocs build`` for the project at ``root`` into ``site_dir``; with ``workspace``
    (one that has just built), the plugin reuses its work instead of doing it again."""
    from mkdocs.commands.build import build
    from mkdocs.exceptions import Abort

    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    config = _load_config(root, site_dir, strict)
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
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, ConfigurationError

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


class BuildFailed(Exception):
    """The site build stopped; the message says why."""
