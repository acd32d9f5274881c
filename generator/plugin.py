"""The MkDocs adapter: the only module that knows MkDocs. The work lives in ``pipeline``."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils.templates import TemplateContext

from generator.pipeline import Prepared, Workspace, briefing_json, source_date_epoch
from generator.problems import ContentError, summary
from generator.render import LABELS_CSS, LABELS_CSS_URL, TemplateProblem

log = logging.getLogger("mkdocs.plugins.briefing")

#: The Material feature that shows page.edit_url as an edit button.
EDIT_FEATURE = "content.action.edit"


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

    def on_serve(self, server: Any, *, config: MkDocsConfig, builder: Any) -> Any:
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
        self._add_labels(files, config, self.prepared.project.templates_dir)
        return files

    def _add_labels(self, files: Files, config: MkDocsConfig, templates: Path) -> None:
        labels = templates / LABELS_CSS
        if labels.is_file():
            files.append(File.generated(config, LABELS_CSS_URL, abs_src_path=str(labels)))

    def on_page_context(
        self, context: TemplateContext, *, page: Page, config: MkDocsConfig, nav: Navigation
    ) -> TemplateContext:
        source = self._sources.get(page.file.src_uri)
        settings = self.prepared.project.settings if self.prepared else None
        if source and settings and settings.repo_url:
            page.edit_url = settings.edit_url(source)
        elif page.file.generated_by:
            page.edit_url = None  # generated pages have no file under docs/ to edit
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


def _unsearched(page: Page | None) -> bool:
    """Whether a page's front matter keeps it out of search (``search: exclude: true``)."""
    search = page.meta.get("search") if page is not None else None
    return isinstance(search, dict) and bool(search.get("exclude"))


def build_site(
    root: Path, site_dir: Path, *, strict: bool = True, workspace: Workspace | None = None
) -> None:
    """Run ``mkdocs build`` for the project at ``root`` into ``site_dir``; with ``workspace``
    (one that has just built), the plugin reuses its work instead of doing it again."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort

    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    config = load_config(
        config_file=str(root / "mkdocs.yml"), site_dir=str(site_dir), strict=strict
    )
    plugin = config.plugins.get("briefing")
    if workspace is not None and isinstance(plugin, BriefingPlugin):
        plugin._workspace = workspace
    try:
        build(config)
    except PluginError as exc:
        raise BuildFailed(str(exc)) from None
    except Abort as exc:
        raise BuildFailed(str(exc)) from None


class BuildFailed(Exception):
    """The site build stopped; the message says why."""
