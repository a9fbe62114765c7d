#!/usr/bin/env python3
"""A local OpenAI-compatible /chat/completions server for lfm's generate tests and benchmark.

Usage: mock_openai.py --dir DIR   (127.0.0.1, port 0; prints the port on stdout and writes DIR/port)

Behaviour comes from DIR/config.json (re-read on every request) and from markers in the
last user message:
  config: latency_ms, records (per reply, default 2), retry_after (value of Retry-After on 429),
          instructions (fixed list of instructions for every reply)
  MOCK_429          first request with this prompt: 429 + Retry-After, then normal
  MOCK_500          first request: 500, then normal        MOCK_ALWAYS_500   always 500
  MOCK_HANG         never answers in time (sleeps 60 s)     MOCK_HANG_ONCE    hangs the first time
  MOCK_MALFORMED    reply is broken JSON, always            MOCK_MALFORMED_ONCE  broken the first time
  MOCK_THINK        <think>…</think> before the JSON        MOCK_THINK_UNCLOSED  unclosed <think>, cut off
  MOCK_FENCE        JSON in a ```json fence with prose      MOCK_NESTED       strings with [ ] { } and quotes
  MOCK_TRUNCATED    array cut off mid-record, finish_reason=length
  MOCK_PROSE        no JSON at all                          MOCK_401          401 unauthorized
  MOCK_ECHO_KEY     prose echoing the Authorization header (a misbehaving proxy)
A message containing "Questions (JSON array):" gets a JSON array of context-free answers.
Every request is logged to DIR/requests.jsonl (headers included); DIR/stats.json holds
requests, max_in_flight and in_flight (written when a request arrives).
"""
import hashlib, json, os, sys, threading, time
from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler

DIR = sys.argv[sys.argv.index("--dir") + 1]
LOCK = threading.Lock()
STATE = {"requests": 0, "in_flight": 0, "max_in_flight": 0}
SEEN = {}


def config():
    try:
        with open(os.path.join(DIR, "config.json")) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


def write_stats():
    tmp = os.path.join(DIR, "stats.json.tmp")
    with open(tmp, "w") as f:
        json.dump(STATE, f)
    os.replace(tmp, os.path.join(DIR, "stats.json"))


def first_time(marker, key):
    with LOCK:
        k = (marker, key)
        SEEN[k] = SEEN.get(k, 0) + 1
        return SEEN[k] == 1


def records_for(key, n, nested=False):
    out = []
    for i in range(n):
        if nested:
            out.append({"instruction": f"What does [x] {{y}} mean in \"{key}\" #{i}?",
                        "input": "", "output": f"It means ] and }} and [ and {{ — {key} #{i}. \\ done"})
        else:
            out.append({"instruction": f"Question {i} about {key}", "input": "", "output": f"Answer {i} for {key}"})
    return out


def completion(content, finish="stop"):
    return {"id": "mock", "object": "chat.completion", "model": "mock",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": finish}],
            "usage": {"prompt_tokens": 100, "completion_tokens": 50, "total_tokens": 150}}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass

    def send(self, status, body, headers=None):
        data = json.dumps(body).encode() if not isinstance(body, bytes) else body
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(length)
        with LOCK:
            STATE["requests"] += 1
            STATE["in_flight"] += 1
            STATE["max_in_flight"] = max(STATE["max_in_flight"], STATE["in_flight"])
            write_stats()
            with open(os.path.join(DIR, "requests.jsonl"), "a") as f:
                f.write(json.dumps({"time": time.time(), "path": self.path, "headers": dict(self.headers.items()),
                                    "in_flight": STATE["in_flight"], "body": raw.decode("utf-8", "replace")}) + "\n")
        try:
            self.answer(raw)
        finally:
            with LOCK:
                STATE["in_flight"] -= 1

    def answer(self, raw):
        cfg = config()
        try:
            body = json.loads(raw)
            text = "\n".join(m.get("content", "") for m in body["messages"] if m.get("role") == "user")
        except (ValueError, KeyError, TypeError):
            self.send(400, {"error": {"message": "bad request body"}})
            return
        key = hashlib.sha256(text.encode()).hexdigest()[:10]
        if cfg.get("latency_ms"):
            time.sleep(cfg["latency_ms"] / 1000.0)
        if "MOCK_401" in text:
            self.send(401, {"error": {"message": "Incorrect API key provided: " + self.headers.get("Authorization", "")}})
            return
        if "MOCK_429" in text and first_time("429", key):
            self.send(429, {"error": {"message": "rate limited"}}, {"Retry-After": str(cfg.get("retry_after", "1"))})
            return
        if "MOCK_ALWAYS_500" in text or ("MOCK_500" in text and first_time("500", key)):
            self.send(500, {"error": {"message": "internal error"}})
            return
        if "MOCK_HANG" in text and ("MOCK_HANG_ONCE" not in text or first_time("hang", key)):
            time.sleep(60)
            return
        n = int(cfg.get("records", 2))
        if "Questions (JSON array):" in text:
            questions = json.loads(text.split("Questions (JSON array):", 1)[1].strip())
            self.send(200, completion(json.dumps(["Without the document I guess: " + q for q in questions])))
            return
        recs = records_for(key, n, nested="MOCK_NESTED" in text)
        if cfg.get("instructions"):  # fixed instructions (duplicate tests)
            recs = [{"instruction": q, "input": "", "output": "Answer for " + key} for q in cfg["instructions"]]
        payload = json.dumps(recs, ensure_ascii=False, indent=2)
        if "MOCK_MALFORMED" in text and ("MOCK_MALFORMED_ONCE" not in text or first_time("malformed", key)):
            self.send(200, completion('Sure! Here you go: [{"instruction": "broken", "output": }'))
        elif "MOCK_THINK_UNCLOSED" in text:
            self.send(200, completion("<think>Let me think about [the] {document} carefully and", "length"))
        elif "MOCK_THINK" in text:
            self.send(200, completion("<think>The user wants [records]; maybe {\"a\": 1}... ok</think>\n" + payload))
        elif "MOCK_FENCE" in text:
            self.send(200, completion("Here are the records [as requested]:\n```json\n" + payload + "\n```\nHope this helps!"))
        elif "MOCK_TRUNCATED" in text:
            self.send(200, completion(payload[: len(payload) - 25], "length"))
        elif "MOCK_ECHO_KEY" in text:  # a misbehaving proxy that echoes the request's credentials
            self.send(200, completion("Your header was " + self.headers.get("Authorization", "") + " and no JSON."))
        elif "MOCK_PROSE" in text:
            self.send(200, completion("I'm sorry, I cannot help with that document."))
        else:
            self.send(200, completion(payload))


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # listen() backlog: must be set before the socket listens


def main():
    server = Server(("127.0.0.1", 0), Handler)
    port = server.server_address[1]
    with open(os.path.join(DIR, "port.tmp"), "w") as f:
        f.write(str(port))
    os.replace(os.path.join(DIR, "port.tmp"), os.path.join(DIR, "port"))
    print(port, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
