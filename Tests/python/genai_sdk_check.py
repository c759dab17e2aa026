"""The official `google-genai` SDK, unmodified, against the relay's Gemini routes.

Usage: genai_sdk_check.py BASE_URL RELAY_KEY
Runs models.generate_content, generate_content_stream and count_tokens, and prints one JSON line with the
usage that came back. Exits non-zero (with the SDK's error) on any failure.
"""
import json
import sys

from google import genai
from google.genai import errors, types


def main() -> int:
    base_url, key = sys.argv[1], sys.argv[2]
    options = types.HttpOptions(base_url=base_url, timeout=30000)
    client = genai.Client(api_key=key, http_options=options)
    model = "gemini-2.5-pro"

    reply = client.models.generate_content(model=model, contents="ping")
    assert reply.text == "pong", reply

    text, usage = "", None
    for chunk in client.models.generate_content_stream(model=model, contents="ping"):
        text += chunk.text or ""
        if chunk.usage_metadata and chunk.usage_metadata.prompt_token_count:
            usage = chunk.usage_metadata
    assert text == "pong", text
    assert usage is not None, "the stream carried no usage"

    counted = client.models.count_tokens(model=model, contents="ping")
    assert counted.total_tokens > 0, counted

    try:
        stranger = genai.Client(api_key="cr_" + "0" * 64, http_options=options)  # kept: a temporary client closes itself
        stranger.models.generate_content(model=model, contents="x")
        raise AssertionError("an unknown key must be refused")
    except errors.ClientError as error:
        assert error.code == 401, error

    print(json.dumps({
        "nonStream": {"input": reply.usage_metadata.prompt_token_count, "output": reply.usage_metadata.candidates_token_count},
        "stream": {"input": usage.prompt_token_count, "output": usage.candidates_token_count},
        "countTokens": counted.total_tokens,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
