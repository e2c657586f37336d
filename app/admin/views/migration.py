"""Moving running petitions to another version: dry run, then execute (in batches)."""

from __future__ import annotations

from flask import abort, jsonify, render_template, request
from werkzeug.wrappers import Response

from app.admin import bp, process_admin
from app.admin.views import actor, admin_required

BATCH_LIMIT = 50


def _versions(process_id: str) -> tuple[int, int, object, object]:
    service = process_admin()
    old = service.engine.version(process_id, request.values.get("from", type=int))
    new = service.engine.version(process_id, request.values.get("to", type=int))
    if old.id == new.id:
        abort(400, description="choose two different versions")
    return old.id, new.id, old, new


@bp.route("/processes/<process_id>/migrate", methods=["GET"])
@admin_required
def migrate(process_id: str) -> str:
    """The dry run: for each running petition of the old version, can it move, and why not."""
    old_id, new_id, old, new = _versions(process_id)
    checks = process_admin().dry_run(old_id, new_id)
    return render_template("admin/migrate.html", old=old, new=new, checks=checks, results=None)


@bp.route("/processes/<process_id>/migrate", methods=["POST"])
@admin_required
def migrate_run(process_id: str) -> str | Response:
    """Execute for the chosen petitions, each in its own transaction.

    The page's script posts batches and shows progress (JSON answer); without JavaScript the
    form posts everything at once and gets the result report as a page.
    """
    old_id, new_id, old, new = _versions(process_id)
    chosen = [int(i) for i in request.form.getlist("instance_id") if i.isdigit()]
    if request.accept_mimetypes.best == "application/json" and len(chosen) > BATCH_LIMIT:
        abort(400, description=f"at most {BATCH_LIMIT} per batch")
    service = process_admin()
    allowed = set(service.migrator.running_instances(old_id))
    results = [service.migrate_one(i, new_id, actor()) for i in chosen if i in allowed]
    if request.accept_mimetypes.best == "application/json":
        return jsonify(results=[r.__dict__ for r in results])
    return render_template("admin/migrate.html", old=old, new=new, checks=None, results=results)
