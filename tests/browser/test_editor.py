"""The admin diagram bundles in a real browser (app/admin/static/build/, built by `make install`).

The pages are our real templates (admin/editor.html, the macro of admin/_viewer.html) rendered
by the test app, served with the bundles from a site of their own (``http://epeople.test``,
answered by ``page.route``) under a strict Content-Security-Policy, with the server's JSON
answers played by the test: so the bundles, the templates and the contracts of the admin views
are checked here without the views, a login or a database. The journey through the real views
lives beside it (test_admin_journey and friends).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask, render_template, render_template_string
from playwright.sync_api import Page, Route, expect

from app.engine.parsing import parse_diagram
from tests.browser.axe import check_accessibility, describe

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "app" / "admin" / "static" / "build"
PETITION = (ROOT / "processes" / "petition.bpmn").read_bytes()
FORMS = [
    {
        "name": path.name,
        "title": json.loads(path.read_text(encoding="utf-8")).get("title", path.stem),
    }
    for path in sorted((ROOT / "forms").glob("*.json"))
]
SITE = "http://epeople.test"
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
STATIC = {
    "/static/": ROOT / "app" / "static",
    "/admin/static/": ROOT / "app" / "admin" / "static",
}
TYPES = {
    ".js": "text/javascript",
    ".css": "text/css",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".ttf": "font/ttf",
    ".eot": "application/vnd.ms-fontobject",
    ".svg": "image/svg+xml",
    ".map": "application/json",
}


@dataclass
class Site:
    """What ``http://epeople.test`` answers: pages and JSON set by the test, static files from
    disk; every request to an answer set by the test is recorded."""

    answers: dict[str, Callable[[Route], None]] = field(default_factory=dict)
    requests: list[dict[str, Any]] = field(default_factory=list)
    csp_violations: list[str] = field(default_factory=list)

    def page(self, path: str, html: str) -> None:
        self.answers[path] = lambda route: route.fulfill(
            status=200,
            body=html,
            headers={"Content-Type": "text/html; charset=utf-8", "Content-Security-Policy": CSP},
        )

    def xml(self, path: str, body: bytes) -> None:
        self.answers[path] = lambda route: route.fulfill(
            status=200, body=body, headers={"Content-Type": "application/xml"}
        )

    def json(self, path: str, body: Any, status: int = 200) -> None:
        self.answers[path] = lambda route: route.fulfill(
            status=status, body=json.dumps(body), headers={"Content-Type": "application/json"}
        )

    def handle(self, route: Route) -> None:
        request = route.request
        url = urlsplit(request.url)
        if url.path in self.answers:
            self.requests.append(
                {
                    "method": request.method,
                    "path": url.path,
                    "query": parse_qs(url.query),
                    "headers": request.headers,
                    "body": request.post_data_buffer,
                }
            )
            self.answers[url.path](route)
            return
        for prefix, folder in STATIC.items():
            if url.path.startswith(prefix):
                file = (folder / url.path[len(prefix) :]).resolve()
                if file.is_relative_to(folder) and file.is_file():
                    route.fulfill(
                        status=200,
                        body=file.read_bytes(),
                        headers={
                            "Content-Type": TYPES.get(file.suffix, "application/octet-stream")
                        },
                    )
                    return
        route.fulfill(status=404, body="not found")

    def posted(self, path: str) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["path"] == path and r["method"] == "POST"]


@pytest.fixture(scope="module", autouse=True)
def _bundles_built() -> None:
    for name in ("editor.js", "editor.css", "viewer.js", "viewer.css"):
        if not (BUILD / name).is_file():
            pytest.fail(
                f"{BUILD / name} is missing: run `make install` (it builds the admin bundles).",
                pytrace=False,
            )


def _serve(page: Page) -> Site:
    site = Site()
    page.route(f"{SITE}/**", site.handle)
    page.on(
        "console",
        lambda message: (
            site.csp_violations.append(message.text)
            if "Content Security Policy" in message.text
            else None
        ),
    )
    return site


@pytest.fixture
def site(page: Page) -> Site:
    return _serve(page)


def render(
    live_app: Flask, template: str | None = None, source: str | None = None, **context: Any
) -> str:
    with live_app.test_request_context("/admin/processes/petition/edit"):
        if template:
            return render_template(template, **context)
        return render_template_string(source or "", **context)


EDITOR_URLS = {
    "xml_url": "/admin/processes/petition/v1.bpmn",
    "validate_url": "/admin/processes/validate",
    "draft_url": "/admin/processes/draft",
    "deploy_url": "/admin/processes/deploy",
    "forms_url": "/admin/forms.json",
}


def open_editor(
    page: Page,
    site: Site,
    live_app: Flask,
    xml: bytes = PETITION,
    process_id: str | None = "petition",
) -> None:
    html = render(
        live_app,
        "admin/editor.html",
        process_id=process_id,
        title="Edit petition" if process_id else "New routing diagram",
        **EDITOR_URLS,
    )
    site.page("/admin/processes/petition/edit", html)
    site.xml(EDITOR_URLS["xml_url"], xml)
    site.json(EDITOR_URLS["forms_url"], FORMS)
    page.goto(f"{SITE}/admin/processes/petition/edit")
    expect(page.locator("[data-bpmn-editor]")).to_have_attribute("data-state", "ready")
    page.evaluate("() => window.epeopleEditor.ready")


def exported(page: Page) -> bytes:
    xml: str = page.evaluate("() => window.epeopleEditor.exportXML()")
    return xml.encode()


def engine_accepts(xml: bytes) -> None:
    """The engine's own validation (what deploy runs) takes the diagram as it is."""
    forms = {form["name"] for form in FORMS}
    parse_diagram(
        xml,
        "petition.bpmn",
        lambda name: None if name in forms else f"no form {name}",
        max_bytes=5_000_000,
    )


