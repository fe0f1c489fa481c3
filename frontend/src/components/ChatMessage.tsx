/** One entry of the transcript: the trader's message, a reply, or a notice. */
import { NOTE_PROVIDER, type ChatMessage as ChatMessageModel } from "../chat/reducer";

const ROLE_NAMES = { user: "You", assistant: "Strategist", system: "Notice" } as const;
/** Who wrote a note the server posted (a restore, a backtest result): not the strategist. */
const NOTE_AUTHOR = "Vibe Water";

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
        {/* Which strategist answers is said once, in the chat's header (ProviderBadge), not on every reply. */}
        <span className="message__author">{message.provider === NOTE_PROVIDER ? NOTE_AUTHOR : ROLE_NAMES[role]}</span>
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
