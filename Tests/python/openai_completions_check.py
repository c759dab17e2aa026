"""The official `openai` SDK's legacy Completions client, unmodified, against the relay's /v1/completions routes.

Usage: openai_completions_check.py BASE_URL RELAY_KEY MODEL
Runs completions.create (non-stream and stream) and prints one JSON line with the usage it saw.
"""
import json
import sys

import openai


def main() -> int:
    base_url, key, model = sys.argv[1], sys.argv[2], sys.argv[3]
    client = openai.OpenAI(base_url=base_url, api_key=key, max_retries=0, timeout=30)
    reply = client.completions.create(model=model, prompt="Say pong", max_tokens=16)
    assert reply.object == "text_completion" and reply.choices[0].text == "pong", reply
    text = "".join(chunk.choices[0].text for chunk in client.completions.create(model=model, prompt="Say pong", stream=True) if chunk.choices)
    assert text == "pong", text
    try:
        client.completions.create(model=model, prompt="x", echo=True)
        raise AssertionError("echo must be refused")
    except openai.BadRequestError as error:
        assert "echo" in str(error), error
    print(json.dumps({"prompt": reply.usage.prompt_tokens, "completion": reply.usage.completion_tokens}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
