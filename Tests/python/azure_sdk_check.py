"""The official `openai` SDK's AzureOpenAI client, unmodified, against the relay's Azure routes.

Usage: azure_sdk_check.py AZURE_ENDPOINT RELAY_KEY
Runs chat.completions.create (non-stream and stream), responses.create, models.list and embeddings.create, and prints one JSON line with the
usage that came back. Exits non-zero (with the SDK's error) on any failure.
"""
import json
import sys

import openai


def main() -> int:
    endpoint, key = sys.argv[1], sys.argv[2]
    client = openai.AzureOpenAI(azure_endpoint=endpoint, api_key=key, api_version="2024-10-21", max_retries=0, timeout=30)
    messages = [{"role": "user", "content": "ping"}]

    reply = client.chat.completions.create(model="gpt-4o", messages=messages)
    assert reply.choices[0].message.content == "pong", reply

    text, usage = "", None
    for chunk in client.chat.completions.create(model="gpt-4o", messages=messages, stream=True):
        if chunk.choices and chunk.choices[0].delta.content:
            text += chunk.choices[0].delta.content
        if chunk.usage:
            usage = chunk.usage
    assert text == "pong", text
    assert usage is not None, "the stream carried no usage"

    response = client.responses.create(model="gpt-4o", input="ping")
    assert response.output_text == "pong", response

    models = [model.id for model in client.models.list()]
    assert models == ["gpt-4o-prod"], models
    embedding = client.embeddings.create(model="gpt-4o", input="ping")
    assert len(embedding.data) == 1 and len(embedding.data[0].embedding) > 0, embedding

    try:
        openai.AzureOpenAI(azure_endpoint=endpoint, api_key="cr_" + "0" * 64, api_version="2024-10-21", max_retries=0).chat.completions.create(
            model="gpt-4o", messages=messages)
        raise AssertionError("an unknown key must be refused")
    except openai.AuthenticationError as error:
        assert error.status_code == 401

    print(json.dumps({
        "nonStream": {"input": reply.usage.prompt_tokens, "output": reply.usage.completion_tokens},
        "stream": {"input": usage.prompt_tokens, "output": usage.completion_tokens},
        "responses": {"input": response.usage.input_tokens, "output": response.usage.output_tokens},
        "embeddings": {"input": embedding.usage.prompt_tokens},
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
