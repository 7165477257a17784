"""The report pages in a real browser: headless Chromium renders the index, the errata and two
claim pages built from a small fixture run (tests/fixtures/report_run.json: four claims, two of
them failing, one with recorded failure modes).

Checked on every page: no request leaves the machine (only file: and data: URLs load), no console
error or uncaught exception, every <math> element is a MathML element laid out by the browser
(``display: math`` or ``block math``, non-zero box), and the errata list every failing claim.
Screenshots of each page go to ``<report>/screenshots/`` (the report is built in a temporary
folder, or in ``$BNPROOFS_BROWSER_OUT`` when set, to keep them).

The driver is the Chrome DevTools protocol over a websocket (websocket-client), talking to the
system Chromium (Debian's ``chromium``; CI installs it in .ci/run): no browser download and no
driver binary whose version must match the browser's. Without Chromium the test is skipped, and
fails under CI, where it must run.
"""

import base64
import json
import os
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
import websocket

from reports.build import build_reports

pytestmark = [pytest.mark.browser, pytest.mark.notebook]

FIXTURE = Path(__file__).parent / "fixtures" / "report_run.json"
BROWSERS = ("chromium", "chromium-browser", "google-chrome")
WIDTH, HEIGHT = 1280, 900
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         "--remote-debugging-port=0",
         "--no-first-run", "--no-default-browser-check", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-extensions",
         "--hide-scrollbars", "--mute-audio", f"--window-size={WIDTH},{HEIGHT}"]

MATH_BOXES = """JSON.stringify([...document.querySelectorAll('math')]
  .filter(m => !m.closest('details:not([open])'))
  .map(m => { const r = m.getBoundingClientRect();
              return {mathml: m instanceof MathMLElement, display: getComputedStyle(m).display,
                      width: r.width, height: r.height}; }))"""


class Page:
    """One Chromium tab driven over the DevTools protocol: commands and the events they cause."""

    def __init__(self, ws_url: str):
        self.ws = websocket.create_connection(ws_url, timeout=30, suppress_origin=True)
        self.events: list[dict] = []
        self.next_id = 0

    def send(self, method: str, **params) -> dict:
        """Run one command; keep the events that arrive before its reply."""
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == self.next_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            self.events.append(msg)

    def wait_for(self, method: str, timeout: float = 30) -> None:
        """Read events until ``method`` arrives."""
        end = time.monotonic() + timeout
        while not any(e.get("method") == method for e in self.events):
            if time.monotonic() > end:
                raise TimeoutError(f"no {method} within {timeout} s")
            self.events.append(json.loads(self.ws.recv()))

    def evaluate(self, expression: str):
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        return result["result"].get("value")


def browser_binary() -> str:
    found = next((b for b in map(shutil.which, BROWSERS) if b), None)
    if found is None:
        message = f"no Chromium ({' or '.join(BROWSERS)}) on PATH"
        if os.environ.get("CI"):
            pytest.fail(message + ": .ci/run installs it (apt-get install chromium)")
        pytest.skip(message)
    return found


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = Path(os.environ.get("BNPROOFS_BROWSER_OUT") or tmp_path_factory.mktemp("report"))
    payload = json.loads(FIXTURE.read_text(encoding="utf-8"))
    build_reports(payload, out, timeout=120, workers=2)
    (out / "screenshots").mkdir(exist_ok=True)
    return out, payload


@pytest.fixture(scope="module")
def chromium(tmp_path_factory):
    binary = browser_binary()
    profile = tmp_path_factory.mktemp("chromium-profile")
    proc = subprocess.Popen([binary, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    port_file = profile / "DevToolsActivePort"
    end = time.monotonic() + 30
    while not port_file.exists() or not port_file.read_text().strip():
        if time.monotonic() > end or proc.poll() is not None:
            proc.kill()
            pytest.fail(f"{binary} did not start (exit code {proc.poll()})")
        time.sleep(0.1)
    port = int(port_file.read_text().split()[0])
    yield port
    proc.terminate()
    proc.wait(timeout=10)


def open_page(port: int, path: Path, shot: Path | None = None):
    """Load ``path`` in a new tab: ``(page, requested URLs, console errors)``; a full-page
    screenshot saved to ``shot``."""
    new_tab = urllib.request.Request(f"http://127.0.0.1:{port}/json/new?about:blank", method="PUT")
    with urllib.request.urlopen(new_tab) as r:
        target = json.load(r)
    page = Page(target["webSocketDebuggerUrl"])
    for domain in ("Page", "Network", "Runtime", "Log"):
        page.send(f"{domain}.enable")
    page.send("Emulation.setDeviceMetricsOverride", width=WIDTH, height=HEIGHT,
              deviceScaleFactor=1, mobile=False)
    page.send("Page.navigate", url=path.resolve().as_uri())
    page.wait_for("Page.loadEventFired")
    if shot is not None:
        height = page.send("Page.getLayoutMetrics")["cssContentSize"]["height"]
        image = page.send("Page.captureScreenshot", format="png", captureBeyondViewport=True,
                          clip={"x": 0, "y": 0, "width": WIDTH, "height": min(height, 12000),
                                "scale": 1})
        shot.write_bytes(base64.b64decode(image["data"]))
    urls = [e["params"]["request"]["url"] for e in page.events
            if e.get("method") == "Network.requestWillBeSent"]
    return page, urls, console_errors(page.events)


def console_errors(events: list[dict]) -> list[str]:
    """Console errors, uncaught exceptions and error log entries among ``events``."""
    out = []
    for e in events:
        p = e.get("params", {})
        if e.get("method") == "Runtime.exceptionThrown":
            out.append(p["exceptionDetails"].get("text", "exception"))
        elif e.get("method") == "Runtime.consoleAPICalled" and p.get("type") == "error":
            out.append(" ".join(str(a.get("value", a.get("description"))) for a in p["args"]))
        elif e.get("method") == "Log.entryAdded" and p["entry"]["level"] == "error":
            out.append(p["entry"]["text"])
    return out


PAGES = ["index.html", "errata.html", "T2.1.html", "C3.html"]


@pytest.mark.parametrize("name", PAGES)
def test_page_renders_offline_with_mathml(report, chromium, name):
    out, _ = report
    page, urls, errors = open_page(chromium, out / name,
                                   out / "screenshots" / name.replace(".html", ".png"))
    assert urls and all(u.startswith(("file:", "data:")) for u in urls), urls
    assert errors == []
    boxes = json.loads(page.evaluate(MATH_BOXES))
    assert boxes, "no <math> element shown"
    for box in boxes:
        assert box["mathml"] and box["display"] in ("math", "block math", "inline math"), box
        assert box["width"] > 0 and box["height"] > 0, box
    assert (out / "screenshots" / name.replace(".html", ".png")).stat().st_size > 10_000


@pytest.mark.parametrize("name", ["index.html", "errata.html"])
def test_errata_list_every_failing_claim(report, chromium, name):
    out, payload = report
    page, _, _ = open_page(chromium, out / name)
    shown = page.evaluate("[...document.querySelectorAll('section.erratum')].map(s => s.id)")
    failing = [c["id"] for c in payload["claims"] if c["verdict"] == "fails"]
    assert shown == [f"erratum-{cid}" for cid in failing] and len(failing) == 2