# Viewer ------------------------------------------------------------------------------------

VIEWER_PAGE = """{% extends "base.html" %}
{% from "admin/_viewer.html" import diagram_viewer, diagram_viewer_assets %}
{% block head %}{{ diagram_viewer_assets() }}{% endblock %}
{% block content %}<h1>Petition, version 2</h1>
{{ diagram_viewer('/admin/processes/petition/v2.bpmn', markers, overlays) }}{% endblock %}"""


def test_viewer_renders_the_petition_diagram_with_diff_markers_and_count_badges(
    page: Page, site: Site, live_app: Flask
) -> None:
    markers = {"added": ["draft_answer"], "changed": ["qualify", "f_accept"], "removed": ["gone"]}
    overlays = {"qualify": 12, "draft_answer": 3, "survey": 0}
    site.page("/viewer", render(live_app, source=VIEWER_PAGE, markers=markers, overlays=overlays))
    site.xml("/admin/processes/petition/v2.bpmn", PETITION)
    page.goto(f"{SITE}/viewer")

    viewer = page.locator("[data-bpmn-viewer]")
    expect(viewer).to_have_attribute("data-state", "ready")
    assert page.locator(".djs-shape").count() > 40
    expect(page.locator('.djs-element[data-element-id="qualify"]')).to_have_class(
        re.compile(r"\bepeople-diff-changed\b")
    )
    expect(page.locator('.djs-element[data-element-id="f_accept"]')).to_have_class(
        re.compile(r"\bepeople-diff-changed\b")
    )
    expect(page.locator('.djs-element[data-element-id="draft_answer"]')).to_have_class(
        re.compile(r"\bepeople-diff-added\b")
    )
    expect(viewer).to_have_attribute("data-missing", "gone")
    badges = page.locator(".epeople-count-badge[data-element-id]")
    expect(badges).to_have_count(2)
    expect(page.locator('.epeople-count-badge[data-element-id="qualify"]')).to_have_text("12")
    expect(page.locator('.epeople-count-badge[data-element-id="draft_answer"]')).to_have_text("3")
    # The legend names what is marked (not colour alone) and the badge.
    legend = page.locator(".diagram-legend")
    expect(legend).to_contain_text("Added in this version (draft_answer)")
    expect(legend).to_contain_text("Changed in this version (qualify, f_accept)")
    expect(legend).to_contain_text("Running petitions waiting at the step")
    # The marker really draws: the changed task's outline is dashed.
    dash = page.locator('.djs-element[data-element-id="qualify"] .djs-visual > :first-child')
    assert dash.evaluate("e => getComputedStyle(e).strokeDasharray") not in ("", "none")
    assert site.csp_violations == []


