"""After the load run (make load-cluster): a plan paused on one app server gets its new version's
document made by the task worker, and the other app server serves it. Loopback only.

`python -m load.handoff http://127.0.0.1:A http://127.0.0.1:B`: exits non-zero, with one line,
when the document is not served by B within the time allowed.
"""

from __future__ import annotations

import re
import sys
import time

import requests

from load.seed import FAMILY_NAMES, PASSWORD

WAIT_SECONDS = 300
PATIENT_LINK = re.compile(r'href="/patients/(\d+)/"')
PLAN_LINK = re.compile(r'href="/plans/(\d+)/"')
ACK_FIELD = re.compile(r'name="(ack:[^"]+)"')
LOCK = re.compile(r'name="lock_version" value="(\d+)"')


def signed_in(host: str) -> requests.Session:
    session = requests.Session()
    session.get(f"{host}/accounts/login/")
    session.post(
        f"{host}/accounts/login/",
        {"username": "load01", "password": PASSWORD, "csrfmiddlewaretoken": session.cookies["csrftoken"]},
        headers={"Referer": f"{host}/accounts/login/"},
    ).raise_for_status()
    return session


def activate_one(saver: requests.Session, host: str) -> tuple[str, int] | None:
    """Activate a seeded draft on ``host``: its plan and its new version's number."""
    for name in FAMILY_NAMES:
        patients = PATIENT_LINK.findall(saver.get(f"{host}/patients/", params={"q": name}).text)
        for patient in patients[:5]:
            for plan_id in PLAN_LINK.findall(saver.get(f"{host}/patients/{patient}/").text):
                form_url = f"{host}/plans/{plan_id}/activate/"
                lock = LOCK.search(saver.get(form_url).text)
                if lock is None:
                    continue
                data = {
                    "csrfmiddlewaretoken": saver.cookies["csrftoken"],
                    "lock_version": lock.group(1),
                    "reason": "Load test: saved on one server, printed from the other",
                }
                # As a prescriber does: review first, acknowledge each danger shown, then save.
                review = saver.post(form_url, data, headers={"Referer": form_url}).text
                data |= {name: "Load test: reviewed" for name in ACK_FIELD.findall(review)}
                data["action"] = "save"
                saved = saver.post(form_url, data, headers={"Referer": form_url}, allow_redirects=False)
                if saved.status_code == 302:
                    return plan_id, int(lock.group(1)) + 1
    return None


def main(saving_host: str, serving_host: str) -> int:
    saver = signed_in(saving_host)
    activated = activate_one(saver, saving_host)
    if activated is None:
        print(f"no seeded draft could be activated on {saving_host}", file=sys.stderr)
        return 1
    plan_id, version = activated
    reader = signed_in(serving_host)
    started = time.monotonic()
    while time.monotonic() - started < WAIT_SECONDS:
        response = reader.get(f"{serving_host}/plans/{plan_id}/clinician.pdf")
        if response.status_code == 200 and response.content.startswith(b"%PDF"):
            print(
                f"Hand-off: plan {plan_id} version {version} saved on {saving_host}, its document made by the "
                f"worker and served by {serving_host} after {time.monotonic() - started:.1f} s "
                f"({len(response.content) // 1024} KiB)."
            )
            return 0
        if response.status_code != 202:
            print(f"plan {plan_id}: {serving_host} answered {response.status_code}", file=sys.stderr)
            return 1
        time.sleep(1)
    print(f"plan {plan_id}: no document from {serving_host} within {WAIT_SECONDS} s", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
