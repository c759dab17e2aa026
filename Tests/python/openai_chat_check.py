"""The official `openai` SDK and LangChain's `ChatOpenAI`, unmodified, against the relay's Chat Completions routes.

Usage: openai_chat_check.py BASE_URL RELAY_KEY MODEL
The calling Swift test queues fake behaviours in this order: SDK create, SDK stream, SDK tool call (the fake calls the
first tool), SDK tool result, SDK image, LangChain invoke, LangChain stream, LangChain tool call (tool call), LangChain
tool result. Prints one JSON line with the usage the clients saw, so the test can compare it with what the fake emitted
and Redis recorded. Exits non-zero (with the client's error) on any failure.
"""
import json
import sys

import openai
from langchain_core.messages import HumanMessage, SystemMessage, ToolMessage
from langchain_core.tools import tool
from langchain_openai import ChatOpenAI

# A 1×1 PNG.
PIXEL = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="

WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather for a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}


@tool
def get_time(city: str) -> str:
    """The local time in a city."""
    return "12:00"


def main() -> int:
    base_url, key, model = sys.argv[1], sys.argv[2], sys.argv[3]
    client = openai.OpenAI(base_url=base_url, api_key=key, max_retries=0, timeout=30)
    seen = []

    reply = client.chat.completions.create(model=model, messages=[{"role": "system", "content": "Be brief."}, {"role": "user", "content": "ping"}])
    assert reply.choices[0].message.content == "pong", reply
    assert reply.choices[0].finish_reason == "stop", reply
    seen.append(reply.usage)

    text, usage = "", None
    stream = client.chat.completions.create(model=model, messages=[{"role": "user", "content": "ping"}], stream=True,
                                            stream_options={"include_usage": True})
    for chunk in stream:
        if chunk.usage is not None:
            usage = chunk.usage
        for choice in chunk.choices:
            text += choice.delta.content or ""
    assert text == "pong", text
    assert usage is not None, "no usage chunk"
    seen.append(usage)

    # A tool call round trip: the call comes back, its result goes in, the answer follows.
    history = [{"role": "user", "content": "Weather in Paris?"}]
    called = client.chat.completions.create(model=model, messages=history, tools=[WEATHER])
    calls = called.choices[0].message.tool_calls
    assert called.choices[0].finish_reason == "tool_calls" and calls and calls[0].function.name == "get_weather", called
    seen.append(called.usage)
    history.append(called.choices[0].message.model_dump(exclude_none=True))
    history.append({"role": "tool", "tool_call_id": calls[0].id, "content": "18C and clear"})
    answered = client.chat.completions.create(model=model, messages=history, tools=[WEATHER])
    assert answered.choices[0].message.content == "pong", answered
    seen.append(answered.usage)

    image = client.chat.completions.create(model=model, messages=[{"role": "user", "content": [
        {"type": "text", "text": "What is in this image?"},
        {"type": "image_url", "image_url": {"url": "data:image/png;base64," + PIXEL}},
    ]}])
    assert image.choices[0].message.content == "pong", image
    seen.append(image.usage)

    # LangChain's ChatOpenAI: invoke, stream (with its usage), and a bound tool's round trip.
    # Chat Completions even for models LangChain would send to the Responses API (codex ones).
    chat = ChatOpenAI(model=model, base_url=base_url, api_key=key, max_retries=0, timeout=30, stream_usage=True, use_responses_api=False)
    message = chat.invoke([SystemMessage("Be brief."), HumanMessage("ping")])
    assert message.content == "pong", message
    lc_usage = [message.usage_metadata]
    streamed = None
    for piece in chat.stream("ping"):
        streamed = piece if streamed is None else streamed + piece
    assert streamed.content == "pong", streamed
    lc_usage.append(streamed.usage_metadata)
    bound = chat.bind_tools([get_time])
    question = HumanMessage("What time is it in Rome?")
    asked = bound.invoke([question])
    assert asked.tool_calls and asked.tool_calls[0]["name"] == "get_time", asked
    lc_usage.append(asked.usage_metadata)
    result = ToolMessage(get_time.invoke({"city": "Rome"}), tool_call_id=asked.tool_calls[0]["id"])
    final = bound.invoke([question, asked, result])
    assert final.content == "pong", final
    lc_usage.append(final.usage_metadata)

    try:
        openai.OpenAI(base_url=base_url, api_key="cr_" + "0" * 64, max_retries=0).chat.completions.create(
            model=model, messages=[{"role": "user", "content": "x"}])
        raise AssertionError("an unknown key must be refused")
    except openai.AuthenticationError as error:
        assert error.status_code == 401
    try:
        client.chat.completions.create(model=model, messages=[{"role": "user", "content": "x"}], logit_bias={"1": 5})
        raise AssertionError("logit_bias must be refused")
    except openai.BadRequestError as error:
        assert "logit_bias" in str(error), error

    print(json.dumps({
        "requests": len(seen) + len(lc_usage),
        "prompt": sum(u.prompt_tokens for u in seen) + sum(u["input_tokens"] for u in lc_usage),
        "completion": sum(u.completion_tokens for u in seen) + sum(u["output_tokens"] for u in lc_usage),
        "models": list(client.models.list().data[i].id for i in range(1)),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