def test_viewer_says_so_when_the_diagram_cannot_be_loaded(
    page: Page, site: Site, live_app: Flask
) -> None:
    site.page("/viewer", render(live_app, source=VIEWER_PAGE, markers={}, overlays={}))
    page.goto(f"{SITE}/viewer")
    viewer = page.locator("[data-bpmn-viewer]")
    expect(viewer).to_have_attribute("data-state", "error")
    expect(viewer.locator("[data-role=status]")).to_contain_text(
        "The diagram could not be shown: HTTP 404"
    )


# Editor ------------------------------------------------------------------------------------


def test_editor_opens_the_diagram_and_edits_our_extensions_in_the_properties_panel(
    page: Page, site: Site, live_app: Flask
) -> None:
    open_editor(page, site, live_app)
    assert page.locator(".djs-shape").count() > 40
    expect(page.get_by_role("status")).to_have_text("Diagram loaded.")

    # A user task: form chosen from the app's list, body/due/priority expressions.
    page.locator('.djs-element[data-element-id="qualify"]').click()
    panel = page.locator("[data-role=properties]")
    form = panel.get_by_label("Form", exact=True)
    expect(form).to_have_value("qualify.json")
    assert form.locator("option").count() == len(FORMS) + 1
    expect(panel.get_by_label("Body", exact=True)).to_have_value("routing_office")
    form.select_option("draft_answer.json")
    panel.get_by_label("Body", exact=True).fill("competent_body")
    panel.get_by_label("Priority", exact=True).fill("2")
    panel.get_by_label("Priority", exact=True).blur()

    # A flow leaving a gateway: its Python condition.
    page.evaluate("() => window.epeopleEditor.selectElement('f_accept')")
    condition = panel.get_by_label("Condition", exact=True)
    expect(condition).to_have_value('decision == "accept"')
    condition.fill('decision == "accept" and competent_body')
    condition.blur()

    # A timer: kind and expression.
    page.evaluate("() => window.epeopleEditor.selectElement('no_reply_office')")
    expect(panel.get_by_label("Timer kind")).to_have_value("timeDate")
    expression = panel.get_by_label("Timer expression")
    expect(expression).to_have_value("working_days(reply_days)")
    expression.fill("working_days(reply_days + 1)")
    expression.blur()

    # A receive task: its message and the variable receiving the payload.
    page.evaluate("() => window.epeopleEditor.selectElement('wait_office')")
    expect(panel.get_by_label("Payload variable")).to_have_value("reply")
    panel.get_by_label("Payload variable").fill("answer")
    panel.get_by_label("Payload variable").blur()

    xml = exported(page).decode()
    qualify = xml[
        xml.index('<bpmn:userTask id="qualify"') : xml.index(
            "</bpmn:userTask>", xml.index('id="qualify"')
        )
    ]
    assert (
        '<spiffworkflow:property name="formJsonSchemaFilename" value="draft_answer.json" />'
        in qualify
    )
    assert '<spiffworkflow:property name="body" value="competent_body" />' in qualify
    assert '<spiffworkflow:property name="priority" value="2" />' in qualify
    assert 'decision == "accept" and competent_body</bpmn:conditionExpression>' in xml.replace(
        "&#34;", '"'
    )
    assert "working_days(reply_days + 1)</bpmn:timeDate>" in xml
    assert "<spiffworkflow:messageVariable>answer</spiffworkflow:messageVariable>" in xml
    engine_accepts(xml.encode())
    assert site.csp_violations == []


def test_untouched_diagram_round_trips_through_the_editor_and_the_engine_accepts_it(
    page: Page, site: Site, live_app: Flask
) -> None:
    open_editor(page, site, live_app)
    xml = exported(page)
    engine_accepts(xml)
    for needle in (
        b'name="formJsonSchemaFilename" value="qualify.json"',
        b"<spiffworkflow:messageVariable>reply<",
        b'name="due" value="response_due"',
        b"days(survey_days)</bpmn:timeDuration>",
    ):
        assert needle in xml


