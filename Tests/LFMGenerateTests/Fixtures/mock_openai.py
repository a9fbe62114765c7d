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
  MOCK_STATUS_NNN   always HTTP NNN (e.g. MOCK_STATUS_403), the provider's message echoing the key
  MOCK_KEY_IN_RECORD  valid records whose output contains the key
  MOCK_KEY_CUT      400 whose message puts the key across the 300th character
  MOCK_KEY_NOTJSON  200 whose body is not JSON, the key across the 200th character
Fault run (config): "faults": {"429": p, "500": p, "hang": p, "truncate": p, "drop": p, "echo": p}
  with "seed": each unmarked request draws one fault (hang = sleep "hang_s" seconds; truncate = a
  body cut short of its Content-Length, then the connection closed; drop = connection closed with
  no reply; echo = a normal reply whose records contain the key); "fatal": NNN answers every
  request with HTTP NNN; "fatal_after_ok": K does so once K complete replies were sent in all;
  "stall_after_ok": K makes every request after K complete replies hang for "stall_s" seconds
  (a client is then surely mid-run when the test kills it, however loaded the machine). Every answer is logged to DIR/replies.jsonl: {"kind", "instructions"}
  (instructions only for complete 200 replies carrying records).
A message containing "Questions (JSON array):" gets a JSON array of context-free answers.
Every request is logged to DIR/requests.jsonl (headers included); DIR/stats.json holds
requests, max_in_flight and in_flight (written when a request arrives).
"""
import hashlib, json, os, sys, threading, time
from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler

DIR = sys.argv[sys.argv.index("--dir") + 1]
LOCK = threading.Lock()
STATE = {"requests": 0, "in_flight": 0, "max_in_flight": 0, "ok": 0}
SEEN = {}
RNG = {"seed": None, "rng": None}


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


def log_reply(kind, instructions=None):
    with LOCK:
        with open(os.path.join(DIR, "replies.jsonl"), "a") as f:
            f.write(json.dumps({"time": time.time(), "kind": kind, "instructions": instructions or []}) + "\n")


def draw_fault(cfg):
    faults = cfg.get("faults") or {}
    if not faults:
        return None
    import random
    with LOCK:
        if RNG["rng"] is None or RNG["seed"] != cfg.get("seed", 0):
            RNG["seed"] = cfg.get("seed", 0)
            RNG["rng"] = random.Random(RNG["seed"])
        x = RNG["rng"].random()
    for kind, p in faults.items():
        if x < p:
            return kind
        x -= p
    return None


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
        if status == 200 and isinstance(body, dict) and "choices" in body:
            try:
                recs = json.loads(body["choices"][0]["message"]["content"])
                log_reply("ok", [r["instruction"] for r in recs if isinstance(r, dict) and "instruction" in r])
                with LOCK:
                    STATE["ok"] += 1
            except (ValueError, KeyError, TypeError, IndexError):
                log_reply("ok-unparsed")
        else:
            log_reply(str(status))
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
        auth = self.headers.get("Authorization", "")
        secret = auth[len("Bearer "):] if auth.startswith("Bearer ") else auth
        with LOCK:
            ok = STATE["ok"]
        if cfg.get("stall_after_ok") is not None and ok >= cfg["stall_after_ok"]:
            log_reply("stall")
            time.sleep(float(cfg.get("stall_s", 120)))
            self.close_connection = True
            return
        if cfg.get("fatal_after_ok") is not None and ok >= cfg["fatal_after_ok"]:
            cfg["fatal"] = 401
        if cfg.get("fatal"):
            self.send(int(cfg["fatal"]), {"error": {"message": "Incorrect API key provided: " + secret}})
            return
        import re
        m = re.search(r"MOCK_STATUS_(\d{3})", text)
        if m:
            self.send(int(m.group(1)), {"error": {"message": "Provider says no (" + m.group(1) + ") for key " + secret}})
            return
        if "MOCK_KEY_CUT" in text:
            pad = "x" * (300 - 10)
            self.send(400, {"error": {"message": pad + secret + " rest of the message"}})
            return
        if "MOCK_KEY_NOTJSON" in text:
            log_reply("ok-notjson")
            data = ("<html>" + "y" * (200 - 6 - 10) + secret + " more</html>").encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        fault = None if "MOCK_" in text else draw_fault(cfg)
        if fault == "429":
            self.send(429, {"error": {"message": "rate limited"}}, {"Retry-After": str(cfg.get("retry_after", "1"))})
            return
        if fault == "500":
            self.send(500, {"error": {"message": "internal error"}})
            return
        if fault == "hang":
            log_reply("hang")
            time.sleep(float(cfg.get("hang_s", 5)))
            self.close_connection = True
            return
        if fault in ("truncate", "drop"):
            log_reply(fault)
            if fault == "truncate":
                data = json.dumps(completion(json.dumps(records_for(key, int(cfg.get("records", 2)))))).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data[: len(data) // 2])
                self.wfile.flush()
            self.close_connection = True
            try:
                self.connection.shutdown(2)
            except OSError:
                pass
            return
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
        if "MOCK_KEY_IN_RECORD" in text or fault == "echo":
            for r in recs:
                r["output"] += " (the key was " + secret + ")"
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
