"""Real Claude clients, unmodified, against the relay: LangChain's ChatAnthropic and the Claude Code CLI.

Usage:
  claude_clients_check.py langchain BASE_URL RELAY_KEY
      ChatAnthropic.invoke (non-stream) and .stream, both with a system message of the client's own.
  claude_clients_check.py cli BASE_URL RELAY_KEY MODE [MODEL]
      The Claude Code CLI that PyPI's claude-agent-sdk wheel ships (claude_agent_sdk/_bundled/claude):
      `claude -p … --model …` with the relay as ANTHROPIC_BASE_URL and the key in ANTHROPIC_API_KEY (MODE=api-key)
      or ANTHROPIC_AUTH_TOKEN (MODE=auth-token), HOME in a temporary directory.
Prints one JSON line with what came back; exits non-zero with the client's error on any failure.
"""
import json
import os
import subprocess
import sys
import tempfile

MODEL = "claude-sonnet-4-5-20250929"


def langchain(base_url: str, key: str) -> dict:
    from langchain_anthropic import ChatAnthropic
    from langchain_core.messages import HumanMessage, SystemMessage

    chat = ChatAnthropic(model=MODEL, anthropic_api_url=base_url, api_key=key, max_tokens=64, max_retries=0, timeout=30)
    messages = [SystemMessage(content="You are LangChain's test assistant."), HumanMessage(content="ping")]
    reply = chat.invoke(messages)
    assert reply.content == "pong", reply
    chunks = list(chat.stream(messages))
    text = "".join(chunk.content if isinstance(chunk.content, str) else "".join(
        part.get("text", "") for part in chunk.content if isinstance(part, dict)) for chunk in chunks)
    assert text == "pong", text
    usage = reply.usage_metadata or {}
    return {"nonStream": {"input": usage.get("input_tokens"), "output": usage.get("output_tokens"), "text": reply.content},
            "stream": {"text": text}}


def cli_binary() -> str:
    import claude_agent_sdk
    path = os.path.join(os.path.dirname(claude_agent_sdk.__file__), "_bundled", "claude")
    if not os.access(path, os.X_OK):
        raise SystemExit(f"the claude-agent-sdk wheel has no bundled CLI at {path}")
    return path


def cli(base_url: str, key: str, mode: str, model: str = MODEL) -> dict:
    binary = cli_binary()
    with tempfile.TemporaryDirectory(prefix="crs-claude-home-") as home:
        env = {name: value for name, value in os.environ.items() if not name.startswith(("ANTHROPIC_", "CLAUDE_"))}
        env.update({"HOME": home, "ANTHROPIC_BASE_URL": base_url, "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
                    "DISABLE_AUTOUPDATER": "1", "CI": "1"})
        env["ANTHROPIC_API_KEY" if mode == "api-key" else "ANTHROPIC_AUTH_TOKEN"] = key
        version = subprocess.run([binary, "--version"], env=env, capture_output=True, text=True, timeout=60)
        done = subprocess.run([binary, "-p", "Reply with the single word: pong", "--model", model, "--output-format", "json"],
                              env=env, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
        if done.returncode != 0:
            raise SystemExit(f"claude exited {done.returncode}\nstdout: {done.stdout}\nstderr: {done.stderr}")
        result = json.loads(done.stdout.strip().splitlines()[-1])
        if result.get("is_error"):
            raise SystemExit(f"claude reported an error: {done.stdout}")
        return {"version": version.stdout.strip(), "result": result.get("result"), "usage": result.get("usage")}


def main() -> int:
    command, base_url, key = sys.argv[1], sys.argv[2], sys.argv[3]
    if command == "langchain":
        print(json.dumps(langchain(base_url, key)))
    elif command == "cli":
        print(json.dumps(cli(base_url, key, sys.argv[4] if len(sys.argv) > 4 else "api-key", sys.argv[5] if len(sys.argv) > 5 else MODEL)))
    else:
        raise SystemExit(f"unknown command {command}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
