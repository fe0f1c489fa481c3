/** One entry of the transcript: the trader's message, a reply, or a notice. */
import type { ChatMessage as ChatMessageModel } from "../chat/reducer";

const ROLE_NAMES = { user: "You", assistant: "Strategist", system: "Notice" } as const;

export function ChatMessage({ message }: { message: ChatMessageModel }) {
  const { role, status } = message;
  const replyFailed = role === "assistant" && (status === "error" || status === "interrupted");
  return (
    <li
      className={`message message--${role} is-${status}`}
      data-testid="chat-message"
      data-role={role}
      data-status={status}
      data-id={message.id}
    >
      <div className="message__head">
        <span className="message__author">{ROLE_NAMES[role]}</span>
        {role === "assistant" && message.provider === "offline" && <span className="message__tag">Offline strategist</span>}
        {message.strategyVersion != null && status === "complete" && (
          <span className="message__tag">Strategy v{message.strategyVersion}</span>
        )}
        {status === "sending" && <span className="message__tag">Sending…</span>}
      </div>
      {message.content && <div className="message__body">{message.content}</div>}
      {message.truncated && (
        <p className="message__note">Only the beginning of this message is shown: it is too long to show in full.</p>
      )}
      {role === "assistant" && status === "streaming" && !message.content && (
        <div className="message__body muted">Thinking…</div>
      )}
      {replyFailed && (
        <p className="message__error" role="alert">
          {message.error || (status === "interrupted" ? "This reply was stopped before it finished." : "This reply failed.")}
        </p>
      )}
      {role === "user" && status === "error" && <p className="message__error">{message.error || "Not sent."}</p>}
    </li>
  );
}
