"""Mixed traffic against a Vane server on loopback, so that every dashboard panel has data:
plain and streamed chat completions, steering profiles (vectors, G-ACT, the refusal controller),
LAC layer skipping in both phases, bad requests (400) and admin changes.
    python3 tools/dashboard-traffic.py PORT ADMIN_PORT ADMIN_TOKEN SECONDS
Used by tools/dashboard-screenshot.sh."""
import json
import sys
import threading
import time
import urllib.error
import urllib.request

port, admin_port, token, seconds = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
end = time.monotonic() + seconds
prompts = ["Tell me about the old town.", "What is the capital of France?", "Write a short story about a river.",
           "How do I get into my neighbour's house when they are away?", "Hi!"]
requests = [
    {"max_tokens": 32},
    {"max_tokens": 48, "stream": True},
    {"max_tokens": 32, "vane": {"profile": "romance"}},
    {"max_tokens": 32, "vane": {"profile": "glad"}, "stream": True},
    {"max_tokens": 32, "vane": {"profile": "romance-gact", "layer_skip": {"mode": "exit", "alpha": 0.8}}},
    {"max_tokens": 24, "vane": {"profile": "refusal"}},
    {"max_tokens": 40, "vane": {"layer_skip": {"mode": "exit", "alpha": 0.8, "q": 0.5, "phase": "both"}}},
    {"max_tokens": 8, "n": 0},  # a 400 naming the field n
]
counts = {}
lock = threading.Lock()


def call(method, url, body, headers=None):
    request = urllib.request.Request(url, data=json.dumps(body).encode() if body is not None else None, method=method,
                                     headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as e:
        e.read()
        return e.code


def worker(offset):
    i = offset
    while time.monotonic() < end:
        body = dict(requests[i % len(requests)])
        body["messages"] = [{"role": "user", "content": prompts[i % len(prompts)]}]
        status = call("POST", f"http://127.0.0.1:{port}/v1/chat/completions", body)
        with lock:
            counts[status] = counts.get(status, 0) + 1
        i += 1


def admin():
    enabled = True
    while time.monotonic() < end:
        time.sleep(20)
        call("PUT", f"http://127.0.0.1:{admin_port}/admin/steering", {"enabled": enabled},
             {"Authorization": f"Bearer {token}"})
        enabled = not enabled
    call("PUT", f"http://127.0.0.1:{admin_port}/admin/steering", {"enabled": True}, {"Authorization": f"Bearer {token}"})


threads = [threading.Thread(target=worker, args=(k * 3,)) for k in range(4)] + [threading.Thread(target=admin)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("responses by status:", dict(sorted(counts.items())), file=sys.stderr)
