"""An OCPI 2.2.1 eMSP for Doppel's tests, built from extrawest-ocpi (py_ocpi).

The protocol handling, validation and models are the library's: its FastAPI routers serve the
eMSP's versions, version details and credentials (whose POST performs the handshake against a
CPO that registers with this eMSP), and its pydantic schemas check what Doppel answers. Ours are
only the in-memory storage the library asks its user for (crud, authenticator) and /control,
which lets the test drive the eMSP's side of a handshake it initiates and read what it holds.

Usage: python3 ocpi-emsp.py <port> <token A>   (prints "ready" once it listens)
"""

import base64
import json
import os
import secrets
import sys

PORT = int(sys.argv[1])
TOKEN_A = sys.argv[2]
# py_ocpi builds its URLs from settings read at import.
os.environ["OCPI_HOST"] = f"127.0.0.1:{PORT}"
os.environ["PROTOCOL"] = "http"
os.environ["COUNTRY_CODE"] = "DE"
os.environ["PARTY_ID"] = "EXW"

import httpx  # noqa: E402
from pydantic import ValidationError  # noqa: E402
import uvicorn  # noqa: E402
from fastapi import Body  # noqa: E402
from fastapi.responses import JSONResponse  # noqa: E402
from py_ocpi import get_application  # noqa: E402
from py_ocpi.core.authentication.authenticator import Authenticator  # noqa: E402
from py_ocpi.core.crud import Crud  # noqa: E402
from py_ocpi.core.enums import Action, ModuleID, RoleEnum  # noqa: E402
from py_ocpi.core.schemas import OCPIResponse  # noqa: E402
from py_ocpi.modules.commands.v_2_2_1.schemas import (  # noqa: E402
    CancelReservation,
    CommandResponse,
    ReserveNow,
    StartSession,
    StopSession,
    UnlockConnector,
)
from py_ocpi.modules.credentials.v_2_2_1.schemas import Credentials, CredentialsRole  # noqa: E402
from py_ocpi.modules.locations.v_2_2_1.schemas import (  # noqa: E402
    EVSE,
    BusinessDetails,
    Connector,
    Location,
)
from py_ocpi.modules.tariffs.v_2_2_1.schemas import Tariff  # noqa: E402
from py_ocpi.modules.tokens.v_2_2_1.schemas import Token, TokenPartialUpdate  # noqa: E402
from py_ocpi.modules.sessions.v_2_2_1.schemas import Session  # noqa: E402
from py_ocpi.modules.cdrs.v_2_2_1.schemas import Cdr  # noqa: E402
from py_ocpi.modules.versions.enums import VersionNumber  # noqa: E402
from py_ocpi.modules.versions.schemas import Version  # noqa: E402
from py_ocpi.modules.versions.v_2_2_1.schemas import VersionDetail  # noqa: E402

VERSIONS_URL = f"http://127.0.0.1:{PORT}/ocpi/versions"
OUR_ROLE = CredentialsRole(
    role=RoleEnum.emsp,
    business_details=BusinessDetails(name="Extrawest test eMSP"),
    party_id="EXW",
    country_code="DE",
)

# What this eMSP holds: the tokens it accepts (A to register, C after), and per token C the
# CPO's credentials and endpoints learnt in the handshake.
# Its drivers' tokens (by lower-case uid: a CiString) and the verdict its real-time
# authorisation gives each, and the uids CPOs asked it to authorise.
STATE = {
    "tokens_a": {TOKEN_A},
    "cpos": {},
    "log": [],
    "locations": {},
    "command_results": {},
    "tokens": {},
    "verdicts": {},
    # The authorization_reference its real-time ALLOWED gives a token, if any (by uid).
    "references": {},
    "authorized": [],
    # What the CPO pushed to the library's Sessions and CDRs receivers, by id.
    "sessions": {},
    "cdrs": {},
    # While set, the Sessions and CDRs receivers answer 503 (the test's outage).
    "refuse": False,
}


class MemoryAuthenticator(Authenticator):
    @classmethod
    async def get_valid_token_c(cls):
        return list(STATE["cpos"].keys())

    @classmethod
    async def get_valid_token_a(cls):
        return list(STATE["tokens_a"])


