"""Schemathesis hooks for bench/fuzz: reach the id routes with ids that exist.

Random UUIDs only ever reach the 404 branch of a route such as
`POST /api/v1/staff/appointments/{id}/check-in`. `python3 bench/fuzz_hooks.py seed BASE TOKEN OUT`
creates real records through the API (a practitioner, bookings, a screening that needs review,
a staff user, a client to erase) and writes their ids to OUT; with `FUZZ_IDS=OUT` and
`SCHEMATHESIS_HOOKS=fuzz_hooks` the hooks below let Hypothesis choose, per case, between the
generated path parameters and a real id, and set each request's token: the booking's manage
token on the manage routes, the admin's elsewhere. Every check (no 5xx, responses as documented) then also covers the routes' real work.
"""

import datetime
import json
import os
import sys
import urllib.request
import zoneinfo

import schemathesis
from hypothesis import strategies as st

IDS = {}
if os.environ.get("FUZZ_IDS"):
    with open(os.environ["FUZZ_IDS"], encoding="utf-8") as f:
        IDS = json.load(f)

# Path prefix -> the kind of id its {id} names.
ROUTES = [
    ("/api/v1/bookings/{id}", "manage_appointment"),
    ("/api/v1/booking", "manage_booking"),
    ("/api/v1/staff/appointments/{id}", "desk_appointment"),
    ("/api/v1/staff/practitioners/{id}", "practitioner"),
    ("/api/v1/staff/screenings/{id}", "screening"),
    ("/api/v1/staff/clients/{id}", "client"),
    ("/api/v1/staff/users/{id}", "user"),
    ("/api/v1/staff/messages/{id}", "message"),
]


def _kind(ctx):
    operation = getattr(ctx, "operation", None)
    path = getattr(operation, "path", "") or ""
    for prefix, kind in ROUTES:
        if path == prefix or path.startswith(prefix + "/"):
            return kind
    return None


@schemathesis.hook
def flatmap_path_parameters(ctx, params):
    kind = _kind(ctx)
    if not params or "id" not in params or kind not in IDS:
        return st.just(params)
    real = [dict(params, id=i) for i in IDS[kind]]
    return st.sampled_from([params] + real)


@schemathesis.hook
def before_call(ctx, case, kwargs):
    # Staff routes take the admin's token; the manage routes the booking's manage token.
    manage = _kind(ctx) in ("manage_appointment", "manage_booking")
    token = IDS.get("manage_token") if manage else IDS.get("staff_token")
    if not token:
        return
    if case.headers is None:
        case.headers = {}
    case.headers["Authorization"] = "Bearer " + token


def _call(base, method, path, token, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header("content-type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(req) as resp:
        return json.load(resp)


def seed(base, token, out):
    answers = {
        q["id"]: False
        for q in _call(base, "GET", "/api/v1/screening/questions", None)["questions"]
    }
    p = _call(base, "POST", "/api/v1/staff/practitioners", token, {"name": "Dr. Fuzz"})["id"]
    days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    _call(
        base,
        "PUT",
        f"/api/v1/staff/practitioners/{p}/working-hours",
        token,
        [{"weekday": d, "start": "08:00", "end": "20:00"} for d in days],
    )
    zone = zoneinfo.ZoneInfo("Europe/Berlin")
    day = datetime.date.today() + datetime.timedelta(days=10)

    def book(email, hour, sessions):
        s = _call(
            base,
            "POST",
            "/api/v1/screenings",
            None,
            {"client": {"name": "Fuzz", "email": email}, "answers": answers},
        )
        start = datetime.datetime.combine(day, datetime.time(hour), zone).isoformat()
        b = _call(
            base,
            "POST",
            "/api/v1/bookings",
            None,
            {
                "screening_id": s["id"],
                "service": "microneedling",
                "start": start,
                "practitioner_id": p,
                "sessions": sessions,
            },
        )
        return s, b

    _, mine = book("fuzz-client@example.com", 9, 3)
    _, desk = book("fuzz-desk@example.com", 12, 3)
    erase, _ = book("fuzz-erase@example.com", 15, 1)
    review = _call(
        base,
        "POST",
        "/api/v1/screenings",
        None,
        {
            "client": {"name": "Fuzz", "email": "fuzz-review@example.com"},
            "answers": dict(answers, sensitive_skin_or_rosacea=True),
        },
    )
    user = _call(
        base,
        "POST",
        "/api/v1/staff/users",
        token,
        {"email": "fuzz-desk@clinic.example", "password": "fuzz-password-123", "role": "reception"},
    )
    messages = _call(base, "GET", "/api/v1/staff/messages", token)
    ids = {
        "staff_token": token,
        "manage_appointment": [a["id"] for a in mine["appointments"]],
        "manage_token": mine["manage_token"],
        "desk_appointment": [a["id"] for a in desk["appointments"]],
        "practitioner": [p],
        "screening": [review["id"]],
        "client": [erase["client_id"]],
        "user": [user["id"]],
        "message": [m["id"] for m in messages[:3]],
    }
    with open(out, "w", encoding="utf-8") as f:
        json.dump(ids, f, indent=1)
    print(f"fuzz: seeded {sum(len(v) for v in ids.values() if isinstance(v, list))} real ids")


if __name__ == "__main__" and len(sys.argv) == 5 and sys.argv[1] == "seed":
    seed(*sys.argv[2:])
