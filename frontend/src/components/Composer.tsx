/** The message box: Enter sends, Shift+Enter starts a new line; Stop while a reply streams; a counter near the limit. */
import { useEffect, useRef, type FormEvent, type KeyboardEvent } from "react";

import { lengthNotice } from "../chat/messageLength";

interface ComposerProps {
  disabled: boolean;
  streaming: boolean;
  placeholder: string;
  onSend: (content: string) => boolean;
  onStop: () => void;
  draft: string;
  onDraftChange: (draft: string) => void;
  /** The server's `CHAT_MAX_MESSAGE_CHARS`; unknown (no limit here) when the page did not say. */
  maxLength?: number;
}

export function Composer({
  disabled,
  streaming,
  placeholder,
  onSend,
  onStop,
  draft: text,
  onDraftChange: setText,
  maxLength,
}: ComposerProps) {
  // No `maxLength` on the box: it would cut a pasted text silently; an over-long draft is kept and said to be.
  const notice = lengthNotice(text, maxLength);
  const canSend = !disabled && text.trim().length > 0 && !notice?.over;
  const inputRef = useRef<HTMLTextAreaElement>(null);

  // Disabling the box drops its focus; give it back when the reply is done.
  useEffect(() => {
    if (!disabled && document.activeElement === document.body) inputRef.current?.focus();
  }, [disabled]);

  const submit = () => {
    if (!canSend) return;
    if (onSend(text.trim())) setText("");
  };

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    submit();
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      submit();
    }
  };

  return (
    <form className="composer" onSubmit={onSubmit}>
      <label htmlFor="chat-input" className="visually-hidden">
        Message the strategist
      </label>
      <textarea
        id="chat-input"
        ref={inputRef}
        className="composer__input"
        data-testid="chat-input"
        value={text}
        onChange={(event) => setText(event.target.value)}
        onKeyDown={onKeyDown}
        placeholder={placeholder}
        disabled={disabled}
        rows={2}
        aria-invalid={notice?.over || undefined}
        aria-describedby={notice ? "chat-input-length" : undefined}
      />
      <div className="composer__actions">
        <span className="composer__status" aria-live="polite">
          {notice ? (
            <span
              id="chat-input-length"
              className={`composer__length${notice.over ? " is-over" : ""}`}
              data-testid="message-length"
            >
              {notice.text}
            </span>
          ) : (
            <span className="composer__hint">Enter to send · Shift+Enter for a new line</span>
          )}
        </span>
        {streaming && (
          <button type="button" className="button button--danger" onClick={onStop} data-testid="stop-button">
            ■ Stop
          </button>
        )}
        <button type="submit" className="button button--primary" disabled={!canSend} data-testid="send-button">
          Send
        </button>
      </div>
    </form>
  );
}