class MemoryCrud(Crud):
    @classmethod
    async def get(cls, module, role, id, *args, **kwargs):
        if module == ModuleID.credentials_and_registration:
            cpo = STATE["cpos"].get(kwargs.get("auth_token"))
            return cpo and cpo["ours"]
        if module == ModuleID.locations:
            return STATE["locations"].get(id)
        if module == ModuleID.tokens:
            return STATE["tokens"].get(id.lower())
        if module == ModuleID.sessions:
            return STATE["sessions"].get(id)
        if module == ModuleID.cdrs:
            return STATE["cdrs"].get(id)
        return None

    @classmethod
    async def create(cls, module, role, data, *args, **kwargs):
        STATE["log"].append({"create": module.value})
        if module == ModuleID.credentials_and_registration:
            # A CPO registered with token A: it gets a token C of ours.
            token_c = secrets.token_urlsafe(32)
            ours = Credentials(token=token_c, url=VERSIONS_URL, roles=[OUR_ROLE]).dict()
            STATE["cpos"][token_c] = {
                "credentials": data["credentials"],
                "endpoints": data["endpoints"],
                "ours": ours,
            }
            STATE["tokens_a"].discard(kwargs.get("auth_token"))
            return ours
        if module == ModuleID.sessions:
            # The library's PUT handler checked the CPO's Session with its model.
            STATE["sessions"][data["id"]] = data
            STATE["log"].append({"session": data["id"], "method": "PUT", "status": data["status"]})
        if module == ModuleID.cdrs:
            # The library's POST handler checked the CPO's CDR with its model.
            STATE["cdrs"][data["id"]] = data
        if module == ModuleID.locations:
            # A PUT of a Location this eMSP did not have, checked with the library's Location model.
            STATE["locations"][data["id"]] = data
            STATE["log"].append({"put": data["id"], "evses": [[e["uid"], e["status"]] for e in data["evses"]]})
        return data

    @classmethod
    async def update(cls, module, role, data, id, *args, **kwargs):
        if module == ModuleID.commands:
            # The library's command-result receiver checked the CPO's CommandResult.
            STATE["command_results"][id] = data
        if module == ModuleID.sessions:
            # A PUT again, or the library's PATCH handler merged the change into the stored Session.
            STATE["sessions"][id] = data
            STATE["log"].append({"session": id, "method": "update", "status": data["status"], "kwh": data["kwh"]})
        if module == ModuleID.locations:
            # The library's PATCH handlers merged the CPO's change into the stored Location.
            STATE["locations"][id] = data
            STATE["log"].append({"patched": id, "evses": [[e["uid"], e["status"]] for e in data["evses"]]})
        return data

    @classmethod
    async def delete(cls, module, role, id, *args, **kwargs):
        if module == ModuleID.credentials_and_registration:
            STATE["cpos"].pop(kwargs.get("auth_token"), None)

    @classmethod
    async def list(cls, module, role, filters, *args, **kwargs):
        if module == ModuleID.tokens:
            # Pages of at most 2, whatever the CPO asks: its pull must follow the pages.
            tokens = list(STATE["tokens"].values())
            offset, limit = filters["offset"], min(filters["limit"], 2)
            return tokens[offset : offset + limit], len(tokens), offset + limit >= len(tokens)
        return [], 0, True

    @classmethod
    async def do(cls, module, role, action, *args, data=None, **kwargs):
        if module == ModuleID.tokens and action == Action.authorize_token:
            # The library's authorize router found the token (crud.get) and asks for the verdict.
            uid = data["token_uid"].lower()
            STATE["authorized"].append(uid)
            answer = {"allowed": STATE["verdicts"].get(uid, "ALLOWED"), "token": STATE["tokens"][uid]}
            if STATE["references"].get(uid):
                answer["authorization_reference"] = STATE["references"][uid]
            return answer
        return None


app = get_application(
    version_numbers=[VersionNumber.v_2_2_1],
    roles=[RoleEnum.emsp],
    crud=MemoryCrud,
    modules=[
        ModuleID.credentials_and_registration,
        ModuleID.locations,
        ModuleID.commands,
        ModuleID.tokens,
        ModuleID.sessions,
        ModuleID.cdrs,
    ],
    authenticator=MemoryAuthenticator,
)


@app.middleware("http")
async def outage(request, call_next):
    path = request.url.path
    if STATE["refuse"] and any(path.startswith(f"/ocpi/emsp/2.2.1/{m}") for m in ("sessions", "cdrs")):
        STATE["log"].append({"refused": f"{request.method} {path}"})
        return JSONResponse(status_code=503, content={"status_code": 3000, "timestamp": "2026-01-01T00:00:00Z"})
    return await call_next(request)


@app.post("/control/forget")
async def forget(location_id: str = Body(..., embed=True)):
    """Drops a Location from this eMSP's copy, as if it had never pulled it."""
    return {"forgotten": STATE["locations"].pop(location_id, None) is not None}


