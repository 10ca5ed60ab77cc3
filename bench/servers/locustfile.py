"""
Locust baseline for `npm run bench`: a FastHttpUser that POSTs a streaming chat completion, reads
the SSE stream as it arrives, parses every event (json.loads of each `data:` line, like an LLM
load test must), and records TTFT (first content delta) and the whole stream as custom events:
  SSE ttft    response_time = ms to the first content delta
  SSE stream  response_time = ms to the end of the stream, response_length = SSE events parsed
The bench reads the counts from Locust's --csv stats. Set STREAM_PATH to the endpoint path.
"""
import json
import os
import time

from locust import task
from locust.contrib.fasthttp import FastHttpUser

PATH = os.environ.get("STREAM_PATH", "/short/v1/chat/completions")
BODY = {"model": "bench", "stream": True, "messages": [{"role": "user", "content": "Hello"}]}


class StreamUser(FastHttpUser):
    # no pause between requests: a closed loop, as fast as the server answers
    connection_timeout = 60.0
    network_timeout = 60.0

    @task
    def chat(self):
        start = time.perf_counter()
        ttft = None
        events = 0
        buf = b""
        fire = self.environment.events.request.fire
        resp = self.client.post(PATH, json=BODY, stream=True)
        stream = resp.stream
        if True:
            while True:
                chunk = stream.read(65536)
                if not chunk:
                    break
                buf += chunk
                while True:
                    end = buf.find(b"\n\n")
                    if end < 0:
                        break
                    event, buf = buf[:end], buf[end + 2 :]
                    if not event.startswith(b"data: "):
                        continue
                    data = event[6:]
                    events += 1
                    if data == b"[DONE]":
                        continue
                    obj = json.loads(data)
                    choices = obj.get("choices") or []
                    if ttft is None and choices and choices[0].get("delta", {}).get("content"):
                        ttft = (time.perf_counter() - start) * 1000
        total = (time.perf_counter() - start) * 1000
        if ttft is not None:
            fire(request_type="SSE", name="ttft", response_time=ttft, response_length=0, exception=None, context={})
        fire(request_type="SSE", name="stream", response_time=total, response_length=events, exception=None, context={})
