#!/usr/bin/env python3
"""Renders HTML documents as a person sees them: one headless Chromium, driven through the
DevTools protocol over --remote-debugging-pipe (no WebSocket library, no driver download).

    python3 scripts/browser-render.py OUT_DIR FILE.html...

For each FILE.html it writes OUT_DIR/FILE.pdf (printed with the document's own @page CSS)
and OUT_DIR/FILE.png (the whole document at the printable width of A4, in print media),
and prints one JSON line: {"file", "pdf", "png", "width_px", "scroll_width_px",
"overflowing": [elements whose content sticks out of them or of the printable width]}.
The page count and the text positions are read from the PDF by the caller (pdfinfo,
pdftotext -bbox). Chromium: $CHROMIUM or /usr/bin/chromium (Debian's package);
BROWSER_DEBUG=1 shows its standard error.
"""
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile

# A4 printable width with the documents' @page margins (15 mm right, 20 mm left): 175 mm.
PRINTABLE_WIDTH_PX = round(175 / 25.4 * 96)

# Every element whose content is wider than its box, or whose box passes the printable width.
OVERFLOW_JS = r"""
(() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (style.display === 'none' || r.width === 0) continue;
    const inner = el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1;
    const outside = r.right > width + 0.5 || r.left < -0.5;
    if (inner || outside) {
      out.push({tag: el.tagName.toLowerCase(), class: el.className,
                left: Math.round(r.left), right: Math.round(r.right),
                scroll_width: el.scrollWidth, client_width: el.clientWidth,
                text: (el.textContent || '').trim().slice(0, 60)});
    }
  }
  return {width: width, scroll_width: document.documentElement.scrollWidth,
          height: document.documentElement.scrollHeight, overflowing: out};
})()
"""


class Browser:
    def __init__(self):
        exe = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
        self.profile = tempfile.mkdtemp(prefix="bankkey-chromium-")
        to_child_r, self.to_child = os.pipe()
        self.from_child, from_child_w = os.pipe()

        def fds():
            # The protocol pipe: Chromium reads commands on fd 3 and writes on fd 4.
            # (dup2 onto itself keeps close-on-exec: clear it explicitly.)
            os.dup2(to_child_r, 3)
            os.dup2(from_child_w, 4)
            os.set_inheritable(3, True)
            os.set_inheritable(4, True)

        self.proc = subprocess.Popen(
            [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
             "--no-first-run", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", "--hide-scrollbars", f"--user-data-dir={self.profile}",
             "--remote-debugging-pipe", "about:blank"],
            preexec_fn=fds, close_fds=False,
            stdout=subprocess.DEVNULL, stderr=None if os.environ.get("BROWSER_DEBUG") else subprocess.DEVNULL)
        os.close(to_child_r)
        os.close(from_child_w)
        self.buf = b""
        self.next_id = 0
        self.events = []

    def _read(self):
        while b"\0" not in self.buf:
            chunk = os.read(self.from_child, 1 << 20)
            if not chunk:
                raise RuntimeError("Chromium closed the protocol pipe")
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def call(self, method, session=None, **params):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params}
        if session:
            msg["sessionId"] = session
        os.write(self.to_child, json.dumps(msg).encode() + b"\0")
        while True:
            m = self._read()
            if m.get("id") == self.next_id:
                if "error" in m:
                    raise RuntimeError(f"{method}: {m['error']}")
                return m.get("result", {})
            self.events.append(m)

    def wait_event(self, method, session):
        while True:
            for i, m in enumerate(self.events):
                if m.get("method") == method and m.get("sessionId") == session:
                    del self.events[: i + 1]
                    return m
            self.events.append(self._read())

    def close(self):
        try:
            self.call("Browser.close")
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        shutil.rmtree(self.profile, ignore_errors=True)


def render(b, path, out_dir):
    target = b.call("Target.createTarget", url="about:blank")["targetId"]
    s = b.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
    b.call("Page.enable", session=s)
    b.call("Emulation.setEmulatedMedia", session=s, media="print")
    b.call("Emulation.setDeviceMetricsOverride", session=s, width=PRINTABLE_WIDTH_PX,
           height=1000, deviceScaleFactor=1, mobile=False)
    b.call("Page.navigate", session=s, url="file://" + os.path.abspath(path))
    b.wait_event("Page.loadEventFired", s)
    layout = b.call("Runtime.evaluate", session=s, expression=OVERFLOW_JS,
                    returnByValue=True)["result"]["value"]
    stem = os.path.splitext(os.path.basename(path))[0]
    png = os.path.join(out_dir, stem + ".png")
    shot = b.call("Page.captureScreenshot", session=s, format="png", captureBeyondViewport=True,
                  clip={"x": 0, "y": 0, "width": PRINTABLE_WIDTH_PX,
                        "height": layout["height"], "scale": 1})
    with open(png, "wb") as f:
        f.write(base64.b64decode(shot["data"]))
    b.call("Emulation.clearDeviceMetricsOverride", session=s)
    pdf = os.path.join(out_dir, stem + ".pdf")
    printed = b.call("Page.printToPDF", session=s, preferCSSPageSize=True, printBackground=True)
    with open(pdf, "wb") as f:
        f.write(base64.b64decode(printed["data"]))
    b.call("Target.closeTarget", targetId=target)
    return {"file": path, "pdf": pdf, "png": png, "width_px": layout["width"],
            "scroll_width_px": layout["scroll_width"], "overflowing": layout["overflowing"]}


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    out_dir, files = sys.argv[1], sys.argv[2:]
    b = Browser()
    try:
        for path in files:
            print(json.dumps(render(b, path, out_dir), ensure_ascii=False), flush=True)
    finally:
        b.close()


if __name__ == "__main__":
    main()
