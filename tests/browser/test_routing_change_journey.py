"""An administrator changes the complaint route in the browser editor and petitions follow it.

Runs on a server and database of its own: deploying a new version of the default diagram must
not change the route the other journeys walk.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import _new_page, seeded_app, serving
from tests.browser.people import log_in_demo

pytestmark = pytest.mark.browser

ADD_LEGAL_REVIEW = """() => {
  const modeler = window.epeopleEditor.modeler;
  const registry = modeler.get('elementRegistry');
  const modeling = modeler.get('modeling');
  const moddle = modeler.get('moddle');
  const accept = registry.get('f_accept');
  const draft = registry.get('draft_answer');
  const lane = registry.get('lane_relations_office');
  const task = modeling.createShape({type: 'bpmn:UserTask'}, {x: 760, y: 560}, lane);
  modeling.updateLabel(task, 'Legal review');
  const properties = moddle.create('spiffworkflow:Properties', {properties: [
    moddle.create('spiffworkflow:Property', {name: 'formJsonSchemaFilename', value: 'escalation.json'}),
    moddle.create('spiffworkflow:Property', {name: 'body', value: 'routing_office'}),
  ]});
  modeling.updateProperties(task, {
    id: 'legal_review',
    extensionElements: moddle.create('bpmn:ExtensionElements', {values: [properties]}),
  });
  modeling.reconnectEnd(accept, task, {x: 710, y: 560});
  modeling.connect(task, draft);
  return task.id;
}"""


@pytest.fixture(scope="module")
def site(browser: Browser) -> Iterator[str]:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    with seeded_app(f"epeople_routing_{worker}") as app, serving(app) as url:
        yield url


@pytest.fixture
def person(browser: Browser, site: str) -> Iterator:
    pages: list[Page] = []

    def make() -> Page:
        pages.append(_new_page(browser, site))
        return pages[-1]

    yield make
    for page in pages:
        page.context.close()


def test_admin_adds_a_task_deploys_version_2_and_a_new_complaint_reaches_it(person) -> None:
    admin = person()
    log_in_demo(admin, "admin@example.org")
    admin.goto("/admin/processes")
    expect(admin.get_by_role("link", name="v1").first).to_be_visible()
    admin.goto("/admin/processes/petition/edit")
    admin.wait_for_function("() => window.epeopleEditor && window.epeopleEditor.modeler")
    admin.evaluate("() => window.epeopleEditor.ready")
    assert admin.evaluate(ADD_LEGAL_REVIEW) == "legal_review"

    admin.get_by_role("button", name="Validate").click()
    expect(admin.get_by_role("status")).to_contain_text(re.compile(r"errors: 0|no problem", re.I))
    admin.get_by_role("button", name="Deploy").click()
    admin.wait_for_url(re.compile(r"/admin/processes/petition/v2$"))
    expect(admin.get_by_role("heading", level=1)).to_contain_text("v2")
    admin.goto("/admin/processes/petition/diff?from=1&to=2")
    expect(admin.locator("code", has_text="legal_review").first).to_be_visible()

    citizen = person()
    log_in_demo(citizen, "citizen.amira@example.org")
    citizen.goto("/petitions/new/complaint")
    citizen.get_by_label("Subject").fill("Trottoir défoncé — رصيف مكسور")
    citizen.get_by_label("Description").fill("Le trottoir de l'avenue Habib Bourguiba est défoncé.")
    citizen.get_by_role("button", name="Submit").click()
    expect(citizen.get_by_text(re.compile(r"TN-\d{4}-\d{6}")).first).to_be_visible()
    number = re.search(r"TN-\d{4}-\d{6}", citizen.content()).group(0)

    agent = person()
    log_in_demo(agent, "bcrc.agent@example.org")
    agent.goto("/tasks/")
    agent.get_by_role("link", name=number).click()
    agent.get_by_role("radio", name=re.compile("^Accept")).check()
    agent.get_by_label("Competent body", exact=True).select_option("mun-sfax")
    agent.get_by_role("button", name="Complete the task").click()
    agent.goto("/tasks/")
    row = agent.get_by_role("row").filter(has_text=number)
    expect(row).to_contain_text("Legal review")
