"""The chat-model seam. LangChain stays behind it: the core sees only `ChatModel`.

Backends from a string (settings `llm.model`):
- `openai:MODEL` with `llm.base_url`: any OpenAI-compatible chat-completions endpoint (Ollama,
  vLLM, llama.cpp server, Azure OpenAI's compatible endpoint) through `ChatOpenAI`;
- any other string goes to LangChain's `init_chat_model`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol, runtime_checkable

from pydantic import SecretStr

from assistant.settings import LLMSettings


class ChatModelError(Exception):
    """The chat model is not configured or failed."""


@runtime_checkable
class ChatModel(Protocol):
    """Streams the reply to a system and a user message as text pieces."""

    @property
    def id(self) -> str: ...

    def stream(self, system: str, user: str) -> Iterator[str]: ...


class LangChainChat:
    """Any LangChain chat model behind the seam."""

    def __init__(self, model: Any, model_id: str) -> None:
        self._model = model
        self._id = model_id

    @property
    def id(self) -> str:
        return self._id

    def stream(self, system: str, user: str) -> Iterator[str]:
        from langchain_core.messages import HumanMessage, SystemMessage

        try:
            for chunk in self._model.stream([SystemMessage(system), HumanMessage(user)]):
                content = chunk.content
                if isinstance(content, str):
                    if content:
                        yield content
                else:  # a list of content blocks
                    for block in content:
                        piece = block.get("text", "") if isinstance(block, dict) else str(block)
                        if piece:
                            yield piece
        except Exception as exc:  # any provider error becomes one clear error for the surface
            raise ChatModelError(
                f"the chat model {self._id} failed: {type(exc).__name__}: {exc}"
            ) from exc


def make_chat_model(settings: LLMSettings) -> ChatModel:
    """Build the configured chat model (no network traffic until the first question)."""
    spec = settings.model.strip()
    if not spec:
        raise ChatModelError(
            "LLM mode needs a model: set REGELRETT_LLM_MODEL (e.g. openai:llama3.1) and, for a "
            "local or self-hosted server, REGELRETT_LLM_BASE_URL"
        )
    key = settings.api_key.get_secret_value() if settings.api_key else None
    provider, _, name = spec.partition(":")
    if provider == "openai" and name:
        from langchain_openai import ChatOpenAI

        model: Any = ChatOpenAI(
            model=name,
            base_url=settings.base_url,
            api_key=SecretStr(key or "not-needed"),  # local servers accept any key
            temperature=settings.temperature,
            timeout=settings.timeout_s,
            max_retries=1,
            streaming=True,
        )
        return LangChainChat(model, spec)
    from langchain.chat_models import init_chat_model

    kwargs: dict[str, Any] = {"temperature": settings.temperature}
    if settings.base_url:
        kwargs["base_url"] = settings.base_url
    if key:
        kwargs["api_key"] = key
    try:
        model = init_chat_model(spec, **kwargs)
    except Exception as exc:
        raise ChatModelError(f"cannot set up chat model {spec!r}: {exc}") from exc
    return LangChainChat(model, spec)
