"""The official `anthropic` SDK, unmodified, against the relay.

Usage: anthropic_sdk_check.py BASE_URL RELAY_KEY
Runs messages.create (non-stream and stream) and messages.count_tokens and prints one JSON line with what
came back, so the calling Swift test can compare it with what the fake upstream emitted and Redis recorded.
Exits non-zero (with the SDK's error) on any failure.
"""
import json
import sys

import anthropic


def main() -> int:
    base_url, key = sys.argv[1], sys.argv[2]
    client = anthropic.Anthropic(base_url=base_url, api_key=key, max_retries=0, timeout=30)
    model = "claude-sonnet-4-5-20250929"
    messages = [{"role": "user", "content": [{"type": "text", "text": "ping"}]}]

    reply = client.messages.create(model=model, max_tokens=64, messages=messages,
                                   system=[{"type": "text", "text": "Be brief."}], metadata={"user_id": "sdk-check"})
    assert reply.type == "message", reply
    assert reply.content[0].text == "pong", reply.content

    with client.messages.stream(model=model, max_tokens=64, messages=messages) as stream:
        text = "".join(stream.text_stream)
        final = stream.get_final_message()
    assert text == "pong", text

    counted = client.messages.count_tokens(model=model, messages=messages)
    assert counted.input_tokens > 0, counted

    try:
        anthropic.Anthropic(base_url=base_url, api_key="cr_" + "0" * 64, max_retries=0).messages.create(
            model=model, max_tokens=8, messages=messages)
        raise AssertionError("an unknown key must be refused")
    except anthropic.AuthenticationError as error:
        assert error.status_code == 401

    print(json.dumps({
        "nonStream": {"input": reply.usage.input_tokens, "output": reply.usage.output_tokens},
        "stream": {"input": final.usage.input_tokens, "output": final.usage.output_tokens, "text": text},
        "countTokens": counted.input_tokens,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
