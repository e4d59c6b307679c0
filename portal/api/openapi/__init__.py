"""The OpenAPI 3.1 document of every JSON route (`/api/openapi.json`) and its page for people (`/api/docs`)."""

from __future__ import annotations

from itertools import groupby

from flask import Blueprint, jsonify, render_template

from portal.api.openapi.document import openapi_document, operations

bp = Blueprint("openapi", __name__, url_prefix="/api")


@bp.get("/openapi.json")
def document():
    response = jsonify(openapi_document())
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.get("/docs")
def docs():
    doc = openapi_document()
    ops = sorted(operations(doc), key=lambda op: op["tag"])
    groups = [(tag, list(items)) for tag, items in groupby(ops, key=lambda op: op["tag"])]
    return render_template("api/docs.html", info=doc["info"], groups=groups, count=len(ops))
