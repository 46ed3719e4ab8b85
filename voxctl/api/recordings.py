"""``GET /api/v1/recordings/<id>.wav``: the recordings <Record> made, from ``settings.recordings_dir``.

Files live under ``<recordings_dir>/<account id>/<recording id>.wav``; the URL
names the recording only (its id is an unguessable UUID4), as Twilio's
RecordingUrl does.
"""
from __future__ import annotations

import glob
import os

import flask

from voxctl.services import Services
from voxctl.store.ids import is_uuid


def blueprint(services: Services) -> flask.Blueprint:
    """The recordings blueprint over the node's recordings directory."""
    bp = flask.Blueprint("recordings", __name__)
    root = os.path.abspath(services.settings.recordings_dir)

    @bp.get("/api/v1/recordings/<recording_id>.wav")
    def recording(recording_id: str) -> flask.Response:
        if not is_uuid(recording_id):
            flask.abort(404)
        matches = glob.glob(os.path.join(root, "*", f"{recording_id.lower()}.wav"))
        if not matches:
            flask.abort(404)
        return flask.send_file(matches[0], mimetype="audio/wav")

    return bp