def test_validate_lists_lint_and_server_problems_marks_them_and_selects_on_click(
    page: Page, site: Site, live_app: Flask
) -> None:
    open_editor(page, site, live_app)
    # A user task dropped in the relations office lane, connected to nothing, named nothing.
    page.evaluate("""() => {
        const modeler = window.epeopleEditor.modeler;
        const lane = modeler.get('elementRegistry').get('lane_relations_office');
        const businessObject = modeler.get('bpmnFactory').create('bpmn:UserTask', { id: 'stray_task' });
        const shape = modeler.get('elementFactory').createShape({ type: 'bpmn:UserTask', businessObject });
        modeler.get('modeling').createShape(shape, { x: lane.x + 200, y: lane.y + lane.height - 60 }, lane);
    }""")
    site.json(
        EDITOR_URLS["validate_url"],
        {
            "ok": False,
            "errors": [
                {
                    "message": "user task has no form (property formJsonSchemaFilename)",
                    "line": 812,
                    "element_id": "stray_task",
                    "filename": "petition.bpmn",
                },
                {
                    "message": "Element is not connected (no-disconnected)",
                    "line": None,
                    "element_id": "stray_task",
                    "filename": "petition.bpmn",
                },
            ],
        },
    )

    page.get_by_role("button", name="Validate").click()

    status = page.get_by_role("status")
    expect(status).to_contain_text("Problems found (errors: ")
    problems = page.locator("[data-role=problems] li")
    expect(status).to_contain_text("Problems found (errors: 5, warnings: 0)")
    texts = problems.all_inner_texts()
    assert any("user task has no form" in t and "line 812" in t for t in texts), texts
    assert any("Element is not connected" in t and "rule no-disconnected" in t for t in texts), (
        texts
    )
    assert any(
        "Element is missing label/name" in t and "rule label-required" in t for t in texts
    ), texts
    # The server repeats bpmnlint's errors as "message (rule)": listed once.
    assert sum("Element is not connected" in t for t in texts) == 1, texts
    stray = page.locator('.djs-element[data-element-id="stray_task"]')
    expect(stray).to_have_class(re.compile(r"\bepeople-problem-error\b"))
    expect(page.locator(".epeople-problem-badge-error")).to_have_count(1)

    request = site.posted(EDITOR_URLS["validate_url"])[-1]
    assert request["headers"]["content-type"] == "application/xml"
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    assert token and request["headers"]["x-csrftoken"] == token
    assert request["query"] == {"filename": ["petition.bpmn"]}
    assert b'id="stray_task"' in request["body"]

    page.locator("[data-role=problems] button", has_text="user task has no form").click()
    assert page.evaluate(
        "() => window.epeopleEditor.modeler.get('selection').get().map(e => e.id)"
    ) == ["stray_task"]
    expect(page.locator("[data-role=properties]").get_by_label("Form", exact=True)).to_have_value(
        ""
    )

    # Fixed (removed) and validated again: the list and the marks are gone.
    page.evaluate("""() => {
        const modeler = window.epeopleEditor.modeler;
        modeler.get('modeling').removeElements([modeler.get('elementRegistry').get('stray_task')]);
    }""")
    site.json(EDITOR_URLS["validate_url"], {"ok": True, "errors": []})
    page.get_by_role("button", name="Validate").click()
    expect(status).to_have_text("No problems found.")
    expect(page.locator("[data-role=problem-section]")).to_be_hidden()
    expect(page.locator(".epeople-problem-badge-error")).to_have_count(0)
    assert site.csp_violations == []