@app.post("/control/refuse")
async def refuse(on: bool = Body(..., embed=True)):
    """Starts or ends an outage of this eMSP's Sessions and CDRs receivers."""
    STATE["refuse"] = on
    return {"refuse": on}


def header(token):
    return {"authorization": "Token " + base64.b64encode(token.encode()).decode()}


def envelope(response):
    """Doppel's answer checked as the library's OCPIResponse; returns its data."""
    response.raise_for_status()
    body = OCPIResponse(**response.json())
    assert body.status_code == 1000, body
    return body.data


@app.get("/control/state")
async def state():
    return {
        "tokens_a": sorted(STATE["tokens_a"]),
        "cpos": [
            # The library's POST handler keeps the whole version details; ours the list.
            {
                "token_c": t,
                "credentials": c["credentials"],
                "endpoints": c["endpoints"].get("endpoints", []) if isinstance(c["endpoints"], dict) else c["endpoints"],
            }
            for t, c in STATE["cpos"].items()
        ],
        "log": STATE["log"],
        "command_results": STATE["command_results"],
        "authorized": STATE["authorized"],
        "sessions": STATE["sessions"],
        "cdrs": STATE["cdrs"],
        "locations": {i: [[e["uid"], e["status"]] for e in l["evses"]] for i, l in STATE["locations"].items()},
        "location_objects": STATE["locations"],
    }


@app.post("/control/register")
async def register(versions_url: str = Body(...), token_a: str = Body(...)):
    """The eMSP registers with a CPO: versions, details, then POST credentials (OCPI 2.2.1)."""
    token_c = secrets.token_urlsafe(32)
    STATE["cpos"][token_c] = {"credentials": None, "endpoints": [], "ours": None}
    async with httpx.AsyncClient() as client:
        versions = [Version(**v) for v in envelope(await client.get(versions_url, headers=header(token_a)))]
        ours = next(v for v in versions if v.version == VersionNumber.v_2_2_1)
        details = VersionDetail(**envelope(await client.get(ours.url, headers=header(token_a))))
        target = next(e for e in details.endpoints if e.identifier == ModuleID.credentials_and_registration)
        mine = Credentials(token=token_c, url=VERSIONS_URL, roles=[OUR_ROLE])
        answer = Credentials(
            **envelope(await client.post(target.url, json=mine.dict(), headers=header(token_a)))
        )
    STATE["cpos"][token_c] = {
        "credentials": answer.dict(),
        "endpoints": [e.dict() for e in details.endpoints],
        "ours": mine.dict(),
    }
    return {"token_c": token_c, "credentials": answer.dict(), "endpoints": [e.dict() for e in details.endpoints]}


@app.post("/control/call")
async def call(method: str = Body(...), url: str = Body(...), token: str = Body(...), json: dict | None = Body(None)):
    """One request to the CPO with a token; the raw status and body for the test to judge."""
    async with httpx.AsyncClient() as client:
        response = await client.request(method, url, headers=header(token), json=json)
    try:
        body = response.json()
    except ValueError:
        body = response.text
    return {"status": response.status_code, "body": body}


MODELS = {
    "Location": Location,
    "EVSE": EVSE,
    "Connector": Connector,
    "Tariff": Tariff,
    "Session": Session,
    "Cdr": Cdr,
}


@app.post("/control/pull")
async def pull(url: str = Body(...), token: str = Body(...), model: str = Body("Location")):
    """Pulls a CPO's list (locations) page by page, following Link, each object checked with
    the library's model; returns the objects and each page's paging headers, or why the
    library's models refused an answer (its middleware would hide it)."""
    pages, objects = [], []
    async with httpx.AsyncClient() as client:
        while url:
            response = await client.get(url, headers=header(token))
            try:
                data = envelope(response)
                for o in data:
                    checked = MODELS[model](**o).dict()
                    if model == "Location":
                        STATE["locations"][checked["id"]] = checked
                    objects.append(checked)
            except (ValidationError, AssertionError, httpx.HTTPStatusError) as e:
                return {"error": str(e), "body": response.text[:2000]}
            link = response.headers.get("link")
            pages.append(
                {
                    "count": len(data),
                    "total": response.headers.get("x-total-count"),
                    "limit": response.headers.get("x-limit"),
                    "link": link,
                    "from_party": response.headers.get("ocpi-from-party-id"),
                }
            )
            url = link[link.index("<") + 1 : link.index(">")] if link else None
    return {"pages": pages, "objects": objects}


