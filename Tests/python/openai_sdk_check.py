"""The official `openai` SDK, unmodified, against the relay's Responses API.

Usage: openai_sdk_check.py BASE_URL RELAY_KEY [images]
Runs responses.create (non-stream and stream) and responses.compact and prints one JSON line with the usage that came back, so the
calling Swift test can compare it with what the fake upstream emitted and Redis recorded. Exits non-zero (with
the SDK's error) on any failure.
"""
import json
import sys

import openai


def main() -> int:
    base_url, key = sys.argv[1], sys.argv[2]
    with_images = len(sys.argv) > 3 and sys.argv[3] == "images"  # API-key accounts only
    client = openai.OpenAI(base_url=base_url, api_key=key, max_retries=0, timeout=30)
    model = "gpt-5-codex"

    reply = client.responses.create(model=model, input="ping", instructions="Be brief.")
    assert reply.output_text == "pong", reply

    events = []
    with client.responses.stream(model=model, input=[{"role": "user", "content": "ping"}]) as stream:
        for event in stream:
            events.append(event.type)
        final = stream.get_final_response()
    assert final.output_text == "pong", final
    assert events[0] == "response.created" and events[-1] == "response.completed", events

    # Codex CLI's long-session step: the history in, a replacement list with one opaque compaction item out.
    compacted = client.responses.compact(model=model, input=[{"role": "user", "content": "ping"}, {"role": "assistant", "content": "pong"}])
    types = [item.type for item in compacted.output]
    assert types[-1] == "compaction", types
    compact_usage = getattr(compacted, "usage", None)

    image_usage = None
    if with_images:
        images = client.images.generate(model="gpt-image-1", prompt="a lighthouse at dusk", n=1)
        assert len(images.data) == 1 and images.data[0].b64_json, images
        image_usage = {"input": images.usage.input_tokens, "output": images.usage.output_tokens}

    try:
        openai.OpenAI(base_url=base_url, api_key="cr_" + "0" * 64, max_retries=0).responses.create(model=model, input="x")
        raise AssertionError("an unknown key must be refused")
    except openai.AuthenticationError as error:
        assert error.status_code == 401

    print(json.dumps({
        "nonStream": {"input": reply.usage.input_tokens, "output": reply.usage.output_tokens},
        "stream": {"input": final.usage.input_tokens, "output": final.usage.output_tokens, "events": len(events)},
        "compact": {"items": len(types), "input": compact_usage.input_tokens if compact_usage else None},
        "images": image_usage,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
