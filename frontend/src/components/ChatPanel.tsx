/** The conversation with the strategist: transcript, streaming reply, and the message box. */
import { useEffect, useLayoutEffect, useRef, useState } from "react";

import { isSending, type ChatState } from "../chat/reducer";
import type { EarlierMessages } from "../hooks/useEarlierMessages";
import type { ConnectionStatus } from "../hooks/useWebSocketChat";
import { ChatMessage } from "./ChatMessage";
import { Composer } from "./Composer";
import { ProviderBadge } from "./ProviderBadge";

interface ChatPanelProps {
  state: ChatState;
  status: ConnectionStatus;
  earlier: EarlierMessages;
  onSend: (content: string) => boolean;
  onStop: () => void;
  maxMessageChars?: number;
}

const SUGGESTIONS = [
  "I have $5000 and want a conservative strategy with 3% monthly returns",
  "I have $1000, please choose a high-return strategy",
  "Build a medium-risk DeFi strategy for $2,500",
];

export function ChatPanel({ state, status, earlier, onSend, onStop, maxMessageChars }: ChatPanelProps) {
  const streaming = state.streamingId !== null;
  const connected = status === "connected";
  const [draft, setDraft] = useState("");
  const listRef = useRef<HTMLOListElement>(null);
  const lastMessage = state.messages[state.messages.length - 1];
  const firstId = state.messages[0]?.id;
  const fromBottomRef = useRef(0);
  const firstIdRef = useRef(firstId);

  // Follow the conversation as it grows at the end, including each streamed chunk.
  useEffect(() => {
    const list = listRef.current;
    if (list) list.scrollTop = list.scrollHeight;
  }, [lastMessage?.id, lastMessage?.content, streaming]);

  // Messages put in above (earlier ones loaded) keep in view what the trader was reading.
  useLayoutEffect(() => {
    const list = listRef.current;
    if (list && firstIdRef.current !== undefined && firstIdRef.current !== firstId) {
      list.scrollTop = list.scrollHeight - fromBottomRef.current;
    }
    firstIdRef.current = firstId;
  }, [firstId]);

  const placeholder = !connected
    ? "Waiting for the connection…"
    : streaming
      ? "The strategist is replying…"
      : "Describe your capital, goals and risk appetite…";

  return (
    <section className="panel chat" aria-label="Chat with the strategist">
      <header className="panel__header">
        <div className="panel__heading">
          <h1 className="panel__title">Strategist</h1>
          {state.title && <p className="panel__subtitle">{state.title}</p>}
        </div>
        <ProviderBadge provider={state.provider} />
      </header>

      {state.messages.length === 0 ? (
        <div className="chat__empty">
          <p className="chat__empty-title">Describe the strategy you want.</p>
          <p className="muted">
            Tell the strategist your capital, your monthly return goal and how much risk you accept. It builds the
            strategy <span className="wide-only">on the right</span>
            <span className="narrow-only">in the Builder tab</span> and explains it here.
          </p>
          <ul className="suggestions">
            {SUGGESTIONS.map((suggestion) => (
              <li key={suggestion}>
                <button type="button" className="suggestion" onClick={() => setDraft(suggestion)}>
                  {suggestion}
                </button>
              </li>
            ))}
          </ul>
        </div>
      ) : (
        <ol
          className="chat__messages"
          ref={listRef}
          aria-live="polite"
          onScroll={(event) => {
            fromBottomRef.current = event.currentTarget.scrollHeight - event.currentTarget.scrollTop;
          }}
        >
          {state.earlierCursor !== null && (
            <li className="chat__earlier">
              <button
                type="button"
                className="chat__earlier-button"
                disabled={earlier.loading}
                onClick={() => void earlier.load()}
              >
                {earlier.loading ? "Loading earlier messages…" : "Load earlier messages"}
              </button>
              {earlier.error && (
                <p className="message__error" role="alert">
                  {earlier.error}
                </p>
              )}
            </li>
          )}
          {state.messages.map((message) => (
            <ChatMessage key={message.id} message={message} />
          ))}
          {streaming && (
            <li className="typing" data-testid="typing-indicator" aria-label="The strategist is typing">
              <span />
              <span />
              <span />
            </li>
          )}
        </ol>
      )}

      <Composer
        disabled={!connected || streaming || isSending(state)}
        streaming={streaming}
        placeholder={placeholder}
        onSend={onSend}
        onStop={onStop}
        draft={draft}
        onDraftChange={setDraft}
        maxLength={maxMessageChars}
      />
    </section>
  );
}