@app.post("/control/get")
async def get_one(url: str = Body(...), token: str = Body(...), model: str = Body(...)):
    """One object from the CPO, checked with the library's model of that name."""
    async with httpx.AsyncClient() as client:
        response = await client.get(url, headers=header(token))
    if response.status_code != 200:
        return {"status": response.status_code, "body": response.json()}
    try:
        return {"status": 200, "object": MODELS[model](**envelope(response)).dict()}
    except (ValidationError, AssertionError) as e:
        return {"status": 200, "error": str(e), "body": response.text[:2000]}


COMMANDS = {
    "START_SESSION": StartSession,
    "STOP_SESSION": StopSession,
    "UNLOCK_CONNECTOR": UnlockConnector,
    "RESERVE_NOW": ReserveNow,
    "CANCEL_RESERVATION": CancelReservation,
}


@app.post("/control/command")
async def command(url: str = Body(...), token: str = Body(...), type: str = Body(...), body: dict = Body(...)):
    """Sends an OCPI command to the CPO, built with the library's model of it, with a response_url of this eMSP's own command-result
    receiver; Doppel's answer is checked as the library's CommandResponse."""
    uid = secrets.token_hex(8)
    payload = {**body, "response_url": f"http://127.0.0.1:{PORT}/ocpi/emsp/2.2.1/commands/{uid}"}
    if type in COMMANDS:
        payload = json.loads(COMMANDS[type](**payload).json(exclude_none=True))
    async with httpx.AsyncClient() as client:
        response = await client.post(f"{url}/{type}", json=payload, headers=header(token))
    if response.status_code != 200:
        return {"uid": uid, "status": response.status_code, "body": response.json()}
    try:
        answer = CommandResponse(**envelope(response)).dict()
    except (ValidationError, AssertionError) as e:
        return {"uid": uid, "status": 200, "error": str(e), "body": response.text[:2000]}
    return {"uid": uid, "status": 200, "response": answer}


@app.post("/control/token")
async def token(
    token: dict = Body(...),
    verdict: str = Body("ALLOWED"),
    url: str | None = Body(None),
    auth: str | None = Body(None),
    reference: str | None = Body(None),
):
    """A driver's token of this eMSP, built with the library's Token model, and the verdict its
    real-time authorisation gives (with `reference` as its authorization_reference); with a CPO's tokens URL and token C, PUT to the CPO as OCPI's
    Tokens Receiver interface asks (the library's push client would drop the slash between the
    endpoint and the country code: plain HTTP with the library's model, serialised)."""
    checked = json.loads(Token(**token).json(exclude_none=True))
    STATE["tokens"][checked["uid"].lower()] = checked
    STATE["verdicts"][checked["uid"].lower()] = verdict
    STATE["references"][checked["uid"].lower()] = reference
    if url is None:
        return {"token": checked}
    target = f"{url}/{checked['country_code']}/{checked['party_id']}/{checked['uid']}?type={checked['type']}"
    async with httpx.AsyncClient() as client:
        response = await client.put(target, json=checked, headers=header(auth))
    return {"token": checked, "status": response.status_code, "body": response.json()}


@app.post("/control/token-patch")
async def token_patch(url: str = Body(...), auth: str = Body(...), uid: str = Body(...), patch: dict = Body(...)):
    """Changes one of this eMSP's tokens and PATCHes the change (the library's
    TokenPartialUpdate, with last_updated) to the CPO."""
    changed = json.loads(TokenPartialUpdate(**patch).json(exclude_none=True))
    stored = STATE["tokens"][uid.lower()]
    stored.update(changed)
    target = f"{url}/{stored['country_code']}/{stored['party_id']}/{stored['uid']}?type={stored['type']}"
    async with httpx.AsyncClient() as client:
        response = await client.patch(target, json=changed, headers=header(auth))
    return {"status": response.status_code, "body": response.json()}


@app.post("/control/token-get")
async def token_get(url: str = Body(...), auth: str = Body(...)):
    """One token read back from the CPO, checked with the library's Token model."""
    async with httpx.AsyncClient() as client:
        response = await client.get(url, headers=header(auth))
    if response.status_code != 200:
        return {"status": response.status_code, "body": response.json()}
    try:
        return {"status": 200, "object": Token(**envelope(response)).dict()}
    except (ValidationError, AssertionError) as e:
        return {"status": 200, "error": str(e), "body": response.text[:2000]}


if __name__ == "__main__":
    config = uvicorn.Config(app, host="127.0.0.1", port=PORT, log_level="warning")
    server = uvicorn.Server(config)
    print("ready", flush=True)
    server.run()