def test_deploy_validates_first_then_posts_and_follows_the_url(
    page: Page, site: Site, live_app: Flask
) -> None:
    open_editor(page, site, live_app)
    site.json(EDITOR_URLS["validate_url"], {"ok": True, "errors": []})
    site.json(
        EDITOR_URLS["deploy_url"],
        {
            "process_id": "petition",
            "version": 2,
            "created": True,
            "url": "/admin/processes/petition/v2",
        },
    )
    site.page(
        "/admin/processes/petition/v2", "<!doctype html><title>Version 2</title><h1>Version 2</h1>"
    )

    page.get_by_role("button", name="Deploy").click()

    expect(page).to_have_url(f"{SITE}/admin/processes/petition/v2")
    assert [r["path"] for r in site.requests if r["method"] == "POST"] == [
        EDITOR_URLS["validate_url"],
        EDITOR_URLS["deploy_url"],
    ]
    deploy = site.posted(EDITOR_URLS["deploy_url"])[0]
    assert deploy["query"] == {"filename": ["petition.bpmn"]}
    assert deploy["headers"]["content-type"] == "application/xml"
    engine_accepts(deploy["body"])


def test_deploy_is_refused_in_the_browser_when_validation_fails_and_shows_a_422(
    page: Page, site: Site, live_app: Flask
) -> None:
    open_editor(page, site, live_app)
    site.json(
        EDITOR_URLS["validate_url"],
        {
            "ok": False,
            "errors": [
                {
                    "message": "flow 'f_accept' leaves gateway 'qualify_decision' with no condition",
                    "line": 300,
                    "element_id": "f_accept",
                    "filename": "petition.bpmn",
                }
            ],
        },
    )
    page.get_by_role("button", name="Deploy").click()
    expect(page.get_by_role("status")).to_have_text(
        "Not deployed: fix the errors listed below first."
    )
    expect(page.locator('.djs-element[data-element-id="f_accept"]')).to_have_class(
        re.compile(r"\bepeople-problem-error\b")
    )
    assert site.posted(EDITOR_URLS["deploy_url"]) == []

    # Valid for the validator but refused by deploy (e.g. a race): its errors are listed.
    site.json(EDITOR_URLS["validate_url"], {"ok": True, "errors": []})
    site.json(
        EDITOR_URLS["deploy_url"],
        {
            "errors": [
                {
                    "message": "the id 'Start' is reserved by the engine; rename it",
                    "line": 9,
                    "element_id": "petition_received",
                    "filename": "petition.bpmn",
                }
            ]
        },
        status=422,
    )
    page.get_by_role("button", name="Deploy").click()
    expect(page.get_by_role("status")).to_have_text(
        "Not deployed: fix the errors listed below first."
    )
    expect(page.locator("[data-role=problems]")).to_contain_text("reserved by the engine")
    expect(page).to_have_url(f"{SITE}/admin/processes/petition/edit")


def test_save_draft_export_and_import(
    page: Page, site: Site, live_app: Flask, tmp_path: Path
) -> None:
    open_editor(page, site, live_app)
    site.json(
        EDITOR_URLS["draft_url"],
        {"saved_at": "2026-03-02T10:15:00+00:00", "process_id": "petition"},
    )
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("status")).to_contain_text("Draft saved at")
    draft = site.posted(EDITOR_URLS["draft_url"])[0]
    assert draft["headers"]["content-type"] == "application/xml"
    assert b'<bpmn:process id="petition"' in draft["body"]

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Export .bpmn").click()
    download = download_info.value
    assert download.suggested_filename == "petition.bpmn"
    saved = tmp_path / "petition.bpmn"
    download.save_as(saved)
    engine_accepts(saved.read_bytes())

    corruption = ROOT / "processes" / "corruption_report.bpmn"
    with page.expect_file_chooser() as chooser_info:
        page.get_by_role("button", name="Import .bpmn…").click()
    chooser_info.value.set_files(str(corruption))
    expect(page.get_by_role("status")).to_have_text("Imported corruption_report.bpmn.")
    expect(page.locator('.djs-element[data-element-id="examine"]')).to_have_count(1)
    assert b'<bpmn:process id="corruption_report"' in exported(page)

    page.locator("[data-role=import-file]").set_input_files(
        files=[{"name": "broken.bpmn", "mimeType": "application/xml", "buffer": b"<not bpmn"}]
    )
    expect(page.get_by_role("status")).to_contain_text(
        "This file is not a diagram the editor can open"
    )


