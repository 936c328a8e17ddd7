"""Asynchronous requests (``Prefer: respond-async``; NS-DOC chapter_161251386312) and idempotency keys.

Any record or SuiteQL request sent with ``Prefer: respond-async`` is answered ``202 Accepted`` with
``Preference-Applied: respond-async`` and ``Location: …/services/rest/async/v1/job/{id}``; the sandbox runs the
request at once, so the job is complete by the first poll. ``GET job/{id}`` → ``{id, completed, progress, task}``,
``job/{id}/task`` → the one task, ``task/{id}`` → its times and a ``related`` link to ``task/{id}/result``, which
replays the request's own answer (status, headers, body; what NetSuite puts there for a 204 is unverified).
``X-NetSuite-Idempotency-Key`` (async only): a key seen before → 400 IDEMPOTENCY_ERROR whose
``o:errorDetails[0].o:errorUrl`` is the first job's URL (where the first outcome is: a guess, NETSUITE.md).
"""

from __future__ import annotations

from ledgerport.sandboxes.netsuite.dates import iso_utc
from ledgerport.sandboxes.netsuite.errors import fail, not_found
from ledgerport.sandboxes.netsuite.state import Job, Sandbox
from ledgerport.sandboxes.netsuite.wire import COLLECTION, SINGULAR, Request, Response, json_response

__all__ = ["get_job", "get_result", "get_task", "job_url", "list_tasks", "start_job"]


def job_url(request: Request, job_id: int) -> str:
    """The job's URL."""
    return f"{request.base_url}/services/rest/async/v1/job/{job_id}"


def start_job(sandbox: Sandbox, request: Request) -> Job:
    """A new job for ``request``, or 400 IDEMPOTENCY_ERROR for a key used before."""
    key = request.headers.get("x-netsuite-idempotency-key")
    if key:
        first = sandbox.idempotency.get(key)
        if first is not None:
            raise fail(
                400,
                "IDEMPOTENCY_ERROR",
                f"The idempotency key {key} was already used for job {first}. Use a new key for a new request.",
                errorUrl=job_url(request, first),
            )
    job = Job(len(sandbox.jobs) + 1, key, request.method, request.path, sandbox.clock())
    sandbox.jobs[job.id] = job
    if key:
        sandbox.idempotency[key] = job.id
    return job


def _job(sandbox: Sandbox, request: Request) -> Job:
    try:
        job = sandbox.jobs.get(int(request.params["job"]))
    except ValueError:
        job = None
    if job is None:
        raise not_found(request.path)
    return job


def _progress(job: Job) -> str:
    if job.finished is None:
        return "pending"
    return "succeeded" if job.status < 400 else "failed"


async def get_job(sandbox: Sandbox, request: Request) -> Response:
    """``GET /async/v1/job/{id}``."""
    job = _job(sandbox, request)
    url = job_url(request, job.id)
    body = {
        "links": [{"rel": "self", "href": url}],
        "id": str(job.id),
        "completed": job.finished is not None,
        "progress": _progress(job),
        "task": {"links": [{"rel": "self", "href": f"{url}/task"}]},
    }
    return json_response(body, content_type=SINGULAR)


async def list_tasks(sandbox: Sandbox, request: Request) -> Response:
    """``GET /async/v1/job/{id}/task``: a job has one task here."""
    job = _job(sandbox, request)
    url = f"{job_url(request, job.id)}/task"
    body = {
        "links": [{"rel": "self", "href": url}],
        "count": 1,
        "hasMore": False,
        "items": [{"links": [{"rel": "self", "href": f"{url}/{job.id}"}], "id": str(job.id)}],
        "offset": 0,
        "totalResults": 1,
    }
    return json_response(body, content_type=COLLECTION)


def _task(sandbox: Sandbox, request: Request) -> Job:
    job = _job(sandbox, request)
    if request.params["task"] != str(job.id):
        raise not_found(request.path)
    return job


async def get_task(sandbox: Sandbox, request: Request) -> Response:
    """``GET /async/v1/job/{id}/task/{taskId}``."""
    job = _task(sandbox, request)
    url = f"{job_url(request, job.id)}/task/{job.id}"
    body = {
        "links": [{"rel": "related", "href": f"{url}/result"}, {"rel": "self", "href": url}],
        "id": str(job.id),
        "completed": job.finished is not None,
        "progress": _progress(job),
        "startTime": iso_utc(job.started),
        **({"endTime": iso_utc(job.finished)} if job.finished is not None else {}),
    }
    return json_response(body, content_type=SINGULAR)


async def get_result(sandbox: Sandbox, request: Request) -> Response:
    """``GET …/task/{taskId}/result``: the request's own answer."""
    job = _task(sandbox, request)
    if job.finished is None:
        raise not_found(request.path)
    content_type = next((v for k, v in job.headers if k == "content-type"), None)
    headers = [(k, v) for k, v in job.headers if k != "content-type"]
    return Response(job.status, job.body, content_type, headers)