def test_new_diagram_is_named_after_its_process_and_flags_lint_problems(
    page: Page, site: Site, live_app: Flask
) -> None:
    blank = (ROOT / "app" / "admin" / "views" / "processes.py").read_text(encoding="utf-8")
    xml = blank[
        blank.index("<?xml") : blank.index("</bpmn:definitions>") + len("</bpmn:definitions>")
    ]
    open_editor(page, site, live_app, xml=xml.encode(), process_id=None)
    site.json(EDITOR_URLS["validate_url"], {"ok": True, "errors": []})
    page.get_by_role("button", name="Validate").click()
    expect(page.get_by_role("status")).to_contain_text("Problems found (errors: ")
    texts = " ".join(page.locator("[data-role=problems] li").all_inner_texts())
    assert "rule end-event-required" in texts
    assert site.posted(EDITOR_URLS["validate_url"])[0]["query"] == {
        "filename": ["new_process.bpmn"]
    }


@pytest.fixture
def relaxed_page(browser: Browser, live_server: str) -> Iterator[Page]:
    """For axe, which is injected as a script tag: the CSP would block it."""
    context = browser.new_context(base_url=live_server, locale="en-US", bypass_csp=True)
    context.set_default_timeout(10_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def test_editor_page_with_problems_has_no_serious_accessibility_violations(
    relaxed_page: Page, live_app: Flask
) -> None:
    page = relaxed_page
    site = _serve(page)
    open_editor(page, site, live_app)
    site.json(
        EDITOR_URLS["validate_url"],
        {
            "ok": False,
            "errors": [
                {
                    "message": "user task has no form",
                    "line": 3,
                    "element_id": "qualify",
                    "filename": "petition.bpmn",
                },
                {
                    "message": "somewhere else",
                    "line": None,
                    "element_id": None,
                    "filename": "petition.bpmn",
                },
            ],
        },
    )
    page.get_by_role("button", name="Validate").click()
    expect(page.locator("[data-role=problems] li")).to_have_count(2)
    page.locator('.djs-element[data-element-id="qualify"]').click()
    violations = check_accessibility(page)
    assert violations == [], describe(violations)


def test_keyboard_reaches_every_toolbar_control(page: Page, site: Site, live_app: Flask) -> None:
    open_editor(page, site, live_app)
    page.get_by_role("button", name="Validate").focus()
    names = []
    for _ in range(4):
        page.keyboard.press("Tab")
        names.append(page.evaluate("() => document.activeElement.textContent.trim()"))
    assert names == ["Save draft", "Deploy", "Export .bpmn", "Import .bpmn…"]
    site.json(EDITOR_URLS["draft_url"], {"saved_at": "2026-03-02T10:15:00+00:00"})
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Draft saved at")


def test_viewer_page_has_no_serious_accessibility_violations(
    relaxed_page: Page, live_app: Flask
) -> None:
    page = relaxed_page
    site = _serve(page)
    site.page(
        "/viewer",
        render(
            live_app,
            source=VIEWER_PAGE,
            markers={"added": ["draft_answer"], "changed": ["qualify"]},
            overlays={"qualify": 12},
        ),
    )
    site.xml("/admin/processes/petition/v2.bpmn", PETITION)
    page.goto(f"{SITE}/viewer")
    expect(page.locator("[data-bpmn-viewer]")).to_have_attribute("data-state", "ready")
    violations = check_accessibility(page)
    assert violations == [], describe(violations)


def test_keyboard_edits_the_focused_diagram_delete_and_undo(
    page: Page, site: Site, live_app: Flask
) -> None:
    open_editor(page, site, live_app)
    page.evaluate("() => window.epeopleEditor.selectElement('escalation_qualify_done')")
    page.locator("[data-role=canvas] svg[tabindex]").first.focus()
    page.keyboard.press("Delete")
    expect(page.locator('.djs-element[data-element-id="escalation_qualify_done"]')).to_have_count(0)
    page.keyboard.press("Control+z")
    expect(page.locator('.djs-element[data-element-id="escalation_qualify_done"]')).to_have_count(1)
